"""The chat client code path, FakeChat, and the helpers the UI relies on (no model needed)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from recruiter.runtime.llm import (ChatModel, FakeChat, LLMError, LLMUnavailable, OpenAICompatibleChat,
                                   extract_json_object, is_loopback_url)

MSGS = [{"role": "user", "content": "hi"}]
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "years": {"type": "integer"}},
          "required": ["name", "years"]}


# --- FakeChat ---------------------------------------------------------------------------------

def test_fakechat_streams_word_by_word():
    chat = FakeChat(["Ann has  a PhD.\nShe codes."])
    pieces = list(chat.stream(MSGS, max_tokens=50))
    assert len(pieces) == 6
    assert "".join(pieces) == "Ann has  a PhD.\nShe codes."
    assert chat.calls == [MSGS]


def test_fakechat_canned_replies_in_order_then_error():
    chat = FakeChat(["one", "two"])
    assert chat.complete(MSGS, max_tokens=5) == "one"
    assert "".join(chat.stream(MSGS, max_tokens=5)) == "two"
    with pytest.raises(LLMError, match="canned"):
        chat.complete(MSGS, max_tokens=5)


def test_fakechat_function_stop_and_json():
    chat = FakeChat(lambda m: f'echo {m[-1]["content"]} END trailing')
    assert chat.complete([{"role": "user", "content": "x"}], max_tokens=9, stop=[" END"]) == "echo x"
    js = FakeChat(['Here: ```json\n{"name": "Ann", "years": 3}\n```'])
    assert js.complete_json(MSGS, SCHEMA) == {"name": "Ann", "years": 3}
    with pytest.raises(LLMError, match="required"):
        FakeChat(['{"name": "Ann"}']).complete_json(MSGS, SCHEMA)
    assert isinstance(chat, ChatModel)
    assert chat.describe()["remote"] is False


# --- helpers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url,loop", [
    ("http://127.0.0.1:8080/v1", True), ("http://localhost:1234/v1", True), ("http://[::1]:80/v1", True),
    ("http://127.3.2.1/v1", True), ("https://api.openai.com/v1", False), ("http://192.168.1.5:8000/v1", False),
    ("http://localhost.evil.com/v1", False), ("http://10.0.0.1/v1", False), (None, False),
])
def test_is_loopback_url(url, loop):
    assert is_loopback_url(url) is loop


def test_extract_json_object():
    assert extract_json_object('x {bad} y {"a": {"b": [1, "}"]}} z') == {"a": {"b": [1, "}"]}}
    with pytest.raises(LLMError):
        extract_json_object("no json [1, 2]")


def test_describe_remote_flag():
    assert OpenAICompatibleChat("http://127.0.0.1:9/v1", "m").describe()["remote"] is False
    d = OpenAICompatibleChat("https://api.openai.com/v1", "gpt-4o-mini", "sk-test").describe()
    assert d == {"provider": "openai-compatible", "model": "gpt-4o-mini",
                 "base_url": "https://api.openai.com/v1", "remote": True}
    with pytest.raises(LLMError, match="API key"):
        OpenAICompatibleChat(None, "gpt-4o-mini", None)


# --- OpenAICompatibleChat against a small real HTTP server on 127.0.0.1 ----------------------------

class _Handler(BaseHTTPRequestHandler):
    """Speaks just enough of the OpenAI chat protocol; rejects response_format like an old server."""

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if "response_format" in body:
            self._send(400, {"error": {"message": "response_format not supported", "type": "invalid_request_error"}})
            return
        text = 'Sure. {"name": "Ann", "years": 3} Hope that helps.'
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in ["Hello", " there", "!"]:
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                         "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        self._send(200, {"id": "c", "object": "chat.completion", "created": 0, "model": "m",
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": text}}]})

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def toy_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.requests = []
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_openai_client_stream_and_json_fallback(toy_server):
    chat = OpenAICompatibleChat(f"http://127.0.0.1:{toy_server.server_port}/v1", "m", timeout=10)
    assert list(chat.stream(MSGS, max_tokens=10)) == ["Hello", " there", "!"]
    assert chat.complete_json(MSGS, SCHEMA) == {"name": "Ann", "years": 3}
    # First try asked for json_schema; after the 400 it asked plainly with the schema in a system message.
    assert toy_server.requests[1]["response_format"]["type"] == "json_schema"
    assert "response_format" not in toy_server.requests[2]
    assert "schema" in toy_server.requests[2]["messages"][-1]["content"]


def test_unreachable_server_is_llm_unavailable():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                         # nothing listens there now
    chat = OpenAICompatibleChat(f"http://127.0.0.1:{port}/v1", "m", timeout=2, max_retries=1)
    with pytest.raises(LLMUnavailable):
        chat.complete(MSGS, max_tokens=5)
    with pytest.raises(LLMUnavailable):
        list(chat.stream(MSGS, max_tokens=5))
