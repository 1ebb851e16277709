"""Shared setup for the reliability tests: real stores (embedded Chroma, BM25, the USE embeddings) on
temporary data dirs, opened through App like the CLI and the web UI do, with no model (llm="none")."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
FIXTURES = SHARED / "corpus" / "fixtures"
EXAMPLES = REPO / "examples" / "candidates"


@pytest.fixture(scope="session")
def fixtures_root() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"shared corpus not found at {FIXTURES}: clone the repo next to ../shared")
    return FIXTURES


class MemoEmbeddings:
    """The real USE encoder, remembering the vectors of texts it has already encoded: the tests ingest
    the same CVs into several stores, and the same text always gets the same vector anyway."""

    def __init__(self, inner):
        self.inner = inner
        self._memo: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            self._memo.update(zip(todo, self.inner.embed_documents(todo)))
        return [self._memo[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@pytest.fixture(scope="session")
def embeddings():
    """One real USE encoder for the whole session (loading it costs ~1 s; every store shares it)."""
    from langchain_core.embeddings import Embeddings
    from recruiter.runtime.embeddings import USEM3Embeddings

    class _Memo(MemoEmbeddings, Embeddings):
        pass

    return _Memo(USEM3Embeddings(threads=2))


@pytest.fixture
def open_app(embeddings, tmp_path):
    """open_app(home=None, read_only=False, **settings) -> App; every app is closed after the test."""
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings

    opened = []

    def _open(home: Path | None = None, *, read_only: bool = False, **overrides):
        settings = Settings.from_env(env={}, home=home or tmp_path / "home", llm="none", **overrides)
        app = App.open(settings, read_only=read_only, embeddings=embeddings)
        opened.append(app)
        return app

    yield _open
    for app in opened:
        app.close()


def cli_env(home: Path) -> dict:
    return dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="none", ANONYMIZED_TELEMETRY="False",
                HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")


@pytest.fixture
def run_cli():
    """run_cli(home, *args, timeout=…) -> CompletedProcess of a real `python -m recruiter.ui.cli`."""
    def _run(home: Path, *args: str, timeout: float = 240, check: bool = True):
        proc = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", *args, "--home", str(home)],
                              capture_output=True, text=True, env=cli_env(home), timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}\nstdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
        return proc
    return _run


def assert_indexes_agree(store) -> set[str]:
    ids = store.index_ids()
    assert ids["catalog"] == ids["chroma"] == ids["bm25"], {k: len(v) for k, v in ids.items()}
    return ids["catalog"]


@pytest.fixture
def indexes_agree():
    return assert_indexes_agree


_FIGURES: dict[str, str] = {}


@pytest.fixture
def report_figure():
    """report_figure(key, line): shown in the terminal summary of the run (kill runs, pairs, …)."""
    def _report(key: str, line: str) -> None:
        _FIGURES[key] = line
    return _report


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("reliability figures")
        for line in _FIGURES.values():
            terminalreporter.write_line(line)
