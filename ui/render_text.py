"""Safe text for the web UI: HTML escaping and the answers' [n] citation markers as links.

Everything that comes from a CV or a file name goes through ``esc``, so a CV containing <script>, HTML
or Markdown shows as text and never runs.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable

MARKER = re.compile(r"\[(\d{1,3})\]")


def esc(value) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


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
