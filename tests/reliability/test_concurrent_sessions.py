"""Twenty chat sessions at once against the real `recruiter serve` (Gradio on 127.0.0.1, `--llm none`),
driven over Gradio's queue API with gradio_client, while a CV is uploaded through the UI.

Each session asks about one candidate, then a follow-up with only a pronoun ("his", "她"): it resolves
to the right person only if that session's own history is used. Every wait is bounded; nothing is
asserted about speed.
"""
from __future__ import annotations

import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import start_server, stop_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SEEDS = (REPO / ".." / "shared" / "corpus" / "seeds").resolve()
UPLOAD = (REPO / ".." / "shared" / "corpus" / "fixtures" / "txt" / "soupboss_sample_resume.txt").resolve()

START_TIMEOUT_S = 180      # import gradio + chroma + the encoder, open the store
ANSWER_TIMEOUT_S = 240     # one question, including its wait in the queue behind the others
UPLOAD_TIMEOUT_S = 240

KE_JI, HAN, LUO, HE, YANG = (f"{n}.txt" for n in ("000_6d3c8c5ff93f3297", "001_8c67cd3c2722a3ec",
                                                   "002_9c04bb96c17275a3", "003_4c1767a483d2bab9",
                                                   "004_ca307795620aa7c1"))


@dataclass(frozen=True)
class Script:
    source: str        # the seed file of the session's candidate: every citation must come from it
    name: str          # how that candidate's answers name them
    first: str
    follow_up: str     # names nobody: only the session's own history says who is meant
    fact: str          # in the follow-up's answer only if it resolved to this candidate


# 5 candidates x 4 sessions; sessions about different candidates run side by side in the queue
SCRIPTS = [
    Script(KE_JI, "冀轲", "Ke Ji 的本科是在哪所学校读的？", "他做过哪些课程的助教？", "CSC6052"),
    Script(KE_JI, "冀轲", "Which courses has Ke Ji served as a teaching assistant for?",
           "Where did he do his bachelor's degree?", "郑州大学"),
    Script(KE_JI, "冀轲", "冀轲获得过哪些奖项？", "他的邮箱是什么？", "keji@link.cuhk.edu.cn"),
    Script(KE_JI, "冀轲", "What is Ke Ji's email address?", "Which conferences has he reviewed for?", "EMNLP"),
    Script(HAN, "韩槿一", "韩槿一现在在哪里读博士？", "她的硕士是在哪所学校读的？什么时候毕业？", "东华大学"),
    Script(HAN, "韩槿一", "Which university did Haixia Han attend for her bachelor's degree?", "What is her email?",
           "jinyihan099@gmail.com"),
    Script(HAN, "韩槿一", "What is Jinyi Han's phone number?", "Where did she do her bachelor's degree?",
           "河南财经政法大学"),
    Script(HAN, "韩槿一", "韩槿一在字节跳动做了什么？", "她的本科是哪所学校？", "河南财经政法大学"),
    Script(LUO, "Luo Ji", "Tell me about Luo Ji.", "What are his papers about multimodal alignment?", "M3-JEPA"),
    Script(LUO, "Luo Ji", "Luo Ji 的 h-index 是多少？", "他有多少篇论文？", "22"),
    Script(LUO, "Luo Ji", "What is Luo Ji's h-index?", "How many citations does he have?", "4,071"),
    Script(LUO, "Luo Ji", "Which papers has Luo Ji published?", "他的 h-index 是多少？", "h-index"),
    Script(HE, "Keqing He", "What is Keqing He's educational background?",
           "And what did he major in as an undergraduate?", "Communication Engineering"),
    Script(HE, "Keqing He", "What email address does Keqing He list?", "What did he do at Alibaba?",
           "Alibaba DAMO"),
    Script(HE, "Keqing He", "Keqing He 在哪里工作？", "他的邮箱是什么？", "helicbupt@gmail.com"),
    Script(HE, "Keqing He", "Which papers has Keqing He published at ACL?", "What is his blog?", "helicqin.github.io"),
    Script(YANG, "杨子逸", "杨子逸简历上留的邮箱是什么？", "他的手机号是多少？", "19924680829"),
    Script(YANG, "杨子逸", "What is Ziyi Yang's email?", "What is his FuseChat project?", "FuseChat"),
    Script(YANG, "杨子逸", "Where did Ziyi Yang study?", "What is his phone number?", "19924680829"),
    Script(YANG, "杨子逸", "杨子逸做过哪些开源项目？", "他的导师叫什么名字？", "权小军"),
]


@pytest.fixture
def server(tmp_path, embeddings):
    if not SEEDS.is_dir() or not UPLOAD.is_file():
        pytest.fail(f"shared corpus not found next to the repo ({SEEDS}, {UPLOAD})")
    home, log = tmp_path / "home", tmp_path / "serve.log"
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings
    # the seeds go in through the library with the session's encoder, so a run of the whole folder embeds
    # them once; the server only embeds the questions and the upload
    with App.open(Settings.from_env(env={}, home=home, llm="none", ingest_workers=1), embeddings=embeddings) as app:
        assert [r.status for r in app.library.ingest([SEEDS])] == ["added"] * 5
    srv = start_server(home, log, timeout=START_TIMEOUT_S)
    try:
        yield srv
    finally:
        stop_server(srv.proc, wait=30)


def client(url: str):
    from gradio_client import Client
    # one Client = one browser session (its own session hash, so its own gr.State on the server)
    return Client(url, verbose=False, analytics_enabled=False, download_files=False,
                  httpx_kwargs={"timeout": ANSWER_TIMEOUT_S})


def ask(c, question: str) -> tuple[str, str]:
    """(chat HTML, citation panel HTML) once the answer is final."""
    chat, panel, *_ = c.submit(question, [], "", api_name="/ask").result(timeout=ANSWER_TIMEOUT_S)
    return chat, panel


def turns(chat_html: str) -> list[tuple[str, str, str]]:
    """(state, question, answer text) of every turn in the chat, in order."""
    out = []
    for m in re.finditer(r'<div class="turn" id="turn-\d+" data-turn="\d+" data-state="(\w+)">(.*?)(?=<div class="turn"|$)',
                         chat_html, re.S):
        q = re.search(r'<div class="msg user">.*?<div class="bubble">(.*?)(?:<div|</div>)', m.group(2), re.S)
        body = re.search(r'<div class="answer-body[^"]*">(.*?)<div class="meta">', m.group(2), re.S)
        text = re.sub(r"<[^>]+>", " ", body.group(1) if body else m.group(2))
        out.append((m.group(1), html.unescape(q.group(1)).strip() if q else "",
                    " ".join(html.unescape(text).split())))
    return out


def cited_sources(panel_html: str) -> list[str]:
    return [html.unescape(s).rsplit(" · ", 1)[0] for s in re.findall(r'<span class="src">([^<]*)</span>', panel_html)]


def run_session(url: str, script: Script, first_answered: threading.Event) -> dict:
    c = client(url)
    try:
        _, panel1 = ask(c, script.first)
        first_at = time.monotonic()
        first_answered.set()
        chat, panel2 = ask(c, script.follow_up)
        return {"chat": chat, "sources": [cited_sources(panel1), cited_sources(panel2)],
                "answered_at": [first_at, time.monotonic()], "done_at": time.monotonic()}
    finally:
        c.close()


def upload_during_chats(url: str, first_answered: threading.Event) -> dict:
    from gradio_client import handle_file
    # start once the chats are under way, so the upload shares the server with them
    assert first_answered.wait(timeout=ANSWER_TIMEOUT_S), "no chat answered at all"
    c = client(url)
    try:
        started = time.monotonic()
        results_html, *_ = c.submit([handle_file(str(UPLOAD))], api_name="/upload_fn").result(timeout=UPLOAD_TIMEOUT_S)
        return {"html": results_html, "started": started, "done_at": time.monotonic()}
    finally:
        c.close()


def test_twenty_sessions_keep_their_own_history_while_a_cv_is_uploaded(server, embeddings, report_figure):
    first_answered = threading.Event()
    with ThreadPoolExecutor(max_workers=len(SCRIPTS) + 1) as pool:
        upload_future = pool.submit(upload_during_chats, server.url, first_answered)
        session_futures = [pool.submit(run_session, server.url, s, first_answered) for s in SCRIPTS]
        sessions = [f.result(timeout=2 * ANSWER_TIMEOUT_S + 60) for f in session_futures]
        upload = upload_future.result(timeout=UPLOAD_TIMEOUT_S + ANSWER_TIMEOUT_S + 60)

    problems = []
    for script, got in zip(SCRIPTS, sessions):
        shown = turns(got["chat"])
        # this session's chat holds exactly its own two questions, both answered without error
        if [(st, q) for st, q, _ in shown] != [("done", script.first), ("done", script.follow_up)]:
            problems.append(f"{script.first!r}: chat shows {[(st, q) for st, q, _ in shown]}")
            continue
        for (_, q, text), sources in zip(shown, got["sources"]):
            if not sources or set(sources) != {script.source}:
                problems.append(f"{q!r} ({script.name}) cites {sources}")
            if script.name not in text:
                problems.append(f"{q!r} answered about someone else: {text[:200]}")
        if script.fact not in shown[1][2]:
            problems.append(f"follow-up {script.follow_up!r} did not resolve to {script.name}: {shown[1][2][:200]}")
    assert not problems, "\n".join(problems)

    # the upload went through while the chats ran, and is stored under the UI's upload folder
    assert "st-added" in upload["html"] and UPLOAD.name in html.unescape(upload["html"]), upload["html"]
    assert [p.name for p in (server.home / "uploads").glob("*/*")] == [UPLOAD.name]
    overlapped = sum(upload["started"] < s["done_at"] for s in sessions)
    during = sum(upload["started"] < t < upload["done_at"] for s in sessions for t in s["answered_at"])
    report_figure("concurrent-sessions", f"concurrent sessions: {len(sessions)} sessions x 2 questions, 0 errors; "
                                         f"{overlapped} still answering when the upload started, {during} answers "
                                         f"given during the {upload['done_at'] - upload['started']:.1f} s upload")

    # a new session finds the uploaded candidate
    c = client(server.url)
    try:
        chat, panel = ask(c, "What is John Smith's email?")
    finally:
        c.close()
    assert "john.smith@email.com" in turns(chat)[0][2] and cited_sources(panel) == [UPLOAD.name]

    stop_server(server.proc, wait=30)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]

    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings
    with App.open(Settings.from_env(env={}, home=server.home, llm="none"), read_only=True,
                  embeddings=embeddings) as app:
        ids = app.store.index_ids()
        assert ids["catalog"] == ids["chroma"] == ids["bm25"], {k: len(v) for k, v in ids.items()}
        assert sorted(s for c in app.library.candidates() for s in c.sources) == sorted(
            [p.name for p in SEEDS.iterdir()] + [UPLOAD.name])
