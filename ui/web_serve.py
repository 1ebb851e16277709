"""`recruiter serve`: check who may connect, open the store, launch the web app, block until Ctrl+C."""
from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from pathlib import Path

from recruiter.ui.web_app import build_ui, launch_kwargs
from recruiter.ui.web_bind import DEFAULT_HOST, BindRefused, check_bind


def serve(args, settings, console) -> int:
    """`recruiter serve`: refuse an open bind without auth, open the store, launch, block until Ctrl+C."""
    host = args.host or DEFAULT_HOST
    try:
        auth = check_bind(host)
    except BindRefused as e:
        from rich.markup import escape
        console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        return 2
    from recruiter.assistant.app import App

    # a recruiter opens the UI to ask: the local model loads now, not on the first question
    app = App.open(settings, warm_llm=True)
    export_root = Path(tempfile.mkdtemp(prefix="recruiter-export-"))
    demo = None
    try:
        if getattr(args, "ingest", None):
            from recruiter.ui import terminal
            terminal.print_ingest(console, app.library.ingest(args.ingest, progress=False))
        ui, demo = build_ui(app, export_root=export_root)
        demo.queue(default_concurrency_limit=1)

        def _term(*_):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, _term)
        demo.launch(server_name=host, server_port=args.port, auth=auth, prevent_thread_lock=True,
                    auth_message="Recruiter assistant: sign in (RECRUITER_AUTH)." if auth else None,
                    **launch_kwargs(ui, demo))
        url = f"http://{'[' + host + ']' if ':' in host else host}:{demo.server_port}/"
        console.print(f"Recruiter assistant on [bold]{url}[/bold] — {len(app.library.candidates())} candidates. "
                      f"{app.describe_llm()['summary']}" + (" Login required." if auth else ""), highlight=False)
        sys.stdout.flush()
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        if demo is not None and demo.is_running:
            demo.close()
        app.close()
        shutil.rmtree(export_root, ignore_errors=True)
    return 0
