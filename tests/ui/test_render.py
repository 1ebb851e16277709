"""Pure render functions of the web UI: escaping, highlight offsets, table parsing, export, upload names."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

import pytest
from recruiter.ui.render_chat import TurnView, empty_chat
from recruiter.ui.render_citations import citation_card, citation_panel, context_window, document_view, highlight_spans
from recruiter.ui.render_export import conversation_markdown
from recruiter.ui.render_library import render_candidates, render_ingest_results, render_status
from recruiter.ui.render_strings import lang_from_header
from recruiter.ui.render_tables import parse_table, render_answer_body
from recruiter.ui.render_text import linkify
from recruiter.ui.web_uploads import safe_upload_name

EVIL = ('<script>alert(1)</script><img src=x onerror="alert(2)"> **bold** [x](javascript:alert(3)) '
        '${alert(4)} {{constructor}} &amp; "quoted" \'single\'')


@dataclass
class Cit:
    n: int
    source: str
    start: int
    end: int
    text: str
    candidate: str
    candidate_id: str = "c1"
    doc_id: str = "d1"
    section: str = "experience"


@dataclass
class Ans:
    text: str
    citations: list = field(default_factory=list)
    abstained: bool = False
    intent: str = "single"
    wording: str = "program"
    notes: list = field(default_factory=list)


@dataclass
class Cand:
    id: str
    name: str
    aliases: list = field(default_factory=list)
    former_names: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    flags: list = field(default_factory=list)


@dataclass
class Res:
    source: str
    status: str
    candidate: str = ""
    passages: int = 0
    reason: str = ""
    message: str = ""
    warnings: list = field(default_factory=list)
    path: str = ""


class Tags(HTMLParser):
    """Collects start tags and attributes, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p


SAFE_TAGS = {"div", "span", "a", "b", "mark", "sup", "table", "thead", "tbody", "tr", "th", "td", "q", "p",
             "h3", "ul", "li"}


def assert_inert(html: str, must_show: str = EVIL) -> None:
    """No element or attribute comes from the CV text, and the text itself is visible as written."""
    p = parse(html)
    for tag, attrs in p.tags:
        assert tag in SAFE_TAGS, (tag, html)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not set(attrs) & {"href", "src", "srcdoc", "action", "formaction", "style"}, (tag, attrs)
    assert must_show in "".join(p.text)


# -- escaping ----------------------------------------------------------------------------------------

def test_answer_text_with_script_renders_as_text():
    cits = [Cit(1, "cv.txt", 0, len(EVIL), EVIL, "Mallory")]
    html = render_answer_body(f"Mallory: {EVIL} [1].", "single", cits, turn=0)
    assert "<script" not in html and "<img" not in html
    assert_inert(html)
    assert 'data-cite="1"' in html


def test_citation_card_escapes_passage_context_file_and_name():
    doc = f"Name line\n{EVIL}\nafter <b>bold</b>\n"
    s = doc.index(EVIL)
    c = Cit(1, '<img src=x onerror=alert(1)>.txt', s, s + len(EVIL), EVIL, "<svg onload=alert(1)>")
    html = citation_card(0, c, doc)
    assert_inert(html)
    assert "<img" not in html and "<svg" not in html
    text = "".join(parse(html).text)
    assert "<b>bold</b>" in text and "<svg onload=alert(1)>" in text and "<img src=x onerror=alert(1)>.txt" in text


def test_citation_panel_and_document_view_escape():
    doc = f"top\n{EVIL}\nend"
    s = doc.index(EVIL)
    ans = Ans("x [1]", [Cit(1, "a.txt", s, s + len(EVIL), EVIL, "M")])
    assert_inert(citation_panel(0, EVIL, ans, lambda d: doc))
    assert_inert(document_view(0, "a.txt", "M", doc, [(s, s + len(EVIL), 1)]))


def test_candidates_uploads_and_status_escape():
    cand = Cand("c1", EVIL, aliases=["<i>x</i>"], sources=["<b>.txt"], flags=["instruction-like <u>"])
    assert_inert(render_candidates([cand]))
    res = [Res('<img src=x onerror=alert(1)>.pdf', "failed", reason="empty", message=EVIL),
           Res("ok.txt", "added", candidate=EVIL, passages=3, warnings=["<script>w</script>"])]
    assert_inert(render_ingest_results(res))
    html = render_status({"provider": "openai", "model": "<b>m</b>", "remote": True,
                          "summary": "Questions go to <script>x</script>"}, 2)
    assert "<script" not in html and "&lt;b&gt;m&lt;/b&gt;" in html


def test_table_cells_escape_and_keep_markers():
    text = "Mallory has the most.\n1. Mallory — 2 matching entries [1][2]\n2. Bob — 1 matching entry [3]"
    html = render_answer_body(text.replace("Mallory", "<b>Mallory</b>"), "rank",
                              [Cit(1, "a", 0, 1, "x", "<b>Mallory</b>"), Cit(2, "a", 0, 1, "y", "<b>Mallory</b>"),
                               Cit(3, "b", 0, 1, "z", "Bob")], turn=3)
    assert "<table" in html and "<b>Mallory" not in html and "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert re.findall(r'data-turn="3" data-cite="(\d+)"', html) == ["1", "2", "3"]


def test_empty_state_examples_escape():
    html = empty_chat([EVIL], "en", examples=[f"What is {EVIL}?"])
    assert_inert(html)


def test_marker_that_is_not_a_citation_stays_text():
    html = linkify("[6] Paper title [1]", 0, {1})
    assert html.count("cite-marker") == 1 and html.startswith("[6] Paper title")


# -- highlight offsets ------------------------------------------------------------------------------

def marked(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<mark class="hl"[^>]*>(.*?)</mark>', html, flags=re.DOTALL)]


def test_highlight_wraps_exact_spans():
    text = "abc <def> ghi jkl"
    html = highlight_spans(text, [(4, 9, 1), (14, 17, 2)])
    assert marked(html) == ["<def>", "jkl"]
    assert 'id="doc-cite-1"' in html and 'id="doc-cite-2"' in html
    assert unescape(re.sub(r"<[^>]+>|\[\d\]", "", html)) == text


def test_highlight_overlapping_and_out_of_range_spans():
    text = "0123456789"
    html = highlight_spans(text, [(2, 6, 1), (4, 8, 2), (8, 99, 3), (5, 5, 4)])
    assert marked(html) == ["23", "45", "67", "89"]
    assert 'data-n="1 2">45<' in html
    assert "doc-cite-4" not in html       # an empty span is not drawn


def test_context_window_keeps_the_passage_and_neighbouring_lines():
    doc = "l1\n\nl2\nl3 before PASSAGE after\nl4\n\n\nl5\nl6"
    s = doc.index("PASSAGE")
    before, passage, after, more_b, more_a = context_window(doc, s, s + 7, lines=2)
    assert passage == "PASSAGE"
    assert before == "l2\nl3 before " or before.endswith("l2\nl3 before ")
    assert "l1" in before            # blank lines don't count as context lines
    assert after.startswith(" after\nl4") and "l5" in after and "l6" not in after
    assert not more_b and more_a


def test_context_window_clips_long_lines():
    doc = "x" * 5000 + "HIT" + "y" * 5000
    before, passage, after, more_b, more_a = context_window(doc, 5000, 5003, max_chars=100)
    assert passage == "HIT" and len(before) == 100 and len(after) == 100 and more_b and more_a


def test_card_falls_back_when_document_changed():
    c = Cit(1, "a.txt", 0, 5, "HELLO", "A")
    html = citation_card(0, c, "other text entirely")
    assert "HELLO" in html and "changed" in html


def test_document_view_of_huge_document_shows_windows_around_spans():
    text = "a" * 200_000 + "NEEDLE" + "b" * 200_000
    s = text.index("NEEDLE")
    html = document_view(0, "big.txt", "Big", text, [(s, s + 6, 1)])
    assert marked(html) == ["NEEDLE"] and len(html) < 20_000


# -- tables -----------------------------------------------------------------------------------------

COMPARE = ("Only 韩槿一 (Jinyi Han).\n- Keqing He: not stated in the CV.\n"
           "- 韩槿一 (Jinyi Han): Python; PyTorch [1]; C++ [2]")
RANK = "Keqing He has the most.\n1. Keqing He — 125 matching entries [1][2][3]\n2. 韩槿一 (Jinyi Han) — 59 matching entries [4]"
MATCH = ("1. Luo Ji (match 46%): Built a hypernetwork, [1]; proposed ODM [2]\n"
         "2. 韩槿一 (Jinyi Han)（匹配度 17%）：2026, ACL. [3]；华为 [4]\n"
         "Match = share of the JD's requirements evidenced in the CV.")
AGG_ZH = "2 位候选人：\n- 冀轲 (Ke Ji)：熟悉 Python [1]\n- Luo Ji：Python, Go [2]"


def test_parse_compare_rows_and_cells():
    t = parse_table(COMPARE, "compare", ["韩槿一 (Jinyi Han)"])
    assert t.lead == ["Only 韩槿一 (Jinyi Han)."] and t.tail == []
    assert [r.name for r in t.rows] == ["Keqing He", "韩槿一 (Jinyi Han)"]
    assert t.rows[0].items == ["not stated in the CV."] and t.rows[0].markers == []
    assert t.rows[1].items == ["Python; PyTorch [1]", "C++ [2]"]      # CV semicolons stay inside a cell
    assert t.rows[1].markers == [1, 2]


def test_parse_rank_rows():
    t = parse_table(RANK, "rank", ["Keqing He"])
    assert [(r.rank, r.name, r.score, r.markers) for r in t.rows] == [
        (1, "Keqing He", "125 matching entries", [1, 2, 3]), (2, "韩槿一 (Jinyi Han)", "59 matching entries", [4])]


def test_parse_match_rows_en_and_zh():
    t = parse_table(MATCH, "match", [])
    assert [(r.rank, r.name, r.score) for r in t.rows] == [(1, "Luo Ji", "46%"), (2, "韩槿一 (Jinyi Han)", "17%")]
    assert t.rows[0].items == ["Built a hypernetwork, [1]", "proposed ODM [2]"]
    assert t.rows[1].items == ["2026, ACL. [3]", "华为 [4]"]
    assert t.tail == ["Match = share of the JD's requirements evidenced in the CV."]


def test_parse_aggregate_zh():
    t = parse_table(AGG_ZH, "aggregate", [])
    assert t.lead == ["2 位候选人："] and [r.name for r in t.rows] == ["冀轲 (Ke Ji)", "Luo Ji"]


def test_known_name_prefix_of_another_name_does_not_break_rows():
    t = parse_table("- Ke Ji: a [1]\n- Keqing He: b [2]", "compare", ["Ke", "Ke Ji"])
    assert [r.name for r in t.rows] == ["Ke Ji", "Keqing He"]


@pytest.mark.parametrize("text,intent", [
    ("Keqing He: studied at X [1].", "single"),                 # not a table intent
    ("Keqing He studied at X [1] and Luo Ji at Y [2].", "compare"),   # a model re-worded it as prose
    ("- A: x [1]\nsome prose in between\n- B: y [2]", "compare"),
])
def test_not_a_table(text, intent):
    assert parse_table(text, intent, []) is None


def test_rendered_table_has_one_row_per_candidate():
    cits = [Cit(i, "a", 0, 1, "x", "Keqing He") for i in (1, 2, 3)] + [Cit(4, "b", 0, 1, "y", "韩槿一 (Jinyi Han)")]
    html = render_answer_body(RANK, "rank", cits, 0)
    assert html.count("<tr") == 3 and "125 matching entries" in html and "<th" in html


# -- export ------------------------------------------------------------------------------------------

def test_export_markdown_has_answers_and_verbatim_passages():
    passage = "Python ```code``` <script>x</script>"
    tv = TurnView("Who knows <b>Python</b>?", Ans("- A: Python [1]", [Cit(1, "a.txt", 3, 40, passage, "A")],
                                                 intent="aggregate"), state="done")
    md = conversation_markdown([tv], when="2025-01-01 10:00")
    assert "## 1. Who knows &lt;b&gt;Python&lt;/b&gt;?" in md
    assert "[1] A — a.txt, experience, chars 3–40" in md
    assert "\n````text\n" + passage + "\n````\n" in md           # fence longer than the passage's backticks
    assert "- A: Python [1]" in md


def test_export_skips_unfinished_turns():
    md = conversation_markdown([TurnView("pending?")])
    assert "pending?" not in md


# -- upload names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\cv.pdf", "cv.pdf"),
    ("/abs/path/简历 张三.pdf", "简历 张三.pdf"),
    ("..", "upload"),
    ("", "upload"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b<c>:d|e?.txt", "abcde.txt"),
    ("~$lock.docx", "lock.docx"),
])
def test_safe_upload_name(raw, expected):
    assert safe_upload_name(raw) == expected


def test_safe_upload_name_keeps_extension_of_long_names():
    name = safe_upload_name("x" * 400 + ".docx")
    assert name.endswith(".docx") and len(name) <= 150


def test_lang_from_header():
    assert lang_from_header("zh-CN,zh;q=0.9") == "zh" and lang_from_header("en-US") == "en"
    assert lang_from_header(None) == "en"
