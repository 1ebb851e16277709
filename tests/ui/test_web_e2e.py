"""The web UI in a real browser: `recruiter serve --llm none` on a free loopback port, a fresh store,
Debian chromium driven by Playwright. Screenshots of the main states go to test-artifacts/ui/."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from servers import start_server, stop_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = (REPO / ".." / "shared" / "corpus" / "fixtures").resolve()
SAMPLE = FIXTURES / "txt" / "soupboss_sample_resume.txt"
HR = FIXTURES / "txt" / "updatedresumedataset_hr.txt"
BAD = [FIXTURES / "bad" / "zero_bytes.pdf", FIXTURES / "bad" / "png_renamed_to.pdf"]
ARTIFACTS = REPO / "test-artifacts" / "ui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 30_000

# A CV whose text is HTML, Markdown and template syntax: it must show as text and never run.
HOSTILE_CV = """Mallory Example
Security Researcher

Contact: mallory@example.org

Summary:
Breaks web apps for a living. <script>window.__xss = 1</script> <img src=x onerror="window.__xss=2"> **bold claim** [link](javascript:alert(1)) ${window.__xss=3} {{constructor.constructor('window.__xss=4')()}}

Work Experience:
Penetration Tester | <b>Evil Corp</b> | 2019 - 2023
- Found stored XSS via <iframe src="javascript:window.__xss=5"></iframe> in the billing portal

Education:
MSc Computer Security, University of <em>Testing</em>, 2018
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not SAMPLE.exists():
        pytest.fail(f"fixture CV not found at {SAMPLE}: clone the repo next to ../shared")
    root = tmp_path_factory.mktemp("web")
    srv = start_server(root / "home", root / "serve.log")
    yield srv
    stop_server(srv.proc)
    assert srv.proc.returncode is not None


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} not installed (scripts/test.sh installs it: apt-get install chromium)"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def open_page(browser, server, locale="en-US"):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale=locale)
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    pg.external = []         # any request that would leave the machine
    pg.errors = []
    pg.on("request", lambda r: pg.external.append(r.url)
          if urlparse(r.url).scheme in ("http", "https", "ws", "wss") and urlparse(r.url).hostname != "127.0.0.1"
          else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(server.url)
    pg.wait_for_selector("#chat .empty-state, #chat .turn")   # on_load has run
    return ctx, pg


@pytest.fixture
def page(browser, server):
    ctx, pg = open_page(browser, server)
    yield pg
    ext = list(pg.external)
    ctx.close()
    assert not ext, f"the UI tried to reach beyond this machine: {ext}"


def store_state(home: Path):
    """Candidates and counts as the store holds them (read-only: the server is the writer)."""
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings
    with App.open(Settings.from_env(env={}, home=home, llm="none"), read_only=True) as app:
        st = app.store.stats()
        return (sorted(c.name for c in app.library.candidates()),
                {k: st[k] for k in ("candidates", "documents", "passages")})


def upload(pg, files, expect_names):
    pg.set_input_files("#upload-box input[type=file]", [str(f) for f in files])
    for name in expect_names:
        pg.wait_for_selector(f"#upload-results .ingest-results .fname:text-is('{name}')")
    return pg.inner_text("#upload-results")


def scope_labels(pg) -> list[str]:
    return [t.strip() for t in pg.locator("#scope-box label").all_inner_texts() if t.strip()]


def ask(pg, question: str) -> int:
    n = pg.locator("#chat .turn").count()
    pg.fill("#question textarea", question)
    pg.click("#send")
    pg.wait_for_selector(f"#chat #turn-{n}[data-state=done]")
    return n


@pytest.fixture(scope="module")
def hostile_cv(tmp_path_factory):
    p = tmp_path_factory.mktemp("cv") / "mallory_cv.txt"
    p.write_text(HOSTILE_CV, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def loaded(browser, server, hostile_cv, artifacts):
    """The store holds the fixture CV and the hostile CV, uploaded through the browser."""
    names, _ = store_state(server.home)
    if {"John Smith", "Mallory Example"} <= set(names):
        return
    ctx, pg = open_page(browser, server)
    upload(pg, [SAMPLE, hostile_cv], [SAMPLE.name, hostile_cv.name])
    ctx.close()


# ---------------------------------------------------------------------------------------------

def test_empty_state_then_upload_shows_candidates(page, server, hostile_cv, artifacts):
    assert store_state(server.home)[0] == []
    empty = page.inner_text("#chat")
    assert "Upload CVs to begin" in empty and "上传简历开始" in empty
    assert "nothing leaves this machine" in page.inner_text("#status")
    page.screenshot(path=str(artifacts / "01-empty.png"))

    text = upload(page, [SAMPLE, hostile_cv], [SAMPLE.name, hostile_cv.name])
    assert "2 added" in text and "John Smith" in text and "Mallory Example" in text
    page.wait_for_function("() => document.querySelectorAll('#scope-box label').length >= 2")
    labels = scope_labels(page)
    assert any(lbl.startswith("John Smith") for lbl in labels) and any("Mallory Example" in lbl for lbl in labels)
    assert "2 candidates loaded" in page.inner_text("#chat")
    page.screenshot(path=str(artifacts / "02-upload-results.png"))
    # uploads keep their own name in the data dir, inside home/uploads
    stored = sorted(p.name for p in (server.home / "uploads").rglob("*") if p.is_file())
    assert stored == sorted([SAMPLE.name, hostile_cv.name])
    assert store_state(server.home)[0] == ["John Smith", "Mallory Example"]


def test_answer_and_citation_passage_verbatim_in_source(page, loaded, artifacts):
    n = ask(page, "What is John Smith's email?")
    turn = page.locator(f"#turn-{n}")
    assert "john.smith@email.com" in turn.locator(".answer-body").inner_text()
    markers = turn.locator("a.cite-marker")
    assert markers.count() >= 1
    markers.first.click()
    card = page.locator("#citation-panel .cite-card.active")
    card.wait_for()
    passage = card.locator("mark.hl").inner_text()
    source_text = SAMPLE.read_text(encoding="utf-8")
    assert passage and passage in source_text
    head = card.locator(".cite-head").inner_text()
    assert "John Smith" in head and SAMPLE.name in head
    # the passage sits inside its surrounding lines
    ctx_text = card.locator(".ctx").inner_text()
    assert len(ctx_text) > len(passage) and "John Smith" in ctx_text.replace("…", "") or "Contact" in ctx_text
    page.screenshot(path=str(artifacts / "03-answer-citations.png"))

    card.locator("a.doc-link").click()
    page.wait_for_selector("#citation-panel .doc-text mark.hl")
    doc_marks = page.locator("#citation-panel .doc-text mark.hl").all_inner_texts()
    assert passage in doc_marks
    assert "Senior Software Engineer" in page.inner_text("#citation-panel .doc-text")
    page.screenshot(path=str(artifacts / "05-document-view.png"))
    page.click("#citation-panel a.back-link")
    page.wait_for_selector("#citation-panel .cite-card")
    assert not page.errors


def test_export_downloads_markdown_with_citations(page, loaded):
    n = ask(page, "What is John Smith's email?")
    passage = page.locator(f"#turn-{n} a.cite-marker").first
    passage.click()
    text = page.locator("#citation-panel .cite-card.active mark.hl").inner_text()
    page.wait_for_selector("#export:not([disabled])")
    with page.expect_download(timeout=TIMEOUT_MS) as dl:
        page.click("#export")
    md = Path(dl.value.path()).read_text(encoding="utf-8")
    assert dl.value.suggested_filename.endswith(".md")
    assert "What is John Smith's email?" in md.replace("&#x27;", "'")
    assert "john.smith@email.com" in md
    assert text in md and SAMPLE.name in md


def test_comparison_and_ranking_render_as_tables_and_cv_html_stays_text(page, loaded, artifacts):
    n = ask(page, "Compare John Smith and Mallory Example's education")
    table = page.locator(f"#turn-{n} table.answer-table")
    table.wait_for()
    table.locator("a.cite-marker").first.click()
    page.wait_for_selector("#citation-panel .cite-card.active")
    page.screenshot(path=str(artifacts / "04-comparison-table.png"))
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).locator("td.cand").inner_text() for i in range(2)} == {"John Smith", "Mallory Example"}
    for i in range(2):
        assert rows.nth(i).locator("a.cite-marker").count() >= 1       # a citation per cell
    assert "<em>Testing</em>" in table.inner_text()                   # the CV's HTML shows as text
    assert table.locator("em").count() == 0

    n = ask(page, "Who has the most work experience?")
    rank = page.locator(f"#turn-{n} table.answer-table[data-intent=rank]")
    rank.wait_for()
    assert rank.locator("tbody tr").first.locator("td.cand").inner_text() == "John Smith"
    # click a marker in the Mallory row: the panel shows that passage, HTML as text
    mallory = rank.locator("tbody tr", has_text="Mallory Example")
    mallory.locator("a.cite-marker").first.click()
    page.wait_for_selector("#citation-panel .cite-card.active")
    panel_text = page.inner_text("#citation-panel")
    assert "Mallory Example" in panel_text and "mallory_cv.txt" in panel_text
    page.screenshot(path=str(artifacts / "07-ranking-table.png"))

    # the whole hostile document, highlighted: nothing ran, tags are text
    page.locator("#citation-panel .cite-card.active a.doc-link").click()
    page.wait_for_selector("#citation-panel .doc-text mark.hl")
    doc = page.inner_text("#citation-panel .doc-text")
    assert "<script>window.__xss = 1</script>" in doc and '<img src=x onerror="window.__xss=2">' in doc
    assert "**bold claim**" in doc and "${window.__xss=3}" in doc and "{{constructor" in doc
    for sel in ("script", "img", "iframe", "b", "em"):
        assert page.locator(f"#citation-panel .doc-text {sel}").count() == 0, sel
        assert page.locator(f"#chat .answer-body {sel}").count() == 0, sel
    assert page.evaluate("() => window.__xss") is None
    assert not page.errors


def test_invalid_upload_reports_error_and_store_is_unchanged(page, server, loaded, artifacts):
    before = store_state(server.home)
    labels_before = scope_labels(page)
    text = upload(page, BAD, [p.name for p in BAD])
    assert "2 failed" in text
    row = page.locator("#upload-results .res", has_text="zero_bytes.pdf")
    assert "empty" in row.inner_text() and "0 bytes" in row.inner_text()
    assert "PNG" in page.locator("#upload-results .res", has_text="png_renamed_to.pdf").inner_text()
    page.screenshot(path=str(artifacts / "06-invalid-upload.png"))
    assert store_state(server.home) == before
    assert scope_labels(page) == labels_before
    names = {p.name for p in (server.home / "uploads").rglob("*") if p.is_file()}
    assert not names & {p.name for p in BAD}      # failed uploads leave no file behind


def test_sessions_keep_their_own_history_and_new_chat_clears(browser, server, page, loaded):
    ask(page, "What is John Smith's email?")
    ctx2, other = open_page(browser, server)
    try:
        assert other.locator("#chat .turn").count() == 0
        assert "2 candidates loaded" in other.inner_text("#chat") or "candidates loaded" in other.inner_text("#chat")
    finally:
        ctx2.close()
    page.click("#new-chat")
    page.wait_for_selector("#chat .empty-state")
    assert page.locator("#chat .turn").count() == 0
    assert page.locator("#citation-panel .cite-card").count() == 0


def test_scope_limits_the_question_to_ticked_candidates(page, loaded):
    page.locator("#scope-box label", has_text="Mallory Example").click()
    n = ask(page, "Who has the most work experience?")
    turn = page.locator(f"#turn-{n}")
    assert "Mallory Example" in turn.locator(".scope-note").inner_text()
    assert "John Smith" not in turn.locator(".answer-body").inner_text()


def test_remove_candidate_needs_confirmation(page, server, loaded):
    upload(page, [HR], [HR.name])
    page.wait_for_function("() => document.querySelectorAll('#scope-box label').length >= 3")
    names_before = store_state(server.home)[0]
    added = (set(names_before) - {"John Smith", "Mallory Example"}).pop()
    page.get_by_text("Candidate details & removal").click()
    page.click("#remove-pick input")
    page.locator("[role=option]", has_text=HR.name).click()
    page.click("#remove-btn")
    page.wait_for_selector("#confirm-box", state="visible")
    assert added in page.inner_text("#confirm-box")
    page.click("#confirm-no")                              # cancel keeps it
    page.wait_for_selector("#confirm-box", state="hidden")
    assert store_state(server.home)[0] == names_before
    page.click("#remove-btn")
    page.wait_for_selector("#confirm-box", state="visible")
    page.click("#confirm-yes")
    page.wait_for_selector("#remove-msg :text('Removed')")
    assert store_state(server.home)[0] == ["John Smith", "Mallory Example"]
    page.wait_for_function("() => document.querySelectorAll('#scope-box label').length == 2")


def test_chinese_browser_gets_chinese_labels_and_empty_state(browser, server, loaded):
    ctx, pg = open_page(browser, server, locale="zh-CN")
    try:
        primary = pg.inner_text("#chat .empty-state .primary")
        assert "已载入 2 位候选人" in primary
        assert pg.inner_text("#send").strip() == "提问"
        assert "本机" in pg.inner_text("#status")
    finally:
        ctx.close()


@pytest.mark.llm
def test_streamed_model_wording_with_the_local_model(browser, small_model_path, tmp_path, artifacts):
    """With a real model: the program's cited answer shows first, the model's re-wording streams in,
    and the final (verified or program) answer replaces it."""
    srv = start_server(tmp_path / "home", tmp_path / "serve.log", "--ingest", str(SAMPLE), llm="local",
                       env_extra={"RECRUITER_LOCAL_MODEL": "qwen2.5-coder-0.5b",
                                  "RECRUITER_MODEL_CACHE": str(small_model_path.parent)})
    try:
        ctx, pg = open_page(browser, srv)
        try:
            assert "everything stays on this machine" in pg.inner_text("#status")
            pg.evaluate("""() => { window.__states = []; window.__preview = false;
                new MutationObserver(() => {
                  const t = document.querySelector('#chat #turn-0');
                  if (t) window.__states.push(t.dataset.state);
                  if (document.querySelector('#chat #turn-0 .preview')) window.__preview = true;
                }).observe(document.querySelector('#chat'), {subtree: true, childList: true, attributes: true});
            }""")
            pg.fill("#question textarea", "What is John Smith's email?")
            pg.click("#send")
            pg.wait_for_selector("#chat #turn-0[data-state=evidence]", timeout=60_000)
            pg.wait_for_selector("#chat #turn-0[data-state=done]", timeout=120_000)
            states = pg.evaluate("() => window.__states")
            assert states.index("evidence") < states.index("done")
            assert pg.evaluate("() => window.__preview"), "no streamed tokens were shown"
            assert "john.smith@email.com" in pg.inner_text("#chat #turn-0 .answer-body")
            assert pg.locator("#chat #turn-0 .preview").count() == 0
            pg.locator("#chat #turn-0 a.cite-marker").first.click()
            passage = pg.locator("#citation-panel .cite-card.active mark.hl").inner_text()
            assert passage in SAMPLE.read_text(encoding="utf-8")
            pg.screenshot(path=str(artifacts / "08-local-model-answer.png"))
            assert not pg.external
        finally:
            ctx.close()
    finally:
        stop_server(srv.proc)
