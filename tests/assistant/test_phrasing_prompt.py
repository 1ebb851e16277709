"""What the model reads when it re-words a draft: the fixed system prompt first, and only the cited passages
the draft does not already quote (every prompt token delays the first model token)."""
from recruiter.assistant.answer import Answer, Citation
from recruiter.assistant.phrasing import Phraser
from recruiter.runtime.llm import FakeChat
from recruiter.runtime.tokens import count_tokens


def cite(n: int, text: str) -> Citation:
    return Citation(n=n, source="cv.txt", start=0, end=len(text), text=text, candidate="Ke Ji", candidate_id="c1",
                    doc_id="d1", section="education")


def user_message(answer: Answer, **kw) -> str:
    msgs = Phraser(FakeChat(["x"]), **kw).messages("Where did Ke Ji study?", answer, "en")
    return msgs[1]["content"]


def test_a_passage_the_draft_quotes_is_left_out_and_one_it_does_not_is_kept():
    quoted = cite(1, "* 2014-2018, Bachelor in Computer Science, Peking University")
    other = cite(2, "导师：汪鹏 教授")
    draft = "Ke Ji: 2014-2018, Bachelor in Computer Science, Peking University [1]; advisor listed [2]."
    user = user_message(Answer(text=draft, citations=[quoted, other]))
    assert other.text in user and "[2] (Ke Ji)" in user
    assert "[1] (Ke Ji)" not in user
    assert user.index("</cv>") < user.index(draft)          # the draft comes after the passages


def test_passages_are_cut_to_the_token_budget():
    long = cite(1, " ".join(f"paper{i} at venue{i}" for i in range(200)))
    user = user_message(Answer(text="Ke Ji has papers [1].", citations=[long]), evidence_budget=40)
    block = user[user.index("<cv>") + 4:user.index("</cv>")]
    assert 0 < count_tokens(block) <= 42 and "paper0" in block and "paper199" not in block


def test_the_system_prompt_is_the_same_for_every_question():
    a = Phraser(FakeChat(["x"])).messages("q1", Answer(text="A [1].", citations=[cite(1, "x y z")]), "en")
    b = Phraser(FakeChat(["x"])).messages("另一个问题", Answer(text="B [1].", citations=[cite(1, "p q")]), "zh")
    assert a[0] == b[0] and a[0]["role"] == "system"        # llama.cpp serves this prefix from its cache
