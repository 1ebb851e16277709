"""The local audit log: one JSON line per question, append-only, whole lines under concurrent writers
(threads and processes), UTC timestamps, private to the user."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from recruiter.assistant.audit import FILE_NAME, AuditLog

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "candidates"


def test_record_writes_one_json_line_with_a_utc_timestamp(tmp_path):
    log = AuditLog(tmp_path)
    before = datetime.now(timezone.utc)
    entry = log.record(question="韩槿一在哪里实习过？", candidates=["韩槿一", "韩槿一"], sources=["001.txt"],
                       provider="llama.cpp", model="qwen2.5-coder-1.5b", remote=False, abstained=False)
    lines = (tmp_path / FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == entry
    assert entry["candidates"] == ["韩槿一"] and entry["sources"] == ["001.txt"]
    assert set(entry) >= {"ts", "question", "candidates", "sources", "provider", "model", "remote", "abstained"}
    ts = datetime.fromisoformat(entry["ts"].replace("Z", "+00:00"))
    assert ts.utcoffset().total_seconds() == 0 and entry["ts"].endswith("Z")
    assert before.replace(microsecond=0) <= ts <= datetime.now(timezone.utc)
    assert "韩槿一" in lines[0], "non-ASCII is kept readable"


def test_appends_never_rewrite_earlier_lines(tmp_path):
    log = AuditLog(tmp_path)
    log.record(question="q1", abstained=True)
    first = (tmp_path / FILE_NAME).read_bytes()
    log.record(question="q2", remote=True, provider="openai-compatible", model="m")
    data = (tmp_path / FILE_NAME).read_bytes()
    assert data.startswith(first)
    assert [e["question"] for e in log.entries()] == ["q1", "q2"]
    assert log.entries()[1]["remote"] is True and log.entries()[0]["abstained"] is True


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_the_log_is_private_to_the_user(tmp_path):
    AuditLog(tmp_path).record(question="q")
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_a_torn_last_line_is_skipped_and_the_next_entry_starts_afresh(tmp_path):
    log = AuditLog(tmp_path)
    log.record(question="before the crash")
    with open(tmp_path / FILE_NAME, "ab") as fh:   # a writer killed mid-line
        fh.write(b'{"ts": "2025-01-01T00:00:00Z", "question": "half')
    log.record(question="after the crash")
    assert [e["question"] for e in log.entries()] == ["before the crash", "after the crash"]


def test_no_log_yet_reads_as_empty(tmp_path):
    assert AuditLog(tmp_path / "nowhere").entries() == []


_CHILD = r"""
import sys
from recruiter.assistant.audit import AuditLog
log = AuditLog(sys.argv[1])
for i in range(int(sys.argv[3])):
    log.record(question=f"{sys.argv[2]}-{i} " + "x" * 3000, candidates=[sys.argv[2]], sources=[f"s{i}.txt"])
"""


def test_concurrent_threads_and_processes_keep_every_line_whole(tmp_path):
    """8 threads and 4 processes append at once; lines are long (3 KB) so a torn write would show."""
    threads_n, procs_n, each = 8, 4, 60
    log = AuditLog(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), f"p{k}", str(each)])
             for k in range(procs_n)]

    def work(k: int) -> None:
        for i in range(each):
            log.record(question=f"t{k}-{i} " + "y" * 3000, candidates=[f"t{k}"], sources=[f"s{i}.txt"])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for p in procs:
        assert p.wait(timeout=60) == 0
    raw = (tmp_path / FILE_NAME).read_bytes().splitlines()
    parsed = [json.loads(line) for line in raw]          # every line is whole JSON
    assert len(parsed) == (threads_n + procs_n) * each
    questions = [e["question"].split()[0] for e in parsed]
    assert len(set(questions)) == len(questions)
    for who in [f"t{k}" for k in range(threads_n)] + [f"p{k}" for k in range(procs_n)]:
        mine = [int(q.split("-")[1]) for q in questions if q.split("-")[0] == who]
        assert mine == list(range(each)), f"{who}'s entries out of order or missing"


def test_record_answer_logs_a_real_answer(open_app):
    """What the assistant will log per question: candidates touched, cited sources, model, remote."""
    app = open_app()
    app.library.ingest([EXAMPLES / "000_6d3c8c5ff93f3297.txt", EXAMPLES / "004_ca307795620aa7c1.txt"])
    names = {c.id: c.name for c in app.store.candidates()}
    ans = app.assistant.ask("Where did Ke Ji do his PhD?", use_model=False)
    log = AuditLog(app.settings.home)
    entry = log.record_answer("Where did Ke Ji do his PhD?", ans, names=names, llm=None)
    assert entry["candidates"] == ["冀轲"] and entry["sources"] == ["000_6d3c8c5ff93f3297.txt"]
    assert (entry["provider"], entry["model"], entry["remote"], entry["abstained"]) == ("none", None, False, False)
    remote = {"provider": "openai-compatible", "model": "gpt-4o-mini", "base_url": "https://example.com/v1",
              "remote": True}
    none = app.assistant.ask("What is 杨子逸's blood type?", use_model=False)
    entry2 = log.record_answer("What is 杨子逸's blood type?", none, names=names, llm=remote)
    assert entry2["remote"] is True and entry2["model"] == "gpt-4o-mini" and entry2["abstained"] is True
    assert entry2["sources"] == []
    # the two asks logged themselves (the assistant audits every question), plus the two records above
    assert (app.settings.home / FILE_NAME).exists() and len(log.entries()) == 4


def test_every_question_asked_is_in_the_audit_log(open_app):
    app = open_app()
    app.library.ingest([EXAMPLES / "000_6d3c8c5ff93f3297.txt"])
    app.assistant.ask("Where did Ke Ji do his PhD?", use_model=False)
    entries = AuditLog(app.settings.home).entries()
    assert [e["question"] for e in entries] == ["Where did Ke Ji do his PhD?"]
    assert entries[0]["candidates"] == ["冀轲"] and entries[0]["provider"] == "none"
