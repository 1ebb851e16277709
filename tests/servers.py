"""Real servers for tests on 127.0.0.1: a free port, and `recruiter serve` started and stopped.

Shared by the browser end-to-end tests (tests/ui) and the concurrency test (tests/reliability);
importable because pytest puts tests/ on sys.path for the root conftest. The port and stop helpers are
the ones the `chroma run` fixture and bench/scale use (recruiter.runtime.chroma_server)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from recruiter.runtime.chroma_server import free_loopback_port, stop_process

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    url: str
    home: Path
    proc: subprocess.Popen
    log: Path


def start_server(home: Path, log: Path, *extra: str, llm: str = "none", env_extra: dict | None = None,
                 timeout: float = 90) -> Server:
    port = free_loopback_port()
    env = dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM=llm, ANONYMIZED_TELEMETRY="False",
               GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1", **(env_extra or {}))
    env.pop("RECRUITER_AUTH", None)
    with open(log, "w", encoding="utf-8") as fh:      # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "recruiter.ui.cli", "serve", "--port", str(port), "--llm", llm,
                                 "--home", str(home), *extra], stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return Server(url, home, proc, log)
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise AssertionError(f"server did not answer within {timeout} s:\n{log.read_text()}")


def stop_server(proc: subprocess.Popen, wait: float = 20) -> None:
    stop_process(proc, wait=wait)
