"""One candidate seen through the stored profile: overview, own paper counts, what they did at a company.

Expected values are read from the sample CVs (examples/candidates), not from the program's output.
"""
import re

import pytest

from recruiter.assistant.profile_views import wants_overview, wants_own_paper_count
from recruiter.assistant.lexicon import Lexicon


def _verbatim(app, answer):
    assert answer.citations, answer.text
    for c in answer.citations:
        assert app.store.document(c.doc_id).text[c.start:c.end] == c.text
        assert f"[{c.n}]" in answer.text


@pytest.mark.parametrize("question,overview", [
    ("Tell me about Keqing He.", True), ("介绍一下韩槿一", True), ("Who is Ziyi Yang?", True),
    ("Give me an overview of Ke Ji's background", True), ("冀轲的简历概要", True),
    ("Tell me about Ziyi Yang's internships.", False), ("Who is Ke Ji's PhD advisor?", False),
    ("What is Keqing He's email?", False),
])
def test_overview_is_asked_only_without_a_topic(question, overview):
    names = ["Keqing He", "韩槿一", "Ziyi Yang", "Ke Ji", "冀轲"]
    groups = Lexicon().question_terms(question, drop=names)
    assert wants_overview(question, groups) is overview


def test_overview_states_current_role_degrees_and_papers_each_cited(seeded_app, ask):
    a = ask("Tell me about Keqing He.")
    assert not a.abstained and a.intent == "summary"
    assert "Meituan" in a.text and "BEIJING UNIVERSITY OF POSTS" in a.text
    assert "37 papers" in a.text                     # 37 entries under Publications in 003
    _verbatim(seeded_app, a)
    zh = ask("介绍一下冀轲")
    assert "香港中文大学" in zh.text and "东南大学" in zh.text and "郑州大学" in zh.text
    assert "MiniMax" in zh.text and "目前" in zh.text   # 2025.6-至今
    _verbatim(seeded_app, zh)


@pytest.mark.parametrize("question,count,must", [
    ("How many first-author papers does Ke Ji have?", 5, ["The First Few Tokens", "Hierarchical Verbalizer"]),
    ("杨子逸有几篇一作论文？", 4, ["FuseChat-3.0"]),
    ("How many papers does Luo Ji list?", 22, ["Qwen Technical Report"]),
])
def test_own_paper_count_is_counted_from_the_profile(seeded_app, ask, question, count, must):
    assert wants_own_paper_count(question)
    a = ask(question)
    assert re.search(rf"(?<!\d){count}(?!\d)", a.text), a.text
    assert all(m in a.text for m in must)
    _verbatim(seeded_app, a)
    assert all(c.section for c in a.citations)


def test_what_they_did_at_a_company_gives_the_entry_and_its_work(seeded_app, ask):
    a = ask("What did Ke Ji work on at Tencent AI Lab?")
    assert "腾讯" in a.text and "self-training" in a.text     # the entry's bullet, not only its title
    assert "MiniMax" not in a.text                              # another entry's work is not this one's
    _verbatim(seeded_app, a)
    zh = ask("韩槿一在字节跳动做了什么？")
    assert "字节跳动" in zh.text and "GRM" in zh.text
    _verbatim(seeded_app, zh)


def test_questions_with_a_topic_still_get_the_fact(ask):
    assert "王本友" in ask("Who was Ke Ji's advisor during his PhD?").text
    assert ask("What is Ke Ji's GPA?").abstained
