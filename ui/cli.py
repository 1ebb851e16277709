"""`recruiter` command line: ingest, candidates, remove, ask, chat, eval, serve, profile, compare, prep,
match. Every command that prints results takes --json."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recruiter.runtime.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", help="data dir (default: $RECRUITER_HOME or a per-user data dir)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--chroma-url", help="use a Chroma server (http://host:port) instead of the embedded store")


def _llm_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm", choices=("local", "openai", "none"),
                   help="who words the answer: local llama.cpp (default), any OpenAI-compatible URL, or none")
    p.add_argument("--llm-base-url", help="OpenAI-compatible base URL (vLLM, Ollama, OpenAI …)")
    p.add_argument("--llm-model", help="model name at that URL")
    p.add_argument("--contacts-to-llm", choices=("auto", "mask", "send"),
                   help="contact details in what the model sees: auto (masked for remote URLs), mask, send")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="recruiter", description="Cited, verified answers about candidates' CVs.")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="load CV files or folders (PDF, DOCX, TXT, MD, HTML)")
    p.add_argument("paths", nargs="+")
    _common(p)
    p = sub.add_parser("candidates", help="who is in the store, with aliases")
    _common(p)
    p = sub.add_parser("remove", help="delete a candidate (by name, alias, file name or id)")
    p.add_argument("name")
    _common(p)
    p = sub.add_parser("ask", help="ask one question")
    p.add_argument("question")
    p.add_argument("--candidate", action="append", help="limit to this candidate (repeatable)")
    p.add_argument("--jd", help="a job description (file or text) to match candidates against")
    _common(p)
    _llm_flags(p)
    p = sub.add_parser("chat", help="multi-turn chat in the terminal")
    p.add_argument("--ingest", nargs="*", help="ingest these files/folders first")
    _common(p)
    _llm_flags(p)
    p = sub.add_parser("serve", help="open the web UI (chat, citations, uploads) in a browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other needs RECRUITER_AUTH=user:password)")
    p.add_argument("--port", type=int, help="port (default: the first free one from 7860)")
    p.add_argument("--ingest", nargs="*", help="ingest these files/folders first")
    _common(p)
    _llm_flags(p)
    p = sub.add_parser("eval", help="answer a question file on a fresh store and write JSON lines")
    p.add_argument("--questions", required=True, type=Path)
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    _common(p)
    _llm_flags(p)
    from recruiter.ui import cli_llm, cli_workflows
    cli_workflows.add_parsers(sub, _common, _llm_flags)
    cli_llm.add_parser(sub)
    return ap


# One-shot commands reuse the per-user llama.cpp server (runtime/llmserver.py) instead of loading the model
# in every process; `serve` keeps its own child. RECRUITER_LLM_SERVER=child|shared overrides.
SHARED_SERVER_COMMANDS = ("ask", "chat", "eval", "profile", "compare", "prep", "match", "llm")


def settings_from(args: argparse.Namespace) -> Settings:
    import os
    shared = getattr(args, "command", None) in SHARED_SERVER_COMMANDS and not os.environ.get("RECRUITER_LLM_SERVER")
    return Settings.from_env(home=getattr(args, "home", None), chroma_url=getattr(args, "chroma_url", None),
                             llm=getattr(args, "llm", None), llm_base_url=getattr(args, "llm_base_url", None),
                             llm_model=getattr(args, "llm_model", None),
                             contacts_to_llm=getattr(args, "contacts_to_llm", None),
                             llm_server="shared" if shared else None)


def _emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _read_jd(value: str | None) -> str | None:
    if not value:
        return None
    p = Path(value)
    if len(value) < 4096 and p.is_file():
        from recruiter.ingest.pipeline import parse_file
        return parse_file(p).document.text
    return value


def main(argv: list[str] | None = None) -> int:
    import warnings

    # jieba imports pkg_resources, which warns about our namespace package: noise for a recruiter.
    warnings.filterwarnings("ignore", message="Module recruiter was already imported")
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    args = build_parser().parse_args(argv)
    from rich.console import Console

    # Human output goes to stderr when --json is set, so stdout stays valid JSON.
    console = Console(stderr=bool(getattr(args, "json", False)))
    settings = settings_from(args)
    try:
        return _run(args, settings, console)
    except KeyboardInterrupt:
        return 130
    except Exception as e:   # one clear line for the recruiter instead of a traceback
        from recruiter.vectorstore.lock import StoreLockedError
        if isinstance(e, (StoreLockedError, LookupError, ValueError, RuntimeError, OSError)):
            if getattr(args, "json", False):
                _emit({"error": str(e), "type": type(e).__name__})
            else:
                console.print(f"[red]error:[/red] {e}", highlight=False)
            return EXIT_FAILED
        raise


def _run(args, settings: Settings, console) -> int:
    from recruiter.assistant.app import App
    from recruiter.ui import terminal

    if args.command == "eval":
        from recruiter.assistant.evaluation import run_eval
        if not args.corpus.exists():
            raise LookupError(f"corpus {args.corpus} not found")
        records = run_eval(settings, args.questions, args.corpus, args.out, use_model=settings.llm != "none")
        summary = {"items": len(records), "out": str(args.out),
                   "abstained": sum(r["abstained"] for r in records)}
        _emit(summary) if args.json else console.print(
            f"wrote {len(records)} answers to {args.out}; score with: python ../shared/eval/score.py "
            f"--questions {args.questions} --answers {args.out}")
        return EXIT_OK

    if args.command == "serve":
        from recruiter.ui.web_serve import serve
        return serve(args, settings, console)

    if args.command == "llm":
        from recruiter.ui import cli_llm
        return cli_llm.run(args, settings, console)

    read_only = args.command in ("candidates", "profile", "compare", "prep", "match")
    # ask/chat will call the model: let it load (or attach) while the store opens and the evidence is found
    warm = args.command in ("ask", "chat") and settings.llm != "none"
    with App.open(settings, read_only=read_only and settings.home.joinpath("catalog.sqlite3").exists(),
                  warm_llm=warm) as app:
        _say_what_leaves(app)
        if args.command == "ingest":
            results = app.library.ingest(args.paths, progress=not args.json)
            _emit([r.to_json() for r in results]) if args.json else terminal.print_ingest(console, results)
            return EXIT_FAILED if results and all(r.status == "failed" for r in results) else EXIT_OK
        if args.command == "candidates":
            cands = app.library.candidates()
            _emit([c.to_dict() for c in cands]) if args.json else terminal.print_candidates(console, cands)
            return EXIT_OK
        if args.command == "remove":
            removed = app.library.remove(args.name)
            _emit({"removed": removed.to_dict()}) if args.json else console.print(
                f"Removed {removed.name} ({', '.join(removed.sources)}).")
            return EXIT_OK
        if args.command == "ask":
            scope = None
            if args.candidate:
                scope = []
                for name in args.candidate:
                    found = app.library.find(name)
                    if not found:
                        raise LookupError(f"No candidate matches '{name}'. Run `recruiter candidates`.")
                    scope += [c.id for c in found]
            if args.json:
                answer = app.assistant.ask(args.question, scope=scope, jd=_read_jd(args.jd),
                                           use_model=settings.llm != "none")
                _emit(answer.to_json())
            else:   # evidence first: the cited answer prints at once, the model's wording streams after
                terminal.ask_streaming(console, app, args.question, scope=scope, jd=_read_jd(args.jd),
                                       use_model=settings.llm != "none")
            return EXIT_OK
        if args.command in ("profile", "compare", "prep", "match"):
            from recruiter.ui import cli_workflows
            return cli_workflows.run(args, app, console)
        if args.command == "chat":
            if args.ingest:
                terminal.print_ingest(console, app.library.ingest(args.ingest, progress=True))
            terminal.chat_loop(console, app, use_model=settings.llm != "none")
            return EXIT_OK
    return EXIT_USAGE


def _say_what_leaves(app) -> None:
    """With a remote model, say on stderr (so --json stays clean) what is sent where, before anything is."""
    desc = app.describe_llm()
    if desc.get("remote"):
        from rich.console import Console
        Console(stderr=True).print(f"[yellow]note:[/yellow] {desc['summary']}", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
