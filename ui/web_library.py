"""Candidate library callbacks of the web UI: uploading CVs and removing a candidate (with a confirm step)."""
from __future__ import annotations

from pathlib import Path

from recruiter.ui.render_library import render_ingest_results
from recruiter.ui.render_text import esc
from recruiter.ui.web_gradio import gr
from recruiter.ui.web_session import WebSession, new_session
from recruiter.ui.web_uploads import discard_failed, remove_temp_files, stage_upload
from recruiter.ui.web_views import WebViews


class LibraryHandlers:
    """Gradio callbacks that change which candidates the store holds."""

    def __init__(self, app, views: WebViews, *, uploads: Path, max_bytes: int):
        self.app = app
        self.views = views
        self.uploads = uploads
        self.max_bytes = max_bytes

    def on_upload(self, files, s: WebSession | None, progress=None):
        s = s or new_session()
        files = [f for f in (files or []) if f]
        if not files:
            return (s, gr.update(), gr.update(value=None), *self.views.candidate_updates(s), gr.update())
        results, staged, existed = [], {}, {}
        for f in files:
            path, name, failure, was_there = stage_upload(str(f), self.uploads, self.max_bytes)
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
            discard_failed(out, existed, self.uploads)
            results += out
        remove_temp_files(files)
        scope, cands_html, remove_pick, status = self.views.candidate_updates(s)
        return (s, render_ingest_results(results, s.lang), gr.update(value=None), scope, cands_html, remove_pick,
                status, self.views.chat_refresh(s))

    def on_remove_ask(self, cid, s: WebSession | None):
        lang = s.lang if s else "en"
        c = next((c for c in self.app.library.candidates() if c.id == cid), None) if cid else None
        if c is None:
            msg = "先选择要删除的候选人。" if lang == "zh" else "Pick a candidate to remove first."
            return gr.update(visible=False), "", f'<div class="muted small">{esc(msg)}</div>'
        files = ", ".join(c.sources)
        q = (f"删除 <b>{esc(c.name)}</b>（{esc(files)}）及其全部段落？此操作不能撤销。" if lang == "zh" else
             f"Remove <b>{esc(c.name)}</b> ({esc(files)}) and all their passages from the store? This can't be undone.")
        return gr.update(visible=True), q, ""

    def on_remove_confirm(self, cid, s: WebSession | None):
        s = s or new_session()
        try:
            removed = self.app.library.remove(cid)
            msg = (f"已删除 {esc(removed.name)}。" if s.lang == "zh" else
                   f"Removed {esc(removed.name)} ({esc(', '.join(removed.sources))}).")
            self.views.forget_documents()
        except LookupError as e:
            msg = f'<span class="error">{esc(e)}</span>'
        scope, cands_html, remove_pick, status = self.views.candidate_updates(s)
        return (gr.update(visible=False), f'<div class="small">{msg}</div>', scope, cands_html, remove_pick,
                status, self.views.chat_refresh(s))
