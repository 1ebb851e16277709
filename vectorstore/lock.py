"""Who may write a store: advisory flock(2) locks on files in the data dir.

Embedded Chroma (and our catalog next to it) supports one writing process. An embedded writer holds an
exclusive lock on home/".lock" while it is open; server-mode processes hold it shared (they cooperate
through the Chroma server) and serialize each write on home/".write.lock". Readers take no lock.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:   # Windows: no flock; the store runs unguarded there
    fcntl = None


class StoreLockedError(RuntimeError):
    """Another process has this data dir open in a way that excludes us."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        pid = ""
    return f" (pid {pid})" if pid.isdigit() else ""


class HomeLock:
    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / ".lock"
        self._fh = None

    def _open(self):
        self.home.mkdir(parents=True, exist_ok=True)
        return open(self.path, "a+", encoding="ascii")

    def acquire_writer(self) -> None:
        """Exclusive, for the embedded writer's whole lifetime; fails at once with advice."""
        if fcntl is None:
            return
        fh = self._open()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreLockedError(
                f"The recruiter store at {self.home} is already open for writing by another process"
                f"{_holder(self.path)}. Embedded Chroma supports a single writing process: close the other "
                f"app, open this one read-only, or run a Chroma server (`chroma run --path <dir> --port 8000`) "
                f"and set RECRUITER_CHROMA_URL=http://127.0.0.1:8000 for every process.") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))   # so the next process's error can name us
        fh.flush()
        self._fh = fh

    def acquire_shared(self) -> None:
        """Server mode: any number of cooperating processes, but not next to an embedded writer."""
        if fcntl is None:
            return
        fh = self._open()
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreLockedError(
                f"The recruiter store at {self.home} is open in embedded mode by another process"
                f"{_holder(self.path)}. Close it, then start every process with RECRUITER_CHROMA_URL "
                f"set.") from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()   # closing the descriptor drops the flock
            self._fh = None


class WriteLock:
    """Per-operation exclusive lock for server mode, re-entrant within one store object."""

    def __init__(self, home: Path, timeout: float = 120.0):
        self.path = Path(home) / ".write.lock"
        self.timeout = timeout
        self._fh = None
        self._depth = 0

    def __enter__(self) -> "WriteLock":
        if fcntl is not None and self._depth == 0:
            fh = open(self.path, "a+", encoding="ascii")
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        fh.close()
                        raise StoreLockedError(f"timed out waiting for another process's write to "
                                               f"{self.path.parent}") from None
                    time.sleep(0.05)
            self._fh = fh
        self._depth += 1
        return self

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fh is not None:
            self._fh.close()
            self._fh = None
