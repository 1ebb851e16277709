"""The citation panel: each cited passage in a few lines of context, and whole documents with every
cited span highlighted."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from recruiter.ui.render_strings import t
from recruiter.ui.render_text import esc


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
