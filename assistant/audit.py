"""A local, append-only audit log: who asked what about whom, which CV passages were cited, and
whether anything left the machine.

One JSON object per line in ``RECRUITER_HOME/audit.jsonl``:

    {"ts": "2025-01-31T09:12:44.123Z", "question": "...", "candidates": ["冀轲"], "sources": ["000_….txt"],
     "provider": "none", "model": null, "remote": false, "abstained": false, ...}

Appends are safe from many threads and processes at once: every line is written with one
``write(2)`` on an ``O_APPEND`` descriptor while holding an exclusive ``flock`` on the file, so lines
never interleave. A writer killed mid-line leaves a torn last line; the next append starts on a fresh
line and readers skip what does not parse. The file is created private to the user (0600): questions
may name candidates.
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

try:
    import fcntl
except ImportError:   # Windows: O_APPEND alone (one write per line) keeps lines whole there too
    fcntl = None

FILE_NAME = "audit.jsonl"
_thread_lock = threading.Lock()   # flock is per open file description; threads also share this


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    def __init__(self, home: str | os.PathLike):
        self.path = Path(home) / FILE_NAME

    # ---- writing -------------------------------------------------------------------------------
    def record(self, *, question: str, candidates: Iterable[str] = (), sources: Iterable[str] = (),
               provider: str = "none", model: str | None = None, remote: bool = False,
               abstained: bool = False, **extra) -> dict:
        """Append one entry (UTC timestamp added) and return it. ``extra`` must be JSON-serialisable."""
        entry = {"ts": utc_now(), "question": str(question),
                 "candidates": list(dict.fromkeys(str(c) for c in candidates)),
                 "sources": list(dict.fromkeys(str(s) for s in sources)),
                 "provider": provider, "model": model, "remote": bool(remote), "abstained": bool(abstained)}
        for k, v in extra.items():
            entry.setdefault(k, v)
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self._append(line)
        return entry

    def record_answer(self, question: str, answer, *, names: Mapping[str, str] | None = None,
                      llm: Mapping | None = None) -> dict:
        """Log an assistant ``Answer``: the candidates it is about or cites, its cited sources, and the
        model the question and passages were sent to (``llm`` = that model's ``describe()``; None when
        nothing was sent to any model)."""
        names = names or {}
        cands = [names.get(cid, cid) for cid in getattr(answer, "candidate_ids", [])]
        cands += [names.get(c.candidate_id, c.candidate) for c in answer.citations]
        llm = dict(llm or {})
        return self.record(question=question, candidates=cands, sources=[c.source for c in answer.citations],
                           provider=llm.get("provider", "none"), model=llm.get("model"),
                           remote=bool(llm.get("remote", False)), abstained=answer.abstained,
                           intent=getattr(answer, "intent", None), wording=getattr(answer, "wording", None))

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)   # RDWR: peek at the last byte
        with _thread_lock:
            fd = os.open(self.path, flags, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and hasattr(os, "pread") and os.pread(fd, 1, size - 1) != b"\n":   # torn last line
                    line = b"\n" + line
                view = memoryview(line)
                while view:                 # a regular file takes it in one write; loop to be sure
                    n = os.write(fd, view)
                    view = view[n:]
            finally:
                os.close(fd)                # also drops the flock

    # ---- reading -------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[dict]:
        try:
            fh = self.path.open("rb")
        except FileNotFoundError:
            return
        with fh:
            for raw in fh:
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue                # a torn line from a killed writer
                if isinstance(obj, dict):
                    yield obj

    def entries(self) -> list[dict]:
        return list(self)
