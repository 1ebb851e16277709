"""The real local path: llama.cpp server child + OpenAICompatibleChat + 0.5B model, on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from recruiter.runtime.llamacpp import LlamaServer, LlamaServerError
from recruiter.runtime.llm import OpenAICompatibleChat
from recruiter.runtime.tokens import count_tokens

MODEL = "qwen2.5-coder-0.5b"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.fixture(scope="module")
def model_path(small_model_path):
    return small_model_path


@pytest.fixture(scope="module")
def server(model_path):
    with LlamaServer(model_path, n_threads=2, n_ctx=4096, model_alias=MODEL) as srv:
        yield srv


@pytest.mark.llm
def test_chat_stream_and_json_schema(server, capsys):
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    chat = OpenAICompatibleChat(server.base_url, MODEL, server.api_key, timeout=120)
    assert chat.describe()["remote"] is False

    pieces = list(chat.stream([{"role": "user", "content": "List three programming languages."}],
                              max_tokens=40))
    assert len(pieces) > 3 and "".join(pieces).strip()

    text = chat.complete([{"role": "user", "content": "Reply with the word: yes"}], max_tokens=5)
    assert text.strip()

    schema = {"type": "object", "additionalProperties": False, "required": ["name", "degree", "years"],
              "properties": {"name": {"type": "string"}, "degree": {"type": "string", "enum": ["PhD", "MSc", "BSc"]},
                             "years": {"type": "integer"}}}
    got = chat.complete_json([{"role": "user", "content":
                               "CV: 张伟，博士（PhD），8 年 Python 经验。Extract name, degree and years of experience."}],
                             schema, max_tokens=80)
    assert set(got) == {"name", "degree", "years"}
    assert got["degree"] in ("PhD", "MSc", "BSc") and isinstance(got["years"], int)

    # Throughput on a ~400-token prompt (the size of a typical RAG prompt slice).
    cv = ("Candidate: Li Na. Senior backend engineer, 9 years. Python, Go, Kafka, PostgreSQL, Kubernetes. "
          "Led payments platform migration at a fintech in Shenzhen; mentored 6 engineers. ") * 9
    prompt = [{"role": "system", "content": "You answer questions about candidates' CVs, citing passages."},
              {"role": "user", "content": cv + "\nSummarize this candidate in three sentences."}]
    n_prompt = count_tokens(prompt[0]["content"] + prompt[1]["content"])
    t0 = time.perf_counter()
    first = None
    out = []
    for piece in chat.stream(prompt, max_tokens=96):
        first = first or time.perf_counter()
        out.append(piece)
    t1 = time.perf_counter()
    n_out = count_tokens("".join(out))
    with capsys.disabled():
        print(f"\n[llama 0.5B] start {server.start_seconds:.1f}s; prompt ~{n_prompt} tok: "
              f"first token {first - t0:.2f}s, ~{n_out / max(t1 - first, 1e-6):.1f} tok/s generation")
    assert n_out > 5


@pytest.mark.llm
def test_stop_closes_port_and_child(model_path):
    srv = LlamaServer(model_path, n_threads=2, n_ctx=1024).start()
    port = int(srv.address.rsplit(":", 1)[1])
    pid = srv.pid
    assert _port_open(port) and srv.is_running()
    log = srv.log_path
    srv.stop()
    assert not srv.is_running()
    assert not _port_open(port)
    assert not _pid_alive(pid)
    assert log is not None and not log.exists()
    srv.stop()        # idempotent


@pytest.mark.llm
def test_server_dies_with_its_parent(model_path):
    # A parent killed with SIGKILL runs no cleanup; the child must notice (stdin EOF) and exit.
    code = textwrap.dedent(f"""
        import os, signal
        from recruiter.runtime.llamacpp import LlamaServer
        srv = LlamaServer({str(model_path)!r}, n_ctx=512).start()
        print(srv.pid, srv.address.rsplit(":", 1)[1], srv.log_path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pid, port, log = proc.stdout.split()
    pid, port = int(pid), int(port)
    deadline = time.monotonic() + 20
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _pid_alive(pid), "llama.cpp child outlived its parent"
    assert not _port_open(port)
    assert not os.path.exists(log), "orphaned server left its log behind"


@pytest.mark.server
def test_bad_model_file_fails_fast_with_log_tail(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"this is not a gguf file" * 100)
    t0 = time.monotonic()
    with pytest.raises(LlamaServerError) as info:
        LlamaServer(bad, start_timeout=60).start()
    assert time.monotonic() - t0 < 30
    msg = str(info.value)
    assert "exited with code" in msg and "Log tail" in msg and "broken.gguf" in msg


def test_missing_model_file(tmp_path):
    with pytest.raises(LlamaServerError, match="not found"):
        LlamaServer(tmp_path / "nope.gguf").start()
