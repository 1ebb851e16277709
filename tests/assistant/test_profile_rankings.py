"""Rankings and lists the stored profiles answer: awards, scholarships, internships, months of
experience, and "worked at X / 在大厂实习过", on the five sample CVs through the real store.

Expected values were counted by hand from the CVs: 冀轲 lists 8 awards on 4 lines (3 of them
scholarships), 韩槿一 6 (1 scholarship); Keqing He 3 internships + 2 full-time jobs, 冀轲 3 internships,
杨子逸 and 韩槿一 1 each, Luo Ji none.
"""
import re

import pytest

from recruiter.assistant.lexicon import Lexicon
from recruiter.assistant.profile_rankings import _merged_months, _month, profile_measure
from recruiter.assistant.service import Conversation


def _rows(answer) -> list[str]:
    return [ln for ln in answer.text.splitlines() if re.match(r"^(\d+\.|-) ", ln)]


def _check_citations(app, answer):
    assert answer.citations, answer.text
    for c in answer.citations:
        assert app.store.document(c.doc_id).text[c.start:c.end] == c.text
        assert f"[{c.n}]" in answer.text


@pytest.mark.parametrize("question", ["Who has the most awards?", "谁获奖最多？"])
def test_most_awards_counts_the_listed_awards(seeded_app, ask, question):
    a = ask(question)
    rows = _rows(a)
    assert len(rows) == 2, a.text
    assert "冀轲" in rows[0] and "8" in rows[0] and "韩槿一" in rows[1] and "6" in rows[1]
    assert "Luo Ji" in a.text.splitlines()[-2]                 # said to list none, not ranked
    _check_citations(seeded_app, a)
    assert {c.source[:3] for c in a.citations} == {"000", "001"}


def test_scholarships_are_counted_apart_from_other_awards(ask):
    rows = _rows(ask("Who has won the most scholarships?"))
    assert "冀轲" in rows[0] and "3 scholarships" in rows[0]
    assert "韩槿一" in rows[1] and "1 scholarship" in rows[1]


@pytest.mark.parametrize("question", ["Who has done the most internships?", "谁的实习经历最多？"])
def test_most_internships_counts_internship_entries(seeded_app, ask, question):
    a = ask(question)
    rows = _rows(a)
    assert {r.split(" — ")[0].split(". ", 1)[1] for r in rows[:2]} == {"Keqing He", "冀轲 (Ke Ji)"}
    assert all("3" in r for r in rows[:2]) and all("1" in r for r in rows[2:]) and len(rows) == 4
    assert "Luo Ji" not in "".join(rows)
    _check_citations(seeded_app, a)


@pytest.mark.parametrize("question", ["Who has the longest work experience?", "谁的工作经验最丰富？",
                                      "Who has the most industry experience?"])
def test_longest_experience_is_measured_from_the_entry_dates(seeded_app, ask, question):
    a = ask(question)
    order = [re.sub(r"^\d+\. ", "", r).split(" — ")[0] for r in _rows(a)]
    assert order == ["Keqing He", "冀轲 (Ke Ji)", "韩槿一 (Jinyi Han)", "杨子逸 (Ziyi Yang)"], a.text
    assert re.search(r"8 (mos|个月)", _rows(a)[3])            # 2025.05 - 2025.12, months inclusive
    _check_citations(seeded_app, a)


def test_full_time_experience_counts_only_full_time_entries(ask):
    rows = _rows(ask("Who has the longest full-time experience?"))
    assert len(rows) == 1 and rows[0].startswith("1. Keqing He")


def test_a_comparison_of_two_by_internships(ask):
    a = ask("Between Ke Ji and Keqing He, who has more internships?")
    assert "same number" in a.text.splitlines()[0] and len(_rows(a)) == 2


def test_rank_the_candidates_after_a_pair_means_everyone(ask):
    conv = Conversation()
    ask("Compare Ke Ji and Keqing He.", conversation=conv)
    a = ask("Rank the candidates by work experience.", conversation=conv)
    assert len(_rows(a)) == 4, a.text


def test_experience_with_a_topic_is_not_a_duration(ask):
    a = ask("Who has the most experience with RAG?")
    assert not re.search(r"\byrs?\b|\bmos?\b", a.text), a.text


@pytest.mark.parametrize("question", ["谁在大厂实习过？", "Who has interned at a big tech company?"])
def test_interned_at_big_tech_reads_the_job_entries(seeded_app, ask, question):
    a = ask(question)
    assert {c.source[:3] for c in a.citations} == {"000", "001", "003", "004"}, a.text   # not Luo Ji (no jobs)
    assert "Full employee" not in a.text                 # internships only
    _check_citations(seeded_app, a)


def test_worked_at_a_company_lists_every_entry_there(ask):
    a = ask("Which candidates have worked at Meituan?")
    assert len(_rows(a)) == 1 and a.text.count("Meituan") == 3, a.text
    a = ask("Who has full-time experience at a big tech company?")
    assert "Keqing He" in a.text and "Research Intern" not in a.text and a.text.count("Full employee") == 2


@pytest.mark.parametrize("question,measure", [
    ("谁的实习经历最多？", ("entries", "internship", True)),
    ("Who has the longest full-time experience?", ("duration", "full-time", True)),
    ("Which candidates have internship experience?", ("entries", "internship", False)),
    ("Who has won the most scholarships?", ("awards", "scholarship", True)),
    ("Between Ke Ji and Keqing He, who has more work experience?", ("duration", None, True)),
    ("Who has the most experience with RAG?", None),
    ("谁在大模型方面的经验最丰富？", None),
    ("Who has the most first-author papers?", None),
])
def test_which_questions_are_profile_measures(question, measure):
    assert profile_measure(question, ["Ke Ji", "Keqing He"]) == measure


def test_months_are_inclusive_merged_and_ongoing_counts_to_today():
    today = (2026, 12)
    assert _month("至今", today, end=True) == 2026 * 12 + 12
    assert _month("2019", today, end=False) == 2019 * 12 + 1 and _month("2019", today, end=True) == 2019 * 12 + 12
    assert _month("2030.01", today, end=True) == 2026 * 12 + 12        # a future end is counted to today
    oct19, mar20, jun20, oct20 = (2019 * 12 + 10, 2020 * 12 + 3, 2020 * 12 + 6, 2020 * 12 + 10)
    assert _merged_months([(oct19, mar20), (mar20, jun20), (jun20, oct20)]) == 13   # Oct 2019 – Oct 2020
    assert _merged_months([(oct19, oct20), (mar20, jun20)]) == 13                    # nested counted once


def test_a_category_expands_one_way():
    lx = Lexicon()
    big = lx.question_terms("谁在大厂实习过？")[0]
    assert {"腾讯", "meituan", "字节跳动"} <= set(big.alternatives)
    tencent = next(g for g in lx.question_terms("Who worked at Tencent?") if g.surface == "Tencent")
    assert "meituan" not in tencent.alternatives and "大厂" not in tencent.alternatives


def test_paper_counts_on_a_topic_count_only_papers_about_it(seeded_app, ask):
    a = ask("Who has the most papers on reinforcement learning?")
    rows = _rows(a)
    assert rows[0].startswith("- Luo Ji: 4"), a.text
    assert any(r.startswith("- Keqing He: 1 ") for r in rows), a.text      # of his 37 papers, one is on RL
    assert all(re.search(r"reinforcement|\bRL\b|强化学习", c.text, re.I) for c in a.citations)
    _check_citations(seeded_app, a)


def test_most_experience_with_a_thing_no_cv_names_abstains(ask):
    a = ask("Who has the most experience with Python?")      # no sample CV says Python
    assert a.abstained, a.text


@pytest.mark.parametrize("question", ["How many papers does Luo Ji have in total?",
                                      "What is the total number of papers Luo Ji has published?",
                                      "Luo Ji一共发表了多少篇论文？", "Luo Ji有几篇论文？"])
def test_paper_count_wording_is_not_taken_for_a_topic(ask, question):
    a = ask(question)
    assert re.search(r"(?<!\d)22(?!\d)", a.text), a.text          # every paper Luo Ji lists


def test_a_follow_up_count_does_not_filter_by_the_last_turns_topic(ask):
    conv = Conversation()
    ask("Luo Ji 的 h-index 是多少？", conversation=conv)
    a = ask("他有多少篇论文？", conversation=conv)            # not "papers about h-index"
    assert re.search(r"(?<!\d)22(?!\d)", a.text), a.text


@pytest.mark.parametrize("question,sources", [
    ("Which candidates have a master's degree from Sun Yat-sen University?", {"004"}),   # not Keqing He's BUPT
    ("哪些候选人在中山大学读的硕士？", {"004"}),
    ("Which candidates have a bachelor's in software engineering?", {"000"}),
])
def test_degree_holders_filtered_by_school_or_field(seeded_app, ask, question, sources):
    a = ask(question)
    assert {c.source[:3] for c in a.citations} == sources, a.text
    _check_citations(seeded_app, a)


def test_a_school_no_cv_lists_is_said_so(ask):
    a = ask("Who has a bachelor's degree from Peking University?")
    assert a.abstained and "Peking University" in a.text and "Keqing He" not in a.text, a.text


def test_how_long_at_a_company_is_computed_from_its_entries(seeded_app, ask):
    a = ask("How long was Ke Ji at Tencent?")
    assert a.text.startswith("冀轲 (Ke Ji): 8 mos") and "2024.10" in a.text, a.text    # 2024.10–2025.5
    a = ask("How long has Keqing He worked at Meituan?")           # three entries there, all cited
    assert len(_rows(a)) == 3 and "so far" in a.text, a.text
    _check_citations(seeded_app, a)


@pytest.mark.parametrize("question", ["What is Jinyi Han's former name?", "韩槿一的曾用名是什么？"])
def test_former_name_is_read_from_the_cv(seeded_app, ask, question):
    a = ask(question)
    assert "Haixia Han" in a.text and a.citations[0].text == "Haixia Han", a.text
    assert ask("What is Ke Ji's former name?").abstained


def test_a_chinese_name_only_matching_in_pinyin_is_pointed_to_not_answered(ask):
    a = ask("韩海霞的邮箱是什么？")       # 001 writes her former name only as "Haixia Han": 韩/寒, 霞/侠 …
    assert a.abstained and not a.citations and "Haixia Han" in a.text, a.text
    assert "Haixia" not in ask("王小明的邮箱是什么？").text


@pytest.mark.parametrize("question", ["What are Ke Ji's strengths?", "冀轲有什么优势？"])
def test_strengths_get_the_cited_portrait(seeded_app, ask, question):
    a = ask(question)              # no CV lists "strengths": the overview the recruiter can judge from
    assert not a.abstained and "MiniMax" in a.text, a.text
    _check_citations(seeded_app, a)


@pytest.mark.parametrize("question,first,word", [
    ("Who is the best candidate for a dialogue system research role?", "Keqing He", "dialogue"),
    ("Who fits a medical LLM research position best?", "冀轲 (Ke Ji)", "medical"),
])
def test_a_role_named_in_the_question_is_matched_like_a_one_line_jd(seeded_app, ask, question, first, word):
    a = ask(question)
    assert a.intent == "match" and a.text.startswith(f"1. {first} (match"), a.text
    assert word in a.citations[0].text.lower()
    _check_citations(seeded_app, a)


@pytest.mark.parametrize("question,sources", [
    ("Which candidates studied at Southeast University?", {"000"}),      # any degree: 冀轲's master's
    ("谁毕业于中山大学？", {"004"}),
])
def test_who_studied_at_a_school_reads_the_education_entries(seeded_app, ask, question, sources):
    a = ask(question)
    assert {c.source[:3] for c in a.citations} == sources and a.text.splitlines()[0].endswith(("University:", "读过书：")), a.text
    _check_citations(seeded_app, a)
    assert ask("Who graduated from Peking University?").abstained     # not Luo Ji's "pku" co-author line
