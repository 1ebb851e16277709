"""The recall arithmetic of bench/retrieval_recall.py on a toy example (no models, no store)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_retrieval_recall", REPO / "bench" / "retrieval_recall.py")
rr = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = rr   # dataclasses look their module up there
_spec.loader.exec_module(rr)


def test_locate_exact_then_whitespace_insensitive():
    text = "Email: a@b.c\nBlog:  https://x.io\n2016.09 –\n2020.06"
    assert rr.locate(text, "a@b.c") == [(7, 12)]
    (start, end), = rr.locate(text, "2016.09 – 2020.06")
    assert text[start:end] == "2016.09 –\n2020.06"
    assert rr.locate(text, "not there") == []


def test_recall_counts_overlap_in_same_file_and_mrr():
    gold = [("a.txt", [(10, 20)]), ("a.txt", [(50, 60)]), ("b.txt", [(0, 5)])]
    retrieved = [rr.Span("b.txt", 10, 30),    # right place, wrong file... and no overlap anyway
                 rr.Span("a.txt", 0, 10),     # touches 10 but no char overlap
                 rr.Span("a.txt", 55, 100)]   # overlaps the second quote: first hit at rank 3
    r = rr.score_item(gold, retrieved, seconds=0.0)
    assert r.found == [False, True, False]
    assert r.first_hit_rank == 3
    assert r.chars == 20 + 10 + 45
    s = rr.summarize([r, rr.score_item([("b.txt", [(0, 5)])], [rr.Span("b.txt", 4, 6)], 0.0)])
    assert s["recall"] == 2 / 4 and s["gold_spans"] == 4
    assert abs(s["mrr"] - (1 / 3 + 1) / 2) < 1e-9
