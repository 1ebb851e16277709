"""A local `chroma run` on a free loopback port: what the server-mode tests and bench/scale start.

The product itself never starts one; it connects to RECRUITER_CHROMA_URL (docs/scaling.md).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


class ChromaServerError(RuntimeError):
    pass


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_cli() -> str | None:
    """The `chroma` command installed next to this Python (chromadb ships it), else the one on PATH."""
    exe = Path(sys.executable).with_name("chroma")
    return str(exe) if exe.exists() else shutil.which("chroma")


def start_chroma_server(data: Path, log: Path, *, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start `chroma run` on 127.0.0.1 with its data in ``data``; return (process, URL) once its
    heartbeat answers. ``timeout`` is generous: a loaded CI machine starts it slowly."""
    exe = chroma_cli()
    if not exe:
        raise ChromaServerError("the chroma CLI is not installed (it comes with chromadb)")
    port = free_loopback_port()
    with open(log, "wb") as fh:      # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
                                stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_process(proc)
                raise ChromaServerError(f"chroma server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)


def stop_process(proc: subprocess.Popen, wait: float = 15) -> None:
    """Terminate, and kill what does not exit within ``wait`` seconds."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
