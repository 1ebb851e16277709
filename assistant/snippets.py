"""How evidence reads inside an answer: markdown stripped, long spans narrowed to the clauses that
carry the question's terms. The citation always keeps the whole verbatim span."""
from __future__ import annotations

import re

from recruiter.assistant.evidence import NUMBER
from recruiter.assistant.lexicon import TermGroup, line_stems, matches


def clean(text: str) -> str:
    """Evidence as it reads in an answer: no markdown bullets, bold, link targets or table bars."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    t = re.sub(r"<(https?://[^>]+)>", r"\1", t)
    t = re.sub(r"\\textbf\{([^}]*)\}", r"\1", t)
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"^\s*(?:[-*•·▪◦]|#+|\d+\s*-)\s+", "", t)
    t = re.sub(r"\s*[\t|]\s*", " ", t)
    # a CV's own list numbers ("[6] Knowing How…") must not read as citation markers
    t = re.sub(r"\[(\d{1,3})\]", r"(\1)", t)
    return re.sub(r"\s{2,}", " ", t).strip(" -:：")


_CLAUSE = re.compile(r"(?<=[，,；;。!?！？])\s*")


def snippet(text: str, groups: list[TermGroup], limit: int) -> str:
    """What the answer shows of a cited span: the clauses that carry the question's terms, within
    ``limit`` chars (the citation keeps the whole span; the answer states, it doesn't paste)."""
    text = clean(text)
    if len(text) <= limit:
        return text
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]

    def weight(c: str) -> float:
        low, st = c.lower(), line_stems(c)
        return sum(g.weight for g in groups if any(matches(a, low, st) for a in g.alternatives)) + \
            (0.5 if NUMBER.search(c) else 0.0)

    order = sorted(range(len(clauses)), key=lambda i: (-weight(clauses[i]), i))
    keep: list[int] = []
    for i in order:
        if sum(len(clauses[j]) for j in keep) + len(clauses[i]) > limit and keep:
            break
        keep.append(i)
    out = " ".join(clauses[i].strip() for i in sorted(keep))
    if len(out) > limit:
        out = out[:limit - 1].rstrip(" ,;，；") + "…"
    return out
