"""Comparison / ranking / match answers as tables: parse the answer's row lines, render them.

An answer that doesn't have a table's shape (a model may have re-worded it as prose) is shown as
escaped text with its [n] markers as links.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from recruiter.ui.render_strings import t
from recruiter.ui.render_text import MARKER, esc, linkify, markers_in

TABLE_INTENTS = ("compare", "aggregate", "rank", "match")


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
