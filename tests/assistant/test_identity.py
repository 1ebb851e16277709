"""Candidate identity from the sample CVs: names, pinyin aliases, former names, front matter."""
from pathlib import Path

import pytest

from recruiter.assistant.resolve import resolve
from recruiter.ingest.identity import detect_identity, pinyin_names
from recruiter.ingest.models import Candidate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "candidates"


def ident(prefix):
    path = next(EXAMPLES.glob(prefix + "_*.txt"))
    return detect_identity(path.read_text(encoding="utf-8"), path.name)


def test_chinese_name_gets_pinyin_in_both_orders():
    i = ident("000")
    assert i.name == "冀轲"
    assert {"Ke Ji", "Ji Ke"} <= set(i.aliases)


def test_former_name_is_found_and_reversed():
    i = ident("001")
    assert i.name == "韩槿一"
    assert "Jinyi Han" in i.aliases
    assert "Haixia Han" in i.former_names


def test_front_matter_homepage_uses_the_emphasised_author_name():
    i = ident("003")
    assert i.name == "Keqing He"


@pytest.mark.parametrize("prefix,name", [("002", "Luo Ji"), ("004", "杨子逸")])
def test_first_line_names(prefix, name):
    assert ident(prefix).name == name


def test_pinyin_handles_compound_surnames():
    assert pinyin_names("欧阳娜娜")[0] == "Nana Ouyang"


def test_unknown_name_falls_back_to_the_file_stem():
    i = detect_identity("Skill Details\nPython, SQL\n", "cv_0042.txt")
    assert i.name == "cv_0042" and not i.confident


def _pool():
    return [Candidate("a", "冀轲", ["Ke Ji", "Ji Ke"]), Candidate("b", "Luo Ji", ["Ji Luo"]),
            Candidate("c", "Keqing He", ["He Keqing"]), Candidate("d", "韩槿一", ["Jinyi Han"], ["Haixia Han"])]


@pytest.mark.parametrize("question,expected", [
    ("Where did Ke Ji do his PhD?", ["a"]),
    ("Luo Ji 的论文有哪些？", ["b"]),
    ("What does Keqing work on?", ["c"]),
    ("冀轲的导师是谁", ["a"]),
    ("Which school did Haixia Han attend?", ["d"]),
    ("Compare Ke Ji and Luo Ji", ["a", "b"]),
    ("Is JI KE the same person as Keqing He?", ["a", "c"]),
])
def test_resolution_never_mixes_similar_names(question, expected):
    assert resolve(question, _pool()).candidate_ids == expected


def test_follow_up_pronoun_uses_the_focus():
    res = resolve("她的硕士是在哪所学校读的？", _pool(), focus=["d"])
    assert res.candidate_ids == ["d"] and res.from_focus


def test_all_candidates_question_is_not_scoped_to_the_focus():
    res = resolve("Which candidates have worked on RL?", _pool(), focus=["d"])
    assert res.wants_all and res.candidate_ids == []
