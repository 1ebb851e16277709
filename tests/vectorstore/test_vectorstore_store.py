"""CandidateStore on real embedded Chroma with a fake embedding: invariants, recovery, search, locking."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import pytest

from recruiter.vectorstore import DuplicateDocumentError, StoreLockedError
from recruiter.vectorstore.store import MODES


def test_upsert_is_idempotent(loaded, seeds, consistent):
    before = loaded.stats()
    ids = consistent(loaded)
    for doc, cand, passages in seeds:
        assert loaded.is_unchanged(doc.source, doc.file_hash)
        assert loaded.upsert(doc, cand, passages) == "unchanged"
    assert loaded.stats() == before
    assert consistent(loaded) == ids == {p.id for _, _, ps in seeds for p in ps}
    assert before["candidates"] == before["documents"] == 5
    assert not loaded.is_unchanged(seeds[0][0].source, "0" * 64)
    assert not loaded.is_unchanged("never-seen.pdf", seeds[0][0].file_hash)


def test_catalog_round_trips_documents_and_spans(loaded, seeds):
    for doc, cand, passages in seeds:
        stored = loaded.document(doc.doc_id)
        assert stored == doc
        assert loaded.documents_for(cand.id) == [doc]
        assert loaded.candidate(cand.id) == cand
        assert loaded.passages(cand.id) == sorted(passages, key=lambda p: (p.start, p.end))
        for p in passages:
            assert stored.text[p.start:p.end] == p.text == loaded.passage(p.id).text
    assert {c.id for c in loaded.candidates()} == {c.id for _, c, _ in seeds}
    assert len(loaded.passages()) == sum(len(ps) for _, _, ps in seeds)


def test_changed_file_replaces_exactly_its_passages(loaded, seeds, make, consistent):
    doc, cand, old_passages = seeds[0]
    other_ids = {p.id for _, _, ps in seeds[1:] for p in ps}
    loaded.put_profile(cand.id, {"school": "郑州大学"})
    text = doc.text.replace("郑州大学", "河南大学") + "\n\n新增段落：曾在腾讯实习。\n"
    new_doc, new_cand, new_passages = make(doc.source, text, cand.name)
    assert new_cand.id == cand.id and new_doc.file_hash != doc.file_hash
    assert loaded.upsert(new_doc, new_cand, new_passages) == "replaced"
    ids = consistent(loaded)
    assert ids == other_ids | {p.id for p in new_passages}
    assert not ids & {p.id for p in old_passages}
    assert loaded.passages(cand.id) == new_passages
    assert loaded.document(doc.doc_id) is None and loaded.document(new_doc.doc_id).text == text
    assert loaded.profile(cand.id) is None            # its spans pointed into the old text
    assert loaded.stats()["documents"] == 5
    top = loaded.search("河南大学", k=1, mode="bm25")[0].passage
    assert top.candidate_id == cand.id and "河南大学" in top.text


def test_remove_candidate_leaves_nothing(loaded, seeds, consistent):
    doc, cand, passages = seeds[1]
    loaded.put_profile(cand.id, {"x": 1})
    assert loaded.remove_candidate(cand.id) == len(passages)
    ids = consistent(loaded)
    assert not ids & {p.id for p in passages}
    assert loaded.candidate(cand.id) is None and loaded.documents_for(cand.id) == []
    assert loaded.passages(cand.id) == [] and loaded.profile(cand.id) is None
    assert not loaded.is_unchanged(doc.source, doc.file_hash)
    for mode in MODES:
        assert loaded.search("韩槿一 2016.09", k=8, candidate_ids=[cand.id], mode=mode) == []
        assert all(h.passage.candidate_id != cand.id for h in loaded.search("韩槿一 2016.09", mode=mode))
    assert loaded.remove_candidate(cand.id) == 0
    assert loaded.upsert(doc, cand, passages) == "added"   # and it can come back
    consistent(loaded)


def test_reconcile_repairs_a_crash(open_store, tmp_path, seeds, consistent):
    home = tmp_path / "crash"
    store = open_store(home)
    for doc, cand, passages in seeds[:3]:
        store.upsert(doc, cand, passages)
    # A crash between "write Chroma" and "commit catalog" leaves orphans; a lost Chroma write, gaps.
    ghost = replace(seeds[3][2][0], id="p_orphan_from_a_crash")
    store.dense.add([(ghost, "ghost"), (seeds[4][2][0], "ghost")])
    missing = seeds[0][2][0].id
    store.dense.delete([missing])
    ids = store.index_ids()
    assert "p_orphan_from_a_crash" in ids["chroma"] and missing not in ids["chroma"]
    store.close()
    reopened = open_store(home)                            # reconcile runs on every writable open
    assert consistent(reopened) == {p.id for _, _, ps in seeds[:3] for p in ps}
    assert reopened.reconcile() == {"removed": 0, "added": 0}
    reopened.dense.add([(ghost, "ghost")])
    assert reopened.reconcile() == {"removed": 1, "added": 0}
    consistent(reopened)


def test_bm25_finds_chinese_names_places_dictionary_terms_and_emails(loaded, seeds):
    cid = {d.source[:3]: c.id for d, c, _ in seeds}

    def top(query, n=1, **kw):
        return [h.passage for h in loaded.search(query, k=n, mode="bm25", **kw)]

    assert top("郑州大学")[0].candidate_id == cid["000"] and "郑州大学" in top("郑州大学")[0].text
    tencent = top("Tencent", n=3)
    assert any("腾讯" in p.text and "tencent" not in p.text.casefold() for p in tencent)
    assert "腾讯" in top("Tencent", candidate_ids=[cid["000"]])[0].text
    email = top("helicbupt@gmail.com")[0]
    assert email.candidate_id == cid["003"] and "helicbupt@gmail.com" in email.text
    assert "helicbupt@gmail.com" in top("helicbupt")[0].text               # a part of the address
    assert "2016.09" in top("2016.09")[0].text
    assert "CSC6052" in top("CSC6052")[0].text
    assert "HuatuoGPT-II" in top("HuatuoGPT-II")[0].text
    assert top("") == [] and top("，。!?") == []


def test_candidate_filter_is_respected_in_every_mode(loaded, seeds):
    ids = [c.id for _, c, _ in seeds]
    for mode in MODES:
        for allowed in ([ids[0]], ids[1:3], []):
            hits = loaded.search("大模型 强化学习 reinforcement learning 导师", k=10, candidate_ids=allowed,
                                 mode=mode)
            assert {h.passage.candidate_id for h in hits} <= set(allowed)
            assert bool(hits) == bool(allowed)
        per = loaded.search_per_candidate("论文 paper", ids[:3], k_each=3, mode=mode)
        assert list(per) == ids[:3]
        for c, hits in per.items():
            assert 0 < len(hits) <= 3 and all(h.passage.candidate_id == c for h in hits)
    assert set(loaded.search_per_candidate("论文", None, 2)) == set(ids)
    with pytest.raises(ValueError):
        loaded.search("x", mode="semantic")


def test_hits_carry_scores_and_ranks(loaded):
    hybrid = loaded.search("HuatuoGPT-II 医疗", k=5)
    assert len(hybrid) == 5
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)
    assert all(h.dense_rank or h.bm25_rank for h in hybrid)
    assert hybrid[0].dense_rank and hybrid[0].bm25_rank          # found by both lists
    dense = loaded.search("HuatuoGPT-II 医疗", k=5, mode="dense")
    assert [h.dense_rank for h in dense] == [1, 2, 3, 4, 5] and all(h.bm25_rank is None for h in dense)
    assert all(-1.0 <= h.score <= 1.0 for h in dense)
    bm25 = loaded.search("HuatuoGPT-II 医疗", k=5, mode="bm25")
    assert all(h.dense_rank is None and h.score > 0 for h in bm25)


def test_search_is_fast(loaded, seeds):
    ids = [c.id for _, c, _ in seeds]
    queries = ["导师是谁", "Tencent internship", "reinforcement learning papers", "邮箱 email", "博士 PhD"]
    loaded.search("warm up", k=8)
    times, per_times = [], []
    for i in range(4):
        for q in queries:
            t = time.perf_counter()
            loaded.search(f"{q} {i}", k=8, candidate_ids=ids[:2] if i % 2 else None)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            loaded.search_per_candidate(f"{q} {i}", ids[:2], k_each=4)
            per_times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.05, times
    assert statistics.median(per_times) < 0.05, per_times


def test_put_candidate_reindexes_names(loaded, seeds, consistent):
    _, cand, _ = seeds[0]
    assert loaded.search("Ke Ji", k=1, mode="bm25", candidate_ids=[cand.id])
    before = loaded.search("Jiyi Zhang", k=3, mode="bm25")
    assert all(h.passage.candidate_id != cand.id for h in before)
    loaded.put_candidate(replace(cand, aliases=["Jiyi Zhang"], flags=["checked"]))
    assert loaded.candidate(cand.id).aliases == ["Jiyi Zhang"]
    assert loaded.search("Jiyi Zhang", k=1, mode="bm25")[0].passage.candidate_id == cand.id
    loaded.put_candidate(replace(cand, name="Ke Ji (冀轲)"))
    consistent(loaded)
    with pytest.raises(KeyError):
        loaded.put_candidate(replace(cand, id="c_unknown"))


def test_invalid_input_is_refused_before_writing(store, seeds, make):
    doc, cand, passages = seeds[0]
    bad = [replace(passages[0], text=passages[0].text + "x"), *passages[1:]]
    with pytest.raises(ValueError, match="document.text"):
        store.upsert(doc, cand, bad)
    with pytest.raises(ValueError, match="duplicate"):
        store.upsert(doc, cand, [passages[0], passages[0]])
    assert store.stats()["passages"] == store.stats()["chroma"] == 0
    store.upsert(doc, cand, passages)
    twin_doc, twin_cand, twin_passages = make("copy-of-" + doc.source, doc.text, cand.name)
    with pytest.raises(DuplicateDocumentError, match=doc.source):
        store.upsert(twin_doc, twin_cand, twin_passages)


def test_empty_store_searches_return_nothing(store):
    for mode in MODES:
        assert store.search("anything", mode=mode) == []
    assert store.search_per_candidate("anything") == {}
    assert store.stats()["passages"] == 0 and store.candidates() == []


def test_second_writer_gets_a_clear_error_and_readers_share(open_store, tmp_path, seeds, consistent):
    home = tmp_path / "shared-home"
    writer = open_store(home)
    doc, cand, passages = seeds[0]
    writer.upsert(doc, cand, passages)
    with pytest.raises(StoreLockedError, match="RECRUITER_CHROMA_URL") as err:
        open_store(home)
    assert str(os.getpid()) in str(err.value)
    reader = open_store(home, read_only=True)
    assert reader.search("郑州大学", k=1)[0].passage.candidate_id == cand.id
    with pytest.raises(PermissionError):
        reader.remove_candidate(cand.id)
    writer.upsert(*seeds[1])                       # the reader notices the catalog moved
    assert reader.search("2016.09", k=1, mode="bm25")[0].passage.candidate_id == seeds[1][1].id
    # …and so does a second process.
    script = textwrap.dedent(f"""
        from recruiter.vectorstore import CandidateStore, StoreLockedError
        from langchain_core.embeddings import FakeEmbeddings
        try:
            CandidateStore({str(home)!r}, FakeEmbeddings(size=256))
        except StoreLockedError as e:
            print("LOCKED", e)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "LOCKED" in out.stdout and "RECRUITER_CHROMA_URL" in out.stdout, out.stderr
    writer.close()
    consistent(open_store(home))                   # the lock is released on close


def test_reader_in_another_process_sees_later_writes(open_store, tmp_path, seeds):
    """An embedded reader's HNSW index is a snapshot: the store reopens it when the catalog moves."""
    home = tmp_path / "home"
    writer = open_store(home)
    writer.upsert(*seeds[0])
    script = textwrap.dedent(f"""
        import sys
        from recruiter.vectorstore import CandidateStore
        from langchain_core.embeddings import DeterministicFakeEmbedding
        r = CandidateStore({str(home)!r}, DeterministicFakeEmbedding(size=256), read_only=True)
        for line in sys.stdin:
            hits = r.search("anything", k=500, mode="dense")
            print(len(hits), len(r.search("2016.09", k=500, mode="bm25")), flush=True)
    """)
    reader = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        reader.stdin.write("go\n")
        reader.stdin.flush()
        first = reader.stdout.readline().split()
        writer.upsert(*seeds[1])
        reader.stdin.write("go\n")
        reader.stdin.flush()
        second = reader.stdout.readline().split()
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    n0, n1 = len(seeds[0][2]), len(seeds[1][2])
    assert first and int(first[0]) == n0, reader.stderr.read()
    assert int(second[0]) == n0 + n1 and int(second[1]) > 0
