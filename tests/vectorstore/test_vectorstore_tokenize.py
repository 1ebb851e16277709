"""The BM25 tokenizer and the zh↔en query dictionary."""
from __future__ import annotations

import json

import pytest

from recruiter.vectorstore.bm25 import DICTIONARY_PATH, BM25Index


@pytest.mark.parametrize("text, expected", [
    ("helicbupt@gmail.com", ["helicbupt@gmail.com", "helicbupt", "gmail", "com"]),
    ("2016.09 – 2020.06", ["2016.09", "2016", "09", "2020.06", "2020", "06"]),
    ("CSC6052", ["csc6052", "csc", "6052"]),
    ("HuatuoGPT-II (COLM 2024)", ["huatuogpt-ii", "huatuogpt", "ii", "colm", "2024"]),
    ("the Tencent, of AI", ["tencent", "ai"]),          # stopwords and punctuation dropped
    ("ＮｅｕｒＩＰＳ２０２５", ["neurips2025", "neurips", "2025"]),   # full-width folded (NFKC)
])
def test_latin_words_whole_and_split(tokenizer, text, expected):
    assert tokenizer.tokenize(text) == expected


def test_cjk_uses_jieba_search_mode(tokenizer):
    tokens = tokenizer.tokenize("本科毕业于郑州大学，腾讯AI Lab实习生")
    assert {"郑州", "大学", "郑州大学", "腾讯", "ai", "lab", "实习", "实习生"} <= set(tokens)
    assert "，" not in tokens and "," not in tokens   # punctuation is never a token


def test_dictionary_expands_queries_both_ways(tokenizer):
    assert "腾讯" in tokenizer.query_tokens("Did anyone intern at Tencent?")
    assert "tencent" in tokenizer.query_tokens("谁在腾讯实习过")
    assert {"导师", "advisor", "supervisor"} <= set(tokenizer.query_tokens("博士导师是谁"))
    # whole words only: "rl" must not fire inside "rlhf", "ta" not inside "data"
    assert "强化" not in tokenizer.query_tokens("RLHF data")
    assert "助教" not in tokenizer.query_tokens("RLHF data")
    assert "强化" in tokenizer.query_tokens("RL训练经验")


def test_dictionary_file_is_well_formed():
    groups = json.loads(DICTIONARY_PATH.read_text(encoding="utf-8"))["groups"]
    assert len(groups) >= 80
    assert all(len(g) >= 2 and all(isinstance(t, str) and t.strip() for t in g) for g in groups)


def test_index_ranks_filters_and_holds_exact_ids(tokenizer):
    index = BM25Index(tokenizer)
    rows = [("p1", "a", tokenizer.tokenize("郑州大学 本科 软件工程")),
            ("p2", "b", tokenizer.tokenize("东南大学 硕士")),
            ("p3", "b", tokenizer.tokenize("Tencent AI Lab intern"))]
    index.build(rows, generation=1)
    assert index.ids() == {"p1", "p2", "p3"}
    assert index.search("郑州大学", k=2)[0][0] == "p1"
    assert index.search("腾讯", k=2)[0][0] == "p3"                         # via the dictionary
    assert index.search("软件工程", k=5, candidate_ids=["b"]) == []        # only p1 (not b's) matches
    assert [pid for pid, _ in index.search("大学", k=5, candidate_ids=["b"])] == ["p2"]
    index.build([], generation=2)
    assert index.ids() == set() and index.search("大学") == []
