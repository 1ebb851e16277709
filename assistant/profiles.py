"""Structured records read from a CV's layout by rules: education entries and tagged paper entries.

Every field is a whole line of the CV, so it is citable as it stands. Layout rules handle CVs whose
dates are printed away from their school: dates are paired with degrees by order (the latest
dates go with the highest degree).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from recruiter.assistant.evidence import TAGGED, CandidateText, Line

SCHOOL = re.compile(r"大学|学院|University|College|Institute|School of|UNIVERSITY|COLLEGE", re.I)
LEVELS = [  # (level, pattern): higher level = later degree
    (3, re.compile(r"博士|Ph\.?D|Doctor|Doctoral", re.I)),
    (2, re.compile(r"硕士|研究生|Master|M\.S\.|MSc|M\.Eng|MBA", re.I)),
    (1, re.compile(r"本科|学士|Bachelor|B\.S\.|BSc|B\.Eng|B\.E\.|Undergraduate", re.I)),
]
DATE_RANGE = re.compile(r"((?:19|20)\d\d(?:\s*[./年]\s*\d{1,2})?)\s*(?:-|–|—|~|至|to)\s*((?:19|20)\d\d(?:\s*[./年]\s*\d{1,2})?|至今|今|present|now)", re.I)
_ANY_DATE = re.compile(r"(?:19|20)\d\d(?:\s*[./年]\s*\d{1,2}月?)?")
LEVEL_WORDS = {1: re.compile(r"本科|学士|bachelor|undergrad|b\.s\.|bsc", re.I),
               2: re.compile(r"硕士|master|m\.s\.|msc|研究生", re.I),
               3: re.compile(r"博士|ph\.?d|doctor", re.I)}


@dataclass
class EducationEntry:
    level: int                     # 1 bachelor, 2 master, 3 doctorate, 0 unknown
    school: Line
    degree: Line | None
    dates: Line | None

    def lines(self) -> list[Line]:
        out = [self.school]
        for ln in (self.degree, self.dates):
            if ln is not None and all(ln is not o for o in out):
                out.append(ln)
        return out


def _level(text: str) -> int:
    for level, rx in LEVELS:
        if rx.search(text):
            return level
    return 0


def _date_start(line: Line) -> str:
    m = DATE_RANGE.search(line.text)
    if not m:
        return ""
    y, *rest = re.split(r"\s*[./年]\s*", m.group(1))
    return f"{y}.{int(rest[0]):02d}" if rest and rest[0].isdigit() else f"{y}.00"


def education_entries(ct: CandidateText) -> list[EducationEntry]:
    lines = [ln for ln in ct.lines if ln.section == "education"]
    entries: list[EducationEntry] = []
    for i, ln in enumerate(lines):
        if not SCHOOL.search(ln.text) or len(ln.text) > 200:
            continue
        if entries and entries[-1].degree is ln:
            continue
        degree = ln if _level(ln.text) else None
        if degree is None:
            for nxt in lines[i + 1:i + 3]:
                if SCHOOL.search(nxt.text) and not _level(nxt.text):
                    break
                if _level(nxt.text):
                    degree = nxt
                    break
        if degree is None and i and _level(lines[i - 1].text) and not SCHOOL.search(lines[i - 1].text) \
                and not any(lines[i - 1] is e.degree for e in entries):
            degree = lines[i - 1]   # "Bachelor of Science …" printed above "University of …"
        level = _level(degree.text) if degree is not None else 0
        own_date = next((x for x in (ln, degree) if x is not None and (DATE_RANGE.search(x.text)
                                                                        or _ANY_DATE.search(x.text))), None)
        entries.append(EducationEntry(level, ln, degree, own_date))
    # Dates on lines of their own: pair by order, latest start with the highest degree.
    loose = [ln for ln in lines if DATE_RANGE.search(ln.text) and not any(
        ln is e.school or ln is e.degree for e in entries)]
    undated = [e for e in entries if e.dates is None]
    if loose and undated:
        loose.sort(key=_date_start, reverse=True)
        undated.sort(key=lambda e: -e.level)
        for e, d in zip(undated, loose):
            e.dates = d
    return entries


EDUCATION_WORDS = re.compile(  # question words that ask about education
    r"本科|硕士|博士|学校|大学|学院|专业|毕业|导师|学历|教育|bachelor|master|phd|doctor|university|"
    r"school|college|degree|major|graduat|advisor|supervisor|education|field|study", re.I)
_ANY_DEGREE = re.compile(r"\bdegrees?\b|\beducation(?:al)?\b|\bstud(?:y|ied)\b|\bmajor(?:ed|s)?\b|\bfield of study\b|"
                         r"\bgraduat(?:e|ed|es|ion)\b|学历|学位|教育背景|教育经历|读书|专业(?!技能|知识|能力|素养)|主修|毕业", re.I)


def entries_for_question(ct: CandidateText, question: str) -> list[EducationEntry]:
    """Education entries a degree question is about: the levels it names, or all of them when it
    asks about education in general ("what degree does she have?")."""
    wanted = [lvl for lvl, rx in LEVEL_WORDS.items() if rx.search(question)]
    entries = education_entries(ct)
    if not wanted:
        return entries if _ANY_DEGREE.search(question) else []
    return [e for e in entries if e.level in wanted]


def asks_missing_degree(ct: CandidateText, question: str) -> bool:
    """The question is about a degree level the CV's education entries don't have."""
    wanted = [lvl for lvl, rx in LEVEL_WORDS.items() if rx.search(question)]
    entries = education_entries(ct)
    return bool(wanted and entries) and not any(e.level in wanted for e in entries)


@dataclass
class TaggedEntry:
    tag: str          # e.g. "LG", "CL" on a scraped paper list ("LGSep 11, 2024")
    tag_line: Line
    title: Line


def tagged_entries(ct: CandidateText) -> list[TaggedEntry]:
    out = []
    for i, ln in enumerate(ct.lines[:-1]):
        m = TAGGED.match(ln.text.strip())
        if m:
            out.append(TaggedEntry(m.group(1), ln, ct.lines[i + 1]))
    return out


def entries_with_tag(ct: CandidateText, question: str) -> list[TaggedEntry]:
    entries = tagged_entries(ct)
    tags = {e.tag for e in entries}
    asked = [t for t in re.findall(r"(?<![A-Za-z])([A-Z]{2,4})(?![A-Za-z])", question) if t in tags]
    return [e for e in entries if e.tag in asked]


def section_entries(ct: CandidateText, heading: Line, limit: int = 8) -> list[list[Line]]:
    """The entries of a section, each as its title line (+ its date line when printed apart):
    what "where did she intern?" or "what are his publications?" asks for."""
    lines = [ln for ln in ct.lines if ln.doc_id == heading.doc_id and ln.section == heading.section
             and ln.index > heading.index]
    out: list[list[Line]] = []
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if ln.is_heading or ln.is_item and not re.match(r"^\d+[.)、]", text):
            continue
        date_only = DATE_RANGE.search(text) and len(DATE_RANGE.sub("", text).strip(" -–|*")) <= 3
        if date_only:
            prev = lines[i - 1] if i else None
            if prev is not None and not prev.is_item and not prev.is_heading and not any(prev in e for e in out):
                out.append([prev, ln])
            continue
        if (DATE_RANGE.search(text) or _ANY_DATE.search(text) and len(_ANY_DATE.sub("", text).strip()) > 3) \
                and len(text) <= 160:
            out.append([ln])
        if len(out) >= limit:
            break
    if not out:   # a section of undated items (awards, skills): its short lines
        out = [[ln] for ln in lines if not ln.is_heading and len(ln.text) <= 160
               and re.search(r"\w", ln.text) and not ln.is_label][:limit]
    return out


_SCHOOL = re.compile(r"大学|学院|学校|universit|college|institute|school", re.I)


def asks_education_only(groups: list) -> bool:
    """Every content term of the question is an education word (degree, undergraduate, major …)."""
    return bool(groups) and all(EDUCATION_WORDS.search(g.surface) or any(rx.search(g.surface) for rx in
                                                                     LEVEL_WORDS.values()) for g in groups)


def is_education_evidence(ev) -> bool:
    return ev.section == "education" or bool(_SCHOOL.search(ev.text)) or any(
        rx.search(ev.text) for rx in LEVEL_WORDS.values())
