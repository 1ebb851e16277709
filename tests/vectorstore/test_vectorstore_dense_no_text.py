"""Chroma holds ids, vectors and span metadata, never CV text; stores written with documents still work.

Real embedded Chroma on temporary homes, the fake lexical embedding of conftest (dense search by a
passage's own text finds it). Nothing is timed.
"""
from __future__ import annotations

import numpy as np

from recruiter.vectorstore.dense import TEXT_FREE, indexed_text, metadata


def _raw_files_holding(home, needle: str) -> list[str]:
    data = needle.encode()
    return sorted(str(f.relative_to(home)) for f in home.rglob("*") if f.is_file() and data in f.read_bytes())


def test_chroma_is_written_without_documents(loaded, seeds, tmp_path):
    got = loaded.dense._collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == sum(len(p) for _, _, p in seeds)
    assert set(got["documents"]) == {None}
    by_id = {p.id: p for _, _, passages in seeds for p in passages}
    assert [m for m in got["metadatas"]] == [metadata(by_id[i]) for i in got["ids"]]
    # and none of it on disk: a sentence of a CV appears in the catalog only
    sentence = max(by_id.values(), key=lambda p: len(p.text)).text.strip().splitlines()[0]
    assert len(sentence) > 20
    assert [f for f in _raw_files_holding(tmp_path / "home", sentence) if f.startswith("chroma")] == []


def test_dense_search_returns_catalog_passages_with_scores(loaded, seeds):
    doc, cand, passages = seeds[2]
    target = max(passages, key=lambda p: len(p.text))
    hits = loaded.search(indexed_text(target, cand.name), k=3, mode="dense")
    assert hits[0].passage == target and hits[0].dense_rank == 1
    assert 0.99 < hits[0].score <= 1.0 + 1e-6
    only = loaded.search(target.text, k=50, mode="dense", candidate_ids=[seeds[0][1].id])
    assert only and {h.passage.candidate_id for h in only} == {seeds[0][1].id}


def test_a_store_written_with_documents_is_rewritten_without_them_and_still_works(open_store, tmp_path, seeds,
                                                                                 consistent):
    home = tmp_path / "old"
    store = open_store(home)
    for doc, cand, passages in seeds:
        store.upsert(doc, cand, passages)
    # write every record the way the index used to (LangChain, the text as its document) and take the
    # marker back, as in a store made before the index went text-free
    names = {cand.id: cand.name for _, cand, _ in seeds}
    every = [p for _, _, passages in seeds for p in passages]
    store.dense._vs.add_texts([indexed_text(p, names[p.candidate_id]) for p in every],
                              metadatas=[metadata(p) for p in every], ids=[p.id for p in every])
    store.dense._collection.modify(metadata={TEXT_FREE: False})
    before = store.dense._collection.get(include=["embeddings", "metadatas", "documents"])
    assert None not in before["documents"]
    store.close()

    store = open_store(home)
    after = store.dense._collection.get(include=["embeddings", "metadatas", "documents"])
    assert set(after["documents"]) == {None} and store.dense._collection.metadata[TEXT_FREE]
    vectors = dict(zip(before["ids"], before["embeddings"]))
    assert set(after["ids"]) == set(vectors)
    # the same vectors (Chroma normalizes cosine vectors again on the way in: float32 rounding)
    assert max(float(np.abs(v - vectors[i]).max()) for i, v in zip(after["ids"], after["embeddings"])) < 1e-6
    assert dict(zip(after["ids"], after["metadatas"])) == dict(zip(before["ids"], before["metadatas"]))
    consistent(store)
    doc, cand, passages = seeds[3]
    target = max(passages, key=lambda p: len(p.text))
    assert store.search(indexed_text(target, cand.name), k=1, mode="dense")[0].passage == target
    store.remove_candidate(cand.id)
    assert not {p.id for p in passages} & consistent(store)
    assert all(h.passage.candidate_id != cand.id for h in store.search(target.text, k=20, mode="dense"))
