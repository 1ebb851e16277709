"""Paths to the shared corpus for the ingest tests (read in place, never copied into the repo)."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.fail(f"shared corpus not found at {path}: clone the repo next to ../shared")
    return path


@pytest.fixture(scope="session")
def fixtures_dir(corpus) -> Path:
    return corpus / "fixtures"


@pytest.fixture(scope="session")
def seeds_dir(corpus) -> Path:
    return corpus / "seeds"


def _assert_passage_invariants(doc, passages, hard_max: int | None = None) -> None:
    """Exact spans, stripped, ordered, non-overlapping, bounded, and covering all visible text."""
    from recruiter.ingest.chunking import HARD_MAX_CHARS
    from recruiter.ingest.models import SECTIONS

    hard_max = hard_max or HARD_MAX_CHARS
    text = doc.text
    prev_end = 0
    for p in passages:
        assert p.text == text[p.start:p.end], (p.start, p.end)
        assert p.text and p.text == p.text.strip()
        assert 0 < p.end - p.start <= hard_max
        assert p.start >= prev_end, "passages overlap or are out of order"
        assert text[prev_end:p.start].strip() == "", "visible text left out of every passage"
        assert p.section in SECTIONS
        assert p.doc_id == doc.doc_id and p.candidate_id == doc.candidate_id
        assert p.source == doc.source
        prev_end = p.end
    assert text[prev_end:].strip() == ""
    assert len({p.id for p in passages}) == len(passages)


@pytest.fixture(scope="session")
def check_passages():
    """The passage invariants as a callable (a fixture, so no test module imports a sibling)."""
    return _assert_passage_invariants
