"""Library.ingest with worker processes stores exactly what the in-process path stores.

Real stores (embedded Chroma, BM25, the USE model) on temporary data dirs and real spawned workers;
the folder is the five seed CVs plus fixtures (a CJK PDF, a DOCX, an instruction-like TXT, an
encrypted PDF, an empty file and a byte-identical copy of a seed under another name): more files
than SERIAL_BELOW, so workers=2 really starts a pool. Nothing is timed.
"""
from __future__ import annotations

import functools
import math
import shutil
from pathlib import Path

import pytest

from recruiter.assistant.app import App
from recruiter.assistant.library import SERIAL_BELOW, Library, analyze
from recruiter.ingest.parallel import parse_parallel
from recruiter.runtime.embeddings import USEM3Embeddings
from recruiter.runtime.settings import Settings
from recruiter.vectorstore.dense import indexed_text

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
SEEDS = SHARED / "corpus" / "seeds"
FIXTURES = SHARED / "corpus" / "fixtures"
EXTRA = ["pdf_cjk/zheyuye_resume.pdf", "docx/soupboss_01-Accountant.docx", "edge/prompt_injection_resume.txt",
         "bad/encrypted_password_secret.pdf", "bad/zero_bytes.txt"]


class CountingUSE(USEM3Embeddings):
    """The real model, counting the texts embedded in this process (a worker's vectors are not)."""

    def __init__(self):
        super().__init__(threads=2)
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"shared corpus not found at {SHARED}")
    out = tmp_path_factory.mktemp("cvs")
    for p in SEEDS.iterdir():
        shutil.copy(p, out)
    for rel in EXTRA:
        shutil.copy(FIXTURES / rel, out)
    first = sorted(SEEDS.iterdir())[0]
    shutil.copy(first, out / f"zz_copy_of_{first.name}")       # same text, another name: a duplicate
    assert len(list(out.iterdir())) > SERIAL_BELOW
    return out


def _ingest(home: Path, folder: Path, workers: int) -> dict:
    embeddings = CountingUSE()
    app = App.open(Settings.from_env(env={}, home=home, llm="none"), embeddings=embeddings)
    try:
        library = Library(app.store, app.library.limits, workers=workers)
        results = [r.to_json() for r in library.ingest([folder])]
        again = [r.to_json() for r in library.ingest([folder])]
        store = app.store
        ids = store.index_ids()
        cands = store.candidates()
        stored = store.dense._vs._collection.get(ids=sorted(ids["catalog"]), include=["embeddings", "documents"])
        return {"results": results, "again": again, "ids": ids,
                "candidates": sorted((c.to_dict() for c in cands), key=lambda c: c["id"]),
                "profiles": {c.id: store.profile(c.id) for c in cands},
                "documents": sorted((d.source, d.doc_id, d.file_hash, d.text) for d in store.catalog.documents()),
                "passages": sorted(tuple(sorted(p.to_dict().items())) for p in store.passages()),
                "vectors": dict(zip(stored["ids"], stored["embeddings"])),
                "dense_texts": dict(zip(stored["ids"], stored["documents"])),
                "embedded_here": embeddings.embedded}
    finally:
        app.close()


@pytest.fixture(scope="module")
def pooled_and_serial(folder, tmp_path_factory) -> tuple[dict, dict]:
    return (_ingest(tmp_path_factory.mktemp("pooled"), folder, workers=2),
            _ingest(tmp_path_factory.mktemp("serial"), folder, workers=1))


def _cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_workers_store_the_same_catalog_and_statuses_as_one_process(pooled_and_serial):
    pooled, serial = pooled_and_serial
    assert pooled["results"] == serial["results"]
    statuses = {r["source"]: (r["status"], r["reason"]) for r in pooled["results"]}
    assert sum(s == ("added", "") for s in statuses.values()) == 8, statuses
    assert statuses["encrypted_password_secret.pdf"] == ("failed", "encrypted")
    assert statuses["zero_bytes.txt"][0] == "failed"
    assert [s for n, s in statuses.items() if n.startswith("zz_copy_of_")] == [("failed", "duplicate")]
    assert any(r["warnings"] for r in pooled["results"] if r["source"] == "prompt_injection_resume.txt")
    for key in ("candidates", "profiles", "documents", "passages"):
        assert pooled[key] == serial[key], key
    assert set(pooled["dense_texts"].values()) == set(serial["dense_texts"].values()) == {None}   # text-free
    assert any(any(f.startswith("instruction-like") for f in c["flags"]) for c in pooled["candidates"])
    assert all(pooled["profiles"].values()) and len(pooled["profiles"]) == 8
    for run in (pooled, serial):
        assert run["ids"]["catalog"] == run["ids"]["chroma"] == run["ids"]["bm25"]


def test_workers_embed_the_texts_the_index_would_embed(pooled_and_serial):
    pooled, serial = pooled_and_serial
    # every vector came from a worker; in one process the store embedded each passage itself
    assert pooled["embedded_here"] == 0
    assert serial["embedded_here"] >= len(serial["ids"]["catalog"])
    # same text, same model: the vectors agree (1 vs 2 BLAS threads may differ in the last bits)
    assert pooled["vectors"].keys() == serial["vectors"].keys()
    worst = min(_cosine(pooled["vectors"][i], serial["vectors"][i]) for i in pooled["vectors"])
    assert worst > 0.9999, worst


def test_unchanged_re_ingest_keeps_statuses_in_both_modes(pooled_and_serial):
    pooled, serial = pooled_and_serial
    assert pooled["again"] == serial["again"]
    first = {r["source"]: r for r in pooled["results"]}
    for r in pooled["again"]:
        if first[r["source"]]["status"] == "added":
            assert r["status"] == "unchanged" and r["candidate"] == first[r["source"]]["candidate"]
        else:   # a file that failed is tried again, and fails the same way
            assert (r["status"], r["reason"]) == ("failed", first[r["source"]]["reason"])


def test_vectors_embedded_for_another_name_are_redone_in_the_storing_process(tmp_path):
    seed = sorted(SEEDS.iterdir())[1]
    embeddings = CountingUSE()
    app = App.open(Settings.from_env(env={}, home=tmp_path / "home", llm="none"), embeddings=embeddings)
    try:
        library = Library(app.store, app.library.limits, workers=1)
        worker_model = USEM3Embeddings(threads=1)
        item = next(parse_parallel([seed], enrich=functools.partial(analyze, embeddings=worker_model), workers=1))
        right_name = item.extra.identity.name
        wrong_name = "Someone Else Entirely"
        passages = item.parsed.passages
        # as if the worker had embedded for a name the stored candidate does not carry
        item.extra.vectors = worker_model.embed_documents([indexed_text(p, wrong_name) for p in passages])
        item.extra.embedded_name = wrong_name
        assert library._store(item).status == "added"
        assert embeddings.embedded == len(passages)          # redone here, not taken from the worker
        got = app.store.dense._vs._collection.get(ids=[p.id for p in passages], include=["embeddings"])
        stored = dict(zip(got["ids"], got["embeddings"]))
        want = worker_model.embed_documents([indexed_text(p, right_name) for p in passages])
        assert max(_cosine(v, w) for v, w in zip(item.extra.vectors, want)) < 0.999   # the test can tell them apart
        assert min(_cosine(stored[p.id], w) for p, w in zip(passages, want)) > 0.9999
    finally:
        app.close()
