"""The conversation as one Markdown file to download: questions, answers, every cited passage verbatim."""
from __future__ import annotations

import html
import re
from collections.abc import Sequence

from recruiter.ui.render_chat import TurnView


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
