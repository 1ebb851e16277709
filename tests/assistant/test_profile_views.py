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


@pytest.mark.parametrize("question,first,second", [
    # 003: Master 2018-2021 (BUPT); 001: 东华大学 硕士 2020.09 – 2023.03
    ("Which of Jinyi Han and Keqing He graduated from their master's earlier?", "Keqing He", "东华大学"),
    # 000: 郑州大学 本科 2017.9 - 2021.6; 004: 中山大学 本科 2019.09 - 2023.06
    ("冀轲和杨子逸谁的本科更早毕业？", "冀轲", "中山大学"),
    # 000: PhD from 2024.9; 001: PhD from 2023.09
    ("Who started the PhD later, Ke Ji or Jinyi Han?", "冀轲", "华东师范大学"),
])
def test_who_finished_or_started_a_degree_first_is_computed_from_dates(seeded_app, ask, question, first, second):
    a = ask(question)
    lead, *rows = a.text.splitlines()
    assert lead.startswith(first), a.text
    assert second in rows[1]
    _verbatim(seeded_app, a)
    # each row cites the school and the date it is ordered by
    assert all(len(re.findall(r"\[\d+\]", row)) == 2 for row in rows[:2])


def test_filtered_paper_lists_apply_year_and_venue(seeded_app, ask):
    a = ask("List Ziyi Yang's ICLR 2025 papers.")
    assert a.text.count("[") == 2 and "Weighted-reward" in a.text and "FuseChat-3.0" in a.text
    assert "SPELL" not in a.text                       # a 2025 paper, but not at ICLR
    _verbatim(seeded_app, a)


@pytest.mark.parametrize("question,org,work", [
    ("冀轲在腾讯做了什么？", "腾讯", "self-training"),          # 腾讯 inside 腾讯科技(深圳)有限公司
    ("What did Ke Ji work on at Tencent?", "腾讯", "self-training"),   # through the zh-en dictionary
])
def test_the_company_is_found_through_translations_and_partial_names(seeded_app, ask, question, org, work):
    a = ask(question)
    assert org in a.text and work in a.text, a.text
    _verbatim(seeded_app, a)


@pytest.mark.parametrize("question,holders,not_holders", [
    ("Which candidates have a PhD?", ["冀轲", "韩槿一"], ["Keqing He", "杨子逸", "Luo Ji"]),   # both 至今
    ("哪些候选人正在读博？", ["冀轲", "韩槿一"], ["Keqing He", "杨子逸", "Luo Ji"]),
    ("Who holds a master's degree?", ["Keqing He", "冀轲", "杨子逸", "韩槿一"], ["Luo Ji"]),
])
def test_degree_holders_come_from_the_profiles(seeded_app, ask, question, holders, not_holders):
    a = ask(question)
    assert all(h in a.text for h in holders) and not any(n in a.text for n in not_holders), a.text
    assert a.text.count("\n- ") == len(holders)
    _verbatim(seeded_app, a)


@pytest.mark.parametrize("question,advisor,school", [
    ("Who is Ziyi Yang's advisor?", "权小军", "中山大学"),        # 004: the degree line follows the school line
    ("子逸的导师是谁？", "权小军", "中山大学"),                   # the given name alone names her
    ("冀轲的硕士导师是谁？", "汪鹏", "东南大学"),
    ("Who was Ke Ji's advisor during his PhD?", "王本友", "香港中文大学"),
])
def test_advisors_come_with_their_degree_and_school(seeded_app, ask, question, advisor, school):
    a = ask(question)
    assert advisor in a.text and school in a.text, a.text
    assert "2019.09" not in a.text                               # never the bachelor's dates of 004
    _verbatim(seeded_app, a)


@pytest.mark.parametrize("question", ["韩槿一的博士导师是谁？", "Who supervised Keqing He?"])
def test_an_advisor_the_cv_does_not_name_is_not_stated(ask, question):
    assert ask(question).abstained


@pytest.mark.parametrize("question", [
    "Which candidates speak Japanese?",        # no CV mentions Japanese; "speaker" must not count as "speak"
    "Which candidates have worked at Google?",  # 000's header links a "Google Scholar Profile": not a job
])
def test_aggregate_abstains_when_no_cv_has_the_named_thing(ask, question):
    a = ask(question)
    assert a.abstained and not a.citations, a.text
