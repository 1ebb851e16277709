"""Side-by-side comparison tables: one column per candidate, one row per aspect, every cell cited.

Cells come from the CV's own sections (education entries by layout rules, other sections by their
entries); an aspect a CV has no section or entry for says "not stated".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from recruiter.assistant.answer import Citation, CitationBook
from recruiter.assistant.snippets import snippet
from recruiter.assistant.evidence import CandidateText, Evidence, Line, to_evidence
from recruiter.assistant.profiles import education_entries, section_entries

ASPECTS = ("education", "experience", "publications", "projects", "awards", "skills", "research")
LEVEL_NAMES = {3: "PhD", 2: "Master", 1: "Bachelor", 0: ""}


@dataclass
class Cell:
    text: str                                   # with [n] markers; "" = not stated
    markers: list[int] = field(default_factory=list)


@dataclass
class ComparisonTable:
    candidates: list[tuple[str, str]]           # (id, display name)
    rows: list[tuple[str, list[Cell]]]          # (aspect, one cell per candidate)
    citations: list[Citation]

    def to_json(self) -> dict:
        return {"candidates": [{"id": i, "name": n} for i, n in self.candidates],
                "rows": [{"aspect": a, "cells": [{"text": c.text or None, "citations": c.markers} for c in cells]}
                         for a, cells in self.rows],
                "citations": [c.to_json() for c in self.citations]}

    def to_markdown(self, not_stated: str = "not stated") -> str:
        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")
        head = "| aspect | " + " | ".join(esc(n) for _, n in self.candidates) + " |"
        sep = "|---" * (len(self.candidates) + 1) + "|"
        body = [f"| {a} | " + " | ".join(esc(c.text) if c.text else f"_{not_stated}_" for c in cells) + " |"
                for a, cells in self.rows]
        refs = [f"[{c.n}] {c.candidate} · {c.source}: {esc(snippet(c.text, [], 160))}" for c in self.citations]
        return "\n".join([head, sep, *body, "", *refs])


def _section_lines(ct: CandidateText, aspect: str) -> list[Line]:
    return [ln for ln in ct.lines if ln.section == aspect]


def _cell_evidence(ct: CandidateText, aspect: str, max_entries: int) -> list[list[Evidence]]:
    if aspect == "education":
        entries = sorted(education_entries(ct), key=lambda e: -e.level)[:max_entries]
        return [[to_evidence(ct, ln, [], max_chars=120) for ln in e.lines()] for e in entries]
    lines = _section_lines(ct, aspect)
    if not lines:
        return []
    heading = next((ln for ln in lines if ln.is_heading), None)
    groups = section_entries(ct, heading) if heading is not None else []
    if not groups:   # a section without dated entries: its first items
        groups = [[ln] for ln in lines if not ln.is_heading and len(ln.text) > 3][:max_entries]
    return [[to_evidence(ct, ln, [], max_chars=120) for ln in g] for g in groups[:max_entries]]


def compare_table(texts: list[CandidateText], names: dict[str, str], aspects=ASPECTS,
                  max_entries: int = 3) -> ComparisonTable:
    book = CitationBook(names)
    rows = []
    for aspect in aspects:
        cells = []
        for ct in texts:
            parts = []
            for group in _cell_evidence(ct, aspect, max_entries):
                label = " ".join(snippet(e.text, [], 70) for e in group)
                parts.append(f"{label} {book.cite_all(group)}")
            markers = sorted({int(m) for p in parts for m in _markers(p)})
            cells.append(Cell("; ".join(parts), markers))
        rows.append((aspect, cells))
    return ComparisonTable([(ct.candidate.id, names[ct.candidate.id]) for ct in texts], rows, book.citations)


def _markers(text: str) -> list[str]:
    import re
    return re.findall(r"\[(\d+)\]", text)
