"""recruiter.ingest.parallel on tiny files: input order, same results as parse_file, errors, skip, enrich.

Real worker processes (spawn) are started, so each pooled test pays ~1-2 s of start-up; nothing is timed.
"""
from __future__ import annotations

import operator
import os
from pathlib import Path

import pytest
from recruiter.ingest.models import IngestError, content_hash
from recruiter.ingest.parallel import parse_parallel
from recruiter.ingest.pipeline import parse_file

CV = "{name}\nEmail: {slug}@example.com\n\nEducation\nBSc Computer Science, 2015 - 2019\n\nExperience\n{body}\n"


@pytest.fixture
def files(tmp_path) -> list[Path]:
    out = []
    for i, name in enumerate(["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]):
        p = tmp_path / f"{i}_{name.split()[1].lower()}.txt"
        p.write_text(CV.format(name=name, slug=name.split()[0].lower(), body=f"Engineer at Lab {i}. " * (i + 1)),
                     encoding="utf-8")
        out.append(p)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.pdf").write_bytes(b"\x89PNG\r\n\x1a\n not a pdf")
    out.insert(2, tmp_path / "empty.txt")
    out.append(tmp_path / "scan.pdf")
    return out


def _expected(path: Path):
    try:
        return parse_file(path)
    except IngestError as e:
        return e


def test_pool_keeps_input_order_and_matches_parse_file(files):
    results = list(parse_parallel(files, workers=2, window=2, serial_below=0))
    assert [r.path for r in results] == files
    for r in results:
        want = _expected(r.path)
        assert r.file_hash == content_hash(r.path.read_bytes())
        if isinstance(want, IngestError):
            assert not r.ok and isinstance(r.error, IngestError)
            assert (r.error.kind, str(r.error)) == (want.kind, str(want))   # survives the trip back intact
        else:
            assert r.ok and r.error is None
            assert r.parsed.document.text == want.document.text
            assert r.parsed.passages == want.passages


def test_skip_predicate_sees_source_and_hash_and_skipped_files_are_not_parsed(files, tmp_path):
    stored = {files[0].name: content_hash(files[0].read_bytes()), files[1].name: "an older hash"}
    seen = []

    def skip(source, file_hash):
        seen.append(source)
        return stored.get(source) == file_hash
    results = list(parse_parallel(files, skip=skip, sources={str(files[3]): "renamed.txt"},
                                  workers=2, serial_below=0))
    assert seen == [f.name if i != 3 else "renamed.txt" for i, f in enumerate(files)]
    assert [r.skipped for r in results] == [True] + [False] * (len(files) - 1)
    assert results[0].parsed is None and results[0].error is None
    assert results[1].ok                                       # changed bytes: parsed again
    assert results[3].source == "renamed.txt" and results[3].parsed.document.source == "renamed.txt"


def test_all_unchanged_starts_no_pool_and_serial_path_agrees(files):
    results = list(parse_parallel(files, skip=lambda s, h: True, workers=2, serial_below=0))
    assert all(r.skipped for r in results)
    serial = list(parse_parallel(files, workers=2))            # few files: parsed inline, same answers
    pooled = list(parse_parallel(files, workers=2, serial_below=0))
    assert [(r.ok, r.parsed.document.doc_id if r.ok else r.error.kind) for r in serial] == \
           [(r.ok, r.parsed.document.doc_id if r.ok else r.error.kind) for r in pooled]


def test_enrich_runs_in_the_worker_and_missing_file_is_reported(files, tmp_path):
    gone = tmp_path / "gone.txt"
    results = list(parse_parallel([*files[:2], gone], enrich=operator.attrgetter("document.doc_id"),
                                  workers=2, serial_below=0))
    assert [r.extra for r in results[:2]] == [r.parsed.document.doc_id for r in results[:2]]
    assert isinstance(results[2].error, OSError) and results[2].parsed is None


def test_closing_early_shuts_the_pool_down(files):
    gen = parse_parallel(files * 3, workers=2, window=2, serial_below=0)
    first = next(gen)
    gen.close()                                                # must return, not hang on queued work
    assert first.path == files[0]


def crash_on_dijkstra(parsed):
    """enrich for the crash test: kills the worker process on one file (module level: pickled by reference)."""
    if "dijkstra" in parsed.document.source:
        os._exit(3)
    return parsed.document.source


def test_a_worker_crash_fails_only_its_file(files):
    results = list(parse_parallel(files, enrich=crash_on_dijkstra, workers=2, window=3, serial_below=0))
    assert [r.path for r in results] == files
    crashed = [r for r in results if "dijkstra" in r.source]
    assert len(crashed) == 1 and isinstance(crashed[0].error, IngestError) and crashed[0].error.kind == "corrupt"
    assert all(r.extra == r.source for r in results if r.ok)
    assert sum(r.ok for r in results) == sum(not isinstance(_expected(f), IngestError) for f in files) - 1


ORPHAN_SCRIPT = """
import json, multiprocessing, sys, time
from pathlib import Path
from recruiter.ingest.parallel import parse_parallel

if __name__ == "__main__":
    files = sorted(Path(sys.argv[1]).iterdir())
    gen = parse_parallel(files * 4, workers=2, window=2, serial_below=0)
    next(gen)
    print(json.dumps([p.pid for p in multiprocessing.active_children()]), flush=True)
    time.sleep(600)   # holds the pool, idle: the state a SIGKILL of `recruiter ingest` leaves behind
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_exit_when_their_parent_is_killed(files, tmp_path):
    import json
    import signal
    import subprocess
    import sys
    import time

    folder = files[0].parent
    script = tmp_path / "hold_pool.py"
    script.write_text(ORPHAN_SCRIPT, encoding="utf-8")
    # stderr to a file: the killed parent's resource tracker reports leaked semaphores there
    with open(tmp_path / "stderr.log", "wb") as err:
        proc = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, stderr=err,
                                text=True)
    try:
        line = proc.stdout.readline()
        assert line, (tmp_path / "stderr.log").read_text(errors="replace")[-2000:]
        workers = json.loads(line)
        assert len(workers) == 2 and all(_alive(p) for p in workers)
    finally:
        proc.send_signal(signal.SIGKILL)       # the parent only: its workers are on their own now
        proc.wait(timeout=30)
    deadline = time.monotonic() + 60           # a bound on waiting, not a speed check
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [p for p in workers if _alive(p)]
    for p in left:                             # don't leak them into the rest of the run
        os.kill(p, signal.SIGKILL)
    assert not left, "worker processes outlived their killed parent"
