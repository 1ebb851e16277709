"""Terminal rendering of answers, candidates and ingest results (rich), and the `chat` loop."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def print_answer(console: Console, answer, *, show_citations: bool = True) -> None:
    style = "yellow" if answer.abstained else None
    console.print(escape(answer.text), style=style, highlight=False)
    if show_citations and answer.citations:
        console.print()
        for c in answer.citations:
            snippet = c.text if len(c.text) <= 220 else c.text[:217] + "…"
            console.print(f"[bold][{c.n}][/bold] [cyan]{escape(c.candidate)}[/cyan] · {escape(c.source)} · "
                          f"{c.section} · chars {c.start}–{c.end}", highlight=False)
            console.print(f"    [dim]{escape(snippet)}[/dim]", highlight=False)
    for note in answer.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]", highlight=False)


def ask_streaming(console: Console, app, question: str, *, conversation=None, scope=None, jd=None,
                  use_model: bool = True):
    """Evidence first: the program's cited answer prints at once; the model's re-wording streams
    after it and replaces it only if it verified."""
    streamed: list[str] = []
    phraser = app.assistant.phraser if use_model else None

    def on_evidence(answer) -> None:
        print_answer(console, answer)
        if phraser is not None and phraser.will_phrase(answer):
            console.print("[dim]rewording (unverified): [/dim]", end="")

    def on_token(piece: str) -> None:
        streamed.append(piece)
        console.print(escape(piece), end="", style="dim", highlight=False)

    final = app.assistant.ask(question, conversation=conversation, scope=scope, jd=jd, use_model=use_model,
                              on_evidence=on_evidence, on_token=on_token)
    if streamed:
        console.print()
        if final.wording == "model":
            console.print("[green]verified wording:[/green] " + escape(final.text), highlight=False)
        else:
            console.print("[dim](not kept: the cited answer above stands)[/dim]")
    return final


def print_candidates(console: Console, candidates) -> None:
    if not candidates:
        console.print("No candidates yet. Run `recruiter ingest <folder or files>`.")
        return
    t = Table("name", "also known as", "files", "id", "flags")
    for c in candidates:
        t.add_row(escape(c.name), escape(", ".join(c.aliases + c.former_names)), escape(", ".join(c.sources)),
                  c.id, escape("; ".join(c.flags)))
    console.print(t)


def print_ingest(console: Console, results) -> None:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "failed":
            console.print(f"[red]✗ {escape(r.source)}[/red]: {escape(r.message)}", highlight=False)
        else:
            mark = {"added": "[green]+[/green]", "replaced": "[blue]~[/blue]", "unchanged": "[dim]=[/dim]"}[r.status]
            console.print(f"{mark} {escape(r.source)} → {escape(r.candidate)} ({r.status}, {r.passages} passages)",
                          highlight=False)
            for w in r.warnings:
                console.print(f"    [yellow]warning:[/yellow] {escape(w)}", highlight=False)
    console.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no files found")


def chat_loop(console: Console, app, *, use_model: bool, read=input) -> None:
    from recruiter.assistant.service import Conversation

    conv = Conversation()
    console.print(f"[bold]Recruiter assistant[/bold] — {len(app.store.candidates())} candidates. "
                  f"{escape(app.describe_llm()['summary'])}")
    console.print("Ask about a candidate, compare them, or paste a job description. "
                  "[dim]:new starts over, :candidates lists them, :quit leaves.[/dim]")
    while True:
        try:
            q = read("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not q:
            continue
        if q in (":q", ":quit", ":exit", "exit", "quit"):
            return
        if q == ":new":
            conv = Conversation()
            console.print("[dim]New conversation.[/dim]")
            continue
        if q == ":candidates":
            print_candidates(console, app.library.candidates())
            continue
        ask_streaming(console, app, q, conversation=conv, use_model=use_model)
