"""`recruiter serve`: the Gradio web app over the same App the CLI uses.

This module wires components to the assistant and keeps per-browser-session state (one
``Conversation`` and the rendered turns per session); every piece of HTML comes from
``recruiter.ui.render``, which escapes all CV-derived text. No business logic lives here.
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # nothing leaves the machine

import gradio as gr
from recruiter.ui import render as R

DEFAULT_HOST = "127.0.0.1"
ASK_TIMEOUT_S = 600          # a stuck model must not hold the chat forever
STREAM_INTERVAL_S = 0.08     # at most ~12 UI updates a second while tokens stream


# ---------------------------------------------------------------------------------------------
# Binding and auth

class BindRefused(ValueError):
    pass


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False      # a host name: may resolve to anything


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """RECRUITER_AUTH: ``user:password``, or the path of a file with one ``user:password`` a line."""
    if not value:
        return None
    p = Path(value).expanduser()
    if p.is_file():
        lines = p.read_text(encoding="utf-8").splitlines()
    elif ":" in value:
        lines = [value]
    else:
        raise BindRefused(f"RECRUITER_AUTH must be user:password or the path of a file of user:password "
                          f"lines; {value!r} is neither.")
    pairs = []
    for ln in lines:
        ln = ln.strip()
        if not ln or ln.startswith("#"):
            continue
        user, sep, pw = ln.partition(":")
        if not sep or not user or not pw:
            raise BindRefused("RECRUITER_AUTH entries must look like user:password (both non-empty).")
        pairs.append((user, pw))
    if not pairs:
        raise BindRefused("RECRUITER_AUTH names a file with no user:password lines.")
    return pairs


def check_bind(host: str, env: dict | None = None) -> list[tuple[str, str]] | None:
    """The auth to use for ``host``; refuses a non-loopback host without RECRUITER_AUTH."""
    env = os.environ if env is None else env
    auth = parse_auth(env.get("RECRUITER_AUTH"))
    if not is_loopback(host) and auth is None:
        raise BindRefused(
            f"Refusing to listen on {host}: anyone who can reach this machine could read every CV in the "
            f"store. Set RECRUITER_AUTH=user:password (or the path of a file of user:password lines) to "
            f"require a login, or keep the default --host {DEFAULT_HOST}.")
    return auth


# ---------------------------------------------------------------------------------------------
# Per-session state

@dataclass
class WebSession:
    conv: object
    lang: str = "en"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[R.TurnView] = field(default_factory=list)
    panel_turn: int | None = None
    panel_active: int | None = None
    panel_doc: str | None = None
    export_path: str | None = None
    scope_value: list[str] = field(default_factory=list)


I18N = {
    "en": {"upload": "Upload CVs (PDF, DOCX, TXT, MD, HTML — several at once)",
           "scope": "Ask about these (none ticked = everyone)", "question": "Your question",
           "question_ph": "Ask about a candidate, compare them, or ask who has a skill — e.g. Who knows Python?",
           "send": "Ask", "new_chat": "New chat", "jd": "Job description (optional: paste it to rank candidates against it)",
           "remove_pick": "Remove a candidate", "remove": "Remove…", "yes_remove": "Yes, remove",
           "cancel": "Cancel", "details": "Candidate details & removal", "candidates": "Candidates",
           "export": "Export chat (.md)"},
    "zh": {"upload": "上传简历（PDF、DOCX、TXT、MD、HTML，可多选）",
           "scope": "只问这些候选人（不选 = 全部）", "question": "你的问题",
           "question_ph": "询问某位候选人、比较候选人，或问谁有某项技能——例如：谁会 Python？",
           "send": "提问", "new_chat": "新对话", "jd": "职位描述（可选：粘贴后按它给候选人排序）",
           "remove_pick": "删除候选人", "remove": "删除…", "yes_remove": "确认删除",
           "cancel": "取消", "details": "候选人详情与删除", "candidates": "候选人",
           "export": "导出对话 (.md)"},
}

CSS = """
.gradio-container { max-width: 100% !important; padding: 6px 12px !important; }
footer { display: none !important; }
.app-head { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; padding: 2px 2px 0; }
.app-head h1 { font-size: 1.1rem; margin: 0; white-space: nowrap; }
.status-line { font-size: 0.85rem; color: var(--body-text-color-subdued); display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.status-line .dot { width: 9px; height: 9px; border-radius: 50%; background: #16a34a; display: inline-block; }
.status-line.remote .dot { background: #d97706; }
#left-col, #mid-col, #right-col { gap: 8px; }
#chat { height: calc(100vh - 262px); min-height: 250px; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
        border-radius: 8px; padding: 8px 10px; background: var(--background-fill-secondary); }
#citation-panel { height: calc(100vh - 100px); min-height: 320px; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
                  border-radius: 8px; padding: 8px 10px; }
#cand-list { max-height: 30vh; overflow-y: auto !important; }
#left-col { max-height: calc(100vh - 58px); overflow-y: auto !important; flex-wrap: nowrap !important; padding-right: 2px; }
.chat-log .turn { margin-bottom: 10px; }
.msg { display: flex; flex-direction: column; margin: 4px 0; }
.msg .who { font-size: 0.72rem; color: var(--body-text-color-subdued); margin: 0 4px 2px; }
.msg.user { align-items: flex-end; }
.msg.user .bubble { background: var(--color-accent-soft); max-width: 85%; }
.msg .bubble { border-radius: 10px; padding: 7px 10px; background: var(--background-fill-primary);
               border: 1px solid var(--border-color-primary); max-width: 100%; overflow-wrap: anywhere; }
.msg.bot.selected .bubble { border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent); }
.msg.bot.abstained .bubble { background: #fffbeb; }
.answer-body { white-space: pre-wrap; line-height: 1.5; }
.answer-body.has-table { white-space: normal; }
.answer-body.error { color: #b91c1c; }
.answer-body .lead { margin: 0 0 4px; font-weight: 600; }
.answer-body .tail { margin: 4px 0 0; font-size: 0.8rem; }
table.answer-table { border-collapse: collapse; width: 100%; font-size: 0.88rem; margin: 2px 0; }
table.answer-table th, table.answer-table td { border: 1px solid var(--border-color-primary); padding: 4px 6px; vertical-align: top; text-align: left; }
table.answer-table th { background: var(--background-fill-secondary); font-weight: 600; }
table.answer-table td.cand { font-weight: 600; white-space: nowrap; }
table.answer-table td.num, table.answer-table td.score { white-space: nowrap; }
table.answer-table[data-intent="rank"] td:last-child { white-space: nowrap; }
.cp[data-mode="doc"] .back-link, .cp[data-mode="doc"] .cp-head { position: sticky; background: var(--background-fill-primary); z-index: 1; }
.cp[data-mode="doc"] .back-link { top: -8px; display: block; padding-top: 4px; text-align: left; }
.cp[data-mode="doc"] .cp-head { top: 16px; padding-bottom: 4px; border-bottom: 1px solid var(--border-color-primary); }
table.answer-table .cell-item + .cell-item { margin-top: 3px; padding-top: 3px; border-top: 1px dashed var(--border-color-primary); }
table.answer-table tr.muted-row td { color: var(--body-text-color-subdued); }
a.cite-marker { color: var(--color-accent); font-weight: 600; cursor: pointer; text-decoration: none; padding: 0 1px; border-radius: 3px; }
a.cite-marker:hover, a.cite-marker:focus { background: var(--color-accent-soft); }
.meta { display: flex; gap: 10px; align-items: center; margin-top: 5px; font-size: 0.75rem; }
.badge { background: var(--background-fill-secondary); border-radius: 9px; padding: 1px 7px; color: var(--body-text-color-subdued); }
.badge.abstained { background: #fef3c7; color: #92400e; }
a.show-sources, a.doc-link, a.back-link, a.example { color: var(--color-accent); cursor: pointer; text-decoration: underline; }
.note { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 3px; }
.preview { margin-top: 6px; padding: 6px; border-left: 3px solid var(--color-accent-soft); white-space: pre-wrap; opacity: 0.8; }
.scope-note { font-size: 0.72rem; color: var(--body-text-color-subdued); margin-top: 2px; }
.muted { color: var(--body-text-color-subdued); }
.small { font-size: 0.75rem; }
.empty-state { padding: 12px 6px; }
.empty-state h3 { margin: 0 0 6px; font-size: 1.05rem; }
.empty-state .secondary { margin-top: 14px; opacity: 0.7; font-size: 0.85rem; }
.empty-state .examples { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.empty-state a.example { border: 1px solid var(--border-color-primary); border-radius: 14px; padding: 3px 10px; text-decoration: none; font-size: 0.85rem; }
.dots::after { content: "…"; animation: blink 1s infinite; }
@keyframes blink { 50% { opacity: 0.2; } }
.cp-head { font-size: 0.85rem; margin-bottom: 6px; color: var(--body-text-color-subdued); }
.cp-head q { color: var(--body-text-color); }
.panel-empty { color: var(--body-text-color-subdued); padding: 10px 2px; }
.cite-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 8px; margin-bottom: 8px; scroll-margin: 8px; }
.cite-card.active { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.cite-head { font-size: 0.85rem; display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
.cite-head .cite-n { color: var(--color-accent); font-weight: 700; }
.cite-head .src { color: var(--body-text-color-subdued); font-size: 0.78rem; overflow-wrap: anywhere; }
.ctx { white-space: pre-wrap; font-size: 0.82rem; line-height: 1.45; margin: 5px 0; color: var(--body-text-color-subdued);
       max-height: 220px; overflow-y: auto; overflow-wrap: anywhere; }
mark.hl { background: #fde68a; color: #111; padding: 0 1px; border-radius: 2px; }
.cite-foot { display: flex; justify-content: space-between; font-size: 0.78rem; }
.doc-text { white-space: pre-wrap; font-size: 0.82rem; line-height: 1.45; overflow-wrap: anywhere; margin-top: 6px; }
sup.doc-marker { color: var(--color-accent); font-weight: 700; scroll-margin: 60px; }
ul.cands { list-style: none; padding: 0; margin: 0; font-size: 0.85rem; }
ul.cands li { padding: 4px 2px; border-bottom: 1px solid var(--border-color-primary); }
ul.cands .aka { color: var(--body-text-color-subdued); font-size: 0.78rem; }
ul.cands .files { color: var(--body-text-color-subdued); font-size: 0.72rem; overflow-wrap: anywhere; }
.flag { display: inline-block; font-size: 0.72rem; color: #92400e; background: #fef3c7; border-radius: 4px; padding: 0 4px; margin-top: 2px; }
.cands.empty { color: var(--body-text-color-subdued); font-size: 0.85rem; padding: 4px; }
.ingest-results { font-size: 0.8rem; }
.ingest-results .summary { font-weight: 600; margin-bottom: 4px; }
.ingest-results .res { border-left: 3px solid #16a34a; padding: 2px 6px; margin-bottom: 4px; background: var(--background-fill-secondary); border-radius: 0 4px 4px 0; }
.ingest-results .res.st-failed { border-left-color: #dc2626; background: #fef2f2; }
.ingest-results .res.st-unchanged { border-left-color: var(--border-color-primary); }
.ingest-results .res.st-replaced { border-left-color: #2563eb; }
.ingest-results .res-head { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
.ingest-results .mark { font-weight: 700; }
.ingest-results .fname { font-weight: 600; overflow-wrap: anywhere; }
.ingest-results .status { color: var(--body-text-color-subdued); }
.ingest-results .st-failed .status, .ingest-results .st-failed .mark { color: #b91c1c; }
.ingest-results .reason { font-family: var(--font-mono); font-size: 0.7rem; color: #b91c1c; }
.ingest-results .msg-text, .ingest-results .detail { overflow-wrap: anywhere; }
.ingest-results .warn { color: #92400e; }
#upload-box { min-height: 0; }
#confirm-box { border: 1px solid #fca5a5; border-radius: 8px; padding: 6px; background: #fef2f2; }
#scope-box label { font-size: 0.85rem; }
"""

HEAD = """
<script>
window.recruiterUI = {
  scrollTo(el, center) {
    const box = document.getElementById('citation-panel');
    if (!box || !el) return;
    const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTop = Math.max(0, center ? top - box.clientHeight / 3 : top - 8);
  },
  activate(cp, n) {
    cp.querySelectorAll('.cite-card.active').forEach(e => e.classList.remove('active'));
    const card = n ? cp.querySelector('#cite-' + cp.dataset.turn + '-' + n) : cp.querySelector('.cite-card');
    if (card) { card.classList.add('active'); this.scrollTo(card, false); }
    document.querySelectorAll('#chat .msg.bot.selected').forEach(e => e.classList.remove('selected'));
    const b = document.querySelector('#chat #turn-' + cp.dataset.turn + ' .msg.bot');
    if (b) b.classList.add('selected');
  },
  focusCite(turn, n) {
    const cp = document.querySelector('#citation-panel .cp');
    if (!cp || cp.dataset.mode !== 'cites' || parseInt(cp.dataset.turn) !== turn) return false;
    this.activate(cp, n);
    return true;
  },
  afterPanel(root) {
    const cp = root.querySelector('.cp');
    if (!cp) return;
    if (cp.dataset.mode === 'cites') {
      const n = parseInt(cp.dataset.active || '0');
      if (n) this.activate(cp, n); else { const box = document.getElementById('citation-panel'); if (box) box.scrollTop = 0; }
    } else if (cp.dataset.mode === 'doc') {
      const f = cp.dataset.focus;
      const m = root.querySelector('#doc-cite-' + f) || root.querySelector('mark.hl');
      this.scrollTo(m, true);
    } else {
      const box = document.getElementById('citation-panel');
      if (box) box.scrollTop = 0;
    }
  }
};
</script>
"""

CHAT_JS = """
element.addEventListener('click', (ev) => {
  const ex = ev.target.closest('[data-example]');
  if (ex) { ev.preventDefault(); trigger('example', {q: ex.dataset.example}); return; }
  const a = ev.target.closest('[data-cite]');
  if (!a) return;
  ev.preventDefault();
  const turn = parseInt(a.dataset.turn), n = parseInt(a.dataset.cite);
  if (window.recruiterUI && window.recruiterUI.focusCite(turn, n)) return;
  trigger('cite', {turn: turn, n: n});
});
element.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.matches('[role=button]')) { ev.preventDefault(); ev.target.click(); }
});
let lastKey = '';
watch('value', () => {
  // a new question or a new stage of the last answer: bring the last turn into view
  const turns = element.querySelectorAll('.turn');
  const last = turns[turns.length - 1];
  const key = last ? turns.length + ':' + last.dataset.state : '';
  if (key === lastKey) return;
  lastKey = key;
  const box = document.getElementById('chat');
  if (!box || !last) return;
  const top = last.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTop = last.offsetHeight <= box.clientHeight - 16 ? box.scrollHeight : Math.max(0, top - 8);
});
"""

PANEL_JS = """
element.addEventListener('click', (ev) => {
  const d = ev.target.closest('[data-doc]');
  if (d) { ev.preventDefault(); trigger('doc', {turn: parseInt(d.dataset.turn), doc: d.dataset.doc, n: parseInt(d.dataset.cite || '0')}); return; }
  const b = ev.target.closest('[data-back]');
  if (b) { ev.preventDefault(); trigger('back', {turn: parseInt(b.dataset.turn)}); return; }
});
element.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.matches('[role=button]')) { ev.preventDefault(); ev.target.click(); }
});
watch('value', () => { if (window.recruiterUI) window.recruiterUI.afterPanel(element); });
"""


# ---------------------------------------------------------------------------------------------
# The UI

class WebUI:
    """Builds the Blocks for one App; handlers render through ``recruiter.ui.render``."""

    def __init__(self, app, *, use_model: bool | None = None, export_root: Path | None = None):
        self.app = app
        self.settings = app.settings
        self.use_model = (app.settings.llm != "none") if use_model is None else use_model
        self.export_root = Path(export_root or tempfile.mkdtemp(prefix="recruiter-export-"))
        self.uploads = Path(app.settings.home).resolve() / "uploads"
        self.max_bytes = int(app.settings.max_file_mb * 1024 * 1024)
        self._doc_cache: dict[str, str | None] = {}
        self._doc_lock = threading.Lock()

    # -- data helpers ------------------------------------------------------------------------
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

    def new_session(self, lang: str = "en") -> WebSession:
        from recruiter.assistant.service import Conversation
        return WebSession(conv=Conversation(), lang=lang)

    def examples(self, cands, lang: str) -> list[str]:
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

    # -- renderers ---------------------------------------------------------------------------
    def chat_html(self, s: WebSession) -> str:
        cands = self.app.library.candidates() if not s.turns else []
        empty = R.empty_chat([c.name for c in cands], s.lang, self.examples(cands, s.lang)) if not s.turns else ""
        return R.render_chat(s.turns, s.lang, empty, selected=s.panel_turn)

    def panel_html(self, s: WebSession) -> str:
        i = s.panel_turn
        if i is None or i >= len(s.turns) or s.turns[i].answer is None:
            return R.citation_panel(None, "", None, self.doc_text, s.lang)
        tv = s.turns[i]
        if s.panel_doc:
            cits = [c for c in tv.answer.citations if c.doc_id == s.panel_doc]
            text = self.doc_text(s.panel_doc)
            first = cits[0] if cits else None
            return R.document_view(i, first.source if first else "", first.candidate if first else "", text,
                                   [(c.start, c.end, c.n) for c in cits], s.lang, focus=s.panel_active)
        return R.citation_panel(i, tv.question, tv.answer, self.doc_text, s.lang, active=s.panel_active)

    def status_html(self, lang: str) -> str:
        return (f'<div class="app-head"><h1>{"招聘助手" if lang == "zh" else "Recruiter assistant"}</h1>'
                + R.render_status(self.app.describe_llm(), len(self.app.library.candidates()), lang) + "</div>")

    def candidate_updates(self, s: WebSession):
        cands = self.app.library.candidates()
        choices = [(R.candidate_label(c), c.id) for c in cands]
        ids = {c.id for c in cands}
        return (gr.update(choices=choices, value=[v for v in s.scope_value if v in ids]),
                R.render_candidates(cands, s.lang),
                gr.update(choices=[(R.candidate_label(c) + (f"  [{', '.join(c.sources)}]" if c.sources else ""), c.id)
                                   for c in cands], value=None),
                self.status_html(s.lang))

    # -- export ------------------------------------------------------------------------------
    def write_export(self, s: WebSession) -> str | None:
        if not any(tv.state == "done" for tv in s.turns):
            return None
        d = self.export_root / s.id
        d.mkdir(parents=True, exist_ok=True)
        now = datetime.now()
        path = d / f"recruiter-conversation-{now:%Y%m%d-%H%M%S}.md"
        for old in d.glob("*.md"):
            old.unlink(missing_ok=True)
        path.write_text(R.conversation_markdown(s.turns, when=now.strftime("%Y-%m-%d %H:%M")), encoding="utf-8")
        s.export_path = str(path)
        return str(path)

    # -- handlers ----------------------------------------------------------------------------
    def on_load(self, request: gr.Request):
        lang = R.lang_from_header(request.headers.get("accept-language") if request is not None else None)
        s = self.new_session(lang)
        scope, cands_html, remove_pick, status = self.candidate_updates(s)
        return (s, self.chat_html(s), self.panel_html(s), scope, cands_html, remove_pick, status,
                gr.update(value=None, interactive=False))

    def ask(self, question: str, scope_ids, jd: str, s: WebSession | None):
        """Generator: the program's cited answer at once, the model's re-wording as it streams, then the final."""
        s = s or self.new_session()
        q = (question or "").strip()
        if not q or any(tv.state in ("pending", "evidence") for tv in s.turns):
            # nothing asked, or this chat is still answering: keep the question in the box
            yield s, gr.update(), gr.update(), gr.update(), gr.update()
            return
        cands = {c.id: c for c in self.app.library.candidates()}
        scope = [cid for cid in (scope_ids or []) if cid in cands] or None
        tv = R.TurnView(question=q, scope=[cands[c].name for c in scope] if scope else [], jd=bool((jd or "").strip()))
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
        yield s, self.chat_html(s), gr.update(), "", gr.update()
        deadline = time.monotonic() + ASK_TIMEOUT_S
        dirty, last = False, 0.0
        while True:
            try:
                kind, payload = events.get(timeout=STREAM_INTERVAL_S)
            except queue.Empty:
                if time.monotonic() > deadline:
                    tv.state, tv.error = "error", f"no answer after {ASK_TIMEOUT_S} s"
                    yield s, self.chat_html(s), gr.update(), gr.update(), gr.update()
                    return
                if dirty:
                    dirty, last = False, time.monotonic()
                    yield s, self.chat_html(s), gr.update(), gr.update(), gr.update()
                continue
            if kind == "token":
                tv.preview += payload
                dirty = True
                if time.monotonic() - last >= STREAM_INTERVAL_S:
                    dirty, last = False, time.monotonic()
                    yield s, self.chat_html(s), gr.update(), gr.update(), gr.update()
                continue
            if kind == "evidence":
                tv.answer, tv.state = payload, "evidence"
                s.panel_turn, s.panel_active, s.panel_doc = idx, None, None
                yield s, self.chat_html(s), self.panel_html(s), gr.update(), gr.update()
                continue
            if kind == "done":
                tv.answer, tv.state, tv.preview = payload, "done", ""
                s.panel_turn, s.panel_active, s.panel_doc = idx, None, None
                path = self.write_export(s)
                yield (s, self.chat_html(s), self.panel_html(s), gr.update(),
                       gr.update(value=path, interactive=path is not None))
                return
            tv.state, tv.error = "error", str(payload)
            yield s, self.chat_html(s), gr.update(), gr.update(), gr.update()
            return

    def on_cite(self, s: WebSession | None, evt: gr.EventData):
        s = s or self.new_session()
        d = getattr(evt, "_data", None) or {}
        try:
            turn, n = int(d.get("turn", -1)), int(d.get("n", 0))
        except (TypeError, ValueError):
            return s, self.panel_html(s)
        if 0 <= turn < len(s.turns) and s.turns[turn].answer is not None:
            s.panel_turn, s.panel_active, s.panel_doc = turn, (n or None), None
        return s, self.panel_html(s)

    def on_doc(self, s: WebSession | None, evt: gr.EventData):
        s = s or self.new_session()
        d = getattr(evt, "_data", None) or {}
        try:
            turn, doc, n = int(d.get("turn", -1)), str(d.get("doc") or ""), int(d.get("n") or 0)
        except (TypeError, ValueError):
            return s, self.panel_html(s)
        if 0 <= turn < len(s.turns) and s.turns[turn].answer is not None and \
                any(c.doc_id == doc for c in s.turns[turn].answer.citations):
            s.panel_turn, s.panel_doc, s.panel_active = turn, doc, (n or None)
        return s, self.panel_html(s)

    def on_back(self, s: WebSession | None):
        s = s or self.new_session()
        s.panel_doc = None
        return s, self.panel_html(s)

    def on_example(self, evt: gr.EventData):
        d = getattr(evt, "_data", None) or {}
        return str(d.get("q") or "")[:500]

    def on_new_chat(self, s: WebSession | None):
        lang = s.lang if s else "en"
        s = self.new_session(lang)
        return s, self.chat_html(s), self.panel_html(s), "", gr.update(value=None, interactive=False)

    def on_scope(self, scope_ids, s: WebSession | None):
        s = s or self.new_session()
        s.scope_value = list(scope_ids or [])
        return s

    def stage_upload(self, tmp_path: str) -> tuple[Path | None, str, object | None, bool]:
        """Copy one uploaded file into the data dir under its own (safe) name.

        Returns (staged path, source name, failure FileResult or None, whether that exact file was
        there already). Each upload goes to
        ``home/uploads/<content hash>/<name>``: a name can't leave that folder, and two different files
        with the same name don't overwrite each other on disk.
        """
        from recruiter.assistant.library import FileResult
        src = Path(tmp_path)
        name = R.safe_upload_name(src.name)
        try:
            size = src.stat().st_size
        except OSError as e:
            return None, name, FileResult(str(src), name, "failed", reason="unreadable",
                                          message=f"Could not read the upload of {name}: {e.strerror}. Upload it again."), False
        if size > self.max_bytes:
            return None, name, FileResult(
                str(src), name, "failed", reason="too_large",
                message=f"{name} is {size / 1e6:.1f} MB; the limit is {self.max_bytes / 1e6:.1f} MB. "
                        f"Upload a smaller file (e.g. a PDF without scanned images) or raise RECRUITER_MAX_FILE_MB."), False
        h = hashlib.sha256()
        with open(src, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        dest_dir = (self.uploads / h.hexdigest()[:16]).resolve()
        dest = (dest_dir / name).resolve()
        if dest.parent != dest_dir or not dest.is_relative_to(self.uploads):
            return None, name, FileResult(str(src), name, "failed", reason="bad_name",
                                          message=f"{name!r} is not a usable file name. Rename the file and upload it again."), False
        dest_dir.mkdir(parents=True, exist_ok=True)
        existed = dest.exists()
        if not existed:
            shutil.copyfile(src, dest)
        return dest, name, None, existed

    def on_upload(self, files, s: WebSession | None, progress=None):
        s = s or self.new_session()
        files = [f for f in (files or []) if f]
        if not files:
            return (s, gr.update(), gr.update(value=None), *self.candidate_updates(s), gr.update())
        results, staged, existed = [], {}, {}
        for f in files:
            path, name, failure, was_there = self.stage_upload(str(f))
            if failure is not None:
                results.append(failure)
            else:
                existed[str(path)] = was_there
                staged[str(path)] = name
        done = [0]
        total = len(staged)

        def tick(r):
            done[0] += 1
            if progress is not None:
                progress((done[0], total), desc=f"{r.source}: {r.status}")

        if progress is not None and total:
            progress((0, total), desc="Reading CVs…")
        if staged:
            out = self.app.library.ingest(list(staged), sources=staged, on_result=tick)
            for r in out:
                if r.status == "failed" and not existed.get(r.path):
                    p = Path(r.path)
                    if p.is_relative_to(self.uploads):
                        p.unlink(missing_ok=True)
                        try:
                            p.parent.rmdir()
                        except OSError:
                            pass
            results += out
        for f in files:       # the copy in Gradio's temp folder is no longer needed
            try:
                Path(str(f)).unlink(missing_ok=True)
            except OSError:
                pass
        scope, cands_html, remove_pick, status = self.candidate_updates(s)
        chat = self.chat_html(s) if not s.turns else gr.update()
        return (s, R.render_ingest_results(results, s.lang), gr.update(value=None), scope, cands_html, remove_pick,
                status, chat)

    def on_remove_ask(self, cid, s: WebSession | None):
        lang = s.lang if s else "en"
        c = next((c for c in self.app.library.candidates() if c.id == cid), None) if cid else None
        if c is None:
            msg = "先选择要删除的候选人。" if lang == "zh" else "Pick a candidate to remove first."
            return gr.update(visible=False), "", f'<div class="muted small">{R.esc(msg)}</div>'
        files = ", ".join(c.sources)
        q = (f"删除 <b>{R.esc(c.name)}</b>（{R.esc(files)}）及其全部段落？此操作不能撤销。" if lang == "zh" else
             f"Remove <b>{R.esc(c.name)}</b> ({R.esc(files)}) and all their passages from the store? This can't be undone.")
        return gr.update(visible=True), q, ""

    def on_remove_confirm(self, cid, s: WebSession | None):
        s = s or self.new_session()
        try:
            removed = self.app.library.remove(cid)
            msg = (f"已删除 {R.esc(removed.name)}。" if s.lang == "zh" else
                   f"Removed {R.esc(removed.name)} ({R.esc(', '.join(removed.sources))}).")
            with self._doc_lock:
                self._doc_cache.clear()
        except LookupError as e:
            msg = f'<span class="error">{R.esc(e)}</span>'
        scope, cands_html, remove_pick, status = self.candidate_updates(s)
        chat = self.chat_html(s) if not s.turns else gr.update()
        return (gr.update(visible=False), f'<div class="small">{msg}</div>', scope, cands_html, remove_pick,
                status, chat)

    # -- layout ------------------------------------------------------------------------------
    def build(self):
        i18n = gr.I18n(**I18N)
        with gr.Blocks(title="Recruiter assistant", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            sess = gr.State(None)
            status = gr.HTML(self.status_html("en"), elem_id="status")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=260, elem_id="left-col"):
                    upload = gr.File(label=i18n("upload"), file_count="multiple", height=110, elem_id="upload-box")
                    upload_results = gr.HTML("", elem_id="upload-results")
                    scope = gr.CheckboxGroup(label=i18n("scope"), choices=[], elem_id="scope-box")
                    with gr.Accordion(label=i18n("details"), open=False, elem_id="cand-accordion"):
                        cands_html = gr.HTML(R.render_candidates([]), elem_id="cand-list")
                        remove_pick = gr.Dropdown(label=i18n("remove_pick"), choices=[], value=None,
                                                  elem_id="remove-pick")
                        remove_btn = gr.Button(i18n("remove"), variant="stop", size="sm", elem_id="remove-btn")
                        with gr.Group(visible=False, elem_id="confirm-box") as confirm_box:
                            confirm_text = gr.HTML("", elem_id="confirm-text")
                            with gr.Row():
                                yes_btn = gr.Button(i18n("yes_remove"), variant="stop", size="sm", elem_id="confirm-yes")
                                no_btn = gr.Button(i18n("cancel"), size="sm", elem_id="confirm-no")
                        remove_msg = gr.HTML("", elem_id="remove-msg")
                with gr.Column(scale=5, min_width=380, elem_id="mid-col"):
                    chat = gr.HTML('<div class="chat-log loading"></div>', elem_id="chat",
                                   js_on_load=CHAT_JS)
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(label=i18n("question"), placeholder=i18n("question_ph"), lines=1,
                                              max_lines=5, scale=6, elem_id="question", show_label=False,
                                              autofocus=True)
                        send = gr.Button(i18n("send"), variant="primary", scale=1, min_width=70, elem_id="send")
                    with gr.Row(equal_height=True):
                        new_chat = gr.Button(i18n("new_chat"), size="sm", elem_id="new-chat", scale=1)
                        export = gr.DownloadButton(i18n("export"), value=None, size="sm", interactive=False,
                                                   elem_id="export", scale=1)
                    with gr.Accordion(label=i18n("jd"), open=False, elem_id="jd-accordion"):
                        jd = gr.Textbox(show_label=False, lines=4, max_lines=12, elem_id="jd")
                with gr.Column(scale=5, min_width=320, elem_id="right-col"):
                    panel = gr.HTML(R.citation_panel(None, "", None, self.doc_text), elem_id="citation-panel",
                                    js_on_load=PANEL_JS)

            cand_outputs = [scope, cands_html, remove_pick, status]
            demo.load(self.on_load, None, [sess, chat, panel, *cand_outputs, export], queue=False,
                      show_progress="hidden")

            ask_outputs = [sess, chat, panel, question, export]
            for trig in (send.click, question.submit):
                trig(self.ask, [question, scope, jd, sess], ask_outputs, show_progress="hidden",
                     concurrency_limit=4, concurrency_id="ask")
            chat.cite(self.on_cite, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            chat.example(self.on_example, None, [question], show_progress="hidden", concurrency_limit=None)
            panel.doc(self.on_doc, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            panel.back(self.on_back, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            new_chat.click(self.on_new_chat, [sess], [sess, chat, panel, question, export], show_progress="hidden")
            scope.change(self.on_scope, [scope, sess], [sess], show_progress="hidden", concurrency_limit=None)

            def upload_fn(files, s, progress=gr.Progress()):  # noqa: B008 -- Gradio's progress idiom
                return self.on_upload(files, s, progress)

            upload.upload(upload_fn, [upload, sess], [sess, upload_results, upload, *cand_outputs, chat],
                          show_progress="full", concurrency_id="ingest", concurrency_limit=1)
            remove_btn.click(self.on_remove_ask, [remove_pick, sess], [confirm_box, confirm_text, remove_msg],
                             show_progress="hidden")
            no_btn.click(lambda: gr.update(visible=False), None, [confirm_box], show_progress="hidden")
            yes_btn.click(self.on_remove_confirm, [remove_pick, sess],
                          [confirm_box, remove_msg, *cand_outputs, chat], concurrency_id="ingest")
        self.i18n = i18n
        return demo


def build_ui(app, **kw):
    """(WebUI, Blocks) for ``app``; launch the Blocks with ``launch_kwargs(ui, demo)``."""
    ui = WebUI(app, **kw)
    return ui, ui.build()


def launch_kwargs(ui: WebUI, demo) -> dict:
    return {"theme": gr.themes.Default(), "css": CSS, "head": HEAD, "i18n": ui.i18n, "footer_links": [],
            "ssr_mode": False, "share": False, "show_error": True, "quiet": True,
            "allowed_paths": [str(ui.export_root)],
            # a hard cap for the HTTP upload; the per-file limit is reported per file by the library
            "max_file_size": max(ui.max_bytes * 4, 50 * 1024 * 1024)}


def serve(args, settings, console) -> int:
    """`recruiter serve`: refuse an open bind without auth, open the store, launch, block until Ctrl+C."""
    host = args.host or DEFAULT_HOST
    try:
        auth = check_bind(host)
    except BindRefused as e:
        from rich.markup import escape
        console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        return 2
    from recruiter.assistant.app import App

    app = App.open(settings)
    export_root = Path(tempfile.mkdtemp(prefix="recruiter-export-"))
    demo = None
    try:
        if getattr(args, "ingest", None):
            from recruiter.ui import terminal
            terminal.print_ingest(console, app.library.ingest(args.ingest, progress=False))
        ui, demo = build_ui(app, export_root=export_root)
        demo.queue(default_concurrency_limit=1)

        def _term(*_):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, _term)
        demo.launch(server_name=host, server_port=args.port, auth=auth, prevent_thread_lock=True,
                    auth_message="Recruiter assistant: sign in (RECRUITER_AUTH)." if auth else None,
                    **launch_kwargs(ui, demo))
        url = f"http://{'[' + host + ']' if ':' in host else host}:{demo.server_port}/"
        console.print(f"Recruiter assistant on [bold]{url}[/bold] — {len(app.library.candidates())} candidates. "
                      f"{app.describe_llm()['summary']}" + (" Login required." if auth else ""), highlight=False)
        sys.stdout.flush()
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        if demo is not None and demo.is_running:
            demo.close()
        app.close()
        shutil.rmtree(export_root, ignore_errors=True)
    return 0
