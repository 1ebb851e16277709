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
  5. reports p50/p95 ms and, for the product's BM25 index (vectorstore/bm25.py, incremental postings):
     the catch-up after the growth step (the first search applies the catalog's change log), the catch-up
     after one more CV is added and after it is removed (the per-write cost), a full build from the catalog
     (what a process that opens the store pays), the RSS a built index takes, this process's and the
     server's RSS, and Chroma's size on disk.

Growth vectors are NOT USE: embedding 100k passages with USE takes ~1 CPU-hour on this machine, so stored passages get
hash-seeded random unit vectors (512-d, deterministic per text). Query vectors are real USE. HNSW search
cost depends little on the data at this size, but dense *results* are meaningless here: this measures speed.

Checked at every size: the incrementally grown index ranks every query exactly as a fresh build of the same
passages does (same top 20, scores equal to 1e-9), and its scores equal rank-bm25's BM25Okapi (when rank-bm25 is
installed; on the first REFERENCE_QUERIES queries, as rank-bm25 takes ~1 s per query at 100k).

    .venv/bin/python bench/scale.py [--quick] [--sizes 10000,50000,100000] [--files 150] [--no-doc]
    .venv/bin/python bench/scale.py --bm25-only [--files 40]   # the BM25 index alone, in seconds
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
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

from recruiter.runtime.chroma_server import ChromaServerError, start_chroma_server, stop_process

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
REFERENCE_QUERIES = 10   # queries also scored by rank-bm25 (slow: it loops over every passage per term)


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


def start_server(path: Path, log: Path) -> tuple[subprocess.Popen, str]:
    try:
        return start_chroma_server(path, log)
    except ChromaServerError as e:
        raise SystemExit(str(e))


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


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def fresh(store) -> None:
    """The store's own catch-up (change log delta, or rebuild), as its next search would run it."""
    with store._lock:
        store._fresh()


def check_index(store, queries: list[str], reference: bool) -> dict:
    """Full-build time and RSS, and the grown index's rankings/scores against a fresh build and rank-bm25."""
    import numpy as np

    from recruiter.vectorstore.bm25 import BM25Index
    from recruiter.vectorstore.bm25_sync import index_rows
    gc.collect()
    rss0, t = _rss_bytes(os.getpid()), time.perf_counter()
    with store.catalog.snapshot():
        rows = index_rows(store.catalog.passages_with_tokens(), store.catalog, store._tokens_for)
    built = BM25Index(store.bm25.tokenizer)
    built.build(rows)
    out = {"bm25_build_s": time.perf_counter() - t}
    order = [r[0] for r in rows]
    del rows
    gc.collect()
    out["bm25_rss_mb"] = (_rss_bytes(os.getpid()) - rss0) / MB
    grown, same, worst = store.bm25, True, 0.0
    for q in queries:
        g, b = grown.scores(q), built.scores(q)
        same &= grown.rank(g, 20) == built.rank(b, 20)
        gs = np.array([g[grown._slot_of[pid]] for pid in order]) if len(g) else np.zeros(0)
        bs = np.array([b[built._slot_of[pid]] for pid in order]) if len(b) else np.zeros(0)
        worst = max(worst, float(np.max(np.abs(gs - bs))) if len(gs) else 0.0)
    out.update(same_as_fresh=same, max_abs_diff_vs_fresh=worst, max_abs_diff_vs_rank_bm25=None)
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return out
    if not reference:
        return out
    with store.catalog.snapshot():
        rows = index_rows(store.catalog.passages_with_tokens(), store.catalog, store._tokens_for)
    ref, ref_worst = BM25Okapi([r[2] for r in rows]), 0.0
    del rows
    for q in queries[:REFERENCE_QUERIES]:
        tokens = store.bm25.tokenizer.query_tokens(q)
        b = built.scores(q)
        bs = np.array([b[built._slot_of[pid]] for pid in order]) if len(b) else np.zeros(len(order))
        ref_worst = max(ref_worst, float(np.max(np.abs(ref.get_scores(tokens) - bs))))
    out["max_abs_diff_vs_rank_bm25"] = ref_worst
    del ref
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--quick", action="store_true", help="10k passages only")
    ap.add_argument("--files", type=int, default=150, help="distinct CVs parsed and replicated")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--bm25-only", action="store_true",
                    help="the BM25 index alone, no Chroma (seconds); prints, never writes the doc")
    args = ap.parse_args(argv)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]

    from recruiter.assistant.evaluation import load_questions
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings
    from recruiter.vectorstore.store import CandidateStore

    load_start = load()
    print(f"sizes {sizes}; {machine()}; {stamp()}; repo {git_rev()}; load {load_start}", flush=True)
    queries = [q["question"] for q in load_questions(SHARED / "eval" / "devset.jsonl")] + BENCH_QUERIES
    t = time.perf_counter()
    docs = base_documents(args.corpus, args.files)
    print(f"parsed {len(docs)} distinct CVs in {time.perf_counter() - t:.0f} s", flush=True)
    if args.bm25_only:
        from scale_bm25 import bm25_only
        bm25_only(docs, sizes, queries, REFERENCE_QUERIES)
        return 0
    emb = RandomUnitEmbeddings(make_embeddings(Settings.from_env(llm="none")))

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
                extra = next(feed)   # one more CV, added and removed again: the per-write catch-up
                for m, s in stores.items():
                    row = {"size": total, "mode": m, "upsert_passages_per_s": total / grow_s[m]}
                    row["bm25_catch_up_s"] = timed(lambda: s.search("warm up", k=8, mode="bm25"))
                    time_queries(s, queries, "hybrid")             # warm-up pass (HNSW pages, jieba)
                    for mode in MODES:
                        ms = time_queries(s, queries, mode)
                        row[mode] = {"p50": pct(ms, 50), "p95": pct(ms, 95), "mean": sum(ms) / len(ms)}
                    s.upsert(*extra)
                    row["bm25_add_cv_ms"] = 1000 * timed(lambda: fresh(s))
                    s.remove_candidate(extra[1].id)
                    row["bm25_remove_cv_ms"] = 1000 * timed(lambda: fresh(s))
                    row.update(check_index(s, queries, reference=m == "embedded"))   # same passages in both
                    row["process_rss_mb"] = _rss_bytes(os.getpid()) / MB
                    row["server_rss_mb"] = _rss_bytes(server.pid) / MB
                    row["chroma_disk_mb"] = du_mb(tmp / ("home-embedded/chroma" if m == "embedded" else "server-data"))
                    results.append(row)
                    print(f"  {m:<8} " + "  ".join(f"{mode} p50 {row[mode]['p50']:.0f} p95 {row[mode]['p95']:.0f} ms"
                                                   for mode in MODES)
                          + f"  (BM25 catch-up {row['bm25_catch_up_s']:.1f} s, +1 CV {row['bm25_add_cv_ms']:.1f} ms, "
                          f"full build {row['bm25_build_s']:.1f} s, same ranking as a fresh build: "
                          f"{row['same_as_fresh']})", flush=True)
        finally:
            for s in stores.values():
                s.close()
            stop_process(server)
        print("chroma server stopped", flush=True)

    head = (f"{'passages':>8} {'chroma':<8} {'dense p50/p95':>13} {'BM25 p50/p95':>13} {'hybrid p50/p95':>14} "
            f"{'catch-up +1 CV/-1 CV':>20} {'full build':>10} {'BM25 MB':>7} {'proc MB':>7} {'server MB':>9} {'disk MB':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r['size']:>8} {r['mode']:<8} {r['dense']['p50']:>6.0f}/{r['dense']['p95']:<6.0f} "
                     f"{r['bm25']['p50']:>6.0f}/{r['bm25']['p95']:<6.0f} {r['hybrid']['p50']:>7.0f}/{r['hybrid']['p95']:<6.0f} "
                     f"{r['bm25_add_cv_ms']:>9.1f}/{r['bm25_remove_cv_ms']:<5.1f} ms {r['bm25_build_s']:>8.1f} s "
                     f"{r['bm25_rss_mb']:>7.0f} {r['process_rss_mb']:>7.0f} {r['server_rss_mb']:>9.0f} {r['chroma_disk_mb']:>7.0f}")
    diffs = [r["max_abs_diff_vs_rank_bm25"] for r in results if r.get("max_abs_diff_vs_rank_bm25") is not None]
    notes = ["ms per query, real query path (USE query embedding included); stored vectors are random unit vectors "
             "(growth only; USE for 100k passages would take ~1 CPU-hour here).",
             "BM25 = vectorstore/bm25.py's incremental postings index. catch-up +1 CV / -1 CV = bringing the index up to "
             "the catalog after one CV is upserted / removed (the change log's delta, no rebuild); full build = "
             "reading the catalog's cached tokens and building the index, what a process pays on its first search; "
             "BM25 MB = RSS one built index takes.",
             "first search after each growth step (a full build at the first size, then the change log's delta of "
             "the whole step): " +
             ", ".join(f"{r['size']} {r['mode']} {r['bm25_catch_up_s']:.1f} s" for r in results) + ".",
             "grown index vs a fresh build of the same passages, every query: same top 20 " +
             ("at every size" if all(r["same_as_fresh"] for r in results) else "NOT at every size") +
             f", max |score diff| {max(r['max_abs_diff_vs_fresh'] for r in results):.1e}; vs rank-bm25 BM25Okapi "
             f"(first {REFERENCE_QUERIES} queries): " + (f"max |diff| {max(diffs):.1e}" if diffs else "not installed") + ".",
             "proc MB = this process (both stores' catalogs + BM25 indexes, embedded Chroma, USE); server MB = the chroma "
             "run process.",
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
