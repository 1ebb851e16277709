"""Fixtures for the vectorstore tests: seed CVs cut into passages without ingest's parsers, a
deterministic fake embedding, and a store on a temporary home (real embedded Chroma)."""
from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from recruiter.ingest.models import (Candidate, Document, Passage, candidate_id_for, content_hash,
                                     passage_id_for)

SEEDS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "seeds").resolve()
NAMES = {"000": "冀轲", "001": "韩槿一", "002": "Luo Ji", "003": "Keqing He", "004": "杨子逸"}
_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\n[ \t]*\n|\s*\Z)", re.S)   # text between blank lines, trimmed


class FakeEmbeddings(Embeddings):
    """Hashed character 3-grams → 256-d unit vectors: deterministic, instant, lexical-ish."""

    dim = 256

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        t = f"  {text.casefold()}  "
        for i in range(len(t) - 2):
            v[zlib.crc32(t[i:i + 3].encode()) % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


def make_cv(source: str, text: str, name: str, raw: bytes | None = None, min_chars: int = 250):
    """Document, Candidate and Passages for a text: blank-line blocks merged to >= min_chars, exact spans."""
    doc_id = content_hash(text)
    cid = candidate_id_for(source)
    doc = Document(doc_id=doc_id, source=source, path=f"/cvs/{source}",
                   file_hash=content_hash(raw if raw is not None else text), text=text, format="txt",
                   extractor="test", candidate_id=cid)
    spans, start = [], None
    for m in _BLOCK.finditer(text):
        start = m.start() if start is None else start
        if m.end() - start >= min_chars:
            spans.append((start, m.end()))
            start = None
    if start is not None:
        spans.append((start, len(text.rstrip())))
    passages = [Passage(id=passage_id_for(doc_id, s, e), doc_id=doc_id, candidate_id=cid, source=source,
                        start=s, end=e, section="other", heading="", text=text[s:e]) for s, e in spans]
    return doc, Candidate(id=cid, name=name, sources=[source]), passages


def seed_cvs() -> list[tuple[Document, Candidate, list[Passage]]]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_bytes()
        out.append(make_cv(path.name, raw.decode("utf-8"), NAMES[path.name[:3]], raw))
    return out


def assert_consistent(store) -> set[str]:
    ids = store.index_ids()
    assert ids["catalog"] == ids["chroma"] == ids["bm25"], {k: len(v) for k, v in ids.items()}
    return ids["catalog"]


@pytest.fixture(scope="session")
def seeds():
    if not SEEDS.is_dir():
        pytest.fail(f"seed CVs not found at {SEEDS}")
    return seed_cvs()


@pytest.fixture(scope="session")
def tokenizer():
    # One jieba load (~1 s) for the whole session instead of one per store.
    from recruiter.vectorstore.bm25 import CVTokenizer
    return CVTokenizer()


@pytest.fixture
def open_store(tmp_path, tokenizer):
    from recruiter.vectorstore.store import CandidateStore
    opened = []

    def _open(home: Path | None = None, embeddings=None, **kw):
        s = CandidateStore(home or tmp_path / "home", embeddings or FakeEmbeddings(), tokenizer=tokenizer, **kw)
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store):
    return open_store()


@pytest.fixture
def loaded(store, seeds):
    for doc, cand, passages in seeds:
        assert store.upsert(doc, cand, passages) == "added"
    return store


@pytest.fixture
def make():
    """make_cv as a fixture (conftest modules are not importable by name across test folders)."""
    return make_cv


@pytest.fixture
def consistent():
    return assert_consistent


@pytest.fixture
def fake_embeddings():
    return FakeEmbeddings
