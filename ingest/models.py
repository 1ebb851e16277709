"""The data that ingest produces and every later stage reads.

Invariant: ``passage.text == document.text[passage.start:passage.end]``, so a citation is always a
verbatim span of a stored document text.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SECTIONS = ("contact", "summary", "education", "experience", "projects", "publications", "awards",
            "skills", "research", "other")


def content_hash(data: bytes | str) -> str:
    """sha256 hex of bytes or of the UTF-8 of a string: every id in the store derives from one."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def candidate_id_for(source: str) -> str:
    """One document is one candidate; the id follows the file name so a changed file keeps its candidate."""
    return "c_" + content_hash(source.casefold())[:16]


def passage_id_for(doc_id: str, start: int, end: int) -> str:
    return "p_" + content_hash(f"{doc_id}:{start}:{end}")[:24]


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    candidate_id: str
    source: str          # file name as the recruiter knows it (basename), used in citations
    start: int           # char offsets into Document.text
    end: int
    section: str         # one of SECTIONS
    heading: str         # the section heading as written ("" when none)
    text: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "Passage":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass
class Document:
    doc_id: str            # content hash of the normalized text
    source: str            # basename of the file
    path: str              # where it was read from
    file_hash: str         # sha256 of the raw bytes: unchanged files are skipped without parsing
    text: str              # normalized text; every Passage and citation is a span of it
    format: str            # pdf | docx | txt | md | html
    extractor: str         # which parser produced the text (pypdf, pdfminer, python-docx, ...)
    candidate_id: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    id: str
    name: str                                         # display name, as written in the CV
    aliases: list[str] = field(default_factory=list)  # other ways to name them (pinyin, English, former)
    former_names: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # file names
    flags: list[str] = field(default_factory=list)    # e.g. "instruction-like text found"

    def all_names(self) -> list[str]:
        seen, out = set(), []
        for n in [self.name, *self.aliases, *self.former_names]:
            if n and n.casefold() not in seen:
                seen.add(n.casefold())
                out.append(n)
        return out

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases),
                "former_names": list(self.former_names), "sources": list(self.sources),
                "flags": list(self.flags)}

    @classmethod
    def from_dict(cls, d: dict) -> "Candidate":
        return cls(id=d["id"], name=d["name"], aliases=list(d.get("aliases", [])),
                   former_names=list(d.get("former_names", [])), sources=list(d.get("sources", [])),
                   flags=list(d.get("flags", [])))


class IngestError(Exception):
    """A file that cannot become passages. ``kind`` is machine-readable; the message says what to do."""

    KINDS = ("encrypted", "corrupt", "empty", "no_text", "garbled", "unsupported", "too_large",
             "decode_error", "not_found")

    def __init__(self, kind: str, message: str, hint: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()
