"""`recruiter llm start|stop|status`: the per-user local llama.cpp server the CLI reuses (runtime/llmserver.py).

It starts on demand anyway and stops itself after RECRUITER_LLM_IDLE_MINUTES (default 15) without use;
`start` just pays the model load ahead of the first question, `stop` frees its memory now.
"""
from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("llm", help="the shared local model server: start it now, stop it, or show its status")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


def run(args, settings, console) -> int:
    from recruiter.runtime import llmserver

    state_dir = llmserver.state_dir_for(settings)
    if args.action == "start":
        server = llmserver.shared_server(settings, progress=not args.json).start()
        info = {**llmserver.status(state_dir), "reused": server.reused}
    elif args.action == "stop":
        info = {"stopped": llmserver.shutdown(state_dir), "state_dir": str(state_dir)}
    else:
        info = llmserver.status(state_dir)
    if args.json:
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    elif args.action == "stop":
        console.print("Stopped the local model server." if info["stopped"] else "No local model server was running.")
    elif info.get("running"):
        verb = {"start": "Already running" if info.get("reused") else "Started"}.get(args.action, "Running")
        console.print(f"{verb}: {info['model']} at {info['address']} (pid {info['pid']}); it stops after "
                      f"{llmserver.idle_minutes_from_env():g} idle minutes.", highlight=False)
    else:
        console.print("No local model server is running; the first question starts one.")
    return 0
