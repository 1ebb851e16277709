"""The candidate profile read from a CV at ingest: records of verbatim spans, JSON-serialisable.

Invariant: every ``Span`` satisfies ``document.text[span.start:span.end] == span.value`` (so the
value is a verbatim substring of the text and is citable as it stands). Labels that are not spans
(``degree_level``, ``kind``, ``author_position``) are derived from spans kept next to them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

PROFILE_VERSION = 1
DEGREE_LEVELS = ("bachelor", "master", "phd", "other")
EXPERIENCE_KINDS = ("internship", "full-time", "other")
AUTHOR_POSITIONS = ("first", "co-first", "other", "unknown")
LINK_KINDS = ("homepage", "github", "scholar", "linkedin", "other")


@dataclass(frozen=True)
class Span:
    value: str
    start: int
    end: int
    source: str = ""     # "" = read by the layout rules; "model" = proposed by a model, found verbatim

    def to_dict(self) -> dict:
        d = {"value": self.value, "start": self.start, "end": self.end}
        if self.source:
            d["source"] = self.source
        return d

    @classmethod
    def from_dict(cls, d: dict | None) -> "Span | None":
        return None if d is None else cls(d["value"], int(d["start"]), int(d["end"]), d.get("source", ""))

    def valid_in(self, text: str) -> bool:
        return (0 <= self.start < self.end <= len(text) and bool(self.value)
                and self.value in text[self.start:self.end])


def _enc(v):
    if isinstance(v, Span):
        return v.to_dict()
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if hasattr(v, "__dataclass_fields__"):
        return {f.name: _enc(getattr(v, f.name)) for f in fields(v)}
    return v


class _Record:
    """to_dict/from_dict for records whose fields are Spans, lists of Spans, or plain JSON values."""
    _SPANS: tuple[str, ...] = ()
    _SPAN_LISTS: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return _enc(self)

    @classmethod
    def from_dict(cls, d: dict):
        kw = {}
        for f in fields(cls):
            if f.name not in d:
                continue
            v = d[f.name]
            if f.name in cls._SPANS:
                v = Span.from_dict(v)
            elif f.name in cls._SPAN_LISTS:
                v = [Span.from_dict(x) for x in v]
            kw[f.name] = v
        return cls(**kw)

    def spans(self) -> list[Span]:
        out = []
        for name in self._SPANS:
            s = getattr(self, name)
            if s is not None:
                out.append(s)
        for name in self._SPAN_LISTS:
            out += getattr(self, name)
        return out


@dataclass
class Link(_Record):
    kind: str            # one of LINK_KINDS
    url: Span
    _SPANS = ("url",)


@dataclass
class Contact(_Record):
    emails: list[Span] = field(default_factory=list)
    phones: list[Span] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    _SPAN_LISTS = ("emails", "phones")

    @classmethod
    def from_dict(cls, d: dict) -> "Contact":
        c = super().from_dict({k: v for k, v in d.items() if k != "links"})
        c.links = [Link.from_dict(x) for x in d.get("links", [])]
        return c

    def spans(self) -> list[Span]:
        return super().spans() + [ln.url for ln in self.links]


@dataclass
class EducationEntry(_Record):
    school: Span | None = None
    degree_level: str | None = None     # bachelor / master / phd / other, from degree_text
    degree_text: Span | None = None
    field: Span | None = None           # the major; the department when no major is written
    start: Span | None = None           # dates as written ("2024.9", "2014")
    end: Span | None = None             # "2024.6", "至今", "Now"
    advisor: Span | None = None
    _SPANS = ("school", "degree_text", "field", "start", "end", "advisor")


@dataclass
class ExperienceEntry(_Record):
    organisation: Span | None = None
    role: Span | None = None
    start: Span | None = None
    end: Span | None = None
    kind: str = "other"                 # internship / full-time / other
    header: Span | None = None          # the entry's title line (organisation, role, dates)
    details: list[Span] = field(default_factory=list)   # what they did: the entry's lines
    _SPANS = ("organisation", "role", "start", "end", "header")
    _SPAN_LISTS = ("details",)


@dataclass
class Publication(_Record):
    title: Span | None = None
    venue: Span | None = None
    year: Span | None = None
    author_position: str = "unknown"    # first / co-first / other / unknown
    position_evidence: Span | None = None   # "一作", "**Keqing He**\\*", "Ziyi Yang (co-first author)"
    authors: Span | None = None
    author_index: int | None = None     # 0-based place of the candidate in the author list
    marks: str = ""                     # marks on the candidate's name: "*", "†"
    note: Span | None = None            # a legend or remark that qualifies the position
    category_tag: Span | None = None    # "LG" in a scraped list's "LGSep 11, 2024"
    _SPANS = ("title", "venue", "year", "position_evidence", "authors", "note", "category_tag")


@dataclass
class Award(_Record):
    text: Span
    date: Span | None = None            # as written: "2023.03", "2025 年", "本科"
    year: Span | None = None
    _SPANS = ("text", "date", "year")


@dataclass
class ProtectedAttr(_Record):
    kind: str                           # see ingest.protected.KINDS
    value: Span
    _SPANS = ("value",)


@dataclass
class Profile:
    candidate_id: str = ""
    doc_id: str = ""
    source: str = ""
    names: list[str] = field(default_factory=list)    # the names used to find the candidate's authorships
    contact: Contact = field(default_factory=Contact)
    education: list[EducationEntry] = field(default_factory=list)
    experience: list[ExperienceEntry] = field(default_factory=list)
    publications: list[Publication] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    skills: list[Span] = field(default_factory=list)
    research_areas: list[Span] = field(default_factory=list)
    protected: list[ProtectedAttr] = field(default_factory=list)   # for EXCLUSION from scoring only
    warnings: list[str] = field(default_factory=list)              # e.g. "read the first 120000 characters only"
    version: int = PROFILE_VERSION

    _LISTS = {"education": EducationEntry, "experience": ExperienceEntry, "publications": Publication,
              "awards": Award, "protected": ProtectedAttr}

    def to_dict(self) -> dict:
        return _enc(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Profile":
        p = cls(candidate_id=d.get("candidate_id", ""), doc_id=d.get("doc_id", ""),
                source=d.get("source", ""), names=list(d.get("names", [])),
                contact=Contact.from_dict(d.get("contact", {})),
                skills=[Span.from_dict(x) for x in d.get("skills", [])],
                research_areas=[Span.from_dict(x) for x in d.get("research_areas", [])],
                warnings=list(d.get("warnings", [])),
                version=int(d.get("version", PROFILE_VERSION)))
        for name, rec in cls._LISTS.items():
            setattr(p, name, [rec.from_dict(x) for x in d.get(name, [])])
        return p

    def all_spans(self) -> list[Span]:
        out = self.contact.spans() + list(self.skills) + list(self.research_areas)
        for name in self._LISTS:
            for rec in getattr(self, name):
                out += rec.spans()
        return out
