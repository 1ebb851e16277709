"""What the assistant returns: an answer, its verified citations, and whether it abstained."""
from __future__ import annotations

from dataclasses import dataclass, field

from recruiter.assistant.evidence import Evidence


@dataclass
class Citation:
    n: int                 # the [n] marker in the answer text
    source: str            # file name
    start: int             # offsets into the stored document text
    end: int
    text: str              # == document.text[start:end]
    candidate: str         # display name
    candidate_id: str
    doc_id: str
    section: str

    def to_json(self) -> dict:
        return {"n": self.n, "source": self.source, "text": self.text, "start": self.start, "end": self.end,
                "candidate": self.candidate, "section": self.section}


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    intent: str = "single"
    candidate_ids: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    wording: str = "program"          # "program" | "model": whose sentences the text is
    notes: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"answer": self.text, "citations": [c.to_json() for c in self.citations],
                "abstained": self.abstained, "intent": self.intent, "wording": self.wording,
                "notes": list(self.notes)}


class CitationBook:
    """Numbers evidence in order of first use, so the same span always gets the same marker."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self.citations: list[Citation] = []
        self._by_key: dict[tuple, int] = {}

    def cite(self, ev: Evidence) -> str:
        key = ev.key()
        if key not in self._by_key:
            n = len(self.citations) + 1
            self._by_key[key] = n
            self.citations.append(Citation(n, ev.source, ev.start, ev.end, ev.text,
                                           self.names.get(ev.candidate_id, ev.candidate_id),
                                           ev.candidate_id, ev.doc_id, ev.section))
        return f"[{self._by_key[key]}]"

    def cite_all(self, evs: list[Evidence]) -> str:
        return "".join(dict.fromkeys(self.cite(e) for e in evs))
