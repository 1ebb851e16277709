"""Pure render functions for the web UI: answers, citations, tables, documents, exports.

No Gradio and no assistant calls here: every function takes plain values (answers, citations,
candidates, texts) and returns HTML or Markdown. Everything that comes from a CV or a file name is
HTML-escaped, so a CV containing <script>, HTML or Markdown shows as text and never runs.
"""
from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

MARKER = re.compile(r"\[(\d{1,3})\]")
TABLE_INTENTS = ("compare", "aggregate", "rank", "match")


def esc(value) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


# ---------------------------------------------------------------------------------------------
# UI strings (en / zh). Empty states show both languages; the rest follows the browser's language.

STRINGS = {
    "en": {
        "you": "You",
        "assistant": "Assistant",
        "thinking": "Finding the evidence…",
        "rewording": "The model is re-wording this answer; it is kept only if every sentence is backed by its sources…",
        "finishing": "checking the wording",
        "by_program": "composed from the CVs by the program",
        "by_model": "worded by the model, verified against the sources",
        "abstained": "not in the CVs",
        "sources_for": "Sources for",
        "show_sources": "sources",
        "show_source": "source",
        "sources_col": "Sources",
        "view_document": "View document",
        "back": "← Back to sources",
        "chars": "chars",
        "cited_here": "cited passages highlighted",
        "cited_here_1": "cited passage highlighted",
        "doc_missing": "This document is no longer in the store.",
        "doc_changed": "The document changed since this answer; showing the cited passage alone.",
        "doc_clipped": "Long document: showing the parts around the cited passages.",
        "no_sources": "This answer has no citations: the CVs don't state it.",
        "panel_empty": "Citations appear here. Click a [n] marker in an answer to see its passage in context.",
        "candidate": "Candidate",
        "evidence": "What the CV says",
        "count": "Evidence",
        "match": "Match",
        "rank": "#",
        "no_candidates": "No candidates yet.",
        "files": "files",
        "aka": "also",
        "flag": "flag",
        "added": "added",
        "replaced": "replaced",
        "unchanged": "unchanged",
        "failed": "failed",
        "passages": "passages",
        "upload_summary": "Upload results",
        "error": "Something went wrong",
        "scope": "Asking about",
        "with_jd": "matched against the job description",
        "note": "note",
    },
    "zh": {
        "you": "你",
        "assistant": "助手",
        "thinking": "正在查找证据…",
        "rewording": "模型正在改写这条回答；只有每句话都有出处支持时才会采用…",
        "finishing": "正在核对措辞",
        "by_program": "由程序根据简历生成",
        "by_model": "模型改写，已按出处核验",
        "abstained": "简历中没有",
        "sources_for": "出处：",
        "show_sources": "出处",
        "show_source": "出处",
        "sources_col": "出处",
        "view_document": "查看全文",
        "back": "← 返回出处",
        "chars": "字符",
        "cited_here": "处引用已高亮",
        "cited_here_1": "处引用已高亮",
        "doc_missing": "该文档已不在库中。",
        "doc_changed": "该文档在回答后已变更；只显示引用的段落。",
        "doc_clipped": "文档较长：只显示引用段落附近的内容。",
        "no_sources": "这条回答没有引用：简历中没有相关信息。",
        "panel_empty": "引用会显示在这里。点击回答中的 [n] 标记即可查看该段落及上下文。",
        "candidate": "候选人",
        "evidence": "简历内容",
        "count": "证据",
        "match": "匹配度",
        "rank": "#",
        "no_candidates": "还没有候选人。",
        "files": "文件",
        "aka": "又名",
        "flag": "标记",
        "added": "已添加",
        "replaced": "已替换",
        "unchanged": "未变化",
        "failed": "失败",
        "passages": "段",
        "upload_summary": "上传结果",
        "error": "出错了",
        "scope": "限定候选人",
        "with_jd": "按职位描述匹配",
        "note": "备注",
    },
}


def t(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"][key]


def lang_from_header(accept_language: str | None) -> str:
    """'zh-CN,zh;q=0.9,en;q=0.8' → 'zh'; anything else → 'en'."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


# ---------------------------------------------------------------------------------------------
# Upload names

_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_upload_name(name: str, max_len: int = 150) -> str:
    """The file name an upload is stored (and cited) under: its own base name, made safe.

    Path parts (``../``, ``C:\\``, ``/etc/``) are dropped, so the file always lands directly in the
    upload folder; control and shell-special characters go; a name that is empty or only dots becomes
    ``upload``; very long names keep their extension.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _BAD_NAME_CHARS.sub("", name).strip().strip(".").strip()
    name = name.lstrip("~$").strip() or "upload"
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_len - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:max_len]
    return name


# ---------------------------------------------------------------------------------------------
# Answer text with clickable markers

def marker_link(turn: int, n: int) -> str:
    return (f'<a class="cite-marker" role="button" tabindex="0" data-turn="{int(turn)}" data-cite="{int(n)}" '
            f'title="Show source [{int(n)}]">[{int(n)}]</a>')


def linkify(text: str, turn: int, known: Iterable[int]) -> str:
    """Escape ``text`` and turn its [n] markers into links (only numbers that are real citations)."""
    known = set(known)
    out, pos = [], 0
    for m in MARKER.finditer(text or ""):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(esc(text[pos:m.start()]))
        out.append(marker_link(turn, n))
        pos = m.end()
    out.append(esc((text or "")[pos:]))
    return "".join(out)


def markers_in(text: str) -> list[int]:
    return [int(m.group(1)) for m in MARKER.finditer(text or "")]


# ---------------------------------------------------------------------------------------------
# Comparison / ranking answers as tables

@dataclass
class Row:
    name: str
    rank: int | None = None
    score: str | None = None          # "44%" for a match, "125 matching entries" for a ranking
    items: list[str] = field(default_factory=list)   # cell parts, each with its own [n] markers

    @property
    def markers(self) -> list[int]:
        return [n for it in self.items for n in markers_in(it)] + markers_in(self.score or "")


@dataclass
class AnswerTable:
    intent: str
    lead: list[str]
    rows: list[Row]
    tail: list[str]


_BULLET = re.compile(r"^\s*[-*•]\s+(?P<body>\S.*)$")
_NUMBERED = re.compile(r"^\s*(?P<rank>\d{1,3})[.)、]\s*(?P<body>\S.*)$")
_MATCH = re.compile(r"^\s*[（(]\s*(?:match|匹配度)\s*(?P<pct>\d{1,3}(?:\.\d+)?\s*%)\s*[)）]\s*[:：]\s*(?P<rest>.*)$",
                    re.IGNORECASE)
_DASH = re.compile(r"^\s+[—–]\s+(?P<rest>.*)$")
_COLON = re.compile(r"^\s*[:：]\s*(?P<rest>.*)$")
_ITEM_SPLIT = re.compile(r"(?<=\])\s*[;；]\s*")


def _name_splits(body: str, names: Sequence[str]):
    """Candidate (name, what follows it) splits: the candidates' display names first, then the first
    colon / dash / "(match" in the line."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if body.startswith(name):
            yield name, body[len(name):]
    m = re.match(r"^(?P<name>[^:：—–\[\]]{1,80}?)(?P<rest>\s*(?:[:：]|\s[—–]\s|[（(]\s*(?:match|匹配度)).*)$",
                 body, re.IGNORECASE)
    if m:
        yield m.group("name").strip(), m.group("rest")


def _row_rest(after: str) -> tuple[str | None, str] | None:
    """(score, cell text) from what follows the name, or None if it isn't a row's shape."""
    if (mm := _MATCH.match(after)):
        return mm.group("pct").replace(" ", ""), mm.group("rest")
    if (mm := _DASH.match(after)):
        rest = mm.group("rest")
        first = MARKER.search(rest)
        if first and not MARKER.sub("", rest[first.start():]).strip():
            # "125 matching entries [1][2][3]": the count is the score, the markers its sources
            return rest[:first.start()].strip(), rest[first.start():]
        return None, rest
    if (mm := _COLON.match(after)):
        return None, mm.group("rest")
    return None


def _parse_row(line: str, names: Sequence[str]) -> Row | None:
    m = _NUMBERED.match(line)
    rank = int(m.group("rank")) if m else None
    if not m:
        m = _BULLET.match(line)
    if not m:
        return None
    for name, after in _name_splits(m.group("body").strip(), names):
        got = _row_rest(after)
        if got is None or not name.strip():
            continue
        score, rest = got
        items = [p.strip() for p in _ITEM_SPLIT.split(rest.strip()) if p.strip()]
        return Row(name=name.strip(), rank=rank, score=score, items=items)
    return None


def parse_table(text: str, intent: str, names: Sequence[str] = ()) -> AnswerTable | None:
    """Lines like "- Name: … [1]", "1. Name (match 44%): … [2]; … [3]" or "1. Name — 5 entries [1][2]"
    become table rows; lines before the first row are the lead, lines after the last the notes.

    Returns None when the answer isn't a comparison/ranking or doesn't have that shape (a model may
    have re-worded it as prose): the caller then shows the text as it is.
    """
    if intent not in TABLE_INTENTS or not text:
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    parsed = [_parse_row(ln, names) for ln in lines]
    idx = [i for i, r in enumerate(parsed) if r is not None]
    if not idx:
        return None
    first, last = idx[0], idx[-1]
    if any(parsed[i] is None for i in range(first, last + 1)):
        return None          # something else between the rows: not a plain table
    return AnswerTable(intent, lines[:first], [parsed[i] for i in range(first, last + 1)], lines[last + 1:])


def render_table(table: AnswerTable, turn: int, known: Iterable[int], lang: str = "en") -> str:
    known = set(known)
    has_rank = any(r.rank is not None for r in table.rows)
    has_score = any(r.score for r in table.rows)
    score_head = t(lang, "match") if table.intent == "match" else t(lang, "count")
    head = ((f'<th class="num">{t(lang, "rank")}</th>' if has_rank else "")
            + f'<th>{t(lang, "candidate")}</th>'
            + (f"<th>{esc(score_head)}</th>" if has_score else "")
            + f'<th>{t(lang, "evidence") if table.intent != "rank" else t(lang, "sources_col")}</th>')
    body = []
    for r in table.rows:
        cells = ("".join(f'<div class="cell-item">{linkify(it, turn, known)}</div>' for it in r.items)
                 or '<span class="muted">–</span>')
        muted = "" if r.markers else ' class="muted-row"'
        body.append(f"<tr{muted}>"
                    + (f'<td class="num">{r.rank if r.rank is not None else ""}</td>' if has_rank else "")
                    + f'<td class="cand">{esc(r.name)}</td>'
                    + (f'<td class="score">{linkify(r.score or "", turn, known)}</td>' if has_score else "")
                    + f"<td>{cells}</td></tr>")
    lead = "".join(f'<p class="lead">{linkify(ln, turn, known)}</p>' for ln in table.lead)
    tail = "".join(f'<p class="tail muted">{linkify(ln, turn, known)}</p>' for ln in table.tail)
    return (f'{lead}<table class="answer-table" data-intent="{esc(table.intent)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{tail}')


def render_answer_body(text: str, intent: str, citations: Sequence, turn: int, lang: str = "en") -> str:
    """The answer as HTML: a table for comparisons/rankings that parse, else escaped text with links."""
    known = {c.n for c in citations}
    table = parse_table(text, intent, [c.candidate for c in citations])
    if table is not None:
        return f'<div class="answer-body has-table">{render_table(table, turn, known, lang)}</div>'
    return f'<div class="answer-body">{linkify(text, turn, known)}</div>'


# ---------------------------------------------------------------------------------------------
# Chat transcript

@dataclass
class TurnView:
    """What the chat shows for one question (the web layer keeps these per browser session)."""
    question: str
    answer: object | None = None     # assistant Answer (evidence stage, then final)
    preview: str = ""                # the model's streamed re-wording, until the final answer arrives
    state: str = "pending"           # pending | evidence | done | error
    error: str = ""
    scope: list[str] = field(default_factory=list)   # candidate names the question was limited to
    jd: bool = False                 # asked with a job description


def render_turn(i: int, turn: TurnView, lang: str = "en", selected: bool = False) -> str:
    q = (f'<div class="msg user"><div class="who">{t(lang, "you")}</div>'
         f'<div class="bubble">{esc(turn.question)}'
         + (f'<div class="scope-note">{t(lang, "scope")}: {esc(", ".join(turn.scope))}</div>' if turn.scope else "")
        + (f'<div class="scope-note">{t(lang, "with_jd")}</div>' if turn.jd else "")
         + "</div></div>")
    a = turn.answer
    if turn.state == "error":
        inner = f'<div class="answer-body error">{t(lang, "error")}: {esc(turn.error)}</div>'
        meta = ""
    elif a is None:
        inner = f'<div class="answer-body pending"><span class="dots"></span>{t(lang, "thinking")}</div>'
        meta = ""
    else:
        inner = render_answer_body(a.text, a.intent, a.citations, i, lang)
        if turn.state == "evidence" and turn.preview:
            inner += (f'<div class="preview"><div class="muted small">{t(lang, "rewording")}</div>'
                      f'{linkify(turn.preview, i, {c.n for c in a.citations})}</div>')
        notes = "".join(f'<div class="note">{t(lang, "note")}: {esc(n)}</div>' for n in getattr(a, "notes", []) or [])
        badge = (f'<span class="badge abstained">{t(lang, "abstained")}</span>' if a.abstained else
                 f'<span class="badge">{t(lang, "by_model") if a.wording == "model" else t(lang, "by_program")}</span>')
        label = t(lang, "show_sources") if len(a.citations) != 1 else t(lang, "show_source")
        srcs = (f'<a class="show-sources" role="button" tabindex="0" data-turn="{i}" data-cite="0">'
                f'{len(a.citations)} {label}</a>' if a.citations else "")
        busy = (f'<span class="muted"><span class="dots"></span>{t(lang, "finishing")}</span>'
                if turn.state == "evidence" and not turn.preview else "")
        meta = f'<div class="meta">{badge}{srcs}{busy}</div>{notes}'
    cls = "msg bot" + (" abstained" if a is not None and getattr(a, "abstained", False) else "") + \
        (" selected" if selected else "")
    return (f'<div class="turn" id="turn-{i}" data-turn="{i}" data-state="{esc(turn.state)}">{q}<div class="{cls}"><div class="who">'
            f'{t(lang, "assistant")}</div><div class="bubble">{inner}{meta}</div></div></div>')


def render_chat(turns: Sequence[TurnView], lang: str = "en", empty_html: str = "", selected: int | None = None) -> str:
    if not turns:
        return f'<div class="chat-log empty">{empty_html}</div>'
    return ('<div class="chat-log">' + "".join(render_turn(i, tv, lang, selected == i) for i, tv in enumerate(turns))
            + "</div>")


def empty_chat(candidate_names: Sequence[str], lang: str = "en", examples: Sequence[str] = ()) -> str:
    """The chat's empty state in both languages (the browser's language first)."""
    names = list(candidate_names)
    if not names:
        en = ('<h3>Upload CVs to begin</h3><p>Drop PDF, DOCX, TXT, Markdown or HTML files into '
              '<b>Upload CVs</b> on the left. Then ask about one candidate, compare them, or paste a job '
              'description. Every answer cites the CV passage it comes from.</p>')
        zh = ('<h3>上传简历开始</h3><p>把 PDF、DOCX、TXT、Markdown 或 HTML 简历拖到左侧的<b>上传简历</b>。'
              '然后就可以询问某位候选人、比较候选人或粘贴职位描述。每条回答都会注明出自简历的哪一段。</p>')
    else:
        shown = ", ".join(esc(n) for n in names[:6]) + (" …" if len(names) > 6 else "")
        en = (f'<h3>{len(names)} candidate{"s" if len(names) != 1 else ""} loaded</h3><p>{shown}</p>'
              '<p>Ask about one of them, compare them ("who has …"), or paste a job description below. '
              'Click a [n] marker to see the passage it comes from.</p>')
        zh = (f'<h3>已载入 {len(names)} 位候选人</h3><p>{shown}</p>'
              '<p>可以询问某位候选人、比较候选人（“谁有…”），或在下方粘贴职位描述。点击 [n] 标记查看出处。</p>')
    first, second = (zh, en) if lang == "zh" else (en, zh)
    ex = ""
    if names and examples:
        ex = '<div class="examples">' + "".join(
            f'<a class="example" role="button" tabindex="0" data-example="{esc(q)}">{esc(q)}</a>' for q in examples) + "</div>"
    return f'<div class="empty-state"><div class="primary">{first}</div>{ex}<div class="secondary">{second}</div></div>'


# ---------------------------------------------------------------------------------------------
# Citations in context, documents with highlights

def context_window(text: str, start: int, end: int, lines: int = 2, max_chars: int = 320
                   ) -> tuple[str, str, str, bool, bool]:
    """(before, passage, after, more_before, more_after): the passage with ``lines`` non-blank lines of
    its document before and after it (at most ``max_chars`` characters on each side)."""
    n = len(text)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    if end < start:
        start, end = end, start
    b = text.rfind("\n", 0, start) + 1
    got = 0
    while got < lines and b > 0:
        prev = text.rfind("\n", 0, b - 1) + 1
        if text[prev:b - 1].strip():
            got += 1
        b = prev
    e = text.find("\n", end)
    e = n if e < 0 else e
    got = 0
    while got < lines and e < n:
        nxt = text.find("\n", e + 1)
        nxt = n if nxt < 0 else nxt
        if text[e + 1:nxt].strip():
            got += 1
        e = nxt
    if start - b > max_chars:
        b = start - max_chars
    if e - end > max_chars:
        e = end + max_chars
    return text[b:start], text[start:end], text[end:e], b > 0, e < n


_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")


def squeeze(text: str) -> str:
    """For display only: runs of blank lines become one line break (many CVs double-space every line)."""
    return _BLANK_LINES.sub("\n", text)


def highlight_spans(text: str, spans: Sequence[tuple[int, int, int]], id_prefix: str = "doc-cite-") -> str:
    """Escape ``text`` and wrap every cited span (start, end, n) in <mark>; overlapping spans share
    the overlap. An anchor ``[n]`` (id ``{id_prefix}{n}``) precedes each span's first character."""
    n_chars = len(text)
    clean = sorted({(max(0, min(s, n_chars)), max(0, min(e, n_chars)), n) for s, e, n in spans if e > s},
                   key=lambda x: (x[0], x[2]))
    bounds = sorted({0, n_chars, *(s for s, _, _ in clean), *(e for _, e, _ in clean)})
    starts: dict[int, list[int]] = {}
    for s, _, n in clean:
        starts.setdefault(s, []).append(n)
    out, anchored = [], set()
    for a, b in itertools.pairwise(bounds):
        for n in starts.get(a, []):
            if n not in anchored:
                anchored.add(n)
                out.append(f'<sup class="doc-marker" id="{esc(id_prefix)}{n}">[{n}]</sup>')
        cover = [n for s, e, n in clean if s <= a and b <= e]
        seg = esc(text[a:b] if cover else squeeze(text[a:b]))
        if cover:
            ns = " ".join(str(n) for n in sorted(set(cover)))
            out.append(f'<mark class="hl" data-n="{ns}">{seg}</mark>')
        else:
            out.append(seg)
    return "".join(out)


def citation_card(turn: int, c, doc_text: str | None, lang: str = "en", active: bool = False,
                  context_lines: int = 2) -> str:
    """One cited passage: who, which file and section, the passage highlighted in a few lines of context."""
    if doc_text is not None and doc_text[c.start:c.end] == c.text:
        before, passage, after, cb, ca = context_window(doc_text, c.start, c.end, context_lines)
        body = (f'<div class="ctx">{"…" if cb else ""}{esc(squeeze(before).lstrip(chr(10)))}<mark class="hl">'
                f'{esc(passage)}</mark>{esc(squeeze(after).rstrip())}{"…" if ca else ""}</div>')
        warn = ""
    else:
        body = f'<div class="ctx"><mark class="hl">{esc(c.text)}</mark></div>'
        warn = f'<div class="muted small">{t(lang, "doc_missing" if doc_text is None else "doc_changed")}</div>'
    view = (f'<a class="doc-link" role="button" tabindex="0" data-turn="{int(turn)}" data-doc="{esc(c.doc_id)}" '
            f'data-cite="{int(c.n)}">{t(lang, "view_document")}</a>' if doc_text is not None else "")
    return (f'<div class="cite-card{" active" if active else ""}" id="cite-{int(turn)}-{int(c.n)}" data-n="{int(c.n)}">'
            f'<div class="cite-head"><span class="cite-n">[{int(c.n)}]</span> <b class="cand">{esc(c.candidate)}</b>'
            f'<span class="src">{esc(c.source)} · {esc(c.section)}</span></div>{body}{warn}'
            f'<div class="cite-foot">{view}<span class="muted small">{t(lang, "chars")} {int(c.start)}–{int(c.end)}'
            f'</span></div></div>')


def citation_panel(turn: int | None, question: str, answer, doc_text: Callable[[str], str | None],
                   lang: str = "en", active: int | None = None) -> str:
    """All citations of one answer. ``doc_text(doc_id)`` gives a document's normalized text (or None)."""
    if turn is None or answer is None:
        return f'<div class="cp" data-mode="empty"><div class="panel-empty">{t(lang, "panel_empty")}</div></div>'
    cards = "".join(citation_card(turn, c, doc_text(c.doc_id), lang, active == c.n) for c in answer.citations)
    if not cards:
        cards = f'<div class="panel-empty">{t(lang, "no_sources")}</div>'
    return (f'<div class="cp" data-mode="cites" data-turn="{int(turn)}" data-active="{int(active or 0)}">'
            f'<div class="cp-head">{t(lang, "sources_for")} <q>{esc(question)}</q></div>{cards}</div>')


DOC_VIEW_LIMIT = 150_000


def document_view(turn: int, source: str, candidate: str, text: str | None, spans: Sequence[tuple[int, int, int]],
                  lang: str = "en", focus: int | None = None, radius: int = 3000) -> str:
    """The whole normalized CV with every span this answer cites from it highlighted."""
    back = f'<a class="back-link" role="button" tabindex="0" data-turn="{int(turn)}" data-back="1">{t(lang, "back")}</a>'
    if text is None:
        return (f'<div class="cp" data-mode="doc" data-turn="{int(turn)}">{back}'
                f'<div class="panel-empty">{t(lang, "doc_missing")}</div></div>')
    note = ""
    if len(text) > DOC_VIEW_LIMIT and spans:
        # huge files (a 5 MB single line): the parts around the cited spans, in order
        windows = []
        for s, e, _ in sorted(spans):
            a, b = max(0, s - radius), min(len(text), e + radius)
            if windows and a <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], b)
            else:
                windows.append([a, b])
        parts = []
        for a, b in windows:
            inside = [(max(s, a) - a, min(e, b) - a, n) for s, e, n in spans if s < b and e > a]
            parts.append(highlight_spans(text[a:b], inside))
        body = '<span class="gap">…</span>'.join(parts)
        note = f'<div class="muted small">{t(lang, "doc_clipped")}</div>'
    else:
        body = highlight_spans(text[:DOC_VIEW_LIMIT], spans)
    return (f'<div class="cp" data-mode="doc" data-turn="{int(turn)}" data-focus="{int(focus or 0)}">{back}'
            f'<div class="cp-head"><b class="cand">{esc(candidate)}</b> · {esc(source)} · '
            f'{len(spans)} {t(lang, "cited_here_1" if len(spans) == 1 else "cited_here")}</div>{note}<div class="doc-text">{body}</div></div>')


# ---------------------------------------------------------------------------------------------
# Candidates, uploads, status

def candidate_label(c) -> str:
    """A plain-text label (Gradio escapes it) for the scope checkboxes."""
    others = [n for n in list(c.aliases) + list(c.former_names) if n and n != c.name]
    return c.name + (f" · {', '.join(others[:3])}" if others else "")


def render_candidates(candidates: Sequence, lang: str = "en") -> str:
    if not candidates:
        return (f'<div class="cands empty">{t(lang, "no_candidates")} '
                f'{"上传简历开始。" if lang == "zh" else "Upload CVs to begin."}</div>')
    rows = []
    for c in candidates:
        aka = [n for n in list(c.aliases) + list(c.former_names) if n and n != c.name]
        flags = "".join(f'<span class="flag" title="{esc(f)}">⚠ {esc(f)}</span>' for f in c.flags)
        rows.append(f'<li data-candidate="{esc(c.id)}"><b class="cand">{esc(c.name)}</b>'
                    + (f' <span class="aka">{t(lang, "aka")}: {esc(", ".join(aka))}</span>' if aka else "")
                    + f'<div class="files">{esc(", ".join(c.sources))}</div>{flags}</li>')
    return f'<ul class="cands">{"".join(rows)}</ul>'


_STATUS_MARK = {"added": "+", "replaced": "~", "unchanged": "=", "failed": "✗"}


def render_ingest_results(results: Sequence, lang: str = "en") -> str:
    """One block per file: what happened to it and, when it failed, why and what to do."""
    if not results:
        return ""
    counts: dict[str, int] = {}
    rows = []
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "failed":
            detail = f'<div class="msg-text">{esc(r.message)}</div>'
        elif r.status == "unchanged":
            detail = f'<div class="detail">{esc(r.candidate)}</div>'
        else:
            detail = f'<div class="detail">→ {esc(r.candidate)} · {int(r.passages)} {t(lang, "passages")}</div>'
        detail += "".join(f'<div class="warn">⚠ {esc(w)}</div>' for w in r.warnings)
        status = t(lang, r.status) if r.status in _STATUS_MARK else esc(r.status)
        reason = f' <span class="reason">{esc(r.reason)}</span>' if r.status == "failed" and r.reason else ""
        rows.append(f'<div class="res st-{esc(r.status)}"><div class="res-head"><span class="mark">'
                    f'{_STATUS_MARK.get(r.status, "?")}</span><span class="fname">{esc(r.source)}</span>'
                    f'<span class="status">{status}</span>{reason}</div>{detail}</div>')
    summary = ", ".join(f"{n} {t(lang, s) if s in _STATUS_MARK else esc(s)}" for s, n in sorted(counts.items()))
    return (f'<div class="ingest-results"><div class="summary">{t(lang, "upload_summary")}: {summary}</div>'
            f'{"".join(rows)}</div>')


def render_status(desc: dict, n_candidates: int, lang: str = "en") -> str:
    """The status line: which model words the answers and whether anything leaves the machine."""
    provider = desc.get("provider") or "none"
    remote = bool(desc.get("remote"))
    model = desc.get("model")
    if provider == "none":
        who = "No language model" if lang != "zh" else "未使用语言模型"
        where = ("answers are composed from the CVs by the program; nothing leaves this machine."
                 if lang != "zh" else "回答由程序根据简历生成；数据不会离开本机。")
    elif remote:
        who = f"Model {model or provider}" if lang != "zh" else f"模型 {model or provider}"
        where = desc.get("summary") or ""
    else:
        who = f"Local model {model or ''}".strip() if lang != "zh" else f"本地模型 {model or ''}".strip()
        where = "everything stays on this machine." if lang != "zh" else "所有数据都留在本机。"
    cands = (f"{n_candidates} candidate{'s' if n_candidates != 1 else ''}" if lang != "zh"
             else f"{n_candidates} 位候选人")
    return (f'<div class="status-line {"remote" if remote else "local"}"><span class="dot"></span>'
            f'<b>{esc(who)}</b> — {esc(where)} <span class="muted">· {cands}</span></div>')


# ---------------------------------------------------------------------------------------------
# Export

def _fence(text: str) -> str:
    run = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    return "`" * max(3, run + 1)


def _md_text(text: str) -> str:
    """Answer/question text for Markdown: HTML can't run when the file is rendered."""
    return html.escape(text or "", quote=False)


def conversation_markdown(turns: Sequence[TurnView], title: str = "Recruiter assistant — conversation",
                          when: str = "") -> str:
    """Questions, answers and every cited passage (verbatim, in code fences) as one Markdown file."""
    out = [f"# {title}", ""]
    if when:
        out += [f"Exported {when}.", ""]
    for i, tv in enumerate(turns, 1):
        a = tv.answer
        if a is None or tv.state != "done":
            continue
        out += [f"## {i}. {_md_text(tv.question)}", ""]
        if tv.scope:
            out += [f"*Asked about: {_md_text(', '.join(tv.scope))}*", ""]
        out += [_md_text(a.text), ""]
        if a.abstained:
            out += ["*The CVs don't state this.*", ""]
        if a.citations:
            out += ["**Sources**", ""]
            for c in a.citations:
                fence = _fence(c.text)
                head = (f"[{c.n}] {_md_text(c.candidate)} — {_md_text(c.source)}, {_md_text(c.section)}, "
                        f"chars {c.start}–{c.end}")
                out += [head, "", f"{fence}text", c.text, fence, ""]
    return "\n".join(out).rstrip() + "\n"
