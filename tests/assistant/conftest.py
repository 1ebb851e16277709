"""A real store (embedded Chroma + BM25, real USE embeddings) holding the five sample CVs."""
from __future__ import annotations

from pathlib import Path

import pytest

from recruiter.assistant.app import App
from recruiter.runtime.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "candidates"


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    settings = Settings.from_env(env={}, home=home, llm="none")
    app = App.open(settings)
    results = app.library.ingest([EXAMPLES])
    assert [r.status for r in results] == ["added"] * 5, [r.to_json() for r in results]
    yield app
    app.close()


@pytest.fixture
def ask(seeded_app):
    from recruiter.assistant.service import Conversation

    def _ask(question, conversation=None, **kw):
        return seeded_app.assistant.ask(question, conversation=conversation or Conversation(), use_model=False, **kw)
    return _ask
