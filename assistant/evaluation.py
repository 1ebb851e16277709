"""`recruiter eval`: answer a question file (../shared/eval format) on a fresh store built from a corpus.

Every field of an item is honoured: multi-turn ``turns`` run as one conversation, ``inject_doc`` is
loaded beside the corpus for that item only (and removed after), ``jd`` is matched against.
"""
from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from recruiter.assistant.service import Conversation


def load_questions(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e})") from e
    return items


def answer_record(item_id: str, answer) -> dict:
    return {"id": item_id, "answer": answer.text,
            "citations": [{"source": c.source, "text": c.text, "start": c.start, "end": c.end,
                           "candidate": c.candidate} for c in answer.citations],
            "abstained": answer.abstained, "intent": answer.intent, "wording": answer.wording,
            "seconds": answer.timings.get("total_s")}


def _inject_file_name(item: dict) -> str:
    base = re.sub(r"[^\w\-]+", "_", item.get("inject_name") or item["id"]).strip("_") or "injected"
    return f"{base}.txt"


def run_items(app, items: Iterable[dict], *, use_model: bool, workdir: Path,
              on_record: Callable[[dict], None] | None = None) -> list[dict]:
    records = []
    for item in items:
        injected = None
        if item.get("inject_doc"):
            path = workdir / _inject_file_name(item)
            path.write_text(item["inject_doc"], encoding="utf-8")
            res = app.library.ingest([path])
            injected = next((c for c in app.store.candidates() if path.name in c.sources), None)
            if res and res[0].status == "failed":
                injected = None
        conv = Conversation()
        t0 = time.perf_counter()
        answer = None
        for turn in item.get("turns") or [item["question"]]:
            answer = app.assistant.ask(turn, conversation=conv, jd=item.get("jd"), use_model=use_model)
        rec = answer_record(item["id"], answer)
        rec["seconds"] = round(time.perf_counter() - t0, 3)
        records.append(rec)
        if on_record:
            on_record(rec)
        if injected is not None:
            app.store.remove_candidate(injected.id)
    return records


def run_eval(settings, questions: Path, corpus: Path, out: Path, *, use_model: bool, progress: bool = True,
             app_factory=None) -> list[dict]:
    """Fresh temporary home → ingest ``corpus`` → answer every item → write JSON lines to ``out``."""
    from recruiter.assistant.app import App

    items = load_questions(questions)
    with tempfile.TemporaryDirectory(prefix="recruiter-eval-") as tmp:
        home = Path(tmp) / "home"
        s = settings.with_(home=home, chroma_url=None)
        app = (app_factory or App.open)(s)
        try:
            results = app.library.ingest([corpus])
            failed = [r for r in results if r.status == "failed"]
            if failed:
                raise RuntimeError("could not ingest: " + "; ".join(f"{r.source}: {r.message}" for r in failed))
            bar = None
            if progress:
                from tqdm import tqdm
                bar = tqdm(total=len(items), unit="q", desc="eval")
            work = Path(tmp) / "inject"
            work.mkdir()
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(out, "w", encoding="utf-8") as f:
                def write(rec: dict) -> None:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    f.flush()
                    if bar:
                        bar.update(1)
                records = run_items(app, items, use_model=use_model, workdir=work, on_record=write)
            if bar:
                bar.close()
            return records
        finally:
            app.close()
