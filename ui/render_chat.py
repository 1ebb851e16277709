"""The chat transcript: one question and its answer per turn, and the empty state with examples."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from recruiter.ui.render_strings import t
from recruiter.ui.render_tables import render_answer_body
from recruiter.ui.render_text import esc, linkify


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
