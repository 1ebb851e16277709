"""Retrieval latency as the store grows: embedded Chroma vs a `chroma run` server, 10k / 50k / 100k passages.

What it does, in one run:
  1. starts `chroma run --host 127.0.0.1 --port <free> --path <tmp>` (the venv's chroma CLI) and stops it at the end;
  2. parses a fixed sample of the bench resume PDFs (../shared/corpus/bench/resumes_pdf, parse_parallel,
     2 workers) and replicates them with distinct ids: copy k of a CV gets the source "r<k>_<file>" and a
     trailing "Ref k" line, so its text, doc_id, candidate and passage ids are new;
  3. grows two CandidateStores in step, one embedded (PersistentClient) and one on the server, through the
     product's own CandidateStore.upsert (tokens, catalog, Chroma), to each size;
  4. at each size times the real query path, CandidateStore.search(query, k=8, mode) for dense, BM25 and
     hybrid, with the query-embedding cache cleared before every query (so USE embeds each query), over
     40 recruiter questions (the dev set's 20 + 20 about the bench CVs), after one warm-up pass;
  5. reports p50/p95 ms, the BM25 rebuild time after growth, memory (this process's RSS, the server's
     RSS, the RSS the BM25 index adds), and Chroma's size on disk.

Growth vectors are NOT USE: embedding 100k passages with USE takes ~1 CPU-hour on this machine, so stored passages get
hash-seeded random unit vectors (512-d, deterministic per text). Query vectors are real USE. HNSW search
cost depends little on the data at this size, but dense *results* are meaningless here: this measures speed.

Also timed (no product code changed): "BM25 postings", the same Okapi scores (rank-bm25's idf, k1, b,
epsilon) computed from a per-term postings index in numpy — what vectorstore/bm25.py would do with bm25s-style
precomputed sparse weights. Its scores are checked against rank-bm25's on every query.

    .venv/bin/python bench/scale.py [--quick] [--sizes 10000,50000,100000] [--files 150] [--no-doc]
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    MB,
    REPO,
    SHARED,
    _rss_bytes,
    git_rev,
    load,
    machine,
    pct,
    replace_section,
    stamp,
)

DEFAULT_CORPUS = SHARED / "corpus" / "bench" / "resumes_pdf"
SIZES = (10_000, 50_000, 100_000)
MODES = ("dense", "bm25", "hybrid")
BENCH_QUERIES = [
    "accounts payable and general ledger experience", "registered nurse with ICU experience",
    "Python developer with SQL and cloud experience", "who has a CPA certification",
    "bachelor of science in finance", "experience managing a restaurant kitchen",
    "customer service in a call center", "teacher with classroom management skills",
    "sales representative exceeding quota", "AutoCAD drafting for construction projects",
    "human resources recruiting and onboarding", "aircraft maintenance technician FAA license",
    "digital marketing and social media campaigns", "bank teller cash handling",
    "personal trainer certification", "graphic designer Adobe Photoshop Illustrator",
    "public relations press releases", "agriculture crop management", "paralegal legal research",
    "automotive service technician ASE certified",
]


class RandomUnitEmbeddings:
    """Growth stand-in for USE: a deterministic random unit vector per text (~20 µs instead of ~20 ms)."""

    def __init__(self, real, dim: int = 512):
        import numpy as np
        self.np, self.real, self.dim = np, real, dim

    def embed_documents(self, texts):
        np = self.np
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out.tolist()

    def embed_query(self, text):
        return self.real.embed_query(text)      # the real query path


class PostingsBM25:
    """BM25Okapi's scores from per-term postings (doc index array + precomputed weight array), numpy only."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25):
        import math
        from collections import Counter, defaultdict

        import numpy as np
        self.np = np
        n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avgdl = lengths.mean() if n else 0.0
        post_ix: dict[str, list[int]] = defaultdict(list)
        post_tf: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            for term, tf in Counter(d).items():
                post_ix[term].append(i)
                post_tf[term].append(tf)
        idf = {t: math.log(n - len(ix) + 0.5) - math.log(len(ix) + 0.5) for t, ix in post_ix.items()}
        floor = epsilon * (sum(idf.values()) / len(idf)) if idf else 0.0   # rank-bm25's negative-idf rule
        norm = k1 * (1 - b + b * lengths / avgdl) if n else lengths
        self.n, self.postings = n, {}
        for t, ix in post_ix.items():
            ix_a = np.array(ix, dtype=np.int32)
            tf = np.array(post_tf[t], dtype=np.float64)
            w = (idf[t] if idf[t] >= 0 else floor) * tf * (k1 + 1) / (tf + norm[ix_a])
            self.postings[t] = (ix_a, w.astype(np.float32))

    def scores(self, tokens: list[str]):
        s = self.np.zeros(self.n, dtype=self.np.float32)
        for t in tokens:
            p = self.postings.get(t)
            if p is not None:
                s[p[0]] += p[1]
        return s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path, log: Path) -> tuple[subprocess.Popen, str]:
    exe = Path(sys.executable).with_name("chroma")
    exe = str(exe) if exe.exists() else shutil.which("chroma")
    if not exe:
        raise SystemExit("the chroma CLI is not installed (pip install chromadb)")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"chroma server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def base_documents(corpus: Path, n_files: int) -> list:
    import random

    from recruiter.ingest.parallel import parse_parallel
    files = sorted(p for p in corpus.rglob("*.pdf"))
    files = sorted(random.Random(1).sample(files, min(n_files, len(files))))
    return [r.parsed.document for r in parse_parallel(files) if r.ok]


def replicas(docs: list):
    """Endless stream of (Document, Candidate, passages): copy 0, 1, 2 ... of every base CV."""
    from recruiter.ingest.chunking import chunk_document
    from recruiter.ingest.models import (
        Candidate,
        Document,
        candidate_id_for,
        content_hash,
    )
    from recruiter.ingest.sections import split_sections
    k = 0
    while True:
        for base in docs:
            source = f"r{k:03d}_{base.source}"
            text = f"{base.text}\n\nRef {k}"
            doc = Document(doc_id=content_hash(text), source=source, path=base.path, file_hash=content_hash(text),
                           text=text, format=base.format, extractor=base.extractor,
                           candidate_id=candidate_id_for(source))
            passages = chunk_document(doc, spans=split_sections(text))
            yield doc, Candidate(id=doc.candidate_id, name=Path(source).stem, sources=[source]), passages
        k += 1


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MB


def time_queries(store, queries: list[str], mode: str) -> list[float]:
    out = []
    for q in queries:
        store._qcache.clear()
        t = time.perf_counter()
        store.search(q, k=8, mode=mode)
        out.append(1000 * (time.perf_counter() - t))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--quick", action="store_true", help="10k passages only")
    ap.add_argument("--files", type=int, default=150, help="distinct CVs parsed and replicated")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args(argv)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]

    from recruiter.assistant.evaluation import load_questions
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings
    from recruiter.vectorstore.store import CandidateStore

    load_start = load()
    print(f"sizes {sizes}; {machine()}; {stamp()}; repo {git_rev()}; load {load_start}", flush=True)
    queries = [q["question"] for q in load_questions(SHARED / "eval" / "devset.jsonl")] + BENCH_QUERIES
    real = make_embeddings(Settings.from_env(llm="none"))
    emb = RandomUnitEmbeddings(real)
    t = time.perf_counter()
    docs = base_documents(args.corpus, args.files)
    print(f"parsed {len(docs)} distinct CVs in {time.perf_counter() - t:.0f} s", flush=True)

    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp_s:
        tmp = Path(tmp_s)
        server, url = start_server(tmp / "server-data", tmp / "chroma.log")
        stores = {}
        try:
            stores = {"embedded": CandidateStore(tmp / "home-embedded", emb),
                      "server": CandidateStore(tmp / "home-server", emb, chroma_url=url)}
            for s in stores.values():
                s.warm()
            feed = replicas(docs)
            total, grow_s = 0, {m: 0.0 for m in stores}
            for size in sizes:
                while total < size:
                    doc, cand, passages = next(feed)
                    for m, s in stores.items():
                        t = time.perf_counter()
                        s.upsert(doc, cand, passages)
                        grow_s[m] += time.perf_counter() - t
                    total += len(passages)
                print(f"grown to {total} passages (upsert so far: " +
                      ", ".join(f"{m} {grow_s[m]:.0f} s" for m in stores) + ")", flush=True)
                for m, s in stores.items():
                    gc.collect()
                    rss0 = _rss_bytes(os.getpid())
                    t = time.perf_counter()
                    s.search("warm up", k=8, mode="bm25")          # rebuilds BM25 after the writes
                    rebuild = time.perf_counter() - t
                    bm25_mb = (_rss_bytes(os.getpid()) - rss0) / MB
                    time_queries(s, queries, "hybrid")             # warm-up pass (HNSW pages, jieba)
                    row = {"size": total, "mode": m, "bm25_rebuild_s": rebuild, "bm25_rss_mb": bm25_mb,
                           "upsert_passages_per_s": total / grow_s[m]}
                    for mode in MODES:
                        ms = time_queries(s, queries, mode)
                        row[mode] = {"p50": pct(ms, 50), "p95": pct(ms, 95), "mean": sum(ms) / len(ms)}
                    # the postings prototype on the same tokens, checked against rank-bm25's scores
                    import numpy as np
                    rows_tok = [tok.split() if tok else [] for _, tok in s.catalog.passages_with_tokens()]
                    t = time.perf_counter()
                    proto = PostingsBM25(rows_tok)
                    row["postings_build_s"] = time.perf_counter() - t
                    ms, ms_okapi, worst = [], [], 0.0
                    for q in queries:
                        toks = [x for x in s.bm25.tokenizer.query_tokens(q) if x in s.bm25._bm25.idf]
                        t = time.perf_counter()
                        ps = proto.scores(toks)
                        top = np.argpartition(-ps, 32)[:32] if len(ps) > 32 else np.arange(len(ps))
                        ms.append(1000 * (time.perf_counter() - t))
                        t = time.perf_counter()
                        ref = s.bm25._bm25.get_scores(toks) if toks else np.zeros(len(ps))
                        ms_okapi.append(1000 * (time.perf_counter() - t))
                        worst = max(worst, float(np.max(np.abs(ref - ps))) if len(ps) else 0.0)
                        del top
                    row["bm25_postings"] = {"p50": pct(ms, 50), "p95": pct(ms, 95), "max_abs_diff": worst}
                    row["bm25_okapi_scoring"] = {"p50": pct(ms_okapi, 50), "p95": pct(ms_okapi, 95)}
                    row["process_rss_mb"] = _rss_bytes(os.getpid()) / MB
                    row["server_rss_mb"] = _rss_bytes(server.pid) / MB
                    row["chroma_disk_mb"] = du_mb(tmp / ("home-embedded/chroma" if m == "embedded" else "server-data"))
                    results.append(row)
                    print(f"  {m:<8} " + "  ".join(f"{mode} p50 {row[mode]['p50']:.0f} p95 {row[mode]['p95']:.0f} ms"
                                                   for mode in MODES) + f"  (BM25 rebuild {rebuild:.1f} s)", flush=True)
                    del proto
        finally:
            for s in stores.values():
                s.close()
            stop_server(server)
        print("chroma server stopped", flush=True)

    head = (f"{'passages':>8} {'chroma':<8} {'dense p50/p95':>13} {'BM25 p50/p95':>13} {'hybrid p50/p95':>14} "
            f"{'postings p50/p95':>16} {'BM25 rebuild':>12} {'BM25 MB':>7} {'proc MB':>7} {'server MB':>9} {'disk MB':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r['size']:>8} {r['mode']:<8} {r['dense']['p50']:>6.0f}/{r['dense']['p95']:<6.0f} "
                     f"{r['bm25']['p50']:>6.0f}/{r['bm25']['p95']:<6.0f} {r['hybrid']['p50']:>7.0f}/{r['hybrid']['p95']:<6.0f} "
                     f"{r['bm25_postings']['p50']:>8.1f}/{r['bm25_postings']['p95']:<7.1f} {r['bm25_rebuild_s']:>10.1f} s "
                     f"{r['bm25_rss_mb']:>7.0f} {r['process_rss_mb']:>7.0f} {r['server_rss_mb']:>9.0f} {r['chroma_disk_mb']:>7.0f}")
    notes = ["ms per query, real query path (USE query embedding included); stored vectors are random unit vectors "
             "(growth only; USE for 100k passages would take ~1 CPU-hour here).",
             "postings = the same BM25Okapi scores from a numpy postings index (max |diff| vs rank-bm25: " +
             f"{max(r['bm25_postings']['max_abs_diff'] for r in results):.1e}); rank-bm25 get_scores alone p95: " +
             ", ".join(f"{r['size']} {r['bm25_okapi_scoring']['p95']:.0f} ms" for r in results if r['mode'] == 'embedded') + ".",
             "proc MB = this process (both stores' catalogs + BM25 indexes, embedded Chroma, USE); server MB = the chroma "
             "run process; BM25 MB = RSS added by one BM25 rebuild.",
             "upsert rate (product path, fake embeddings): " +
             ", ".join(f"{r['mode']} {r['upsert_passages_per_s']:.0f} passages/s" for r in results[-2:]) + "."]
    last = [r for r in results if r["size"] == results[-1]["size"]]
    verdict = [f"hybrid p95 at {r['size']} passages, {r['mode']}: {r['hybrid']['p95']:.0f} ms (target <= 100 ms)" for r in last]
    for line in lines + [""] + notes + verdict:
        print(line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_doc:
        body = "\n".join([f"`bench/scale.py{' --quick' if args.quick else ''}` — {stamp()}, {machine()}, repo {git_rev()}, "
                          f"load at start {load_start}", "", "```", *lines, "", *notes, *verdict, "```"])
        replace_section(REPO / "docs" / "scaling.md", "scale", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
