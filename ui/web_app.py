"""The web page: its layout and labels, and which callback each component drives.

The callbacks live in web_chat (asking, citations, export) and web_library (uploads, removal); the
views they render in web_views; style and scripts in web_assets. No business logic lives here.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from recruiter.ui.render_citations import citation_panel
from recruiter.ui.render_library import render_candidates
from recruiter.ui.web_assets import CHAT_JS, CSS, HEAD, PANEL_JS
from recruiter.ui.web_chat import ChatHandlers
from recruiter.ui.web_gradio import gr
from recruiter.ui.web_library import LibraryHandlers
from recruiter.ui.web_views import WebViews

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


class WebUI:
    """Builds the Blocks for one App; per-browser-session state travels in a ``gr.State``."""

    def __init__(self, app, *, use_model: bool | None = None, export_root: Path | None = None):
        self.app = app
        self.settings = app.settings
        self.use_model = (app.settings.llm != "none") if use_model is None else use_model
        self.export_root = Path(export_root or tempfile.mkdtemp(prefix="recruiter-export-"))
        self.uploads = Path(app.settings.home).resolve() / "uploads"
        self.max_bytes = int(app.settings.max_file_mb * 1024 * 1024)
        self.views = WebViews(app)
        self.chat_handlers = ChatHandlers(app, self.views, use_model=self.use_model, export_root=self.export_root)
        self.library_handlers = LibraryHandlers(app, self.views, uploads=self.uploads, max_bytes=self.max_bytes)

    def build(self):
        ch, lib = self.chat_handlers, self.library_handlers
        i18n = gr.I18n(**I18N)
        with gr.Blocks(title="Recruiter assistant", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            sess = gr.State(None)
            status = gr.HTML(self.views.status_html("en"), elem_id="status")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=260, elem_id="left-col"):
                    upload = gr.File(label=i18n("upload"), file_count="multiple", height=110, elem_id="upload-box")
                    upload_results = gr.HTML("", elem_id="upload-results")
                    scope = gr.CheckboxGroup(label=i18n("scope"), choices=[], elem_id="scope-box")
                    with gr.Accordion(label=i18n("details"), open=False, elem_id="cand-accordion"):
                        cands_html = gr.HTML(render_candidates([]), elem_id="cand-list")
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
                    panel = gr.HTML(citation_panel(None, "", None, self.views.doc_text), elem_id="citation-panel",
                                    js_on_load=PANEL_JS)

            cand_outputs = [scope, cands_html, remove_pick, status]
            demo.load(ch.on_load, None, [sess, chat, panel, *cand_outputs, export], queue=False,
                      show_progress="hidden")

            ask_outputs = [sess, chat, panel, question, export]
            for trig in (send.click, question.submit):
                trig(ch.ask, [question, scope, jd, sess], ask_outputs, show_progress="hidden",
                     concurrency_limit=4, concurrency_id="ask")
            chat.cite(ch.on_cite, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            chat.example(ch.on_example, None, [question], show_progress="hidden", concurrency_limit=None)
            panel.doc(ch.on_doc, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            panel.back(ch.on_back, [sess], [sess, panel], show_progress="hidden", concurrency_limit=None)
            new_chat.click(ch.on_new_chat, [sess], [sess, chat, panel, question, export], show_progress="hidden")
            scope.change(ch.on_scope, [scope, sess], [sess], show_progress="hidden", concurrency_limit=None)

            def upload_fn(files, s, progress=gr.Progress()):  # noqa: B008 -- Gradio's progress idiom
                return lib.on_upload(files, s, progress)

            upload.upload(upload_fn, [upload, sess], [sess, upload_results, upload, *cand_outputs, chat],
                          show_progress="full", concurrency_id="ingest", concurrency_limit=1)
            remove_btn.click(lib.on_remove_ask, [remove_pick, sess], [confirm_box, confirm_text, remove_msg],
                             show_progress="hidden")
            no_btn.click(lambda: gr.update(visible=False), None, [confirm_box], show_progress="hidden")
            yes_btn.click(lib.on_remove_confirm, [remove_pick, sess],
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
