"""The incremental BM25 postings index: Okapi scores equal rank-bm25's, and any sequence of adds and
removes ranks and scores exactly as a fresh build of the passages it ends up holding."""
from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from rank_bm25 import BM25Okapi

from recruiter.vectorstore.bm25 import BM25Index

TERMS = [f"t{i}" for i in range(12)]
CANDIDATES = ["c0", "c1", "c2"]
QUERIES = [["t0"], ["t1", "t5"], ["t2", "t3", "t11", "unknown"], TERMS[:6], []]


def _by_id(index: BM25Index, scores: np.ndarray, ids: list[str]) -> np.ndarray:
    return np.array([scores[index._slot_of[pid]] for pid in ids]) if len(scores) else np.zeros(len(ids))


def test_scores_equal_rank_bm25_including_negative_idf_and_empty_passages():
    docs = {"a": ["python", "sql", "python"], "b": ["python", "java"], "c": ["python", "cpa", "audit", "audit"],
            "d": ["python"], "e": []}
    index = BM25Index()
    index.build([(pid, "c", toks) for pid, toks in docs.items()])
    ref = BM25Okapi(list(docs.values()))
    assert np.isclose(ref.idf["python"], ref.epsilon * ref.average_idf)        # the floored idf is exercised
    assert all(np.isclose(index.idf(t), ref.idf[t]) for t in ref.idf) and index.idf("unknown") == 0.0
    for query in (["python"], ["audit", "sql"], ["cpa", "python", "unknown"], ["audit", "audit"], []):
        want = ref.get_scores(list(dict.fromkeys(query))) if query else np.zeros(len(docs))
        assert np.allclose(_by_id(index, index.token_scores(query), list(docs)), want, rtol=0, atol=1e-12), query


def test_remove_then_add_back_restores_scores_and_ranking():
    rows = [("p1", "c1", ["rust", "go"]), ("p2", "c1", ["rust"]), ("p3", "c2", ["go", "go", "java"]),
            ("p4", "c2", ["rust", "java", "java"]), ("p5", "c3", ["cobol"]), ("p6", "c3", ["perl", "go"])]
    index = BM25Index(compact_min_dead=1)
    index.build(rows)
    index.remove(["p2", "p3", "nope"])
    assert index.ids() == {"p1", "p4", "p5", "p6"} and len(index) == 4
    remaining = BM25Index()
    remaining.build([r for r in rows if r[0] not in ("p2", "p3")])
    assert [pid for pid, _ in index.search_tokens(["java", "cobol"], 5)] == ["p5", "p4"]
    for query in (["rust"], ["go", "java"], ["java"], ["cobol"]):
        assert index.search_tokens(query, 5) == remaining.search_tokens(query, 5)
    index.add([rows[2], rows[1]])                    # back, in another order and into new slots
    fresh = BM25Index()
    fresh.build(rows)
    for query in (["rust"], ["go", "java"], ["java"], ["perl", "rust"]):
        assert index.search_tokens(query, 5) == fresh.search_tokens(query, 5)
        assert index.search_tokens(query, 5, ["c2", "c1"]) == fresh.search_tokens(query, 5, ["c2", "c1"])
    index.remove([r[0] for r in rows])
    assert len(index) == 0 and len(index.token_scores(["rust"])) == 0 and index.search_tokens(["rust"]) == []


def test_equal_scores_rank_by_candidate_then_order_whatever_the_insertion_order():
    rows = [(f"p{i}", f"c{i % 3}", ["same", "words"], (f"s{i % 2}", i)) for i in range(9)]
    rows += [(f"q{i}", "other", ["filler", f"w{i}"]) for i in range(12)]   # so "same" has a positive idf
    forward, backward = BM25Index(), BM25Index()
    forward.add(rows)
    backward.add(reversed(rows))
    for k in (1, 4, 9):
        top = forward.search_tokens(["same"], k)
        assert top == backward.search_tokens(["same"], k) and len({score for _, score in top}) == 1
        assert [pid for pid, _ in top] == [r[0] for r in sorted(rows[:9], key=lambda r: (r[1], r[3]))][:k]
    within = forward.search_tokens(["same"], 9, ["c2", "c0"])
    assert [pid for pid, _ in within] == ["p2", "p8", "p5", "p0", "p6", "p3"]   # c2 then c0, each by order


class IncrementalEqualsFresh(RuleBasedStateMachine):
    """Random adds (new or replacing), removes and compactions against a dict of what should be held."""

    def __init__(self):
        super().__init__()
        self.index = BM25Index(compact_min_dead=2)
        self.held: dict[str, tuple[str, list[str]]] = {}

    @rule(rows=st.lists(st.tuples(st.integers(0, 15), st.sampled_from(CANDIDATES),
                                  st.lists(st.sampled_from(TERMS), max_size=10)), min_size=1, max_size=4))
    def add(self, rows):
        rows = [(f"p{n}", cid, toks) for n, cid, toks in rows]
        self.index.add(rows)
        for pid, cid, toks in rows:
            self.held[pid] = (cid, toks)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def remove(self, data):
        gone = data.draw(st.lists(st.sampled_from(sorted(self.held)), min_size=1, max_size=3))
        self.index.remove(gone + ["never-added"])
        for pid in gone:
            self.held.pop(pid, None)

    @invariant()
    def same_as_a_fresh_build(self):
        assert self.index.ids() == set(self.held)
        ids = sorted(self.held)
        fresh = BM25Index()
        fresh.build([(pid, *self.held[pid]) for pid in ids])
        for query in QUERIES:
            got, want = self.index.token_scores(query), fresh.token_scores(query)
            assert np.array_equal(_by_id(self.index, got, ids), _by_id(fresh, want, ids))
            assert self.index.rank(got, 6) == fresh.rank(want, 6)
            assert self.index.rank(got, 4, ["c2", "c0"]) == fresh.rank(want, 4, ["c2", "c0"])
            if query and any(toks for _, toks in self.held.values()):   # rank-bm25 divides by the vocabulary
                ref = BM25Okapi([self.held[pid][1] for pid in ids]).get_scores(query)
                assert np.allclose(_by_id(self.index, got, ids), ref, rtol=0, atol=1e-9)


IncrementalEqualsFresh.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_incremental_index_equals_a_fresh_build = IncrementalEqualsFresh.TestCase
