"""Chat callbacks of the web UI: asking (evidence first, the model's wording streamed), the citation
panel's clicks, new chat, scope, and the Markdown export of the conversation."""
from __future__ import annotations

import queue
import threading
import time
from datetime import datetime
from pathlib import Path

from recruiter.ui.render_chat import TurnView
from recruiter.ui.render_export import conversation_markdown
from recruiter.ui.render_strings import lang_from_header
from recruiter.ui.web_gradio import gr
from recruiter.ui.web_session import WebSession, new_session
from recruiter.ui.web_views import WebViews

ASK_TIMEOUT_S = 600          # a stuck model must not hold the chat forever
STREAM_INTERVAL_S = 0.08     # at most ~12 UI updates a second while tokens stream


class ChatHandlers:
    """Gradio callbacks for the chat and the citation panel of one App."""

    def __init__(self, app, views: WebViews, *, use_model: bool, export_root: Path):
        self.app = app
        self.views = views
        self.use_model = use_model
        self.export_root = export_root

    def write_export(self, s: WebSession) -> str | None:
        if not any(tv.state == "done" for tv in s.turns):
            return None
        d = self.export_root / s.id
        d.mkdir(parents=True, exist_ok=True)
        now = datetime.now()
        path = d / f"recruiter-conversation-{now:%Y%m%d-%H%M%S}.md"
        for old in d.glob("*.md"):
            old.unlink(missing_ok=True)
        path.write_text(conversation_markdown(s.turns, when=now.strftime("%Y-%m-%d %H:%M")), encoding="utf-8")
        s.export_path = str(path)
        return str(path)

    def on_load(self, request: gr.Request):
        lang = lang_from_header(request.headers.get("accept-language") if request is not None else None)
        s = new_session(lang)
        scope, cands_html, remove_pick, status = self.views.candidate_updates(s)
        return (s, self.views.chat_html(s), self.views.panel_html(s), scope, cands_html, remove_pick, status,
                gr.update(value=None, interactive=False))

    def ask(self, question: str, scope_ids, jd: str, s: WebSession | None):
        """Generator: the program's cited answer at once, the model's re-wording as it streams, then the final."""
        s = s or new_session()
        q = (question or "").strip()
        if not q or any(tv.state in ("pending", "evidence") for tv in s.turns):
            # nothing asked, or this chat is still answering: keep the question in the box
            yield s, gr.update(), gr.update(), gr.update(), gr.update()
            return
        cands = {c.id: c for c in self.app.library.candidates()}
        scope = [cid for cid in (scope_ids or []) if cid in cands] or None
        tv = TurnView(question=q, scope=[cands[c].name for c in scope] if scope else [], jd=bool((jd or "").strip()))
        s.turns.append(tv)
        idx = len(s.turns) - 1
        events: queue.Queue = queue.Queue()
        conv = s.conv

        def work():
            try:
                ans = self.app.assistant.ask(q, conversation=conv, scope=scope, jd=(jd or "").strip() or None,
                                             use_model=self.use_model,
                                             on_evidence=lambda a: events.put(("evidence", a)),
                                             on_token=lambda tok: events.put(("token", tok)))
                events.put(("done", ans))
            except Exception as e:  # noqa: BLE001 -- any failure is shown in the chat; the server keeps running
                events.put(("error", f"{type(e).__name__}: {e}"))

        threading.Thread(target=work, name="recruiter-ask", daemon=True).start()
        yield s, self.views.chat_html(s), gr.update(), "", gr.update()
        deadline = time.monotonic() + ASK_TIMEOUT_S
        dirty, last = False, 0.0
        while True:
            try:
                kind, payload = events.get(timeout=STREAM_INTERVAL_S)
            except queue.Empty:
                if time.monotonic() > deadline:
                    tv.state, tv.error = "error", f"no answer after {ASK_TIMEOUT_S} s"
                    yield s, self.views.chat_html(s), gr.update(), gr.update(), gr.update()
                    return
                if dirty:
                    dirty, last = False, time.monotonic()
                    yield s, self.views.chat_html(s), gr.update(), gr.update(), gr.update()
                continue
            if kind == "token":
                tv.preview += payload
                dirty = True
                if time.monotonic() - last >= STREAM_INTERVAL_S:
                    dirty, last = False, time.monotonic()
                    yield s, self.views.chat_html(s), gr.update(), gr.update(), gr.update()
                continue
            if kind == "evidence":
                tv.answer, tv.state = payload, "evidence"
                s.panel_turn, s.panel_active, s.panel_doc = idx, None, None
                yield s, self.views.chat_html(s), self.views.panel_html(s), gr.update(), gr.update()
                continue
            if kind == "done":
                tv.answer, tv.state, tv.preview = payload, "done", ""
                s.panel_turn, s.panel_active, s.panel_doc = idx, None, None
                path = self.write_export(s)
                yield (s, self.views.chat_html(s), self.views.panel_html(s), gr.update(),
                       gr.update(value=path, interactive=path is not None))
                return
            tv.state, tv.error = "error", str(payload)
            yield s, self.views.chat_html(s), gr.update(), gr.update(), gr.update()
            return

    def on_cite(self, s: WebSession | None, evt: gr.EventData):
        s = s or new_session()
        d = getattr(evt, "_data", None) or {}
        try:
            turn, n = int(d.get("turn", -1)), int(d.get("n", 0))
        except (TypeError, ValueError):
            return s, self.views.panel_html(s)
        if 0 <= turn < len(s.turns) and s.turns[turn].answer is not None:
            s.panel_turn, s.panel_active, s.panel_doc = turn, (n or None), None
        return s, self.views.panel_html(s)

    def on_doc(self, s: WebSession | None, evt: gr.EventData):
        s = s or new_session()
        d = getattr(evt, "_data", None) or {}
        try:
            turn, doc, n = int(d.get("turn", -1)), str(d.get("doc") or ""), int(d.get("n") or 0)
        except (TypeError, ValueError):
            return s, self.views.panel_html(s)
        if 0 <= turn < len(s.turns) and s.turns[turn].answer is not None and \
                any(c.doc_id == doc for c in s.turns[turn].answer.citations):
            s.panel_turn, s.panel_doc, s.panel_active = turn, doc, (n or None)
        return s, self.views.panel_html(s)

    def on_back(self, s: WebSession | None):
        s = s or new_session()
        s.panel_doc = None
        return s, self.views.panel_html(s)

    def on_example(self, evt: gr.EventData):
        d = getattr(evt, "_data", None) or {}
        return str(d.get("q") or "")[:500]

    def on_new_chat(self, s: WebSession | None):
        lang = s.lang if s else "en"
        s = new_session(lang)
        return s, self.views.chat_html(s), self.views.panel_html(s), "", gr.update(value=None, interactive=False)

    def on_scope(self, scope_ids, s: WebSession | None):
        s = s or new_session()
        s.scope_value = list(scope_ids or [])
        return s
