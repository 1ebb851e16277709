"""Ingest throughput: the naive LangChain recipe vs this product, cold and unchanged re-ingest, one run.

Corpus: ../shared/corpus/bench/resumes_pdf (2,484 Kaggle resume PDFs); ``--limit N`` takes a fixed
random sample (seed 0), ``--quick`` = 200 files. Every variant runs in its own fresh process (so peak
memory is its own) on its own fresh data dir, one after the other, with the same USE embeddings
(``providers.make_embeddings``):

  naive             langchain PyPDFLoader per file + RecursiveCharacterTextSplitter(1000, 200) +
                    Chroma.add_documents per file (an embedded langchain_chroma.Chroma).
  product           App.open(Settings(home=tmp, llm="none")).library.ingest(files): what `recruiter
                    ingest` does (Library.workers = --workers, default 2): files are parsed, analyzed
                    (identity, flags, profile) and embedded (USE, 1 BLAS thread each) in worker processes
                    (recruiter.ingest.parallel.parse_parallel), and stored in order in the main process
                    through CandidateStore.upsert(..., vectors=...).
  serial            the same with Library.workers = 1 (RECRUITER_INGEST_WORKERS=1): parse, analysis and
                    embedding (2 BLAS threads) in the storing process, one file after the other.
  re-ingest         a new App on the product's data dir, Library.ingest(the same files): all unchanged.

Columns: files/s and passages/s over the wall time of the ingest call (store open excluded, shown
apart), peak RSS = largest summed RSS of the process and its workers (sampled every 0.25 s), the
time split (work = parse (+ analysis, + embedding in workers) per file, summed over workers; embed = USE
in the storing process; store = CandidateStore.upsert without that embedding), and the load average at the start (other work on the machine slows
every variant; they run back to back). CPU s = user+sys of the variant's process and its workers, main = of the
process that writes the store: on a busy machine they are steadier than wall time, and with the machine
to itself a 2-core run needs about max(CPU s / 2, main) seconds. Ratios are printed last.

    .venv/bin/python bench/ingest.py [--quick | --limit N] [--only naive,product,serial,...] [--workers N] [--json OUT] [--no-doc]
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
VARIANTS = ("naive", "product", "serial", "reingest", "reingest_scale")
LABELS = {"naive": "naive (PyPDFLoader+split+Chroma)", "product": "product (Library.ingest, N workers)",
          "serial": "product, 1 process (INGEST_WORKERS=1)",
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

    def with_threads(self, threads: int):
        # What Library sends to its workers: the real model (worker time is counted per file instead).
        return self.inner.with_threads(threads)


def _time_method(obj, name: str, acc: dict, key: str) -> None:
    fn = getattr(obj, name)

    def timed(*a, **kw):
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
    setattr(obj, name, timed)


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
            "work_s": acc.get("parse", 0.0), "embed_s": emb.seconds,
            "store_s": acc.get("store", 0.0) - emb.seconds, "note": loader_name}


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


def run_product(files: list[Path], home: Path, *, workers: int) -> dict:
    import recruiter.assistant.library as library_mod
    app, emb, open_s = _open_app(home)
    app.library.workers = workers             # the bench picks the count, not RECRUITER_INGEST_WORKERS
    acc: dict = {"work": 0.0, "upsert": 0.0}
    _time_method(app.store, "upsert", acc, "upsert")
    real_pp = library_mod.parse_parallel

    def counted(*a, **kw):                    # seconds each file spent in parse (+ analysis, + embedding)
        for r in real_pp(*a, **kw):
            acc["work"] += r.seconds
            yield r
    library_mod.parse_parallel = counted
    try:
        t0 = time.perf_counter()
        results = app.library.ingest(files)
        wall = time.perf_counter() - t0
    finally:
        library_mod.parse_parallel = real_pp
        app.close()
    return _summarize(results, wall, files, {"open_s": open_s, "workers": workers, "work_s": acc["work"],
                                             "embed_s": emb.seconds, "store_s": acc["upsert"] - emb.seconds})


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
        elif args.variant in ("product", "serial"):
            out = run_product(files, home, workers=args.workers if args.variant == "product" else 1)
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
            f"{'pass/s':>7} {'peak MB':>7} {'CPU s':>6} {'main':>6} {'work':>6} {'embed':>6} {'store':>6}  load")
    lines = [head, "-" * len(head)]
    for v, r in rows.items():
        w = r["wall_s"]
        lines.append(f"{LABELS[v]:<36} {r['files']:>5} {r['stored']:>6} {r['passages']:>8} {w:>8.1f} "
                     f"{r['files'] / w:>7.2f} {r['passages'] / w:>7.1f} {r['peak_rss_mb']:>7.0f} "
                     f"{r['cpu_total_s']:>6.0f} {r['cpu_main_s']:>6.0f} "
                     f"{r.get('work_s', 0):>6.0f} {r.get('embed_s', 0):>6.0f} {r.get('store_s', 0):>6.0f}  "
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
    for v in ("product", "serial", "reingest"):
        if v in rows and rows[v].get("failures"):
            notes.append(f"{LABELS[v]}: {rows[v]['failed']} failed: {'; '.join(rows[v]['failures'])}")
    if "product" in rows:
        notes.append(f"product: {rows['product']['workers']} workers; {rows['product']['embed_s']:.0f} s embedding "
                     f"in the storing process (0 = every vector came from a worker)")
    if "reingest" in rows:
        r = rows["reingest"]
        notes.append(f"re-ingest: {r['unchanged']}/{r['files']} unchanged in {r['wall_s']:.1f} s "
                     f"(+ {r['open_s']:.1f} s to open the store); hashing + is_unchanged alone: "
                     f"{r['hash_check_s']:.1f} s")
    ratios = []
    if "naive" in rows:
        base = rows["naive"]["files"] / rows["naive"]["wall_s"]
        base_pass = rows["naive"]["passages"] / rows["naive"]["wall_s"]
        for v in ("product", "serial"):
            if v in rows:
                ratios.append(f"{LABELS[v]} / naive files/s = {rows[v]['files'] / rows[v]['wall_s'] / base:.2f}x "
                              f"(wall; passages/s {rows[v]['passages'] / rows[v]['wall_s'] / base_pass:.2f}x); "
                              f"CPU s per file: naive / this = {rows['naive']['cpu_total_s'] / rows[v]['cpu_total_s']:.2f}x")
        # On a shared machine a 2-process variant gets a larger share of the cores than a 1-process one, which
        # flatters it; CPU seconds don't depend on the share. Idle 2-core wall ~ max(CPU s / 2, main process CPU s).
        idle = {v: max(r["cpu_total_s"] / 2, r["cpu_main_s"]) for v, r in rows.items()}
        for v in ("product", "serial"):
            if v in rows:
                ratios.append(f"{LABELS[v]} / naive, idle 2-core estimate from CPU s = {idle['naive'] / idle[v]:.2f}x")
    if "product" in rows and "serial" in rows:
        ratios.append(f"product / serial files/s = {rows['serial']['wall_s'] / rows['product']['wall_s']:.2f}x (wall)")
    targets = []
    for v in ("product", "serial"):
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
