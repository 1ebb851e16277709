"""The shared local server: CLI-like client processes reuse one llama.cpp server (real 0.5B model, 127.0.0.1)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from recruiter.runtime.llmserver import (STATE_FILE, ServerState, SharedLlamaServer, pid_alive, read_state,
                                         terminate, write_state)

MODEL = "qwen2.5-coder-0.5b"

# One CLI-like call in a fresh process: attach or start, ask one question, print what it used, exit.
CLIENT = textwrap.dedent("""
    import json, sys
    from recruiter.runtime.llmserver import SharedLlamaServer
    from recruiter.runtime.llm import OpenAICompatibleChat
    model, state_dir, idle, sha = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] or None
    server = SharedLlamaServer(model, state_dir=state_dir, n_ctx=2048, model_alias="m", idle_minutes=idle,
                               model_sha=sha).start()
    chat = OpenAICompatibleChat(server.base_url, "m", server.api_key, timeout=120)
    reply = chat.complete([{"role": "user", "content": "Say OK."}], max_tokens=4)
    print(json.dumps({"pid": server.pid, "reused": server.reused, "reply": reply}))
    server.stop()
""")


def run_client(model, state_dir, *, idle: float = 5.0, sha: str = "") -> dict:
    out = subprocess.run([sys.executable, "-c", CLIENT, str(model), str(state_dir), str(idle), sha],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_client(model, state_dir, *, idle: float = 5.0, sha: str = "") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CLIENT, str(model), str(state_dir), str(idle), sha],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, seconds: float) -> bool:
    """A deadline for a state change (not a speed assertion): generous, since the CPU is shared."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def state_dir(tmp_path):
    d = tmp_path / "llm-state"
    yield d
    state = read_state(d / STATE_FILE)          # each test stops the servers it started
    if state is not None:
        terminate(state.pid)


@pytest.mark.llm
def test_consecutive_client_processes_reuse_one_server(small_model_path, state_dir):
    first = run_client(small_model_path, state_dir)
    second = run_client(small_model_path, state_dir)
    assert first["reply"].strip() and second["reply"].strip()
    assert first["reused"] is False and second["reused"] is True
    assert first["pid"] == second["pid"] and pid_alive(first["pid"])   # it outlived both clients

    state = read_state(state_dir / STATE_FILE)
    assert state.pid == first["pid"] and state.address.startswith("http://127.0.0.1:")
    assert (state_dir / STATE_FILE).stat().st_mode & 0o077 == 0          # the API key is the user's only

    assert SharedLlamaServer(small_model_path, state_dir=state_dir, n_ctx=2048).shutdown()
    assert not pid_alive(first["pid"]) and not (state_dir / STATE_FILE).exists()


@pytest.mark.llm
def test_two_racing_starters_get_one_server(small_model_path, state_dir):
    procs = [start_client(small_model_path, state_dir) for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert results[0]["pid"] == results[1]["pid"]
    assert sorted(r["reused"] for r in results) == [False, True]


@pytest.mark.llm
def test_server_shuts_itself_down_when_idle(small_model_path, state_dir):
    # 12 s idle: long enough for the starting client (on a loaded CPU) to send its one request first
    started = run_client(small_model_path, state_dir, idle=0.2)
    assert started["reused"] is False
    assert wait_until(lambda: not pid_alive(started["pid"]), 120), "idle server still running"
    assert not (state_dir / STATE_FILE).exists()
    again = run_client(small_model_path, state_dir, idle=5)                # the next call starts a new one
    assert again["reused"] is False and again["pid"] != started["pid"]


@pytest.mark.llm
def test_stale_state_is_replaced(small_model_path, state_dir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state_dir.mkdir(parents=True)
    write_state(state_dir / STATE_FILE, ServerState(pid=dead.pid, address="http://127.0.0.1:9", api_key="x",
                                                    model_path=str(small_model_path), model_sha="whatever",
                                                    n_ctx=2048, alias="m", started_at=0.0))
    fresh = run_client(small_model_path, state_dir)
    assert fresh["reused"] is False and fresh["pid"] != dead.pid
    assert read_state(state_dir / STATE_FILE).pid == fresh["pid"]

    # Another model (told apart by its sha): the running server is stopped and replaced.
    other = run_client(small_model_path, state_dir, sha="0" * 64)
    assert other["reused"] is False and other["pid"] != fresh["pid"]
    assert wait_until(lambda: not pid_alive(fresh["pid"]), 30)
    assert read_state(state_dir / STATE_FILE).model_sha == "0" * 64


def test_each_model_has_its_own_state_dir(tmp_path):
    from recruiter.runtime.llmserver import state_dir_for
    from recruiter.runtime.settings import Settings

    small, big = (state_dir_for(Settings(home=tmp_path, model_cache=tmp_path, local_model=m))
                  for m in (MODEL, "qwen2.5-coder-1.5b"))
    assert small != big and small.parent == big.parent    # a call with the other model leaves this one running


def test_garbled_state_reads_as_absent(tmp_path):
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    assert read_state(tmp_path / STATE_FILE) is None
    (tmp_path / STATE_FILE).write_text(json.dumps({"pid": 1}), encoding="utf-8")
    assert read_state(tmp_path / STATE_FILE) is None


@pytest.mark.llm
def test_cli_llm_start_status_stop(small_model_path, tmp_path):
    import os
    from pathlib import Path

    cache = tmp_path / "cache"              # a private model cache: the user's own shared server is left alone
    cache.mkdir()
    (cache / small_model_path.name).symlink_to(small_model_path)
    marker = Path(str(small_model_path) + ".sha256")
    (cache / marker.name).write_text(marker.read_text())
    env = dict(os.environ, RECRUITER_MODEL_CACHE=str(cache), RECRUITER_HOME=str(tmp_path / "home"),
               RECRUITER_LOCAL_MODEL=MODEL, RECRUITER_LLM_CTX="2048")
    recruiter = [sys.executable, "-m", "recruiter.ui.cli", "llm"]

    def cli(action: str) -> dict:
        out = subprocess.run([*recruiter, action, "--json"], capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout)

    try:
        started, again = cli("start"), cli("start")
        assert started["running"] and started["reused"] is False
        assert again["reused"] is True and again["pid"] == started["pid"]
        status = cli("status")
        key = read_state(cache / "llm-server" / MODEL / STATE_FILE).api_key
        assert status["running"] and status["model"] == MODEL and key not in json.dumps(status)
        assert cli("stop")["stopped"] is True
        assert cli("status")["running"] is False and not pid_alive(started["pid"])
    finally:
        state = read_state(cache / "llm-server" / MODEL / STATE_FILE)
        if state is not None:
            terminate(state.pid)
