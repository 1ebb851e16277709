"""The shared server's supervisor: hosts llama.cpp in-process, publishes the state file, stops when idle.

Started detached by ``SharedLlamaServer`` (runtime/llmserver.py), never by hand:

    python -m recruiter.runtime.llmsupervisor --model PATH --state FILE --model-sha SHA --alias NAME
                                              [--threads 2] [--ctx 4096] [--idle-minutes 15]

Idle = no request for ``idle_minutes`` (llama.cpp's own counters, read in-process) and no client attaching
(clients touch the state file). The API key comes in the environment, never in argv.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import threading
import time
from pathlib import Path
from typing import Sequence

from recruiter.runtime.llamacpp import API_KEY_ENV
from recruiter.runtime.llmserver import (DEFAULT_IDLE_MINUTES, ServerState, remove_state_if_owned, state_lock,
                                         write_state)

# Counters that move on any request, and the gauge of requests in flight (llama.cpp /metrics names).
ACTIVITY_COUNTERS = ("prompt_tokens_total", "prompt_tokens_cached_total", "tokens_predicted_total",
                     "n_decode_total")


def activity(metrics_text: str) -> tuple[tuple[float, ...], float]:
    """(request counters, requests in flight) from llama.cpp's Prometheus metrics text."""
    values = dict(re.findall(r"^llamacpp:(\w+)\s+([0-9.eE+-]+)\s*$", metrics_text, flags=re.M))
    counters = tuple(float(values.get(k, 0)) for k in ACTIVITY_COUNTERS)
    return counters, float(values.get("requests_processing", 0))


def supervise(model: str, *, state_path: Path, model_sha: str, alias: str, threads: int = 2, ctx: int = 4096,
              idle_minutes: float = DEFAULT_IDLE_MINUTES, api_key: str | None = None) -> None:
    """Host llama.cpp in this process, publish the state file, stop when idle or on SIGTERM/SIGINT."""
    import xllamacpp

    from recruiter.runtime.llamacpp import server_params

    state_path = Path(state_path)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stop.set())
    api_key = api_key or secrets.token_urlsafe(24)
    server = xllamacpp.Server(server_params(model, threads=threads, ctx=ctx, alias=alias, api_key=api_key))
    write_state(state_path, ServerState(pid=os.getpid(), address=server.listening_address.rstrip("/"),
                                        api_key=api_key, model_path=str(model), model_sha=model_sha, n_ctx=ctx,
                                        alias=alias, started_at=time.time()))
    idle_s = idle_minutes * 60
    poll_s = min(5.0, max(0.1, idle_s / 10))     # a short idle setting (tests) polls faster
    last_counters, last_active = None, time.monotonic()
    try:
        while not stop.wait(poll_s):             # a timed wait so signal handlers get to run
            counters, in_flight = activity(server.handle_metrics())
            if counters != last_counters or in_flight > 0:
                last_counters, last_active = counters, time.monotonic()
            if _idle_for(state_path, last_active) >= idle_s and _retire_if_idle(state_path, last_active, idle_s):
                break
    finally:
        remove_state_if_owned(state_path, os.getpid())
        del server                                # ~Server stops the HTTP loop and frees the model


def _idle_for(state_path: Path, last_active: float) -> float:
    try:
        since_attach = time.time() - state_path.stat().st_mtime
    except OSError:
        return float("inf")                      # state gone (replaced or removed): nobody can find us
    return min(time.monotonic() - last_active, since_attach)


def _retire_if_idle(state_path: Path, last_active: float, idle_s: float) -> bool:
    """Under the lock, so no client attaches between the check and the state file's removal."""
    with state_lock(state_path.parent, timeout=0) as locked:
        if not locked or _idle_for(state_path, last_active) < idle_s:
            return False                          # a client is starting or attaching right now
        remove_state_if_owned(state_path, os.getpid())
        return True


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="shared llama.cpp server for the recruiter CLI (started on demand)")
    ap.add_argument("--model", required=True)
    ap.add_argument("--state", required=True, type=Path)
    ap.add_argument("--model-sha", required=True)
    ap.add_argument("--alias", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    args = ap.parse_args(argv)
    supervise(args.model, state_path=args.state, model_sha=args.model_sha, alias=args.alias, threads=args.threads,
              ctx=args.ctx, idle_minutes=args.idle_minutes, api_key=os.environ.get(API_KEY_ENV) or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
