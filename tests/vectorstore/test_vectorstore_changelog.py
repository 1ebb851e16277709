"""BM25 catches up through the catalog's change log: a writer and a reader on one home, through random
adds, replacements, removals and renames, keep catalog == Chroma == BM25 and rank exactly as a fresh
build; a log that cannot tell (too old, an old store, a writer without the log) makes them rebuild."""
from __future__ import annotations

import random
import sqlite3
from dataclasses import replace

from recruiter.vectorstore import catalog as catalog_module
from recruiter.vectorstore.bm25 import BM25Index
from recruiter.vectorstore.bm25_sync import index_rows

QUERIES = ["郑州大学 本科", "Tencent internship", "reinforcement learning 论文", "2016.09", "Ke Ji", "Jiyi Zhang"]


def _fresh_build(store) -> BM25Index:
    index = BM25Index(store.bm25.tokenizer)
    with store.catalog.snapshot():
        index.build(index_rows(store.catalog.passages_with_tokens(), store.catalog, store._tokens_for))
    return index


def _same_as_fresh(store, candidate_ids) -> None:
    fresh = _fresh_build(store)
    assert store.bm25.ids() == fresh.ids() == store.catalog.passage_ids()
    for q in QUERIES:
        assert store.bm25.search(q, 20) == fresh.search(q, 20), q
        assert store.bm25.search(q, 10, candidate_ids) == fresh.search(q, 10, candidate_ids), q


def _count_builds(store) -> list:
    """Record full builds of this store's BM25 (the real method still runs)."""
    calls, build = [], store.bm25.build
    store.bm25.build = lambda *a, **kw: (calls.append(1), build(*a, **kw))[1]
    return calls


def test_random_writes_keep_writer_and_reader_equal_to_a_fresh_build(open_store, tmp_path, seeds, make,
                                                                     consistent):
    rng = random.Random(7)
    home = tmp_path / "home"
    writer = open_store(home)
    writer.upsert(*seeds[0])
    reader = open_store(home, read_only=True)
    reader.search("warm up", k=1, mode="bm25")
    writer.search("warm up", k=1, mode="bm25")
    builds = {"writer": _count_builds(writer), "reader": _count_builds(reader)}
    kinds = []
    for step in range(24):
        doc, cand, _ = seeds[rng.randrange(len(seeds))]
        kind = rng.choice(["upsert", "upsert", "edit", "remove", "rename"])
        kinds.append(kind)
        if kind == "upsert":
            writer.upsert(*next(s for s in seeds if s[0].source == doc.source))
        elif kind == "edit":     # the same file changed: its old passages go, new ones come
            text = doc.text + f"\n\n新增段落 {step}：曾在腾讯实习，研究 reinforcement learning。\n"
            writer.upsert(*make(doc.source, text, cand.name))
        elif kind == "remove":
            writer.remove_candidate(cand.id)
        elif writer.candidate(cand.id) is not None:   # rename: names are part of the BM25 text
            writer.put_candidate(replace(writer.candidate(cand.id), aliases=[rng.choice(["Jiyi Zhang", "Ke Ji"])]))
        cands = rng.sample([c.id for _, c, _ in seeds], 2)
        for store in (writer, reader):
            consistent(store)
            _same_as_fresh(store, cands)
    assert {"upsert", "edit", "remove", "rename"} <= set(kinds)
    assert builds == {"writer": [], "reader": []}   # every catch-up was a delta, none a rebuild


def test_change_log_names_exactly_the_passages_each_write_touched(store, seeds):
    (doc0, cand0, ps0), (doc1, cand1, ps1) = seeds[:2]
    start = store.catalog.generation()
    store.upsert(doc0, cand0, ps0)
    after_first = store.catalog.generation()
    store.upsert(doc1, cand1, ps1)
    store.put_profile(cand1.id, {"x": 1})            # moves the generation, touches no passage
    now, touched, rows = store.catalog.changes_since(after_first)
    assert now == store.catalog.generation() and touched == {p.id for p in ps1}
    assert {p.id for p, _ in rows} == touched and all(tokens for _, tokens in rows)
    store.remove_candidate(cand0.id)
    now, touched, rows = store.catalog.changes_since(start)
    assert touched == {p.id for p in ps0 + ps1} and {p.id for p, _ in rows} == {p.id for p in ps1}
    assert store.catalog.changes_since(now) == (now, set(), [])
    assert store.catalog.changes_since(now + 1) is None      # ahead of the store: rebuild


def test_log_is_pruned_and_a_reader_too_far_behind_rebuilds(open_store, tmp_path, seeds, consistent,
                                                            monkeypatch):
    monkeypatch.setattr(catalog_module, "CHANGELOG_GENERATIONS", 2)
    home = tmp_path / "home"
    writer = open_store(home)
    writer.upsert(*seeds[0])
    reader = open_store(home, read_only=True)
    reader.search("warm up", k=1, mode="bm25")
    seen = reader.bm25.generation
    builds = _count_builds(reader)
    for s in seeds[1:]:
        writer.upsert(*s)
    assert writer.catalog.changes_since(seen) is None
    assert writer.catalog.changes_since(writer.catalog.generation() - 1) is not None
    rows = sqlite3.connect(home / "catalog.sqlite3").execute(
        "SELECT COUNT(DISTINCT generation) FROM passage_changes").fetchone()[0]
    assert rows == 2
    consistent(reader)
    assert builds == [1]
    _same_as_fresh(reader, [seeds[0][1].id])


def test_store_made_before_the_log_opens_and_a_writer_without_it_forces_a_rebuild(open_store, tmp_path, seeds,
                                                                                consistent):
    home = tmp_path / "old"
    store = open_store(home)
    for s in seeds[:3]:
        store.upsert(*s)
    store.close()
    db = sqlite3.connect(home / "catalog.sqlite3", isolation_level=None)
    db.execute("DROP TABLE passage_changes")
    db.execute("DELETE FROM meta WHERE key IN ('changelog_floor', 'changelog_at')")
    reader = open_store(home, read_only=True)        # read-only cannot migrate: it rebuilds
    assert reader.catalog.changes_since(0) is None
    assert consistent(reader) == {p.id for _, _, ps in seeds[:3] for p in ps}
    writer = open_store(home)                         # a writable open adds the log
    generation = writer.catalog.generation()
    assert writer.catalog.changes_since(generation) == (generation, set(), [])
    assert writer.catalog.changes_since(generation - 1) is None   # before the log existed
    writer.upsert(*seeds[3])
    assert writer.catalog.changes_since(generation)[1] == {p.id for p in seeds[3][2]}
    writer.search("warm up", k=1, mode="bm25")
    # An older version writes without logging: it deletes a passage and moves the generation.
    gone = seeds[0][2][0].id
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM passages WHERE id=?", (gone,))
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
    db.execute("COMMIT")
    assert writer.catalog.changes_since(writer.bm25.generation) is None
    assert gone in writer.bm25.ids() and gone not in writer.index_ids()["bm25"]   # caught up by a rebuild
    writer.upsert(*seeds[4])                          # a logged write after it: the log restarts there
    assert writer.catalog.changes_since(generation) is None
    assert writer.catalog.changes_since(writer.catalog.generation() - 1) is not None
    db.close()
