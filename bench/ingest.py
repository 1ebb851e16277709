"""Ingest throughput: the naive LangChain recipe vs this product, cold and unchanged re-ingest, one run.

Corpus: ../shared/corpus/bench/resumes_pdf (2,484 Kaggle resume PDFs); ``--limit N`` takes a fixed
random sample (seed 0), ``--quick`` = 200 files. Every variant runs in its own fresh process (so peak
memory is its own) on its own fresh data dir, one after the other, with the same USE embeddings
(``providers.make_embeddings``):

  naive             langchain PyPDFLoader per file + RecursiveCharacterTextSplitter(1000, 200) +
                    Chroma.add_documents per file (an embedded langchain_chroma.Chroma).
  product           App.open(Settings(home=tmp, llm="none")).library.ingest(files): what `recruiter
                    ingest` does today (serial: parse, identity, embed, Chroma, catalog per file).
  parallel parse    the same Library.ingest_file per file, but the files are parsed ahead by
                    recruiter.ingest.parallel.parse_parallel in 2 worker processes (its skip predicate is
                    store.is_unchanged). The parsed result is handed to ingest_file by swapping the
                    ``parse_file`` name in recruiter.assistant.library for a lookup, so identity, injection
                    flags, duplicate handling and store.upsert are the product's own code, not a copy.
  parallel+embed    as above, and each worker also embeds its passages' dense texts (USE, 1 BLAS thread
                    per worker): the store gets the vectors through an Embeddings wrapper that serves
                    precomputed vectors by text. Stands in for a store API taking vectors (see docs/benchmarks.md).
  re-ingest         a new App on the product's data dir, Library.ingest(the same files): all unchanged.

Columns: files/s and passages/s over the wall time of the ingest call (store open excluded, shown
apart), peak RSS = largest summed RSS of the process and its workers (sampled every 0.25 s), the
time split (parse = seconds inside parse_file, summed over workers; embed = USE; chroma = Chroma
upserts without embedding), and the load average at the start (other work on the machine slows
every variant; they run back to back). CPU s = user+sys of the variant's process and its workers, main = of the
process that writes the store: on a busy machine they are steadier than wall time, and with the machine
to itself a 2-core run needs about max(CPU s / 2, main) seconds. Ratios are printed last.

    .venv/bin/python bench/ingest.py [--quick | --limit N] [--only naive,product,...] [--json OUT] [--no-doc]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO,
    SHARED,
    PeakRSS,
    git_rev,
    load,
    machine,
    replace_section,
    stamp,
)

DEFAULT_CORPUS = SHARED / "corpus" / "bench" / "resumes_pdf"
VARIANTS = ("naive", "product", "parallel", "parallel_embed", "reingest", "reingest_scale")
LABELS = {"naive": "naive (PyPDFLoader+split+Chroma)", "product": "product (Library.ingest)",
          "parallel": "product + parallel parse (2 proc)", "parallel_embed": "parallel parse+embed (2 proc)",
          "reingest": "re-ingest unchanged (product)",
          "reingest_scale": "re-ingest unchanged (N small TXT)"}
QUICK = 200


def pick_files(corpus: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if limit and limit < len(files):
        files = sorted(random.Random(0).sample(files, limit))
    return files


# ---- timing wrappers (measurement only) ----------------------------------------------------------
class TimedEmbeddings:
    """Delegates to real Embeddings, adding up the seconds spent in embed_documents."""

    def __init__(self, inner):
        self.inner, self.seconds, self.texts = inner, 0.0, 0

    def embed_documents(self, texts):
        t = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - t
            self.texts += len(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


class PrecomputedEmbeddings(TimedEmbeddings):
    """Serves vectors computed elsewhere (the parse workers), keyed by the exact text; misses go to ``inner``."""

    def __init__(self, inner):
        super().__init__(inner)
        self.vectors: dict[str, list[float]] = {}
        self.hits = self.misses = 0

    def put(self, texts, vectors) -> None:
        for t, v in zip(texts, vectors):
            self.vectors[t] = v

    def embed_documents(self, texts):
        out, missing = [], []
        for i, t in enumerate(texts):
            v = self.vectors.pop(t, None)
            out.append(v)
            if v is None:
                missing.append(i)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            for i, v in zip(missing, super().embed_documents([texts[i] for i in missing])):
                out[i] = v
        return out


def _time_method(obj, name: str, acc: dict, key: str) -> None:
    fn = getattr(obj, name)

    def timed(*a, **kw):
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
    setattr(obj, name, timed)


# ---- worker-side embedding for parallel_embed (module level: pickled by reference) ---------------
_WORKER_MODEL = None


def embed_in_worker(parsed):
    """Runs in a parse worker: the dense texts Library → store.upsert will index, and their USE vectors."""
    global _WORKER_MODEL
    from recruiter.ingest.identity import detect_identity
    from recruiter.vectorstore.dense import indexed_text
    if _WORKER_MODEL is None:
        from recruiter.runtime.embeddings import USEM3Embeddings
        _WORKER_MODEL = USEM3Embeddings(threads=1)
    t = time.perf_counter()
    name = detect_identity(parsed.document.text, parsed.document.source).name   # = Library's candidate.name
    texts = [indexed_text(p, name) for p in parsed.passages]
    vectors = _WORKER_MODEL.model.encode(texts) if texts else []
    return texts, vectors, time.perf_counter() - t


# ---- variants (each runs in its own process) -----------------------------------------------------
def run_naive(files: list[Path], home: Path) -> dict:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from langchain_community.document_loaders import PyPDFLoader
        loader_name = "langchain_community PyPDFLoader"
    except ImportError:
        PyPDFLoader = _PyPDFLoaderStandIn
        loader_name = "pypdf per page (PyPDFLoader's method; langchain-community not installed)"
    emb = TimedEmbeddings(make_embeddings(Settings.from_env(home=home, llm="none")))
    emb.embed_query("warm up")
    vs = Chroma(collection_name="naive", embedding_function=emb, persist_directory=str(home / "naive"),
                client_settings=chromadb.config.Settings(anonymized_telemetry=False))
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    acc: dict = {}
    _time_method(vs, "add_documents", acc, "store")
    chunks = failed = stored = 0
    t0 = time.perf_counter()
    for f in files:
        try:
            tp = time.perf_counter()
            pages = PyPDFLoader(str(f)).load()
            acc["parse"] = acc.get("parse", 0.0) + time.perf_counter() - tp
            docs = [d for d in splitter.split_documents(pages) if d.page_content.strip()]
        except Exception:
            failed += 1
            continue
        if docs:
            vs.add_documents(docs)
            chunks += len(docs)
            stored += 1
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "files": len(files), "stored": stored, "failed": failed, "passages": chunks,
            "parse_s": acc.get("parse", 0.0), "embed_s": emb.seconds,
            "chroma_s": acc.get("store", 0.0) - emb.seconds, "note": loader_name}


class _PyPDFLoaderStandIn:
    def __init__(self, path: str):
        self.path = path

    def load(self):
        import pypdf
        from langchain_core.documents import Document
        reader = pypdf.PdfReader(self.path)
        return [Document(page.extract_text() or "", metadata={"source": self.path, "page": i})
                for i, page in enumerate(reader.pages)]


def _open_app(home: Path, embeddings=None):
    from recruiter.assistant.app import App
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings
    settings = Settings.from_env(home=home, llm="none", chroma_url=None)
    emb = embeddings or TimedEmbeddings(make_embeddings(settings))
    t = time.perf_counter()
    app = App.open(settings, embeddings=emb)
    return app, emb, time.perf_counter() - t


def _summarize(results, wall: float, files, extra: dict) -> dict:
    from collections import Counter
    status = Counter(r.status for r in results)
    return {"wall_s": wall, "files": len(files), "stored": status["added"] + status["replaced"],
            "unchanged": status["unchanged"], "failed": status["failed"],
            "failures": sorted({f"{r.reason}: {r.source}" for r in results if r.status == "failed"})[:10],
            "passages": sum(r.passages for r in results if r.status in ("added", "replaced")), **extra}


def run_product(files: list[Path], home: Path) -> dict:
    import recruiter.assistant.library as library_mod
    app, emb, open_s = _open_app(home)
    emb.embed_query("warm up")
    acc: dict = {}
    _time_method(app.store.dense, "add", acc, "dense")
    real_parse = getattr(library_mod, "parse_file", None)     # absent once Library parses in parallel itself
    if real_parse is not None:
        def timed_parse(*a, **kw):
            t = time.perf_counter()
            try:
                return real_parse(*a, **kw)
            finally:
                acc["parse"] = acc.get("parse", 0.0) + time.perf_counter() - t
        library_mod.parse_file = timed_parse
    try:
        t0 = time.perf_counter()
        results = app.library.ingest(files)
        wall = time.perf_counter() - t0
    finally:
        if real_parse is not None:
            library_mod.parse_file = real_parse
        app.close()
    return _summarize(results, wall, files, {"open_s": open_s, "parse_s": acc.get("parse", 0.0),
                                             "embed_s": emb.seconds, "chroma_s": acc.get("dense", 0.0) - emb.seconds,
                                             "library_parallel": real_parse is None})


def run_parallel(files: list[Path], home: Path, *, embed: bool, workers: int) -> dict:
    """Library.ingest_file's own logic on results from parse_parallel (see the module doc).

    Two shapes of recruiter.assistant.library are handled: today's (ingest_file calls parse_file: the name is
    swapped for a lookup into the parallel results) and the proposed one (Library.ingest calls parse_parallel
    itself: only parallel_embed changes anything, by adding the embedding ``enrich`` to that call).
    """
    import functools

    import recruiter.assistant.library as library_mod
    from recruiter.assistant.app import ingest_limits
    from recruiter.ingest.parallel import parse_parallel
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings

    pre = PrecomputedEmbeddings(make_embeddings(Settings.from_env(home=home, llm="none"))) if embed else None
    app, emb, open_s = _open_app(home, pre)
    if not embed:
        emb.embed_query("warm up")
    acc: dict = {"parse": 0.0, "worker_embed": 0.0}
    _time_method(app.store.dense, "add", acc, "dense")

    def seen(r):
        if r.extra is not None:
            texts, vectors, seconds = r.extra
            pre.put(texts, vectors.tolist() if hasattr(vectors, "tolist") else vectors)
            acc["worker_embed"] += seconds
        acc["parse"] += r.seconds - (r.extra[2] if r.extra is not None else 0.0)
        return r
    run = functools.partial(parse_parallel, enrich=embed_in_worker if embed else None, workers=workers)
    library_parallel = hasattr(library_mod, "parse_parallel")
    t0 = time.perf_counter()
    if library_parallel:
        real_pp = library_mod.parse_parallel
        library_mod.parse_parallel = lambda *a, **kw: (seen(r) for r in run(*a, **kw))
        try:
            t0 = time.perf_counter()
            results = app.library.ingest(files)
            wall = time.perf_counter() - t0
        finally:
            library_mod.parse_parallel = real_pp
            app.close()
    else:
        current: dict = {}

        def parsed_for(path, source=None, limits=None):      # stands in for parse_file inside ingest_file
            r = current["r"]
            if r.error is not None:
                raise r.error
            return r.parsed
        real_parse = library_mod.parse_file
        library_mod.parse_file = parsed_for
        results = []
        try:
            t0 = time.perf_counter()
            for r in run(files, limits=ingest_limits(app.settings), skip=app.store.is_unchanged):
                current["r"] = seen(r)
                results.append(app.library.ingest_file(r.path, source=r.source))
            wall = time.perf_counter() - t0
        finally:
            library_mod.parse_file = real_parse
            app.close()
    extra = {"open_s": open_s, "parse_s": acc["parse"], "workers": workers, "library_parallel": library_parallel,
             "embed_s": acc["worker_embed"] + emb.seconds if embed else emb.seconds,
             "chroma_s": acc.get("dense", 0.0) - emb.seconds}
    if embed:
        extra.update(precomputed_hits=pre.hits, precomputed_misses=pre.misses)
    return _summarize(results, wall, files, extra)


def run_reingest(files: list[Path], home: Path) -> dict:
    app, emb, open_s = _open_app(home)
    try:
        t0 = time.perf_counter()
        results = app.library.ingest(files)
        wall = time.perf_counter() - t0
        t1 = time.perf_counter()
        check = sum(app.store.is_unchanged(f.name, _sha(f)) for f in files)   # the floor: hash + lookup
        floor = time.perf_counter() - t1
    finally:
        app.close()
    return _summarize(results, wall, files, {"open_s": open_s, "hash_check_s": floor, "hash_check_ok": check})


def run_reingest_scale(home: Path, n: int) -> dict:
    """Re-ingest cost at the full corpus's file count without the hour of PDF parsing and USE: n small TXT CVs
    are ingested once through Library.ingest with random vectors (bench/scale.py's stand-in), then a new App
    re-ingests them with the real embeddings object, as `recruiter ingest` would."""
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings
    from scale import RandomUnitEmbeddings
    folder = home / "cvs"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        p = folder / f"cv_{i:05d}.txt"
        p.write_text(f"CANDIDATE {i}\nSummary\nAccountant with {i % 20} years of experience in accounts payable.\n\n"
                     f"Experience\nCompany Name City , State\nSenior accountant {2000 + i % 20} to current.\n",
                     encoding="utf-8")
        files.append(p)
    real = make_embeddings(Settings.from_env(home=home, llm="none"))
    app, _, _ = _open_app(home / "home", RandomUnitEmbeddings(real))
    try:
        t0 = time.perf_counter()
        first = app.library.ingest(files)
        cold = time.perf_counter() - t0
    finally:
        app.close()
    out = run_reingest(files, home / "home")
    out.update(cold_fake_embed_s=cold, cold_stored=sum(r.status == "added" for r in first))
    return out


def _sha(path: Path) -> str:
    from recruiter.ingest.models import content_hash
    return content_hash(path.read_bytes())


def child(args) -> int:
    files = [Path(line) for line in Path(args.files).read_text().splitlines() if line]
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    load_start = load()
    with PeakRSS() as rss:
        if args.variant == "naive":
            out = run_naive(files, home)
        elif args.variant == "product":
            out = run_product(files, home)
        elif args.variant in ("parallel", "parallel_embed"):
            out = run_parallel(files, home, embed=args.variant == "parallel_embed", workers=args.workers)
        elif args.variant == "reingest":
            out = run_reingest(files, home)
        elif args.variant == "reingest_scale":
            out = run_reingest_scale(home, args.scale_files)
        else:
            raise SystemExit(f"unknown variant {args.variant}")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out.update(variant=args.variant, peak_rss_mb=rss.peak_mb, rusage_mb=PeakRSS.rusage_mb(), load_start=load_start,
               cpu_main_s=me.ru_utime + me.ru_stime, cpu_total_s=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime)
    Path(args.out).write_text(json.dumps(out), encoding="utf-8")
    return 0


# ---- the driver ----------------------------------------------------------------------------------
def fmt_table(rows: dict[str, dict]) -> list[str]:
    head = (f"{'variant':<36} {'files':>5} {'stored':>6} {'passages':>8} {'wall s':>8} {'files/s':>7} "
            f"{'pass/s':>7} {'peak MB':>7} {'CPU s':>6} {'main':>6} {'parse':>6} {'embed':>6} {'chroma':>6}  load")
    lines = [head, "-" * len(head)]
    for v, r in rows.items():
        w = r["wall_s"]
        lines.append(f"{LABELS[v]:<36} {r['files']:>5} {r['stored']:>6} {r['passages']:>8} {w:>8.1f} "
                     f"{r['files'] / w:>7.2f} {r['passages'] / w:>7.1f} {r['peak_rss_mb']:>7.0f} "
                     f"{r['cpu_total_s']:>6.0f} {r['cpu_main_s']:>6.0f} "
                     f"{r.get('parse_s', 0):>6.0f} {r.get('embed_s', 0):>6.0f} {r.get('chroma_s', 0):>6.0f}  "
                     f"{r['load_start']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, help="a fixed random sample of N files (default: all)")
    ap.add_argument("--quick", action="store_true", help=f"= --limit {QUICK}")
    ap.add_argument("--only", default=",".join(VARIANTS), help="comma-separated subset of " + ",".join(VARIANTS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scale-files", type=int, default=2484, help="files for reingest_scale")
    ap.add_argument("--json", type=Path, help="write every number here")
    ap.add_argument("--no-doc", action="store_true", help="don't write the table into docs/benchmarks.md")
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.variant:
        return child(args)

    limit = QUICK if args.quick and not args.limit else args.limit
    files = pick_files(args.corpus, limit)
    only = [v for v in VARIANTS if v in args.only.split(",")]
    if "reingest" in only and "product" not in only:
        raise SystemExit("reingest re-uses the product variant's data dir: include product")
    print(f"{len(files)} PDFs from {args.corpus} ({'sample, seed 0' if limit else 'all'}); {machine()}; "
          f"{stamp()}; repo {git_rev()}", flush=True)
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp_s:
        tmp = Path(tmp_s)
        (tmp / "files.txt").write_text("\n".join(map(str, files)), encoding="utf-8")
        for v in only:
            home = tmp / ({"reingest": "product"}.get(v, v))
            out = tmp / f"{v}.json"
            cmd = [sys.executable, __file__, "--variant", v, "--files", str(tmp / "files.txt"),
                   "--home", str(home), "--out", str(out), "--workers", str(args.workers),
                   "--scale-files", str(args.scale_files)]
            t = time.perf_counter()
            proc = subprocess.run(cmd)
            if proc.returncode != 0:
                print(f"{v}: failed (exit {proc.returncode})", flush=True)
                continue
            rows[v] = json.loads(out.read_text())
            print(f"  {LABELS[v]}: {time.perf_counter() - t:.0f} s", flush=True)

    lines = fmt_table(rows)
    notes = []
    if "naive" in rows:
        notes.append(f"naive loader: {rows['naive']['note']}; chunks = passages")
    for v in ("product", "parallel", "parallel_embed", "reingest"):
        if v in rows and rows[v].get("failures"):
            notes.append(f"{LABELS[v]}: {rows[v]['failed']} failed: {'; '.join(rows[v]['failures'])}")
    if "parallel_embed" in rows:
        r = rows["parallel_embed"]
        notes.append(f"parallel+embed: {r['precomputed_hits']} vectors from the workers, "
                     f"{r['precomputed_misses']} embedded in the main process")
    if "reingest" in rows:
        r = rows["reingest"]
        notes.append(f"re-ingest: {r['unchanged']}/{r['files']} unchanged in {r['wall_s']:.1f} s "
                     f"(+ {r['open_s']:.1f} s to open the store); hashing + is_unchanged alone: "
                     f"{r['hash_check_s']:.1f} s")
    ratios = []
    if "naive" in rows:
        base = rows["naive"]["files"] / rows["naive"]["wall_s"]
        for v in ("product", "parallel", "parallel_embed"):
            if v in rows:
                ratios.append(f"{LABELS[v]} / naive files/s = {rows[v]['files'] / rows[v]['wall_s'] / base:.2f}x "
                              f"(wall); CPU s per file: naive / this = "
                              f"{rows['naive']['cpu_total_s'] / rows[v]['cpu_total_s']:.2f}x")
    targets = []
    for v in ("product", "parallel", "parallel_embed"):
        if v in rows:
            est = rows[v]["wall_s"] / rows[v]["files"] * 2484
            targets.append(f"{LABELS[v]}: {est / 60:.1f} min for 2,484 files at this rate (target < 5), "
                           f"peak {rows[v]['peak_rss_mb']:.0f} MB (target < 2048)")
    if "reingest_scale" in rows:
        r = rows["reingest_scale"]
        notes.append(f"re-ingest at scale: {r['unchanged']}/{r['files']} small TXT CVs unchanged in {r['wall_s']:.1f} s "
                     f"(+ {r['open_s']:.1f} s to open the store); hashing + is_unchanged alone: {r['hash_check_s']:.1f} s")
    for v in ("reingest", "reingest_scale"):
        if v in rows:
            targets.append(f"{LABELS[v]}: {rows[v]['wall_s']:.1f} s for {rows[v]['files']} files (target < 10 s)")
    for line in lines + [""] + notes + targets + ratios:
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"files": len(files), "rows": rows}, indent=1), encoding="utf-8")
    if not args.no_doc:
        body = "\n".join([f"`bench/ingest.py{' --limit ' + str(limit) if limit else ''}` — {stamp()}, "
                          f"{machine()}, repo {git_rev()}", "", "```", *lines, "", *notes, *targets, *ratios, "```"])
        replace_section(REPO / "docs" / "benchmarks.md", f"ingest-{'sample' if limit else 'full'}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
