"""Several real processes on one store through a real `chroma run` on 127.0.0.1: two `recruiter ingest`
at once while a long-lived third process (the App, as the UI holds it) searches and asks with no model;
then a `recruiter remove` in yet another process. Also: the same without a server gets a clear error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import FakeEmbeddings

pytestmark = [pytest.mark.server, pytest.mark.slow]

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
SEEDS, FIXTURES = SHARED / "corpus" / "seeds", SHARED / "corpus" / "fixtures"
BATCH_A = [SEEDS / "000_6d3c8c5ff93f3297.txt", SEEDS / "001_8c67cd3c2722a3ec.txt", SEEDS / "002_9c04bb96c17275a3.txt"]
BATCH_B = [SEEDS / "003_4c1767a483d2bab9.txt", SEEDS / "004_ca307795620aa7c1.txt",
           FIXTURES / "txt" / "soupboss_sample_resume.txt", FIXTURES / "txt" / "updatedresumedataset_hr.txt"]

# The third process: opens the store like the UI does (App, server mode from the environment, no model),
# then answers one JSON command per stdin line. It also counts full BM25 builds: after its first one,
# every other process's write must reach it as a change-log delta.
SEARCHER = textwrap.dedent("""
    import json, sys
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings
    app = App.open(Settings.from_env(llm="none"))
    store, builds = app.store, []
    build = store.bm25.build
    store.bm25.build = lambda *a, **kw: (builds.append(1), build(*a, **kw))[1]
    print(json.dumps({"mode": store.stats()["mode"]}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "search":
            out = {"sources": [h.passage.source for h in store.search(cmd["q"], k=10, mode=cmd["mode"])]}
        elif cmd["op"] == "ask":
            answer = app.assistant.ask(cmd["q"])
            out = {"abstained": answer.abstained, "sources": sorted({c.source for c in answer.citations})}
        else:
            out = {k: sorted(v) for k, v in store.index_ids().items()} | {"builds": len(builds)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    app.close()
""")


def _env(home: Path, chroma_url: str | None) -> dict:
    env = dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="none", ANONYMIZED_TELEMETRY="False",
               HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.pop("RECRUITER_CHROMA_URL", None)
    return env | ({"RECRUITER_CHROMA_URL": chroma_url} if chroma_url else {})


class Searcher:
    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-c", SEARCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.hello = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            raise AssertionError(f"searcher died: {self.proc.stderr.read()[-3000:]}")
        return json.loads(line)

    def __call__(self, op: str, q: str = "", mode: str = "hybrid") -> dict:
        self.proc.stdin.write(json.dumps({"op": op, "q": q, "mode": mode}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "recruiter.ui.cli", *args]


def _open_read_only(home: Path, url: str | None):
    """A fresh look at the store from this process: read-only, so nothing is repaired on open."""
    from recruiter.vectorstore import CandidateStore
    return CandidateStore(home, FakeEmbeddings(size=512), chroma_url=url, read_only=True)


def test_two_ingests_and_a_searcher_share_one_server_store(chroma_server, tmp_path):
    chroma_url = chroma_server
    home = tmp_path / "home"
    env = _env(home, chroma_url)
    files = BATCH_A + BATCH_B
    assert all(f.is_file() for f in files), files
    searcher = Searcher(env)
    try:
        assert searcher.hello == {"mode": "server"}
        assert searcher("search", "warm up")["sources"] == []          # its index is built, empty
        ingests = [subprocess.Popen(_cli("ingest", "--json", *map(str, batch)), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env) for batch in (BATCH_A, BATCH_B)]
        seen_during: set[str] = set()
        while any(p.poll() is None for p in ingests):                  # search while both are writing
            for mode in ("bm25", "hybrid"):
                seen_during |= set(searcher("search", "Python 郑州大学 education 教育", mode)["sources"])
            time.sleep(0.3)
        for p in ingests:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, f"ingest failed: {out[-2000:]}\n{err[-3000:]}"
        assert seen_during <= {f.name for f in files}

        # Every file exactly once, and all three indexes agree, seen fresh and from the long-lived process.
        fresh = _open_read_only(home, chroma_url)
        try:
            sources = [d.source for d in fresh.catalog.documents()]
            assert sorted(sources) == sorted(f.name for f in files)
            ids = fresh.index_ids()
            assert ids["catalog"] == ids["chroma"] == ids["bm25"] and ids["catalog"]
        finally:
            fresh.close()
        live = searcher("ids")
        assert set(live["catalog"]) == set(live["chroma"]) == set(live["bm25"]) == ids["catalog"]
        assert live["builds"] == 1                                     # every catch-up was a delta

        # The searcher sees both ingests' candidates, in search and in answers (no model).
        assert searcher("search", "helicbupt@gmail.com", "bm25")["sources"][0] == BATCH_B[0].name
        assert searcher("search", "郑州大学", "bm25")["sources"][0] == BATCH_A[0].name
        answer = searcher("ask", "Which university did Keqing He attend?")
        assert not answer["abstained"] and answer["sources"] == [BATCH_B[0].name]

        # A remove in another process reaches the searcher's next search.
        removed = subprocess.run(_cli("remove", "--json", BATCH_B[0].name), capture_output=True, text=True,
                                 env=env, timeout=240)
        assert removed.returncode == 0, removed.stderr[-3000:]
        assert BATCH_B[0].name not in searcher("search", "helicbupt@gmail.com", "bm25")["sources"]
        assert BATCH_B[0].name not in searcher("search", "helicbupt gmail Keqing He", "hybrid")["sources"]
        live = searcher("ids")
        assert set(live["catalog"]) == set(live["chroma"]) == set(live["bm25"]) < ids["catalog"]
        assert live["builds"] == 1
        fresh = _open_read_only(home, chroma_url)
        try:
            assert [d.source for d in fresh.catalog.documents()].count(BATCH_B[0].name) == 0
            after = fresh.index_ids()
            assert after["catalog"] == after["chroma"] == after["bm25"] == set(live["catalog"])
        finally:
            fresh.close()
    finally:
        searcher.close()


def test_a_second_process_on_an_embedded_store_is_told_to_use_a_server(tmp_path):
    """The CLI's side of the lock (the store's is in tests/vectorstore): one clear line, no traceback."""
    home = tmp_path / "home"
    env = _env(home, None)
    holder = Searcher(env)                                             # embedded: it holds the writer lock
    try:
        assert holder.hello == {"mode": "embedded"}
        proc = subprocess.run(_cli("ingest", str(BATCH_A[0])), capture_output=True, text=True, env=env, timeout=240)
        assert proc.returncode != 0
        message = " ".join((proc.stdout + proc.stderr).split())
        assert "RECRUITER_CHROMA_URL" in message and "Traceback" not in message, message
        assert holder("ids")["catalog"] == []                          # nothing was written
    finally:
        holder.close()
