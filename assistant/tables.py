"""Side-by-side comparison tables: one column per candidate, one row per aspect, every cell cited.

Cells come from the stored profile (read at ingest, every value a verbatim span): a short summary
built only from those values, each entry cited by the span(s) holding its values, so every name or
number in a cell is in its cited text. An aspect the profile has nothing for falls back to the CV's
own section (education entries by layout rules, other sections by their entries); an aspect neither
has says "not stated".
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from recruiter.assistant.answer import Answer, Citation, CitationBook
from recruiter.assistant.evidence import CandidateText, Evidence, Line, to_evidence
from recruiter.assistant.profiles import education_entries, section_entries
from recruiter.assistant.snippets import clean, snippet
from recruiter.ingest.profile_text import date_key

ASPECTS = ("education", "experience", "publications", "projects", "awards", "skills", "research")
LEVEL_NAMES = {3: "PhD", 2: "Master", 1: "Bachelor", 0: ""}
CITE_GAP = 80          # spans of one entry closer than this are cited as one passage
CITE_MAX = 400         # ... unless that passage would grow longer than this
TITLE_CHARS = 80       # a paper title is shortened in a cell; its citation keeps the whole title
LIST_VALUES = 10       # skills / research areas shown per cell
_LEVEL_ORDER = {"phd": 0, "master": 1, "bachelor": 2}
_POSITION_ORDER = {"first": 0, "co-first": 1}


@dataclass
class Cell:
    text: str                                   # with [n] markers; "" = not stated
    markers: list[int] = field(default_factory=list)
    source: str = ""                            # "profile" | "cv" | "" (not stated)
    count: int = 0                              # entries the source holds for the aspect (cells show a few)
    parts: list[str] = field(default_factory=list)   # the entries shown, each with its own markers


@dataclass
class ComparisonTable:
    candidates: list[tuple[str, str]]           # (id, display name)
    rows: list[tuple[str, list[Cell]]]          # (aspect, one cell per candidate)
    citations: list[Citation]

    def to_json(self) -> dict:
        return {"candidates": [{"id": i, "name": n} for i, n in self.candidates],
                "rows": [{"aspect": a, "cells": [{"text": c.text or None, "citations": c.markers,
                                                  "source": c.source or None, "count": c.count}
                                                 for c in cells]}
                         for a, cells in self.rows],
                "citations": [c.to_json() for c in self.citations]}

    def to_markdown(self, not_stated: str = "not stated") -> str:
        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")

        def shown(c: Cell) -> str:
            if not c.text:
                return f"_{not_stated}_"
            more = c.count - len(c.parts) if c.parts else 0
            return esc(c.text) + (f" _(+{more} more)_" if more > 0 else "")
        head = "| aspect | " + " | ".join(esc(n) for _, n in self.candidates) + " |"
        sep = "|---" * (len(self.candidates) + 1) + "|"
        body = [f"| {a} | " + " | ".join(shown(c) for c in cells) + " |" for a, cells in self.rows]
        refs = [f"[{c.n}] {c.candidate} · {c.source}: {esc(snippet(c.text, [], 160))}" for c in self.citations]
        return "\n".join([head, sep, *body, "", *refs])


# --- cells from the stored profile ------------------------------------------------------------

class _ProfileReader:
    """One candidate's profile against the CV text the assistant reads: a span is used only when it
    is still verbatim in the stored document and lies on a line that may be evidence (instruction-like
    text is not)."""

    def __init__(self, ct: CandidateText, profile: dict | None):
        self.ct, self.profile = ct, profile or {}
        self.doc = next((d for d in ct.documents if d.doc_id == self.profile.get("doc_id")), None)
        lines = sorted((ln for ln in ct.lines if self.doc is not None and ln.doc_id == self.doc.doc_id),
                       key=lambda ln: ln.start)
        self._lines = lines
        self._starts = [ln.start for ln in lines]

    def line_at(self, pos: int) -> Line | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        return self._lines[i] if i >= 0 and pos < self._lines[i].end else None

    def ok(self, span: dict | None) -> bool:
        return (span is not None and self.doc is not None and span.get("value")
                and self.doc.text[span["start"]:span["end"]] == span["value"]
                and self.line_at(span["start"]) is not None)

    def value(self, span: dict | None) -> str:
        return clean(span["value"]) if self.ok(span) else ""

    def evidence(self, spans: list[dict | None]) -> list[Evidence]:
        """The spans of one entry as citable passages: near spans merged into one."""
        ranges = sorted((s["start"], s["end"]) for s in spans if self.ok(s))
        merged: list[list[int]] = []
        for s, e in ranges:
            # Merged only when nothing but the entry lies between: a layout that prints an entry's
            # dates after another entry must not make one citation span both.
            between = self.doc.text[merged[-1][1]:s] if merged else ""
            same_line = merged and self.line_at(merged[-1][0]) is self.line_at(s)
            if merged and (same_line or not re.search(r"\w", between)) and s - merged[-1][1] <= CITE_GAP \
                    and max(e, merged[-1][1]) - merged[-1][0] <= CITE_MAX:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out = []
        for s, e in merged:
            line = self.line_at(s)
            out.append(Evidence(self.ct.candidate.id, self.doc.doc_id, self.doc.source, s, e, self.doc.text[s:e],
                                line.section if line is not None else "other"))
        return out


def _join(values: list[str], sep: str = ", ") -> str:
    """Values in order, each shown once (a value inside one already shown is left out)."""
    out: list[str] = []
    for v in values:
        if not v or any(v in o for o in out):
            continue
        inside = [i for i, o in enumerate(out) if o in v]
        if inside:   # a longer value holding an earlier one takes its place
            out[inside[0]] = v
            out = [o for i, o in enumerate(out) if i not in inside[1:]]
        else:
            out.append(v)
    return sep.join(out)


def _dates(r: _ProfileReader, entry: dict) -> str:
    start, end = r.value(entry.get("start")), r.value(entry.get("end"))
    return f"{start} – {end}" if start and end else start or end


def _education_parts(r: _ProfileReader) -> list[tuple[str, list]]:
    entries = sorted(r.profile.get("education") or [], key=lambda e: (
        _LEVEL_ORDER.get(e.get("degree_level") or "", 3),
        tuple(-x for x in date_key((e.get("start") or {}).get("value", "")))))
    out = []
    for e in entries:
        label = _join([r.value(e.get(k)) for k in ("degree_text", "school", "field")])
        when = _dates(r, e)
        if label:
            out.append((label + (f" ({when})" if when and when not in label else ""),
                        [e.get(k) for k in ("degree_text", "school", "field", "start", "end")]))
    return out


def _experience_parts(r: _ProfileReader) -> list[tuple[str, list]]:
    out = []
    for e in r.profile.get("experience") or []:
        label = _join([r.value(e.get("role")), r.value(e.get("organisation"))])
        keys = ["role", "organisation", "start", "end"]
        if not r.value(e.get("organisation")):
            label, keys = r.value(e.get("header")), ["header"]
        when = _dates(r, e) if keys != ["header"] else ""
        if label:
            out.append((label + (f" ({when})" if when and when not in label else ""), [e.get(k) for k in keys]))
    return out


def _publication_parts(r: _ProfileReader) -> list[tuple[str, list]]:
    pubs = [p for p in r.profile.get("publications") or [] if r.value(p.get("title"))]
    pubs.sort(key=lambda p: (_POSITION_ORDER.get(p.get("author_position"), 2),
                             -int((r.value(p.get("year")) or "0")[:4] or 0)))
    out = []
    for p in pubs:
        title = r.value(p.get("title"))
        if len(title) > TITLE_CHARS:
            title = title[:TITLE_CHARS - 1].rstrip(" ,:;-") + "…"
        where = _join([r.value(p.get("venue")), r.value(p.get("year"))], " ")
        position = p.get("author_position") if r.ok(p.get("position_evidence")) else None
        note = _join([where, f"{position} author" if position in _POSITION_ORDER else ""], "; ")
        out.append((title + (f" ({note})" if note else ""),
                    [p.get(k) for k in ("title", "venue", "year")] + ([p.get("position_evidence")] if note else [])))
    return out


def _award_parts(r: _ProfileReader) -> list[tuple[str, list]]:
    out = []
    for a in r.profile.get("awards") or []:
        text, date = r.value(a.get("text")), r.value(a.get("date"))
        if text:
            out.append((text + (f" ({date})" if date and date not in text else ""), [a.get("text"), a.get("date")]))
    return out


def _list_parts(r: _ProfileReader, key: str) -> list[tuple[str, list]]:
    spans = [s for s in r.profile.get(key) or [] if r.value(s)]
    return [(_join([r.value(s) for s in spans[:LIST_VALUES]]), spans[:LIST_VALUES])] if spans else []


_PROFILE_PARTS = {
    "education": _education_parts,
    "experience": _experience_parts,
    "publications": _publication_parts,
    "awards": _award_parts,
    "skills": lambda r: _list_parts(r, "skills"),
    "research": lambda r: _list_parts(r, "research_areas"),
}


def _profile_cell(r: _ProfileReader, aspect: str, book: CitationBook, max_entries: int) -> Cell | None:
    make = _PROFILE_PARTS.get(aspect)
    parts = make(r) if make is not None and r.doc is not None else []
    if not parts:
        return None
    shown, markers = [], []
    for label, spans in parts[:max_entries]:
        evs = r.evidence(spans)
        cites = book.cite_all(evs)
        markers += [int(m) for m in re.findall(r"\d+", cites)]
        shown.append(f"{label} {cites}")
    return Cell("; ".join(shown), sorted(set(markers)), "profile", len(parts), shown)


# --- cells from the CV's sections (when the profile has nothing for the aspect) -----------------

def _section_lines(ct: CandidateText, aspect: str) -> list[Line]:
    return [ln for ln in ct.lines if ln.section == aspect]


def _cell_evidence(ct: CandidateText, aspect: str) -> list[list[Evidence]]:
    if aspect == "education":
        entries = sorted(education_entries(ct), key=lambda e: -e.level)
        return [[to_evidence(ct, ln, [], max_chars=120) for ln in e.lines()] for e in entries]
    lines = _section_lines(ct, aspect)
    if not lines:
        return []
    heading = next((ln for ln in lines if ln.is_heading), None)
    groups = section_entries(ct, heading) if heading is not None else []
    if not groups:   # a section without dated entries: its first items
        groups = [[ln] for ln in lines if not ln.is_heading and len(ln.text) > 3]
    return [[to_evidence(ct, ln, [], max_chars=120) for ln in g] for g in groups]


def _section_cell(ct: CandidateText, aspect: str, book: CitationBook, max_entries: int) -> Cell:
    groups = _cell_evidence(ct, aspect)
    parts, markers = [], []
    for group in groups[:max_entries]:
        label = " ".join(snippet(e.text, [], 70) for e in group)
        cites = book.cite_all(group)
        markers += [int(m) for m in re.findall(r"\d+", cites)]
        parts.append(f"{label} {cites}")
    return Cell("; ".join(parts), sorted(set(markers)), "cv" if parts else "", len(groups), parts)


def compare_table(texts: list[CandidateText], names: dict[str, str], aspects=ASPECTS,
                  max_entries: int = 3, profiles: dict[str, dict] | None = None, *,
                  number_by_candidate: bool = False) -> ComparisonTable:
    """The table for ``texts`` (one per candidate); ``profiles`` maps candidate id -> stored profile.
    Markers are numbered row by row, or candidate by candidate for text read one candidate at a time."""
    book = CitationBook(names)
    readers = [_ProfileReader(ct, (profiles or {}).get(ct.candidate.id)) for ct in texts]
    cell: dict[tuple[str, int], Cell] = {}
    order = [(a, i) for i in range(len(readers)) for a in aspects] if number_by_candidate else \
        [(a, i) for a in aspects for i in range(len(readers))]
    for aspect, i in order:
        r = readers[i]
        cell[aspect, i] = _profile_cell(r, aspect, book, max_entries) or _section_cell(r.ct, aspect, book, max_entries)
    rows = [(aspect, [cell[aspect, i] for i in range(len(readers))]) for aspect in aspects]
    return ComparisonTable([(ct.candidate.id, names[ct.candidate.id]) for ct in texts], rows, book.citations)


# --- comparisons in chat ---------------------------------------------------------------------

_ASPECT_CUES = {
    "education": r"education(?:al)?(?: background)?|degrees?|schools?|stud(?:y|ies)|教育(?:背景|经历)?|学历|学位",
    "experience": r"(?:work |working |professional )?experiences?|internships?|jobs?|careers?|工作(?:经历|经验)?|实习(?:经历)?|任职",
    "publications": r"publications?|papers?|论文|发表",
    "projects": r"projects?|项目(?:经历)?",
    "awards": r"awards?|honou?rs?|prizes?|获奖|奖项|荣誉",
    "skills": r"skills?|技能|专业技能",
    "research": r"research(?: areas?| interests?| directions?)?|研究(?:方向|兴趣|领域)",
}
_ZH_ASPECTS = {"education": "教育", "experience": "经历", "publications": "论文", "projects": "项目",
               "awards": "获奖", "skills": "技能", "research": "研究方向"}
_CUE = re.compile("|".join(f"(?P<{a}>(?<![A-Za-z])(?:{rx})(?![A-Za-z]))" for a, rx in _ASPECT_CUES.items()), re.I)
_FILLER = re.compile(r"(?<![A-Za-z])(?:compare|comparison|contrast|side[- ]by[- ]side|versus|vs\.?|and|with|"
                     r"between|their|the|of|in|on|terms|please|can|you|could|me|show|give|a|table|how|do|does|"
                     r"differ|difference|'s|s|background|profiles?|overall|all|aspects?)(?![A-Za-z])|"
                     r"比较|对比|一下|请|和|与|跟|及|以及|的|在|方面|上|吗|情况|表格|区别|差异|背景", re.I)


def table_aspects(question: str, names: list[str]) -> list[str] | None:
    """The aspects a "compare X and Y (on education, awards …)" question asks for, or None when it
    asks something more specific than whole aspects (then the evidence path answers it). A question
    that names no aspect ("compare X and Y") gets the table of all of them."""
    rest = question
    for n in sorted(names, key=len, reverse=True):
        rest = rest.replace(n, " ")
    asked = [a for m in _CUE.finditer(rest) for a, v in m.groupdict().items() if v]
    rest = _FILLER.sub(" ", _CUE.sub(" ", rest))
    if re.search(r"\w", rest):
        return None
    return list(dict.fromkeys(asked)) or list(ASPECTS)


def answer_table(question_lang: str, intent: str, texts: list[CandidateText], names: dict[str, str],
                 aspects: list[str], profiles: dict[str, dict]) -> Answer:
    """A chat comparison as rows ui.render_tables reads: "- Name: aspect: … [1]; aspect: … [2]"."""
    # three entries per aspect, as the CLI table: a CV's degrees (PhD, master, bachelor) all show
    table = compare_table(texts, names, aspects, max_entries=3, profiles=profiles, number_by_candidate=True)
    zh = question_lang == "zh"
    label = (lambda a: _ZH_ASPECTS[a]) if zh else (lambda a: a)

    def more(c: Cell) -> str:
        n = c.count - len(c.parts)
        return "" if n <= 0 else f"（另有 {n} 项）" if zh else f" (+{n} more)"
    rows = []
    for i, (_, name) in enumerate(table.candidates):
        items = [f"{label(aspect)}{'：' if zh else ': '}{' · '.join(cells[i].parts)}{more(cells[i])}"
                 for aspect, cells in table.rows if cells[i].parts]
        missing = [label(aspect) for aspect, cells in table.rows if not cells[i].parts]
        if missing:
            items.append(("未写明：" + "、".join(missing)) if zh else "not stated: " + ", ".join(missing))
        rows.append(f"- {name}{'：' if zh else ': '}" + "; ".join(items))
    lead = "按方面对比（每项引用简历原文）：" if zh else "Side by side, each entry cited from the CV:"
    cited = [cid for cid, _ in table.candidates]
    evidence = [Evidence(c.candidate_id, c.doc_id, c.source, c.start, c.end, c.text, c.section)
                for c in table.citations]
    return Answer(text=lead + "\n" + "\n".join(rows), citations=table.citations, intent=intent,
                  candidate_ids=cited, evidence=evidence)
