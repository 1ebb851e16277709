"""Contact details never reach a remote model unless the user opts in (issue: privacy and audit)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from recruiter.runtime.privacy import ContactMasker, MaskingChat, find_contacts, should_mask
from recruiter.runtime.providers import LLMHandle
from recruiter.runtime.settings import Settings

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"

SEED_CONTACTS = ["keji@link.cuhk.edu.cn", "18338991628", "15224975562", "jinyihan099@gmail.com",
                 "helicbupt@gmail.com", "yangzy39@mail2.sysu.edu.cn"]


@pytest.mark.parametrize("text,found", [
    ("keji@link.cuhk.edu.cn  (+86) 18338991628", ["keji@link.cuhk.edu.cn", "18338991628"]),
    ("☎ 15224975562    ✉ jinyihan099@gmail.com", ["15224975562", "jinyihan099@gmail.com"]),
    ("手机：138-1234-5678，身份证 11010519491231002X", ["138-1234-5678", "11010519491231002X"]),
    ("Tel +44 20 7946 0958 or +1 (415) 555-0100", ["+44 20 7946 0958", "+1 (415) 555-0100"]),
    # what a CV is full of and must stay readable: dates, paper ids, course codes, grants, metrics
    ("2016.09-2020.06 | arXiv:2301.12345 | CSC6052 | grant 62076008 | pass@n +7.6 | 2019-2020", []),
    ("SCI-FM @ ICLR 2025; https://jinyihan99.github.io; 1.117 GB", []),
])
def test_finds_contacts_and_nothing_else(text, found):
    assert find_contacts(text) == found


def test_mask_then_unmask_round_trips_and_numbers_values_per_kind():
    masker = ContactMasker()
    text = "a@b.com, 13812345678, a@b.com, c@d.org"
    masked = masker.mask(text)
    assert masked == "EMAIL_1, PHONE_1, EMAIL_1, EMAIL_2"
    assert masker.unmask(masked) == text
    assert masker.unmask("EMAIL_9 stays") == "EMAIL_9 stays"   # invented placeholder: left for verify to reject


class _PieceChat:
    """A ChatModel that records what it was sent and streams a fixed reply in awkward pieces."""

    def __init__(self, pieces):
        self.pieces, self.sent = pieces, []

    def stream(self, messages, **kw):
        self.sent.append(messages)
        yield from self.pieces

    def complete(self, messages, **kw):
        self.sent.append(messages)
        return "".join(self.pieces)

    def complete_json(self, messages, schema, **kw):
        self.sent.append(messages)
        return {"email": "".join(self.pieces), "list": ["PHONE_1"]}

    def describe(self):
        return {"provider": "x", "remote": True}


def test_masking_chat_hides_contacts_and_restores_placeholders_split_across_pieces():
    inner = _PieceChat(["Mail ", "EMA", "IL", "_1 or call P", "HONE_", "1", "."])
    chat = MaskingChat(inner)
    msgs = [{"role": "system", "content": "fixed"},
            {"role": "user", "content": "Ke Ji: keji@link.cuhk.edu.cn  (+86) 18338991628"}]
    out = "".join(chat.stream(msgs, max_tokens=20))
    assert out == "Mail keji@link.cuhk.edu.cn or call 18338991628."
    sent = json.dumps(inner.sent, ensure_ascii=False)
    assert "keji@" not in sent and "18338991628" not in sent and "EMAIL_1" in sent and "PHONE_1" in sent
    assert msgs[1]["content"].startswith("Ke Ji: keji@")          # the caller's messages are not mutated
    assert chat.complete(msgs, max_tokens=20) == out
    assert chat.complete_json(msgs, {}) == {"email": out, "list": ["18338991628"]}
    assert chat.describe()["contacts"] == "masked"


@pytest.mark.parametrize("policy,remote,masked", [
    ("auto", True, True), ("auto", False, False), ("mask", False, True), ("send", True, False)])
def test_policy(policy, remote, masked):
    assert should_mask(policy, remote) is masked


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="auto, mask, send"):
        should_mask("sometimes", True)


@pytest.mark.parametrize("llm,url,policy,masked", [
    ("openai", "https://api.example.com/v1", "auto", True),
    ("openai", None, "auto", True),                          # api.openai.com
    ("openai", "http://127.0.0.1:8000/v1", "auto", False),   # a local vLLM/Ollama
    ("openai", "https://api.example.com/v1", "send", False),  # the user opted in
    ("local", None, "auto", False),
])
def test_handle_decides_without_calling_anything(tmp_path, llm, url, policy, masked):
    s = Settings(home=tmp_path, model_cache=tmp_path, llm=llm, llm_base_url=url, contacts_to_llm=policy)
    handle = LLMHandle(s)
    assert handle.masks_contacts is masked
    assert handle.describe()["contacts"] == ("masked" if masked else "sent")
    assert handle.describe()["started"] is False


# --- end to end: the product's ask path against a recording OpenAI-compatible server ------------

class _Recorder(BaseHTTPRequestHandler):
    """Replies with the draft it was given (the "Draft answer" block of the answer template), as a model would."""

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        prompt = body["messages"][-1]["content"]
        m = re.search(r"Draft answer[^\n]*\n(.*?)(?:\n\n|$)", prompt, re.S)
        reply = m.group(1) if m else "no draft"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in re.findall(r"\S+\s*", reply):
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                     "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_ask_sends_no_contact_details_but_the_answer_has_them(tmp_path, recorder):
    from recruiter.assistant.app import App
    from recruiter.runtime.embeddings import HashingEmbeddings
    s = Settings(home=tmp_path / "home", model_cache=tmp_path, llm="openai", contacts_to_llm="mask",
                 llm_base_url=f"http://127.0.0.1:{recorder.server_address[1]}/v1", llm_model="m")
    with App.open(s, embeddings=HashingEmbeddings()) as app:
        app.library.ingest([SEEDS / "003_4c1767a483d2bab9.txt", SEEDS / "000_6d3c8c5ff93f3297.txt"], progress=False)
        answer = app.assistant.ask("What email address does Keqing He list?", use_model=True)
        assert app.describe_llm()["contacts"] == "masked"
    assert recorder.requests, "the model was never asked: the test would prove nothing"
    sent = json.dumps(recorder.requests, ensure_ascii=False)
    assert not [c for c in SEED_CONTACTS if c in sent]
    assert "EMAIL_1" in sent
    assert answer.wording == "model" and "helicbupt@gmail.com" in answer.text


def test_cli_says_what_leaves_before_anything_does(tmp_path):
    env = {"RECRUITER_HOME": str(tmp_path), "RECRUITER_LLM_BASE_URL": "https://api.example.com/v1",
           "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", "candidates", "--json"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert "sent to https://api.example.com/v1" in done.stderr and "masked" in done.stderr
