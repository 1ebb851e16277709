"""A per-user llama.cpp server that outlives the CLI process that started it, and stops itself when idle.

Each `recruiter ask` used to start its own llama.cpp child and pay the model load (seconds) on every call.
``SharedLlamaServer`` instead connects to the user's running server, and only when there is none (or it is
stale: dead pid, other model, not answering) starts a detached supervisor process that hosts llama.cpp:

    python -m recruiter.runtime.llmsupervisor --model PATH --state DIR/llm-server.json [--idle-minutes 15]

The supervisor (runtime/llmsupervisor.py) writes the state file (pid, address, API key, model sha, ctx) once the model is loaded and
removes it when it stops. It stops after ``idle_minutes`` without a request (read from llama.cpp's own
metrics) and without a client attaching (clients touch the state file), or on SIGTERM. A file lock
beside the state file keeps two starters from racing and a client from attaching to a server that is
retiring. The state file is mode 0600 (it holds the API key) in a 0700 directory.

``SharedLlamaServer`` has LlamaServer's interface (start, stop, is_running, base_url, api_key, pid), so the
one OpenAI-client code path is unchanged; its ``stop()`` only detaches, ``shutdown()`` stops the server.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from recruiter.runtime.llamacpp import API_KEY_ENV, LlamaServerError, _http_ok

try:
    import fcntl
except ImportError:   # Windows: no flock; starters may race there (the loser's server idles out)
    fcntl = None

STATE_FILE = "llm-server.json"
IDLE_ENV = "RECRUITER_LLM_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 15.0
SUPERVISOR_MODULE = "recruiter.runtime.llmsupervisor"


def idle_minutes_from_env(env: dict | None = None) -> float:
    value = (os.environ if env is None else env).get(IDLE_ENV) or ""
    return float(value) if value.strip() else DEFAULT_IDLE_MINUTES


def model_fingerprint(path: str | os.PathLike, sha256: str | None = None) -> str:
    """The model's sha256 when known (settings.LOCAL_MODELS); else a hash of path, size and mtime, which
    changes when the file does, without reading a GB on every CLI call."""
    if sha256:
        return sha256
    st = Path(path).stat()
    return "stat:" + hashlib.sha256(f"{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()


@dataclass(frozen=True)
class ServerState:
    pid: int
    address: str            # http://127.0.0.1:PORT
    api_key: str
    model_path: str
    model_sha: str
    n_ctx: int
    alias: str
    started_at: float       # wall clock, for status output


def read_state(path: Path) -> ServerState | None:
    try:
        return ServerState(**json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None          # absent, half-written by a crashed writer, or from an older version: stale


def write_state(path: Path, state: ServerState) -> None:
    """Atomic (rename), readable by this user only: it holds the server's API key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(state), f)
    os.replace(tmp, path)


def remove_state_if_owned(path: Path, pid: int) -> None:
    state = read_state(path)
    if state is not None and state.pid == pid:
        Path(path).unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True          # alive, but another user's: never ours
    try:
        with open(f"/proc/{pid}/stat") as f:       # a zombie (exited, not yet reaped) is gone
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def is_supervisor(pid: int) -> bool:
    """The pid runs our supervisor (not an unrelated process that got a recycled pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return SUPERVISOR_MODULE.encode() in f.read()
    except FileNotFoundError:
        return not Path("/proc/self").exists() and pid_alive(pid)   # no procfs: trust the pid
    except OSError:
        return False


def answers(state: ServerState, timeout: float = 3.0) -> bool:
    """The server at the recorded address is up and accepts the recorded key (it is that server)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(state.address + "/v1/models", headers={"Authorization": f"Bearer {state.api_key}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # loopback: never via a proxy
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def state_lock(state_dir: Path, timeout: float) -> Iterator[bool]:
    """Exclusive flock on state_dir/llm-server.lock; yields False if it was not had within ``timeout``."""
    if fcntl is None:
        yield True
        return
    with open(Path(state_dir) / "llm-server.lock", "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def terminate(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM our supervisor, SIGKILL it if it does not exit in time. Not ours (recycled pid): left alone."""
    if not pid_alive(pid) or not is_supervisor(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.05)


class SharedLlamaServer:
    """Connect to the user's shared llama.cpp server, starting it if needed. See the module docstring."""

    def __init__(self, model_path: str | os.PathLike, *, state_dir: str | os.PathLike, n_threads: int = 2,
                 n_ctx: int = 4096, model_alias: str | None = None, model_sha: str | None = None,
                 idle_minutes: float | None = None, start_timeout: float = 180.0):
        self.model_path = Path(model_path)
        self.state_dir = Path(state_dir)
        self.state_path = self.state_dir / STATE_FILE
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.model_alias = model_alias or self.model_path.stem
        self.model_sha = model_sha
        self.idle_minutes = idle_minutes_from_env() if idle_minutes is None else idle_minutes
        self.start_timeout = start_timeout
        self.reused: bool | None = None          # after start(): True if an existing server was attached
        self.start_seconds: float | None = None
        self._state: ServerState | None = None
        self._proc: subprocess.Popen | None = None   # only in the process that started the supervisor
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        if self._state is None:
            raise LlamaServerError("server not started")
        return self._state.address

    @property
    def base_url(self) -> str:
        return self.address + "/v1"

    @property
    def api_key(self) -> str:
        if self._state is None:
            raise LlamaServerError("server not started")
        return self._state.api_key

    @property
    def pid(self) -> int | None:
        return self._state.pid if self._state else None

    @property
    def log_path(self) -> Path:
        return self.state_dir / "llm-server.log"

    def is_running(self) -> bool:
        """Our server still runs and has not retired (a retiring server removes its state file first)."""
        st = self._state
        if st is None or not pid_alive(st.pid):
            return False
        if self._proc is not None and self._proc.poll() is not None:
            return False
        current = read_state(self.state_path)
        return current is not None and current.pid == st.pid

    def start(self) -> "SharedLlamaServer":
        with self._lock:
            if self.is_running():
                return self
            if not self.model_path.is_file():
                raise LlamaServerError(f"model file not found: {self.model_path}")
            t0 = time.monotonic()
            self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            with state_lock(self.state_dir, self.start_timeout + 30) as locked:
                if not locked:
                    raise LlamaServerError(f"another process held {self.state_dir}/llm-server.lock too long")
                state = read_state(self.state_path)
                if state is not None and self._usable(state):
                    os.utime(self.state_path)            # a client attached: the idle clock restarts
                    self._state, self.reused = state, True
                else:
                    if state is not None:                # stale: other model, dead or deaf; replace it
                        terminate(state.pid)
                    self.state_path.unlink(missing_ok=True)
                    self._state, self.reused = self._spawn_and_wait(t0), False
            self.start_seconds = time.monotonic() - t0
            return self

    def stop(self, timeout: float = 10.0) -> None:
        """Detach: the server is shared and stops itself when idle (``shutdown()`` stops it now)."""
        with self._lock:
            self._state = None

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop the user's shared server now (whoever started it). True if one was running."""
        stopped = shutdown(self.state_dir, timeout)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.wait(timeout)
        self._state = None
        return stopped

    def log_tail(self, n_lines: int = 30) -> str:
        try:
            lines = self.log_path.read_bytes()[-16384:].decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n_lines:])

    def __enter__(self) -> "SharedLlamaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- internals ------------------------------------------------------------------------

    def _usable(self, state: ServerState) -> bool:
        return (state.model_sha == model_fingerprint(self.model_path, self.model_sha) and state.n_ctx == self.n_ctx
                and pid_alive(state.pid) and is_supervisor(state.pid)
                # generous: a server busy answering another process on 2 loaded cores is slow, not dead
                and answers(state, timeout=10.0))

    def _spawn_and_wait(self, t0: float) -> ServerState:
        cmd = [sys.executable, "-m", SUPERVISOR_MODULE, "--model", str(self.model_path),
               "--state", str(self.state_path), "--model-sha", model_fingerprint(self.model_path, self.model_sha),
               "--threads", str(self.n_threads), "--ctx", str(self.n_ctx), "--alias", self.model_alias,
               "--idle-minutes", str(self.idle_minutes)]
        # The key goes in the environment (argv is readable by other users with ps).
        env = dict(os.environ, **{API_KEY_ENV: secrets.token_urlsafe(24)})
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")     # see LlamaServer._spawn: 2 shared cores
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as log:
            # Its own session, no pipes to us: it outlives this process and ignores our Ctrl-C.
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                          env=env, start_new_session=True, close_fds=True,
                                          cwd=self.state_dir)   # never pins the caller's cwd
        deadline = t0 + self.start_timeout
        while True:
            state = read_state(self.state_path)
            if state is not None and state.pid == self._proc.pid and _http_ok(state.address + "/health"):
                return state
            if self._proc.poll() is not None:
                raise LlamaServerError(f"llama.cpp server exited with code {self._proc.returncode} while loading "
                                       f"{self.model_path.name}. Log tail:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                terminate(self._proc.pid)
                raise LlamaServerError(f"llama.cpp server did not become ready within {self.start_timeout:.0f}s. "
                                       f"Log tail:\n{self.log_tail()}")
            time.sleep(0.05)


def state_dir_for(settings) -> Path:
    """Per user and model: beside the models in the user's cache (RECRUITER_MODEL_CACHE), not per data dir.
    Per model, so a call with another model starts a second server instead of stopping one in use."""
    return Path(settings.model_cache) / "llm-server" / settings.local_model


def shared_server(settings, *, progress: bool = True) -> SharedLlamaServer:
    """The user's shared server for ``settings.local_model`` (fetches the model if missing; not started)."""
    from recruiter.runtime.modelfetch import ensure_local_model
    from recruiter.runtime.settings import LOCAL_MODELS

    path = ensure_local_model(settings.local_model, settings.model_cache, progress=progress)
    return SharedLlamaServer(path, state_dir=state_dir_for(settings), n_threads=settings.llm_threads,
                             n_ctx=settings.llm_ctx, model_alias=settings.local_model,
                             model_sha=LOCAL_MODELS[settings.local_model][3])


def shutdown(state_dir: Path, timeout: float = 10.0) -> bool:
    """Stop the shared server recorded in ``state_dir``, if any. True if one was running."""
    state_dir = Path(state_dir)
    if not state_dir.is_dir():
        return False
    with state_lock(state_dir, timeout) as locked:
        state = read_state(state_dir / STATE_FILE)
        if not locked or state is None:
            return False
        running = pid_alive(state.pid) and is_supervisor(state.pid)
        terminate(state.pid, timeout)
        (state_dir / STATE_FILE).unlink(missing_ok=True)
    return running


def status(state_dir: Path) -> dict:
    """What `recruiter llm status` prints: never starts anything, never shows the API key."""
    state = read_state(Path(state_dir) / STATE_FILE)
    if state is None:
        return {"running": False, "state_dir": str(state_dir)}
    try:
        idle_s = time.time() - (Path(state_dir) / STATE_FILE).stat().st_mtime
    except OSError:
        idle_s = None
    return {"running": pid_alive(state.pid) and is_supervisor(state.pid) and answers(state),
            "pid": state.pid, "address": state.address, "model": state.alias, "model_path": state.model_path,
            "n_ctx": state.n_ctx, "started_at": state.started_at, "since_last_attach_s": idle_s,
            "state_dir": str(state_dir)}
