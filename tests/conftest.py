"""Shared test setup: a guard that fails any test reaching beyond loopback, and paths to shared data."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SEEDS = SHARED / "corpus" / "seeds"
FIXTURES = SHARED / "corpus" / "fixtures"
EXAMPLES = REPO / "examples" / "candidates"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")   # Chroma must not phone home from tests
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Each test starts and stops its own servers: CLI subprocesses get a llama.cpp child, not the per-user
# shared server that outlives them (tests/runtime/test_llm_server_reuse.py asks for that one itself).
os.environ.setdefault("RECRUITER_LLM_SERVER", "child")


class RemoteCallBlocked(RuntimeError):
    pass


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False   # a host name other than localhost would need DNS: remote


@pytest.fixture(autouse=True)
def no_remote_calls(monkeypatch):
    """Any connection to a non-loopback address fails the test: tests never call remote models."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address, *a, **kw):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise RemoteCallBlocked(f"test tried to reach {address!r}; tests may only use 127.0.0.1")
        return real_connect(self, address, *a, **kw)

    def connect_ex(self, address, *a, **kw):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise RemoteCallBlocked(f"test tried to reach {address!r}; tests may only use 127.0.0.1")
        return real_connect_ex(self, address, *a, **kw)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}: clone the repo next to ../shared")
    return SHARED


def skip_or_fail(reason: str):
    """Missing prerequisites skip a local run but fail CI, where scripts/test.sh installs them."""
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI installs it with scripts/test.sh; it must be there)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def small_model_path():
    from recruiter.runtime.modelfetch import model_path_if_present
    from recruiter.runtime.settings import Settings
    settings = Settings.from_env()
    path = model_path_if_present("qwen2.5-coder-0.5b", settings.model_cache)
    if path is None:
        skip_or_fail("local model qwen2.5-coder-0.5b not fetched: run scripts/setup.sh qwen2.5-coder-0.5b")
    return path


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on a free 127.0.0.1 port with its data under tmp_path; yields its URL, stops it."""
    from recruiter.runtime.chroma_server import ChromaServerError, chroma_cli, start_chroma_server, stop_process
    if not chroma_cli():
        skip_or_fail("the chroma CLI is not installed (it comes with chromadb)")
    try:
        proc, url = start_chroma_server(tmp_path / "server-data", tmp_path / "chroma.log")
    except ChromaServerError as e:
        pytest.fail(str(e))
    try:
        yield url
    finally:
        stop_process(proc)
