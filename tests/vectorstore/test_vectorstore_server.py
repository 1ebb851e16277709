"""Server mode: a real `chroma run` process on 127.0.0.1, used through CandidateStore(chroma_url=...)."""
from __future__ import annotations


import pytest

from recruiter.vectorstore import StoreLockedError

pytestmark = pytest.mark.server


def test_server_mode_ingest_query_remove(chroma_server, open_store, tmp_path, seeds, consistent):
    home = tmp_path / "home"
    store = open_store(home, chroma_url=chroma_server)
    assert store.stats()["mode"] == "server"
    for doc, cand, passages in seeds:
        assert store.upsert(doc, cand, passages) == "added"
    assert consistent(store) == {p.id for _, _, ps in seeds for p in ps}
    assert store.upsert(*seeds[0]) == "unchanged"

    cid0 = seeds[0][1].id
    for mode in ("hybrid", "dense", "bm25"):
        hits = store.search("郑州大学 本科", k=5, candidate_ids=[cid0], mode=mode)
        assert hits and all(h.passage.candidate_id == cid0 for h in hits)
    assert "郑州大学" in store.search("郑州大学", k=1)[0].passage.text

    # Server mode lets several processes write: a second store on the same home opens fine…
    other = open_store(home, chroma_url=chroma_server)
    assert other.remove_candidate(seeds[1][1].id) == len(seeds[1][2])
    assert all(h.passage.candidate_id != seeds[1][1].id for h in store.search("2016.09", k=10))
    consistent(store)
    # …but an embedded writer may not join them.
    with pytest.raises(StoreLockedError):
        open_store(home)

    store.remove_candidate(cid0)
    ids = consistent(store)
    assert ids == {p.id for _, _, ps in seeds[2:] for p in ps}
    assert store.stats()["chroma"] == len(ids)
