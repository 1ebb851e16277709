"""Recruiter workflow commands: `profile`, `compare`, `match`. Each prints a table or JSON (--json)."""
from __future__ import annotations

import argparse
import json
import sys

from rich.markup import escape

from recruiter.assistant.tables import ASPECTS


def add_parsers(sub, common, llm_flags) -> None:
    p = sub.add_parser("profile", help="a candidate's profile: every value with its place in the CV")
    p.add_argument("name")
    p.add_argument("--md", action="store_true", help="print Markdown")
    p.add_argument("--refresh-with-llm", action="store_true",
                   help="fill fields the rules left empty from the model (verbatim values only), then show")
    common(p)
    llm_flags(p)
    p = sub.add_parser("compare", help="side-by-side table of candidates, every cell cited")
    p.add_argument("names", nargs="+")
    p.add_argument("--aspects", default=",".join(ASPECTS), help=f"comma-separated: {','.join(ASPECTS)}")
    p.add_argument("--md", action="store_true", help="print Markdown")
    common(p)
    p = sub.add_parser("prep", help="interview-prep pack for one candidate (cited summary, probes, questions)")
    p.add_argument("name")
    p.add_argument("--jd", help="a job description (file or text): its requirements without evidence are listed")
    p.add_argument("--md", metavar="OUT", help="also write the pack as Markdown (with its citations) to OUT")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    common(p)
    p = sub.add_parser("match", help="rank candidates for a job description")
    p.add_argument("--jd", required=True, help="job description: a file or the text itself")
    p.add_argument("--top", type=int, default=3)
    common(p)


def _one(app, name: str):
    found = app.library.find(name)
    if not found:
        raise LookupError(f"No candidate matches '{name}'. Run `recruiter candidates`.")
    if len(found) > 1:
        raise LookupError(f"'{name}' matches several candidates: {', '.join(c.name for c in found)}.")
    return found[0]


def _profile_markdown(candidate, profile: dict) -> str:
    def val(span):
        return span["value"] if span else ""
    out = [f"# {candidate.name}", ""]
    if candidate.aliases or candidate.former_names:
        out.append("Also: " + ", ".join(candidate.aliases + candidate.former_names))
    contact = profile.get("contact") or {}
    out += ["", "## Contact"] + [f"- {val(s)}" for s in contact.get("emails", []) + contact.get("phones", [])]
    out += [f"- {link['kind']}: {val(link['url'])}" for link in contact.get("links", [])]
    out += ["", "## Education"] + [
        f"- {e['degree_level']}: {val(e['school'])} {val(e['start'])}–{val(e['end'])}"
        + (f" (advisor {val(e['advisor'])})" if e.get("advisor") else "") for e in profile.get("education", [])]
    out += ["", "## Experience"] + [
        f"- {val(e['organisation'])} — {val(e['role'])} {val(e['start'])}–{val(e['end'])} ({e['kind']})"
        for e in profile.get("experience", [])]
    out += ["", "## Publications"] + [
        f"- {val(p['title'])} — {val(p['venue'])} {val(p['year'])} [{p['author_position']}]"
        for p in profile.get("publications", [])]
    out += ["", "## Awards"] + [f"- {val(a['text'])}" for a in profile.get("awards", [])]
    out += ["", "## Skills"] + [f"- {val(s)}" for s in profile.get("skills", [])]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace, app, console) -> int:
    if args.command == "profile":
        cand = _one(app, args.name)
        if args.refresh_with_llm:
            from recruiter.assistant.profile_fallback import refresh_profile_with_llm
            if app.llm is None:
                raise ValueError("--refresh-with-llm needs a model: drop --llm none")
            report = refresh_profile_with_llm(app.store, cand.id, app.llm)
            console.print(f"model fallback: asked {', '.join(report.asked) or 'nothing'}; kept {report.kept or 0}; "
                          f"discarded {sum(len(v) for v in report.discarded.values())} not found verbatim", highlight=False)
        profile = app.store.profile(cand.id) or {}
        if args.json:
            sys.stdout.write(json.dumps({"candidate": cand.to_dict(), "profile": profile}, ensure_ascii=False,
                                        indent=2) + "\n")
        else:
            text = _profile_markdown(cand, profile)
            sys.stdout.write(text) if args.md else console.print(escape(text), highlight=False)
        return 0
    if args.command == "compare":
        from recruiter.assistant.service import display_name
        from recruiter.assistant.tables import compare_table
        cands = [_one(app, n) for n in args.names]
        aspects = [a.strip() for a in args.aspects.split(",") if a.strip()]
        unknown = [a for a in aspects if a not in ASPECTS]
        if unknown:
            raise ValueError(f"unknown aspect(s) {', '.join(unknown)}; choose from {', '.join(ASPECTS)}")
        table = compare_table([app.assistant.candidate_text(c) for c in cands],
                              {c.id: display_name(c, None) for c in cands}, aspects,
                              profiles={c.id: app.store.profile(c.id) for c in cands})
        if args.json:
            sys.stdout.write(json.dumps(table.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            text = table.to_markdown()
            sys.stdout.write(text + "\n") if args.md else console.print(escape(text), highlight=False)
        return 0
    if args.command == "prep":
        from recruiter.assistant.prep_pack import prep_pack
        from recruiter.assistant.service import display_name
        from recruiter.ui.cli import _read_jd
        cand = _one(app, args.name)
        profile = app.store.profile(cand.id)
        if profile is None:
            raise LookupError(f"No profile for {cand.name}: re-ingest the CV to build it.")
        gaps = app.assistant.jd_gaps(cand.id, _read_jd(args.jd)) if args.jd else []
        pack = prep_pack(app.assistant.candidate_text(cand), profile, display_name(cand, None), lang=args.lang,
                         jd_gaps=gaps)
        if args.md:
            from pathlib import Path
            refs = "\n".join(f"[{c.n}] {c.source}, chars {c.start}–{c.end}: {c.text}" for c in pack.citations)
            Path(args.md).write_text(pack.text + "\n\n## Sources\n" + refs + "\n", encoding="utf-8")
        if args.json:
            sys.stdout.write(json.dumps(pack.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            from recruiter.ui.terminal import print_answer
            print_answer(console, pack)
        return 0
    if args.command == "match":
        from recruiter.ui.cli import _read_jd
        answer = app.assistant.ask("Rank the candidates for this job description.", jd=_read_jd(args.jd),
                                   use_model=False, top=args.top)
        if args.json:
            sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            from recruiter.ui.terminal import print_answer
            print_answer(console, answer)
        return 0
    return 2
