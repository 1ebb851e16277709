"""Helpers shared by the bench scripts: peak memory of a process tree, machine description, timing stats."""
from __future__ import annotations

import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
MB = 1024 * 1024


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class PeakRSS:
    """Samples the summed RSS of this process and all its descendants (workers, servers) every ``every`` s.

    ``peak_mb`` is the largest sum seen; ``rusage_mb`` is getrusage's max RSS of self and of the largest
    waited-for child, which misses children still running but needs no sampling.
    """

    def __init__(self, every: float = 0.25, root: int | None = None):
        self.every, self.root = every, root or os.getpid()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> int:
        total = sum(_rss_bytes(p) for p in _descendants(self.root))
        self.peak = max(self.peak, total)
        return total

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float:
        return self.peak / MB

    @staticmethod
    def rusage_mb() -> dict:
        return {"self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def stamp() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def pct(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, math.ceil(q / 100 * len(xs)) - 1))
    return xs[k]


def mean(values) -> float:
    values = list(values)
    return statistics.fmean(values) if values else float("nan")


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True,
                               text=True, timeout=5).stdout.strip()
        return rev + ("+uncommitted" if dirty else "")
    except Exception:
        return "?"


def replace_section(doc: Path, marker: str, body: str) -> None:
    """Replace the text between <!-- marker:start --> and <!-- marker:end --> in ``doc`` (append if absent)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + ("\n\n" if text.strip() else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")


def python() -> str:
    return sys.executable
