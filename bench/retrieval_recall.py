"""Evidence recall of retrieval strategies on the dev set, in one run, same machine, same embeddings.

What it measures: for every answerable dev-set item (``unanswerable`` items, which have no gold
evidence, are skipped), each gold evidence quote is located in its seed file, and counts as *found*
when a retrieved span from the same file overlaps it by at least one character. This is the
"evidence recall" of ../shared/design/measurements.md: the share of gold evidence spans overlapped
by the retrieved passages (micro-averaged over all gold spans of all items).

Strategies (real USE embeddings from ``providers.make_embeddings``, the five CVs in examples/candidates):
  naive           LangChain tutorial recipe: RecursiveCharacterTextSplitter(1000, 200) over each file's
                  raw text, a fresh embedded langchain_chroma.Chroma, similarity_search(question, k=5).
  dense/bm25/hybrid  the product's CandidateStore, store.search(question, k=5, mode=...), unscoped.
  hybrid+scoping  as the assistant does it: candidates named in the question (multi-turn: all turns
                  joined) via assistant.resolve, else every candidate; search_per_candidate(k_each=5),
                  merged by fused score. So it returns up to 5 passages *per scoped candidate*.
  answer evidence the assistant's own citations: app.assistant.ask(..., use_model=False, jd=...)
                  (multi-turn items through one Conversation); all citations count, however many.

Queries for naive/dense/bm25/hybrid/scoping are the scored ``question`` alone (no conversation
memory), with the item's ``jd`` text appended for jd_match items (what a user would paste).
Injection items are run without their injected document (the gold evidence is in the seeds).

Columns: recall@5 (answer evidence: recall of all citations), MRR (reciprocal rank of the first
retrieved span that hits any gold span, 0 when none, mean over items), mean passages and mean chars
retrieved per item (the context a model would have to read), and mean / median ms per query (index
build and warm-up excluded; the store's query-embedding cache is cleared before every query; the
strategies take turns item by item, so other load on the machine hits them alike — on a busy 2-core
box the 2-thread embedder has stalls of ~0.2 s, so trust the median more than the mean). Higher recall at fewer chars is
better; the last line is the headline ratio.

    .venv/bin/python bench/retrieval_recall.py [--questions FILE] [--corpus DIR] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO / ".." / "shared" / "eval" / "devset.jsonl"
DEFAULT_CORPUS = REPO / "examples" / "candidates"
K = 5


# ---- scoring (pure functions; tests/bench/test_retrieval_recall.py covers them) ------------------
def locate(text: str, quote: str) -> list[tuple[int, int]]:
    """All (start, end) occurrences of ``quote`` in ``text``; whitespace-insensitive when not verbatim."""
    spans = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if spans or not quote.strip():
        return spans
    pattern = r"\s*".join(re.escape(ch) for ch in re.sub(r"\s+", "", quote))
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Span:
    source: str      # file basename
    start: int
    end: int


@dataclass
class ItemResult:
    found: list[bool]              # one per located gold quote
    first_hit_rank: int | None     # 1-based rank of the first retrieved span hitting any gold span
    n_spans: int
    chars: int
    seconds: float


def score_item(gold: list[tuple[str, list[tuple[int, int]]]], retrieved: list[Span], seconds: float
               ) -> ItemResult:
    """gold: (file, occurrences) per quote, occurrences already located in the text the spans index."""
    found = [any(s.source == f and overlaps((s.start, s.end), occ) for s in retrieved for occ in occs)
             for f, occs in gold]
    first = next((r for r, s in enumerate(retrieved, 1)
                  if any(s.source == f and overlaps((s.start, s.end), occ) for f, occs in gold for occ in occs)),
                 None)
    return ItemResult(found, first, len(retrieved), sum(s.end - s.start for s in retrieved), seconds)


def summarize(results: list[ItemResult]) -> dict:
    spans = [f for r in results for f in r.found]
    n = max(len(results), 1)
    return {"recall": sum(spans) / max(len(spans), 1),
            "recall_macro": sum(sum(r.found) / max(len(r.found), 1) for r in results) / n,
            "mrr": sum(1.0 / r.first_hit_rank for r in results if r.first_hit_rank) / n,
            "mean_spans": sum(r.n_spans for r in results) / n,
            "mean_chars": sum(r.chars for r in results) / n,
            "ms_per_query": 1000 * sum(r.seconds for r in results) / n,
            "ms_p50": 1000 * statistics.median(r.seconds for r in results) if results else 0.0,
            "gold_spans": len(spans), "found_spans": sum(spans), "items": len(results)}


# ---- the run --------------------------------------------------------------------------------------
@dataclass
class Item:
    raw: dict
    evidence: list[dict] = field(default_factory=list)   # located quotes: {file, quote}

    @property
    def query(self) -> str:
        q = self.raw["question"]
        return f"{q}\n{self.raw['jd']}" if self.raw.get("jd") else q


def load_items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_for(item: Item, texts: dict[str, str]) -> list[tuple[str, list[tuple[int, int]]]]:
    return [(e["file"], locate(texts[e["file"]], e["quote"])) for e in item.evidence]


def build_naive(corpus: list[Path], embeddings, tmp: Path):
    """The tutorial recipe's index; returns (retrieve(query) -> spans, info)."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t0 = time.perf_counter()
    raw = {p.name: p.read_text(encoding="utf-8") for p in corpus}
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    docs = splitter.create_documents(list(raw.values()), metadatas=[{"source": n} for n in raw])
    vs = Chroma(collection_name="naive", embedding_function=embeddings, persist_directory=str(tmp / "naive"),
                client_settings=chromadb.config.Settings(anonymized_telemetry=False))
    vs.add_documents(docs)
    info = {"chunks": len(docs), "build_s": time.perf_counter() - t0}

    def retrieve(it: Item) -> list[Span]:
        return [Span(d.metadata["source"], d.metadata["start_index"],
                     d.metadata["start_index"] + len(d.page_content))
                for d in vs.similarity_search(it.query, k=K)]
    return retrieve, info


def _passage_span(p) -> Span:
    return Span(p.source, p.start, p.end)


def store_retriever(store, mode: str):
    def retrieve(it: Item) -> list[Span]:
        return [_passage_span(h.passage) for h in store.search(it.query, k=K, mode=mode)]
    return retrieve


def scoped_retriever(store, scopes: list[dict]):
    from recruiter.assistant.resolve import resolve

    def retrieve(it: Item) -> list[Span]:
        cands = store.candidates()
        res = resolve(" ".join(it.raw.get("turns") or [it.raw["question"]]), cands)
        ids = res.candidate_ids or [c.id for c in cands]
        per = store.search_per_candidate(it.query, ids, k_each=K)
        # merge by fused score, ties in scope order (≈ round-robin over the candidates by rank)
        merged = sorted(((h, i, r) for i, c in enumerate(ids) for r, h in enumerate(per.get(c, []))),
                        key=lambda x: (-x[0].score, x[2], x[1]))
        names = {c.id: c.name for c in cands}
        scopes.append({"id": it.raw["id"], "scope": [names[c] for c in ids], "named": bool(res.candidate_ids)})
        return [_passage_span(h.passage) for h, _, _ in merged]
    return retrieve


def answer_retriever(app):
    from recruiter.assistant.service import Conversation

    def retrieve(it: Item) -> list[Span]:
        conv, answer = Conversation(), None
        for turn in it.raw.get("turns") or [it.raw["question"]]:
            answer = app.assistant.ask(turn, conversation=conv, jd=it.raw.get("jd"), use_model=False)
        return [Span(c.source, c.start, c.end) for c in answer.citations]
    return retrieve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of CVs (the seed files)")
    ap.add_argument("--json", type=Path, help="write every number here")
    args = ap.parse_args(argv)

    from recruiter.assistant.app import App
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import Settings

    t_start = time.perf_counter()
    corpus = sorted(p for p in args.corpus.iterdir() if p.is_file())
    raw_texts = {p.name: p.read_text(encoding="utf-8") for p in corpus}
    items, skipped, missing = [], [], []
    for d in load_items(args.questions):
        if not d.get("evidence"):
            skipped.append(d["id"])
            continue
        it = Item(d)
        for e in d["evidence"]:
            if e["file"] not in raw_texts or not locate(raw_texts[e["file"]], e["quote"]):
                missing.append({"id": d["id"], **e})
            else:
                it.evidence.append(e)
        if it.evidence:
            items.append(it)

    with tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp_s:
        tmp = Path(tmp_s)
        settings = Settings.from_env(home=tmp / "home", llm="none", chroma_url=None)
        embeddings = make_embeddings(settings)
        info: dict = {"scopes": []}
        naive, info["naive"] = build_naive(corpus, embeddings, tmp)
        t0 = time.perf_counter()
        with App.open(settings, embeddings=embeddings) as app:
            ingested = app.library.ingest(corpus)
            failed = [r for r in ingested if r.status == "failed"]
            if failed:
                raise SystemExit("could not ingest: " + "; ".join(f"{r.source}: {r.message}" for r in failed))
            store = app.store
            store.warm()
            info["store"] = {"passages": len(store.passages()), "build_s": time.perf_counter() - t0}
            # product spans index the stored (normalized) document text: locate gold quotes there
            texts = {p.name: store.document_for_source(p.name).text for p in corpus}
            for it in items:
                for f, occs in gold_for(it, texts):
                    if not occs:
                        missing.append({"id": it.raw["id"], "file": f, "where": "stored text"})
            strategies = {"naive": (naive, raw_texts),
                          "dense": (store_retriever(store, "dense"), texts),
                          "bm25": (store_retriever(store, "bm25"), texts),
                          "hybrid": (store_retriever(store, "hybrid"), texts),
                          "hybrid+scoping": (scoped_retriever(store, info["scopes"]), texts),
                          "answer evidence": (answer_retriever(app), texts)}
            naive(items[0])                                  # warm-ups outside the timing
            answer_retriever(app)(items[0])
            app.assistant._texts.clear()
            results: dict[str, list[ItemResult]] = {name: [] for name in strategies}
            # Strategies take turns per item, so load from elsewhere on the machine hits them alike.
            for it in items:
                for name, (retrieve, text_of) in strategies.items():
                    store._qcache.clear()                    # every strategy embeds its own query
                    t = time.perf_counter()
                    spans = retrieve(it)
                    results[name].append(score_item(gold_for(it, text_of), spans, time.perf_counter() - t))

    summary = {name: summarize(r) for name, r in results.items()}
    n_gold = summary["naive"]["gold_spans"]
    print(f"{len(items)} items, {n_gold} gold evidence spans (skipped {len(skipped)} without evidence: "
          f"{', '.join(skipped)}); naive: {info['naive']['chunks']} chunks, store: "
          f"{info['store']['passages']} passages")
    for m in missing:
        print(f"  could not locate gold quote: {m}", file=sys.stderr)
    header = f"{'strategy':<16} {'recall@5':>8} {'MRR':>6} {'passages':>8} {'mean chars':>10} {'ms/query':>9} {'ms p50':>7}"
    print(header)
    print("-" * len(header))
    for name, s in summary.items():
        label = "recall(all)" if name == "answer evidence" else ""
        print(f"{name:<16} {s['recall']:>8.3f} {s['mrr']:>6.3f} {s['mean_spans']:>8.1f} "
              f"{s['mean_chars']:>10.0f} {s['ms_per_query']:>9.1f} {s['ms_p50']:>7.1f}" + (f"  ({label})" if label else ""))
    naive = summary["naive"]["recall"] or float("nan")
    ratios = {"hybrid/naive": summary["hybrid"]["recall"] / naive,
              "hybrid+scoping/naive": summary["hybrid+scoping"]["recall"] / naive}
    print(f"hybrid recall@5 / naive recall@5 = {ratios['hybrid/naive']:.2f}")
    if args.json:
        per_item = {name: [{"id": it.raw["id"], "category": it.raw["category"], "found": r.found,
                            "first_hit_rank": r.first_hit_rank, "spans": r.n_spans, "chars": r.chars,
                            "seconds": round(r.seconds, 4)} for it, r in zip(items, rs)]
                    for name, rs in results.items()}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"questions": str(args.questions), "k": K, "summary": summary,
                                         "ratios": ratios, "info": info, "skipped": skipped,
                                         "unlocated": missing, "per_item": per_item,
                                         "total_s": time.perf_counter() - t_start},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"hybrid+scoping recall@5 / naive recall@5 = {ratios['hybrid+scoping/naive']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
