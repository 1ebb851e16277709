"""Comparison tables built from the stored profiles (issue 5): every cell a short summary of profile
values, cited by the spans holding them, passing the model-text verifier against its own citations;
the CV's section only when the profile has nothing; "not stated" when neither has it.

Expected values were read by hand from the sample CVs in examples/candidates.
"""
from __future__ import annotations

import re

import pytest

from recruiter.assistant.lexicon import Lexicon
from recruiter.assistant.service import display_name
from recruiter.assistant.tables import ASPECTS, answer_table, compare_table, table_aspects
from recruiter.assistant.verify import verify_model_text
from recruiter.ui.render_tables import parse_table


def _cands(app, *names):
    out = []
    for n in names:
        (c,) = app.library.find(n)
        out.append(c)
    return out


def _table(app, names, aspects=ASPECTS, profiles=True):
    cands = _cands(app, *names)
    return compare_table([app.assistant.candidate_text(c) for c in cands], {c.id: display_name(c, None) for c in cands},
                         aspects, profiles={c.id: app.store.profile(c.id) for c in cands} if profiles else None), cands


def _cell(table, aspect, col):
    return dict(table.rows)[aspect][col]


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon()


def test_cells_come_from_the_profile_and_each_passes_the_verifier(seeded_app, lexicon):
    table, cands = _table(seeded_app, ["Ke Ji", "Keqing He", "Ziyi Yang"])
    by_n = {c.n: c for c in table.citations}
    checked = 0
    for aspect, cells in table.rows:
        for cand, cell in zip(cands, cells):
            if not cell.text:
                continue
            cited = [by_n[m] for m in cell.markers]
            assert cited and all(c.candidate_id == cand.id for c in cited), (aspect, cell.text)
            verdict = verify_model_text(cell.text, cited, question="", program_text=cell.text, allowed_names=[],
                                        lexicon=lexicon, candidate_ids=[cand.id])
            assert verdict.ok and not verdict.dropped, (aspect, cell.text, verdict.reason, verdict.dropped)
            checked += 1
    assert checked >= 15
    for c in table.citations:     # a citation is the stored text at its offsets
        assert seeded_app.store.document(c.doc_id).text[c.start:c.end] == c.text


def test_education_cell_summarises_each_degree_with_its_dates(seeded_app):
    table, _ = _table(seeded_app, ["Ke Ji", "Keqing He"], ["education"])
    ke, he = _cell(table, "education", 0), _cell(table, "education", 1)
    assert ke.source == he.source == "profile"
    assert ke.parts[0].startswith("博士, 香港中文大学 (深圳), 计算机科学 (2024.9 – 至今)")
    assert ke.parts[2].startswith("本科, 郑州大学, 软件工程 (2017.9 – 2021.6)")
    assert he.parts[1].startswith("Bachelor, BEIJING UNIVERSITY OF POSTS AND TELECOMMUNICATIONS, "
                                  "Communication Engineering (2014 – 2018)")
    # the layout prints 东南大学's dates after 郑州大学's block: the master's cites its own lines only
    master = [c for c in table.citations if c.n in [int(m) for m in re.findall(r"\[(\d+)\]", ke.parts[1])]]
    assert [" ".join(c.text.split()) for c in master] == ["东南大学 硕士, 软件工程", "2021.9 - 2024.6"]


def test_publications_cell_leads_with_first_author_papers_and_counts_all(seeded_app):
    table, _ = _table(seeded_app, ["Jinyi Han", "Keqing He"], ["publications"])
    han, he = _cell(table, "publications", 0), _cell(table, "publications", 1)
    assert han.count == 18 and he.count == 37            # all listed papers, three shown
    assert len(han.parts) == 3 and all("first author" in p for p in han.parts)
    assert "(+15 more)" in table.to_markdown()


def test_profile_gap_falls_back_to_the_cv_section_and_nothing_says_not_stated(seeded_app):
    # projects: no profile field, read from the CV's section; Luo Ji's CV has no education at all
    table, _ = _table(seeded_app, ["Jinyi Han", "Luo Ji"], ["projects", "education", "skills"])
    assert _cell(table, "projects", 0).source == "cv" and "华为" in _cell(table, "projects", 0).text
    assert _cell(table, "education", 1).text == "" and _cell(table, "education", 1).source == ""
    assert _cell(table, "skills", 0).text == ""           # her CV lists no skills
    md = table.to_markdown()
    assert md.count("_not stated_") == 4                   # Luo Ji: projects, education, skills; Han: skills
    out = table.to_json()
    assert out["rows"][1]["cells"][1] == {"text": None, "citations": [], "source": None, "count": 0}


def test_without_profiles_the_table_reads_the_cv_sections(seeded_app):
    table, _ = _table(seeded_app, ["Ke Ji"], ["education", "awards"], profiles=False)
    assert {c.source for _, cells in table.rows for c in cells} == {"cv"}


@pytest.mark.parametrize("question,aspects", [
    ("Compare Ke Ji and Jinyi Han", list(ASPECTS)),
    ("Compare Ke Ji and Jinyi Han on education and awards.", ["education", "awards"]),
    ("比较冀轲和韩槿一的教育背景", ["education"]),
    ("How do Ke Ji and Keqing He compare in experience?", ["experience"]),
    ("Compare Ke Ji and Jinyi Han: who has more papers?", None),
    ("Between Jinyi Han and Ziyi Yang, who lists funded research projects as principal investigator?", None),
    ("请比较所有候选人：谁获得过数学竞赛（如 AIMO）奖项？", None),
])
def test_only_whole_aspect_comparisons_become_tables(question, aspects):
    assert table_aspects(question, ["Ke Ji", "Jinyi Han", "冀轲", "韩槿一", "Keqing He", "Ziyi Yang"]) == aspects


def test_chat_comparison_rows_render_as_a_table(seeded_app):
    cands = _cands(seeded_app, "Ke Ji", "Luo Ji")
    names = {c.id: display_name(c, None) for c in cands}
    answer = answer_table("en", "compare", [seeded_app.assistant.candidate_text(c) for c in cands], names,
                          ["education", "awards"], {c.id: seeded_app.store.profile(c.id) for c in cands})
    table = parse_table(answer.text, answer.intent, [c.candidate for c in answer.citations])
    assert table is not None and [r.name for r in table.rows] == ["冀轲 (Ke Ji)", "Luo Ji"]
    ke, luo = table.rows
    assert ke.items[0].startswith("education: 博士, 香港中文大学") and ke.items[1].startswith("awards: AIMO2 金牌")
    assert "硕士, 东南大学" in ke.items[0] and "本科, 郑州大学" in ke.items[0]     # every degree, bachelor's too
    assert ke.items[1].endswith("(+1 more)")                                     # 4 awards, 3 shown
    assert luo.items == ["not stated: education, awards"] and not luo.markers
    assert sorted({n for r in table.rows for n in r.markers}) == [c.n for c in answer.citations]
    first = [int(m) for m in re.findall(r"\[(\d+)\]", answer.text)]
    assert first == sorted(first)                         # numbered in reading order
