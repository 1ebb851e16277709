"""Checks that model-written text says only what its cited passages say.

A sentence is kept when every marker points to a real citation of the right candidate and every
specific token in it (numbers, e-mails, links, Latin names and titles, Chinese words) is found in
those passages (or the question). The whole model text is kept only if it still carries every key
value of the program's answer; otherwise the program's answer stands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from recruiter.assistant.answer import Citation
from recruiter.assistant.lexicon import Lexicon, STOP_ZH, is_han

MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s+(?=\S)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL = re.compile(r"https?://\S+|\b[\w\-]+(?:\.[\w\-]+)*\.(?:io|com|org|net|cn|edu)\b")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?")
_LATIN = re.compile(r"\b(?=[A-Za-z0-9\-]*[A-Z0-9])[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]\b")
_GENERIC_LATIN = set("""I A The In On At For To And Or Of With By As From This That These Those He She They His Her
Their It Its CV CVs Only Both Neither None Not No Yes Key Facts Interview Questions Match Email Blog Phone
Homepage Website""".split())


@dataclass
class Verdict:
    ok: bool
    text: str
    dropped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    reason: str = ""


_GENDERED = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b|她", re.I)
_GENDER_OF = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f",
              "她": "f"}


def _gendered(text: str) -> set[str]:
    return {_GENDER_OF[w.lower()] for w in _GENDERED.findall(text)}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).casefold()


def specific_tokens(sentence: str, lexicon: Lexicon) -> list[str]:
    s = MARKER.sub(" ", sentence)
    toks = _EMAIL.findall(s) + _URL.findall(s)
    rest = _URL.sub(" ", _EMAIL.sub(" ", s))
    toks += _NUMBER.findall(rest)
    toks += [t for t in _LATIN.findall(rest) if t not in _GENERIC_LATIN and not t.isdigit()]
    if is_han(rest):
        toks += [w for w in lexicon.words(rest) if is_han(w) and len(w) >= 2 and w not in STOP_ZH]
    return toks


def key_values(program_text: str, lexicon: Lexicon) -> list[str]:
    """What the program's answer states that a re-worded answer must keep."""
    s = MARKER.sub(" ", program_text)
    vals = _EMAIL.findall(s) + _URL.findall(s)
    rest = _URL.sub(" ", _EMAIL.sub(" ", s))
    vals += [n for n in _NUMBER.findall(rest) if len(n) >= 2]
    vals += [t for t in _LATIN.findall(rest) if t not in _GENERIC_LATIN and len(t) >= 3]
    return list(dict.fromkeys(vals))


def verify_model_text(text: str, citations: list[Citation], *, question: str, program_text: str,
                      allowed_names: list[str], lexicon: Lexicon, candidate_ids: list[str]) -> Verdict:
    by_n = {c.n: c for c in citations}
    background = _norm(question + " " + " ".join(allowed_names))
    kept, dropped = [], []
    for sent in (x for x in _SENTENCE.split(text) if x and x.strip()):
        marks = [int(m) for m in MARKER.findall(sent)]
        if any(m not in by_n for m in marks):
            return Verdict(False, text, reason=f"invented citation marker in: {sent.strip()[:80]}")
        if any(by_n[m].candidate_id not in candidate_ids for m in marks):
            dropped.append(sent)
            continue
        cited = [by_n[m] for m in marks] or citations
        haystack = _norm(" ".join(c.text for c in cited)) + " " + background
        unsupported = [t for t in specific_tokens(sent, lexicon) if _norm(t) not in haystack]
        if unsupported:
            dropped.append(sent)
            continue
        if not marks:
            supporting = [c for c in citations if any(_norm(t) in _norm(c.text)
                                                      for t in specific_tokens(sent, lexicon))]
            if supporting:
                sent = sent.rstrip() + " " + "".join(f"[{c.n}]" for c in supporting[:2])
        kept.append(sent)
    final = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", "".join(kept).strip())
    final = re.sub(r"(\[\d+\])((?:\[\d+\])*)", lambda m: "".join(dict.fromkeys(re.findall(r"\[\d+\]", m.group(0)))), final)
    # markers must follow the fact they support: a line or sentence that opens with one is garbled
    if re.search(r"(^|\n)\s*(?:[-*\d.)]+\s*)?\[\d+\]|[：:]\s*\[\d+\]", final):
        return Verdict(False, final, dropped, [], "citation markers not attached to facts")
    # "Keqing He lists … as her email": a gender neither the question nor the cited CV text states
    # (他 is left alone: it is also Chinese's unmarked pronoun, and part of 其他)
    given = _gendered(question) | _gendered(" ".join(c.text for c in citations))
    if guessed := _gendered(final) - given:
        return Verdict(False, final, dropped, [], "a gender the CVs don't state: " + ", ".join(sorted(guessed)))
    if len(final) > 1.5 * len(program_text) + 40:
        return Verdict(False, final, dropped, [], "longer than the program's answer")
    missing = [v for v in key_values(program_text, lexicon) if _norm(v) not in _norm(final)]
    if not final:
        return Verdict(False, text, dropped, missing, "nothing the passages support")
    if missing:
        return Verdict(False, final, dropped, missing, "dropped facts: " + ", ".join(missing[:5]))
    return Verdict(True, final, dropped, missing)
