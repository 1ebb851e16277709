"""The arithmetic the bench scripts rely on, on toy data (no models, no stores, no timing)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

REPO = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


common, scale, quality, ingest = (_load(n) for n in ("_common", "scale", "quality", "ingest"))


def test_postings_bm25_equals_rank_bm25_including_negative_idf():
    docs = [["python", "sql", "python"], ["python", "java"], ["python", "cpa", "audit", "audit"], ["python"], []]
    ref, proto = BM25Okapi(docs), scale.PostingsBM25(docs)
    for q in (["python"], ["audit", "sql"], ["cpa", "python", "unknown"], []):
        want = ref.get_scores(q) if q else np.zeros(len(docs))
        assert np.allclose(proto.scores(q), want, atol=1e-5)


def test_percentile_and_doc_section_replacement(tmp_path):
    assert common.pct([5, 1, 3, 2, 4], 50) == 3 and common.pct(range(1, 101), 95) == 95
    doc = tmp_path / "b.md"
    doc.write_text("# Benchmarks\n\nintro\n", encoding="utf-8")
    common.replace_section(doc, "ingest", "first")
    common.replace_section(doc, "quality", "q")
    common.replace_section(doc, "ingest", "second")
    text = doc.read_text(encoding="utf-8")
    assert "first" not in text and text.count("second") == 1 and "intro" in text and "q\n" in text
    assert text.index("second") < text.index("<!-- quality:start -->")


def test_naive_abstention_regex():
    for reply in ("I don't know.", "The context does not mention it; it is not mentioned.", "我不知道。", "简历中未提及。"):
        assert quality.ABSTAIN_RE.search(reply), reply
    for reply in ("Keqing He studied at BUPT.", "He knows Python and Java."):
        assert not quality.ABSTAIN_RE.search(reply), reply


def test_precomputed_embeddings_serve_known_texts_and_fall_back():
    class Inner:
        calls: list = []

        def embed_documents(self, texts):
            self.calls.append(list(texts))
            return [[float(len(t))] for t in texts]

        def embed_query(self, text):
            return [0.0]
    pre = ingest.PrecomputedEmbeddings(Inner())
    pre.put(["a", "bb"], [[1.0], [2.0]])
    assert pre.embed_documents(["bb", "ccc", "a"]) == [[2.0], [3.0], [1.0]]
    assert (pre.hits, pre.misses) == (2, 1) and Inner.calls == [["ccc"]]
    assert pre.vectors == {}                       # served vectors are dropped: memory stays bounded
