"""The web UI's views of one session: chat, citation panel, status line and candidate controls.

Each returns what a Gradio component shows; the HTML itself comes from the render_* modules.
"""
from __future__ import annotations

import threading

from recruiter.ui.render_chat import empty_chat, render_chat
from recruiter.ui.render_citations import citation_panel, document_view
from recruiter.ui.render_library import (
    candidate_label,
    render_candidates,
    render_status,
)
from recruiter.ui.web_gradio import gr
from recruiter.ui.web_session import WebSession


def example_questions(cands, lang: str) -> list[str]:
    """Clickable example questions for the empty chat, about the candidates in the store."""
    names = [c.aliases[0] if c.aliases and lang != "zh" and not c.name.isascii() else c.name for c in cands]
    if not names:
        return []
    if lang == "zh":
        ex = [f"{names[0]}的教育背景是什么？"]
        if len(names) > 1:
            ex.append(f"比较{names[0]}和{names[1]}的教育背景")
        ex.append("谁会 Python？")
    else:
        ex = [f"What is {names[0]}'s education?"]
        if len(names) > 1:
            ex.append(f"Compare {names[0]} and {names[1]}'s education")
        ex.append("Who knows Python?")
    return ex


class WebViews:
    """Renders sessions of one App; caches the documents the citation panel shows."""

    def __init__(self, app):
        self.app = app
        self._doc_cache: dict[str, str | None] = {}
        self._doc_lock = threading.Lock()

    def doc_text(self, doc_id: str) -> str | None:
        with self._doc_lock:
            if doc_id in self._doc_cache:
                return self._doc_cache[doc_id]
        doc = self.app.store.document(doc_id)
        text = doc.text if doc is not None else None
        with self._doc_lock:
            if len(self._doc_cache) > 64:
                self._doc_cache.clear()
            if text is not None:          # a removed document may come back: don't cache misses
                self._doc_cache[doc_id] = text
        return text

    def forget_documents(self) -> None:
        """After a removal: cached texts may belong to documents that are gone."""
        with self._doc_lock:
            self._doc_cache.clear()

    def chat_html(self, s: WebSession) -> str:
        cands = self.app.library.candidates() if not s.turns else []
        empty = empty_chat([c.name for c in cands], s.lang, example_questions(cands, s.lang)) if not s.turns else ""
        return render_chat(s.turns, s.lang, empty, selected=s.panel_turn)

    def chat_refresh(self, s: WebSession):
        """After the candidates changed: the empty chat lists them, so re-render it; a chat under way stays."""
        return self.chat_html(s) if not s.turns else gr.update()

    def panel_html(self, s: WebSession) -> str:
        i = s.panel_turn
        if i is None or i >= len(s.turns) or s.turns[i].answer is None:
            return citation_panel(None, "", None, self.doc_text, s.lang)
        tv = s.turns[i]
        if s.panel_doc:
            cits = [c for c in tv.answer.citations if c.doc_id == s.panel_doc]
            text = self.doc_text(s.panel_doc)
            first = cits[0] if cits else None
            return document_view(i, first.source if first else "", first.candidate if first else "", text,
                                 [(c.start, c.end, c.n) for c in cits], s.lang, focus=s.panel_active)
        return citation_panel(i, tv.question, tv.answer, self.doc_text, s.lang, active=s.panel_active)

    def status_html(self, lang: str) -> str:
        return (f'<div class="app-head"><h1>{"招聘助手" if lang == "zh" else "Recruiter assistant"}</h1>'
                + render_status(self.app.describe_llm(), len(self.app.library.candidates()), lang) + "</div>")

    def candidate_updates(self, s: WebSession):
        """(scope checkboxes, candidate list, remove dropdown, status line) for the store as it is now."""
        cands = self.app.library.candidates()
        choices = [(candidate_label(c), c.id) for c in cands]
        ids = {c.id for c in cands}
        return (gr.update(choices=choices, value=[v for v in s.scope_value if v in ids]),
                render_candidates(cands, s.lang),
                gr.update(choices=[(candidate_label(c) + (f"  [{', '.join(c.sources)}]" if c.sources else ""), c.id)
                                   for c in cands], value=None),
                self.status_html(s.lang))
