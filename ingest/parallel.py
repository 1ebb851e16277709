"""Parse files in worker processes, results back in input order, so the caller can store while parsing goes on.

    for r in parse_parallel(files, limits=limits, skip=store.is_unchanged):
        if r.skipped:  ...                      # (source, file_hash) already stored: never parsed
        elif r.error:  ...                      # IngestError (or OSError): report it, go on
        else:          store(r.parsed)          # ParsedDocument; r.extra = enrich(parsed) if given

Why processes: pypdf is pure Python (~0.2 s of CPU per page-heavy CV), so threads would serialize
on the GIL. Files are hashed in the calling process first (cheap: sha256 of the bytes) and the
caller's ``skip(source, file_hash)`` predicate decides whether a file is parsed at all, so an
unchanged re-ingest costs one read per file and no worker is even started.

At most ``window`` files are in flight: memory stays bounded however many files there are, and a
slow file only holds back the results behind it (order is kept), never the workers.

The pool is loky's, not concurrent.futures': on Python 3.11 the stdlib executor races with itself
when a worker dies (its manager thread mutates the worker table while terminating it, and a submit can
meet a pool that broke a moment earlier), which hung a CI run; loky was written to survive exactly
that. Workers start with fork+exec: the caller usually holds threads (Chroma's Rust runtime, BLAS)
and forking a threaded process can deadlock the child. Start-up costs ~1 s, so for a handful of
files (``len(paths) <= serial_below``) everything runs in this process instead.

A worker exits on its own within a second of its parent dying (SIGKILL, OOM): a worker holds
both ends of the task queue, so it would otherwise wait for work forever.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool   # loky's TerminatedWorkerError subclasses it
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loky import ProcessPoolExecutor

from .models import IngestError, content_hash
from .pipeline import IngestLimits, ParsedDocument, parse_file

DEFAULT_WORKERS = 2
SERIAL_BELOW = 4          # this many files or fewer: parse inline, no pool


@dataclass
class ParseResult:
    path: Path
    source: str
    file_hash: str = ""                       # sha256 of the raw bytes ("" when unreadable)
    parsed: ParsedDocument | None = None
    error: Exception | None = None            # IngestError, or OSError when the file can't be read
    skipped: bool = False                     # skip(source, file_hash) said so: not parsed
    extra: Any = None                         # enrich(parsed), computed in the worker
    seconds: float = 0.0                      # parse (+ enrich) time in the worker

    @property
    def ok(self) -> bool:
        return self.parsed is not None


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: a daemon thread that ends this worker once it is orphaned."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_one(path: str, source: str, limits: IngestLimits, enrich: Callable | None) -> tuple:
    """Worker body. Returns plain tuples: IngestError has a 3-argument __init__ and does not unpickle."""
    t0 = time.perf_counter()
    try:
        parsed = parse_file(Path(path), source=source, limits=limits)
    except IngestError as e:
        return ("ingest_error", (e.kind, e.message, e.hint), time.perf_counter() - t0)
    except OSError as e:
        return ("os_error", (e.errno, e.strerror, e.filename), time.perf_counter() - t0)
    extra = enrich(parsed) if enrich is not None else None
    return ("ok", (parsed, extra), time.perf_counter() - t0)


def _unpack(res: ParseResult, outcome: tuple) -> ParseResult:
    kind, payload, seconds = outcome
    res.seconds = seconds
    if kind == "ok":
        res.parsed, res.extra = payload
    elif kind == "ingest_error":
        res.error = IngestError(*payload)
    else:
        res.error = OSError(*payload)
    return res


def _prepare(path: Path, source: str, skip) -> ParseResult:
    res = ParseResult(path, source)
    try:
        res.file_hash = content_hash(path.read_bytes())
    except OSError as e:
        res.error = e
        return res
    if skip is not None and skip(source, res.file_hash):
        res.skipped = True
    return res


def parse_parallel(paths: Iterable[str | Path], *, limits: IngestLimits | None = None,
                   sources: dict[str, str] | None = None,
                   skip: Callable[[str, str], bool] | None = None,
                   enrich: Callable[[ParsedDocument], Any] | None = None,
                   workers: int = DEFAULT_WORKERS, window: int | None = None,
                   serial_below: int = SERIAL_BELOW) -> Iterator[ParseResult]:
    """Yield one ParseResult per path, in input order.

    ``sources`` maps str(path) to the name to store it under (default: the file name).
    ``skip(source, file_hash)`` is called in this process, before parsing, in input order.
    ``enrich(parsed)`` runs in the worker after a successful parse (must be a module-level function,
    it is pickled by reference); its return value lands in ``ParseResult.extra``.
    Closing the generator early cancels what has not started and shuts the pool down.
    """
    limits = limits or IngestLimits.from_env()
    items = [(Path(p), (sources or {}).get(str(p)) or Path(p).name) for p in paths]
    workers = max(1, min(workers, os.cpu_count() or 1))
    window = max(window or 4 * workers, 1)
    if len(items) <= serial_below or workers == 1:
        for path, source in items:
            res = _prepare(path, source, skip)
            if res.error is None and not res.skipped:
                _unpack(res, _run_one(str(path), source, limits, enrich))
            yield res
        return

    pool: ProcessPoolExecutor | None = None
    pending: deque[list] = deque()            # [ParseResult, Future | None]

    def submit(res: ParseResult) -> Future:
        nonlocal pool
        if pool is None:   # started lazily: an all-unchanged batch never pays for it
            pool = ProcessPoolExecutor(max_workers=workers,
                                       initializer=_exit_with_parent, initargs=(os.getpid(),))
        try:
            return pool.submit(_run_one, str(res.path), res.source, limits, enrich)
        except BrokenProcessPool as e:   # a worker died since the last result was read: recovered in finish()
            broken: Future = Future()
            broken.set_exception(e)
            return broken

    def reset() -> None:
        nonlocal pool
        if pool is not None:
            pool.shutdown(wait=True, kill_workers=True)   # nothing of a broken pool is worth waiting for
        pool = None

    def finish(res: ParseResult, fut: Future | None) -> ParseResult:
        if fut is None:
            return res
        try:
            return _unpack(res, fut.result())
        except BrokenProcessPool:
            pass
        # A worker died (a native parser crash, the OOM killer) and took every in-flight file with
        # it. Parse this file alone in a fresh pool: if that dies too, it is the culprit and is
        # reported; then the files behind it are submitted again.
        reset()
        try:
            _unpack(res, submit(res).result())
        except BrokenProcessPool:
            reset()
            res.error = IngestError("corrupt", f"{res.path.name} crashed the parser.",
                                    "Save or export the file again and re-upload it, or upload it as PDF or TXT.")
        for entry in pending:
            fut = entry[1]
            if fut is not None and not (fut.done() and not fut.cancelled() and fut.exception() is None):
                entry[1] = submit(entry[0])
        return res

    try:
        for path, source in items:
            res = _prepare(path, source, skip)
            pending.append([res, submit(res) if res.error is None and not res.skipped else None])
            while pending and (pending[0][1] is None or len(pending) > window):
                yield finish(*pending.popleft())
        while pending:
            yield finish(*pending.popleft())
    finally:
        for _, fut in pending:
            if fut is not None:
                fut.cancel()
        if pool is not None:   # closed early: what is still running is not wanted
            pool.shutdown(wait=True, kill_workers=bool(pending))
