"""Model fallback for profile fields the rules left empty (issue 5): a value is kept only when its text
is found verbatim (whitespace normalised) in the CV's section, with its offsets and source "model".

Unit tests use FakeChat (a real ChatModel with fixed replies); one test drives the real llama.cpp
server with the small local model.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from recruiter.ingest.pipeline import parse_file
from recruiter.ingest.profile import Profile, extract_profile
from recruiter.ingest.profile_fallback import empty_fields, fill_empty_fields, find_verbatim, section_spans
from recruiter.runtime.llm import FakeChat

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "candidates"
# An awards section written as prose: the rules find no award items in it.
CV = """Ann Lee
Email: ann.lee@example.com

EDUCATION
B.S. in Computer Science, Riverside State University, 2015 - 2019

HONORS AND AWARDS
In 2018 I received the Dean's Research Prize for my undergraduate thesis on graph neural networks and I was also a finalist of the Riverside   Hackathon, where our team built a flood-mapping tool that the city adopted.

SKILLS
Python, PyTorch, SQL
"""


@pytest.fixture
def parsed(tmp_path):
    path = tmp_path / "ann_lee.txt"
    path.write_text(CV, encoding="utf-8")
    pd = parse_file(path)
    return pd, extract_profile(pd.document, pd.passages)


def _awards_range(pd):
    (rng,) = section_spans(pd.passages, "awards")
    return rng


def test_the_rules_leave_the_prose_awards_empty(parsed):
    pd, profile = parsed
    assert profile.awards == [] and [s.value for s in profile.skills] == ["Python", "PyTorch", "SQL"]
    assert empty_fields(profile, pd.passages) == ["awards"]


def test_an_invented_value_is_discarded_and_a_real_one_kept_with_its_offsets(parsed):
    pd, profile = parsed
    chat = FakeChat(['{"values": ["Dean\'s Research Prize", "ACM Turing Award"]}'])
    report = fill_empty_fields(profile, pd.document, pd.passages, chat)
    assert report.asked == ["awards"] and report.kept == {"awards": 1}
    assert report.discarded == {"awards": ["ACM Turing Award"]}
    (award,) = profile.awards
    text = pd.document.text
    assert award.text.value == "Dean's Research Prize" == text[award.text.start:award.text.end]
    s, e = _awards_range(pd)
    assert s <= award.text.start < award.text.end <= e and award.text.source == "model"
    assert "<section>" in chat.calls[0][1]["content"] and text[s:e].strip() in chat.calls[0][1]["content"]
    # the mark survives storage as JSON; rule-read spans carry none
    d = json.loads(json.dumps(profile.to_dict()))
    assert d["awards"][0]["text"]["source"] == "model" and "source" not in d["skills"][0]
    assert Profile.from_dict(d) == profile


def test_whitespace_is_normalised_when_matching_and_the_span_keeps_the_cv_text(parsed):
    pd, profile = parsed
    fill_empty_fields(profile, pd.document, pd.passages, FakeChat(['{"values": ["Riverside Hackathon"]}']))
    (award,) = profile.awards
    assert award.text.value == "Riverside   Hackathon"       # as the CV writes it: three spaces
    assert pd.document.text[award.text.start:award.text.end] == award.text.value


def test_a_value_outside_the_section_is_not_taken_from_elsewhere_in_the_cv(parsed):
    pd, profile = parsed
    s, e = _awards_range(pd)
    assert find_verbatim("Riverside State University", pd.document.text, s, e) is None   # it is in EDUCATION
    fill_empty_fields(profile, pd.document, pd.passages, FakeChat(['{"values": ["Riverside State University"]}']))
    assert profile.awards == []


def test_no_model_call_when_the_rules_filled_every_field_with_a_section():
    pd = parse_file(next(EXAMPLES.glob("000_*.txt")))
    profile = extract_profile(pd.document, pd.passages)
    before = profile.to_dict()
    chat = FakeChat([])            # any call would be an error
    report = fill_empty_fields(profile, pd.document, pd.passages, chat)
    assert chat.calls == [] and report.asked == [] and profile.to_dict() == before


def test_a_model_outage_leaves_the_rules_profile(parsed):
    pd, profile = parsed
    before = profile.to_dict()
    report = fill_empty_fields(profile, pd.document, pd.passages, FakeChat(["no json here"]))
    assert report.errors and profile.to_dict() == before



def test_a_reply_of_the_wrong_shape_adds_nothing(parsed):
    pd, profile = parsed
    # a string where the list belongs: its characters are not values
    report = fill_empty_fields(profile, pd.document, pd.passages, FakeChat(['{"values": "Dean\'s Research Prize"}']))
    assert report.asked == ["awards"] and report.kept == {} and report.discarded == {} and profile.awards == []

@pytest.mark.llm
def test_real_local_model_fills_awards_with_verbatim_values_only(parsed, small_model_path):
    from recruiter.runtime.llamacpp import LlamaServer
    from recruiter.runtime.llm import OpenAICompatibleChat

    pd, profile = parsed
    with LlamaServer(small_model_path, n_threads=2, n_ctx=4096) as server:
        chat = OpenAICompatibleChat(server.base_url, "local", server.api_key, timeout=300)
        report = fill_empty_fields(profile, pd.document, pd.passages, chat)
    assert report.asked == ["awards"] and not report.errors
    assert profile.awards, report
    s, e = _awards_range(pd)
    for award in profile.awards:
        sp = award.text
        assert pd.document.text[sp.start:sp.end] == sp.value and s <= sp.start and sp.end <= e
        assert sp.source == "model"


def test_refresh_stores_the_verified_values_and_the_compare_table_cites_them(tmp_path):
    from recruiter.assistant.app import App
    from recruiter.assistant.profile_fallback import refresh_profile_with_llm
    from recruiter.assistant.tables import compare_table
    from recruiter.runtime.settings import Settings

    cv = tmp_path / "cv" / "ann_lee.txt"
    cv.parent.mkdir()
    cv.write_text(CV, encoding="utf-8")
    with App.open(Settings.from_env(env={}, home=tmp_path / "home", llm="none")) as app:
        assert [r.status for r in app.library.ingest([cv])] == ["added"]
        (cand,) = app.store.candidates()
        assert app.store.profile(cand.id)["awards"] == []
        chat = FakeChat(['{"values": ["Dean\'s Research Prize", "Nobel Prize in Physics"]}'])
        report = refresh_profile_with_llm(app.store, cand.id, chat)
        assert report.kept == {"awards": 1} and report.discarded == {"awards": ["Nobel Prize in Physics"]}
        (award,) = app.store.profile(cand.id)["awards"]
        assert award["text"]["value"] == "Dean's Research Prize" and award["text"]["source"] == "model"
        table = compare_table([app.assistant.candidate_text(cand)], {cand.id: cand.name}, ["awards"],
                              profiles={cand.id: app.store.profile(cand.id)})
        (cell,) = dict(table.rows)["awards"]
        assert cell.source == "profile" and cell.text == "Dean's Research Prize [1]"
        assert table.citations[0].text == "Dean's Research Prize"
        # refreshing again asks nothing: the field is no longer empty
        assert refresh_profile_with_llm(app.store, cand.id, FakeChat([])).asked == []
