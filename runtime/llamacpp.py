"""Run llama.cpp's OpenAI-compatible server (via xllamacpp) in a child process on 127.0.0.1.

Why a child process: a crash or OOM in native code, or a kill, does not take the app down, and
stopping it frees all of the model's memory. The child prints one line ``LISTENING <url>`` on
stdout when the model is loaded, then serves until its stdin closes: the parent closes it to
stop the child, and the OS closes it if the parent dies, so no orphan server is left behind.

Child:  python -m recruiter.runtime.llamacpp --model PATH [--port 0] [--threads 2] [--ctx 4096]
The API key is passed in the environment (not argv, which other users can read with ps).
"""
from __future__ import annotations

import argparse
import atexit
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Sequence

READY_PREFIX = "LISTENING "
API_KEY_ENV = "RECRUITER_LLAMA_API_KEY"
LOG_ENV = "RECRUITER_LLAMA_LOG"


class LlamaServerError(RuntimeError):
    """The server could not be started, or died."""


class LlamaServer:
    """A llama.cpp server child process. Use as a context manager, or start()/stop()."""

    def __init__(self, model_path: str | os.PathLike, *, n_threads: int = 2, n_ctx: int = 4096,
                 port: int = 0, n_parallel: int = 1, start_timeout: float = 180.0,
                 model_alias: str | None = None, api_key: str | None = None):
        self.model_path = Path(model_path)
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.port = port                      # 0: the child binds a free port and reports it
        self.n_parallel = n_parallel
        self.start_timeout = start_timeout
        self.model_alias = model_alias or self.model_path.stem
        # A per-run random key: other local users and web pages cannot use our server.
        self.api_key = api_key or secrets.token_urlsafe(24)
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen | None = None
        self._address: str | None = None
        self._log_path: Path | None = None
        self._lock = threading.Lock()

    # --- public ---------------------------------------------------------------------------

    @property
    def address(self) -> str:
        if self._address is None:
            raise LlamaServerError("server not started")
        return self._address

    @property
    def base_url(self) -> str:
        return self.address + "/v1"

    @property
    def log_path(self) -> Path | None:
        return self._log_path

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "LlamaServer":
        with self._lock:
            if self.is_running():
                return self
            if not self.model_path.is_file():
                raise LlamaServerError(f"model file not found: {self.model_path}")
            self._spawn()
            try:
                self._wait_ready()
            except BaseException:
                self._terminate()
                if self._log_path is not None:      # its tail is in the error message already
                    self._log_path.unlink(missing_ok=True)
                    self._log_path = None
                raise
            atexit.register(self.stop)
            return self

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            atexit.unregister(self.stop)
            self._terminate(timeout)
            if self._log_path is not None:
                self._log_path.unlink(missing_ok=True)
                self._log_path = None

    def log_tail(self, n_lines: int = 30) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        with open(self._log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n_lines:])

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- internals ------------------------------------------------------------------------

    def _spawn(self) -> None:
        fd, log = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        self._log_path = Path(log)
        cmd = [sys.executable, "-m", "recruiter.runtime.llamacpp", "--model", str(self.model_path),
               "--port", str(self.port), "--threads", str(self.n_threads), "--ctx", str(self.n_ctx),
               "--parallel", str(self.n_parallel), "--alias", self.model_alias]
        env = dict(os.environ, **{API_KEY_ENV: self.api_key, LOG_ENV: log})
        # Passive OpenMP waits: with 2 cores shared with the UI, embeddings or other work, spinning
        # threads starve each other. Measured on the 0.5B with other processes busy: 1-3 tok/s
        # generation with spinning waits vs 20-30 tok/s passive.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        with os.fdopen(fd, "wb") as logf:
            # New session: a Ctrl-C meant for the app (e.g. to cancel an answer) does not kill the server.
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=logf, env=env, text=True, bufsize=1,
                                          start_new_session=True)
        self._address = None

    def _wait_ready(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        t0 = time.monotonic()
        found: list[str] = []

        def read_stdout() -> None:
            # A thread, because readline() blocks and we also need a timeout and a death check.
            # It keeps draining stdout after READY so a chatty child can never block on a full pipe.
            for line in proc.stdout:
                if not found and line.startswith(READY_PREFIX):
                    found.append(line[len(READY_PREFIX):].strip())

        reader = threading.Thread(target=read_stdout, daemon=True, name="llama-ready")
        reader.start()
        deadline = t0 + self.start_timeout
        while not found:
            if proc.poll() is not None:
                raise LlamaServerError(
                    f"llama.cpp server exited with code {proc.returncode} while loading "
                    f"{self.model_path.name}. Log tail:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise LlamaServerError(
                    f"llama.cpp server did not become ready within {self.start_timeout:.0f}s. "
                    f"Log tail:\n{self.log_tail()}")
            reader.join(0.05)
        self._address = found[0].rstrip("/")
        while not _http_ok(self._address + "/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise LlamaServerError(f"llama.cpp server at {self._address} never answered /health. "
                                       f"Log tail:\n{self.log_tail()}")
            time.sleep(0.05)
        self.start_seconds = time.monotonic() - t0

    def _terminate(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        self._address = None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.stdin.close()           # the polite stop: the child shuts the server down
            except OSError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    # No proxies: an http_proxy in the environment must not capture requests to our own loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


# --- child side ---------------------------------------------------------------------------

def server_params(model: str, *, host: str = "127.0.0.1", port: int = 0, threads: int = 2, ctx: int = 4096,
                  parallel: int = 1, alias: str | None = None, api_key: str | None = None):
    """xllamacpp parameters for our API-only server: also used by the shared server (runtime/llmserver.py)."""
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = model
    p.n_ctx = ctx
    p.n_parallel = parallel          # 1 slot: every request reuses the same KV cache (prompt cache stays hot)
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.cache_prompt = True            # a request sharing a prefix with the slot's last one skips that prefix
    p.hostnames = [host]
    p.port = port
    p.ui = False                     # no web UI: this server is an API for our app only
    p.offline = True                 # never try to fetch anything from a model hub
    p.endpoint_metrics = True
    if alias:
        p.model_alias = {alias}
    if api_key:
        p.api_keys = [api_key]
    return p


def serve(model: str, *, host: str = "127.0.0.1", port: int = 0, threads: int = 2, ctx: int = 4096,
          parallel: int = 1, alias: str | None = None, api_key: str | None = None,
          log_path: str | None = None) -> None:
    """Load the model, print the READY line, serve until stdin closes or SIGTERM/SIGINT.

    ``log_path`` (our stderr) is deleted after a clean shutdown, so a parent that was killed
    leaves no log behind; after a failed start it stays for the parent to quote.
    """
    import xllamacpp

    p = server_params(model, host=host, port=port, threads=threads, ctx=ctx, parallel=parallel, alias=alias,
                      api_key=api_key)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin() -> None:
        try:
            sys.stdin.read()             # returns at EOF: parent closed it or died
        finally:
            stop.set()

    server = xllamacpp.Server(p)     # blocks until the model is loaded and the port is bound
    print(READY_PREFIX + server.listening_address, flush=True)
    threading.Thread(target=watch_stdin, daemon=True, name="stdin-watch").start()
    while not stop.wait(0.5):        # a timed wait so signal handlers get to run
        pass
    del server                       # ~Server stops the HTTP loop and frees the model
    if log_path:
        Path(log_path).unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="llama.cpp OpenAI-compatible server (child of the app)")
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--parallel", type=int, default=1)
    ap.add_argument("--alias", default=None)
    args = ap.parse_args(argv)
    serve(args.model, host=args.host, port=args.port, threads=args.threads, ctx=args.ctx,
          parallel=args.parallel, alias=args.alias, api_key=os.environ.get(API_KEY_ENV) or None,
          log_path=os.environ.get(LOG_ENV) or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
