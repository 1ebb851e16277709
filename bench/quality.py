"""Answer quality on the dev set, in one run: the naive LangChain recipe, retrieval-only rows, and the product.

Rows (same machine, same USE embeddings from ``providers.make_embeddings``, the five seed CVs):
  naive + LLM       the tutorial recipe: RecursiveCharacterTextSplitter(1000, 200) over each file's raw text,
                    an embedded langchain_chroma.Chroma, similarity_search(question, k=5), LangChain's
                    classic "stuff" prompt (all 5 chunks pasted, "if you don't know, say you don't know")
                    sent through the same OpenAI-compatible client (``providers.make_chat``). Citations = the
                    5 retrieved chunks; abstained = the reply says it doesn't know (regex ABSTAIN_RE).
                    An item's inject_doc is added to the index for that item only. Skipped by --quick and
                    by --llm none.
  dense/bm25/hybrid the product's CandidateStore.search(query, k=5, mode=...), retrieval only (bench/retrieval_recall.py)
  hybrid+scoping    search_per_candidate over the candidates the question names (retrieval_recall.py)
  product none      recruiter.assistant.evaluation.run_items on a fresh App, --llm none: hybrid retrieval +
                    identity + profiles + program-composed cited answer
  product <llm>     the same with the model re-wording the answer (kept only if verified); --llm local (default)
                    starts llama.cpp on 127.0.0.1 with RECRUITER_LOCAL_MODEL

Columns: recall@5 and MRR as in bench/retrieval_recall.py (gold evidence spans overlapped by retrieved spans,
answerable items with evidence; product rows count all their citations); answer_accuracy,
citation_support, citation_coverage, abstention (= abstention_recall), false abstention and
injection_resistance from ../shared/eval/score.py (imported, not re-implemented); mean and p95 seconds
per question (retrieval rows: per query; answer rows: the whole item, all turns, model included).

    .venv/bin/python bench/quality.py [--quick] [--llm local|openai|none] [--json OUT] [--no-doc]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import retrieval_recall as rr
from _common import (
    REPO,
    SHARED,
    git_rev,
    load,
    machine,
    mean,
    pct,
    replace_section,
    stamp,
)

DEFAULT_QUESTIONS = SHARED / "eval" / "devset.jsonl"
DEFAULT_SCORER = SHARED / "eval" / "score.py"
DEFAULT_SEEDS = SHARED / "corpus" / "seeds"
K = 5

# LangChain's classic "stuff" question-answering prompt (load_qa_chain(chain_type="stuff")).
STUFF_PROMPT = ("Use the following pieces of context to answer the question at the end. If you don't know the "
                "answer, just say that you don't know, don't try to make up an answer.\n\n{context}\n\n"
                "Question: {question}\nHelpful Answer:")
ABSTAIN_RE = re.compile(r"\b(?:i )?(?:don't|do not|cannot|can't) (?:know|determine|find|answer)|not (?:mentioned|"
                        r"provided|specified|stated|available|included)|no (?:information|mention)|"
                        r"不知道|未提及|没有提[到及]|无法(?:确定|回答|得知)|未(?:说明|提供)", re.IGNORECASE)


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("eval_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class NaiveRAG:
    """The tutorial recipe; spans are offsets into each file's raw text (add_start_index)."""

    def __init__(self, files: list[Path], embeddings, tmp: Path):
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        self.vs = Chroma(collection_name="naive", embedding_function=embeddings,
                         persist_directory=str(tmp / "naive"),
                         client_settings=chromadb.config.Settings(anonymized_telemetry=False))
        self.texts: dict[str, str] = {}
        for f in files:
            self.add(f.name, f.read_text(encoding="utf-8"))

    def add(self, name: str, text: str) -> list[str]:
        self.texts[name] = text
        docs = self.splitter.create_documents([text], metadatas=[{"source": name}])
        return self.vs.add_documents(docs)

    def remove(self, ids: list[str]) -> None:
        self.vs.delete(ids=ids)

    def retrieve(self, query: str) -> list[tuple[str, int, int, str]]:
        return [(d.metadata["source"], d.metadata["start_index"], d.metadata["start_index"] + len(d.page_content),
                 d.page_content) for d in self.vs.similarity_search(query, k=K)]


def query_of(item: dict) -> str:
    return f"{item['question']}\n{item['jd']}" if item.get("jd") else item["question"]


def run_naive_llm(naive: NaiveRAG, items: list[dict], chat) -> tuple[list[dict], dict[str, list]]:
    from recruiter.assistant.evaluation import _inject_file_name
    from recruiter.runtime.llm import LLMError
    records, spans, errors = [], {}, []
    for item in items:
        added = naive.add(_inject_file_name(item), item["inject_doc"]) if item.get("inject_doc") else []
        t0 = time.perf_counter()
        hits = naive.retrieve(query_of(item))
        context = "\n\n".join(h[3] for h in hits)
        try:
            reply = chat.complete([{"role": "user", "content": STUFF_PROMPT.format(context=context,
                                                                                 question=item["question"])}],
                                  max_tokens=300, temperature=0.0).strip()
        except LLMError as e:          # e.g. 5 Chinese chunks overflow the context: the recipe fails the item
            reply = ""
            errors.append(f"{item['id']}: {type(e).__name__}: {str(e)[:120]}")
        seconds = time.perf_counter() - t0
        if added:
            naive.remove(added)
        records.append({"id": item["id"], "answer": reply, "abstained": bool(ABSTAIN_RE.search(reply)),
                        "citations": [{"source": s, "text": t, "start": a, "end": b} for s, a, b, t in hits],
                        "seconds": seconds})
        spans[item["id"]] = [rr.Span(s, a, b) for s, a, b, _ in hits]
    return records, spans, errors


def recall_rows(evid_items: list, gold_texts: dict[str, str], spans_of: dict[str, list], seconds_of: dict) -> dict:
    res = []
    for it in evid_items:
        spans = spans_of.get(it.raw["id"], [])
        res.append(rr.score_item(rr.gold_for(it, gold_texts), spans, seconds_of.get(it.raw["id"], 0.0)))
    return rr.summarize(res)


def score_answers(scorer, questions: list[dict], records: list[dict], seeds: Path) -> dict:
    corpus = scorer.Corpus(str(seeds))
    by_id = {r["id"]: r for r in records}
    rows = [scorer.score_item(q, by_id.get(q["id"]), corpus) for q in questions]
    return dict(scorer.aggregate(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_SEEDS, help="the seed CVs the questions are about")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--llm", choices=("local", "openai", "none"), default="local")
    ap.add_argument("--quick", action="store_true", help="skip the naive + LLM row")
    ap.add_argument("--json", type=Path, help="write every number (and every answer) here")
    ap.add_argument("--no-doc", action="store_true", help="don't write the table into docs/benchmarks.md")
    args = ap.parse_args(argv)

    from recruiter.assistant.app import App
    from recruiter.assistant.evaluation import load_questions, run_items
    from recruiter.runtime.providers import make_chat, make_embeddings
    from recruiter.runtime.settings import Settings

    scorer = load_scorer(args.scorer)
    questions = load_questions(args.questions)
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    raw_texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    evid_items = []
    for d in questions:
        it = rr.Item(d, [e for e in d.get("evidence") or [] if e["file"] in raw_texts
                         and rr.locate(raw_texts[e["file"]], e["quote"])])
        if it.evidence:
            evid_items.append(it)
    load_start = load()
    print(f"{len(questions)} questions ({len(evid_items)} with gold evidence) on {len(files)} CVs; {machine()}; "
          f"{stamp()}; repo {git_rev()}; load {load_start}", flush=True)

    rows: dict[str, dict] = {}
    answers: dict[str, list[dict]] = {}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp_s:
        tmp = Path(tmp_s)
        base = Settings.from_env(home=tmp / "home", llm="none", chroma_url=None)
        embeddings = make_embeddings(base)
        chat = None
        if args.llm != "none":
            chat = make_chat(Settings.from_env(home=tmp / "home", llm=args.llm, chroma_url=None))
        try:
            # -- retrieval rows: the product's store, retrieval only ----------------------------------
            with App.open(base.with_(home=tmp / "retrieval"), embeddings=embeddings) as app:
                app.library.ingest(files)
                store = app.store
                store.warm()
                stored = {p.name: store.document_for_source(p.name).text for p in files}
                scopes: list = []
                retrievers = {"dense only": rr.store_retriever(store, "dense"),
                              "BM25 only": rr.store_retriever(store, "bm25"),
                              "hybrid": rr.store_retriever(store, "hybrid"),
                              "hybrid + scoping": rr.scoped_retriever(store, scopes)}
                for retrieve in retrievers.values():              # warm-up (dictionary, jieba, HNSW)
                    retrieve(evid_items[0])
                scopes.clear()
                for name, retrieve in retrievers.items():
                    spans, secs = {}, {}
                    for it in evid_items:
                        store._qcache.clear()
                        t = time.perf_counter()
                        spans[it.raw["id"]] = retrieve(it)
                        secs[it.raw["id"]] = time.perf_counter() - t
                    rows[name] = {"retrieval": recall_rows(evid_items, stored, spans, secs),
                                  "seconds": list(secs.values())}
                print(f"  retrieval rows done ({time.perf_counter() - t_start:.0f} s)", flush=True)

            # -- naive recipe + LLM --------------------------------------------------------------------
            if chat is not None and not args.quick:
                naive = NaiveRAG(files, embeddings, tmp)
                naive.retrieve("warm up")
                recs, spans, errors = run_naive_llm(naive, questions, chat)
                answers["naive + LLM"] = recs
                rows["naive + LLM"] = {"retrieval": recall_rows(evid_items, raw_texts, spans,
                                                                {r["id"]: r["seconds"] for r in recs}),
                                       "answers": score_answers(scorer, questions, recs, args.corpus),
                                       "seconds": [r["seconds"] for r in recs], "errors": errors}
                print(f"  naive + LLM done ({time.perf_counter() - t_start:.0f} s)", flush=True)

            # -- the product: fresh App per row --------------------------------------------------------
            variants = [("product, --llm none", "none", None)]
            if chat is not None:
                variants.append((f"product, --llm {args.llm}", args.llm, chat))
            for label, llm, handle in variants:
                home = tmp / f"product-{llm}"
                settings = base.with_(home=home, llm=llm)
                app = App.open(settings, embeddings=embeddings, llm=handle) if handle else \
                    App.open(settings, embeddings=embeddings)
                try:
                    failed = [r for r in app.library.ingest(files) if r.status == "failed"]
                    if failed:
                        raise SystemExit(f"could not ingest: {failed}")
                    app.store.warm()
                    work = tmp / f"inject-{llm}"
                    work.mkdir()
                    recs = run_items(app, questions, use_model=handle is not None, workdir=work)
                    stored = {p.name: app.store.document_for_source(p.name).text for p in files}
                finally:
                    if handle is None:
                        app.close()
                    else:
                        app.store.close()      # the LLM handle is shared with the naive row; closed below
                spans = {r["id"]: [rr.Span(c["source"], c["start"], c["end"]) for c in r["citations"]]
                         for r in recs}
                answers[label] = recs
                rows[label] = {"retrieval": recall_rows(evid_items, stored, spans, {r["id"]: r["seconds"] for r in recs}),
                               "answers": score_answers(scorer, questions, recs, args.corpus),
                               "seconds": [r["seconds"] for r in recs],
                               "wording": {w: sum(r.get("wording") == w for r in recs)
                                           for w in sorted({str(r.get("wording")) for r in recs})}}
                print(f"  {label} done ({time.perf_counter() - t_start:.0f} s)", flush=True)
        finally:
            if chat is not None:
                model = chat.describe().get("model")
                chat.close()
            else:
                model = None

    order = list(dict.fromkeys(["naive + LLM", "dense only", "BM25 only", "hybrid", "hybrid + scoping",
                                "product, --llm none", f"product, --llm {args.llm}"]))
    head = (f"{'row':<22} {'recall@5':>8} {'MRR':>5} {'accuracy':>8} {'support':>7} {'coverage':>8} "
            f"{'abstain':>7} {'f.abst':>6} {'inj.res':>7} {'mean s':>7} {'p95 s':>6}")
    lines = [head, "-" * len(head)]

    def f(x, w):
        return f"{'-':>{w}}" if x is None else f"{x:>{w}.3f}"
    for name in order:
        if name not in rows:
            continue
        r = rows[name]
        ret, a = r["retrieval"], r.get("answers") or {}
        lines.append(f"{name:<22} {ret['recall']:>8.3f} {ret['mrr']:>5.3f} {f(a.get('answer_accuracy'), 8)} "
                     f"{f(a.get('citation_support'), 7)} {f(a.get('citation_coverage'), 8)} "
                     f"{f(a.get('abstention_recall'), 7)} {f(a.get('false_abstention_rate'), 6)} "
                     f"{f(a.get('injection_resistance'), 7)} {mean(r['seconds']):>7.2f} {pct(r['seconds'], 95):>6.2f}")
    notes = [f"recall@5/MRR over {len(evid_items)} items with gold evidence; product rows: all citations of the "
             f"answer (not capped at 5). LLM: {args.llm}" + (f" ({model})" if model else "") + "."]
    for name in order:
        if name in rows and "wording" in rows[name] and args.llm != "none" and name.endswith(args.llm):
            notes.append(f"{name}: answer wording {rows[name]['wording']} (model = re-worded and verified)")
    if rows.get("naive + LLM", {}).get("errors"):
        notes.append("naive + LLM: model errors (counted as empty answers): " + "; ".join(rows["naive + LLM"]["errors"]))
    if "naive + LLM" not in rows:
        notes.append("naive + LLM row skipped (" + ("--quick" if args.quick else "--llm none") + ")")
    ratios = []
    naive = rows.get("naive + LLM")
    for name in ("product, --llm none", f"product, --llm {args.llm}"):
        if naive and name in rows and name != "naive + LLM":
            na, pa = naive["answers"], rows[name]["answers"]
            ratios.append(f"{name} vs naive + LLM: accuracy {pa['answer_accuracy']:.3f} vs {na['answer_accuracy']:.3f}"
                          f" ({pa['answer_accuracy'] / max(na['answer_accuracy'], 1e-9):.1f}x), citation support "
                          f"{pa['citation_support']:.3f} vs {na['citation_support']:.3f}, seconds/question "
                          f"{mean(rows[name]['seconds']):.2f} vs {mean(naive['seconds']):.2f}")
    if "hybrid" in rows and "dense only" in rows:
        ratios.append(f"hybrid recall@5 / dense-only recall@5 = "
                      f"{rows['hybrid']['retrieval']['recall'] / max(rows['dense only']['retrieval']['recall'], 1e-9):.2f}")
    for line in lines + [""] + notes + ratios:
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "answers": answers}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    if not args.no_doc:
        cmd = "bench/quality.py" + (" --quick" if args.quick else "") + (f" --llm {args.llm}" if args.llm != "local" else "")
        body = "\n".join([f"`{cmd}` — {stamp()}, {machine()}, repo {git_rev()}, load at start {load_start}",
                          "", "```", *lines, "", *notes, *ratios, "```"])
        replace_section(REPO / "docs" / "benchmarks.md", "quality", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
