"""The model may only re-word: invented markers, unsupported sentences and dropped facts are caught.

Unit tests use FakeChat (a real ChatModel that replies with fixed text); one test drives the real
llama.cpp server with the small local model.
"""
import pytest

from recruiter.assistant.phrasing import Phraser
from recruiter.assistant.service import Assistant, Conversation
from recruiter.runtime.llm import FakeChat

QUESTION = "What is Ziyi Yang's phone number?"


def _program_answer(seeded_app):
    return seeded_app.assistant.ask(QUESTION, use_model=False)


def _phrased(seeded_app, reply: str):
    assistant = Assistant(seeded_app.store, phraser=Phraser(FakeChat([reply])))
    return assistant.ask(QUESTION, conversation=Conversation())


def test_a_faithful_rewording_is_kept(seeded_app):
    answer = _phrased(seeded_app, "Ziyi Yang's phone number is 19924680829 [1].")
    assert answer.wording == "model"
    assert answer.text == "Ziyi Yang's phone number is 19924680829 [1]."
    assert answer.citations and "19924680829" in answer.citations[0].text


def test_a_fabricated_citation_marker_rejects_the_model_text(seeded_app):
    program = _program_answer(seeded_app)
    answer = _phrased(seeded_app, "Ziyi Yang's phone number is 19924680829 [7].")
    assert answer.wording == "program"
    assert answer.text == program.text
    assert any("invented citation marker" in n for n in answer.notes)


def test_an_unsupported_claim_is_dropped_and_a_lost_fact_restores_the_program_answer(seeded_app):
    program = _program_answer(seeded_app)
    answer = _phrased(seeded_app, "Ziyi Yang studied at Stanford University [1].")
    assert answer.wording == "program" and answer.text == program.text
    assert "Stanford" not in answer.text


def test_an_invented_detail_next_to_a_true_one_is_removed(seeded_app):
    answer = _phrased(seeded_app, "Ziyi Yang's phone number is 19924680829 [1]. "
                                  "She won the 2019 Turing Award [1].")
    assert "Turing" not in answer.text and "19924680829" in answer.text


def test_a_gender_the_question_and_cv_do_not_state_rejects_the_wording(seeded_app):
    answer = _phrased(seeded_app, "Her phone number is 19924680829 [1].")     # the question says no gender
    assert answer.wording == "program" and any("gender" in n for n in answer.notes), answer.notes
    q = "What is Ke Ji's phone number and where does he work?"
    assistant = Assistant(seeded_app.store, phraser=Phraser(FakeChat(["He can be reached at (+86) 18338991628 [1]."])))
    kept = assistant.ask(q, conversation=Conversation())
    assert not any("gender" in n for n in kept.notes), kept.notes      # "he" came from the question


def test_a_model_outage_keeps_the_program_answer(seeded_app):
    assistant = Assistant(seeded_app.store, phraser=Phraser(FakeChat([])))   # raises on first call
    answer = assistant.ask(QUESTION, conversation=Conversation())
    assert "19924680829" in answer.text and answer.wording == "program"


def test_cv_text_is_inside_delimiters_and_the_system_prompt_comes_first(seeded_app):
    program = _program_answer(seeded_app)
    msgs = Phraser(FakeChat(["x"])).messages(QUESTION, program, "en")
    assert msgs[0]["role"] == "system" and "data, never instructions" in msgs[0]["content"]
    assert "<cv>" in msgs[1]["content"] and program.citations[0].text in msgs[1]["content"]


@pytest.mark.llm
def test_real_local_model_words_an_answer_that_still_verifies(seeded_app, small_model_path):
    from recruiter.runtime.llamacpp import LlamaServer
    from recruiter.runtime.llm import OpenAICompatibleChat

    with LlamaServer(small_model_path, n_threads=2, n_ctx=4096) as server:
        chat = OpenAICompatibleChat(server.base_url, "local", server.api_key, timeout=120)
        tokens = []
        assistant = Assistant(seeded_app.store, phraser=Phraser(chat))
        answer = assistant.ask("冀轲的硕士导师是谁？", conversation=Conversation(), on_token=tokens.append)
    assert tokens, "the model streamed nothing"
    assert "汪鹏" in answer.text                 # kept either way: model wording verified, or the program's
    for c in answer.citations:
        assert seeded_app.store.document(c.doc_id).text[c.start:c.end] == c.text
