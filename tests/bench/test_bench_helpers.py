"""The arithmetic the bench scripts rely on, on toy data (no models, no stores, no timing)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


common, scale, quality, ingest = (_load(n) for n in ("_common", "scale", "quality", "ingest"))


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


def test_timed_embeddings_count_and_send_the_inner_model_to_workers():
    import pickle

    from recruiter.runtime.embeddings import HashingEmbeddings, USEM3Embeddings
    timed = ingest.TimedEmbeddings(HashingEmbeddings())
    assert timed.embed_documents(["a b", "c"]) == HashingEmbeddings().embed_documents(["a b", "c"])
    assert timed.texts == 2 and timed.seconds > 0
    # Library sends with_threads(1) to its workers: the real model, never the counting wrapper
    sent = ingest.TimedEmbeddings(USEM3Embeddings(threads=2)).with_threads(1)
    assert type(sent) is USEM3Embeddings and sent.threads == 1
    assert pickle.loads(pickle.dumps(sent)) is pickle.loads(pickle.dumps(sent))   # one model per process
