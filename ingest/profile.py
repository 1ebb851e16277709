"""Candidate profiles read from a CV by rules at ingest: contact, education, experience,
publications, awards, skills, research areas, and protected attributes (kept only to be excluded).

``extract_profile(document, passages, names=[...])`` is pure and deterministic: no model, no I/O.
Every value is a ``Span`` of ``document.text`` (``text[start:end] == value``); a value that cannot be
placed in the text is not produced. The layout rules live in ``profile_entries`` (education,
experience), ``profile_pubs`` (publications) and ``profile_lists`` (contact, awards, skills,
research areas, protected attributes); the records in ``profile_model``.
"""
from __future__ import annotations

from .identity import detect_identity
from .models import Document, Passage
from .profile_entries import education, experience
from .profile_lists import awards, contact, protected, research_areas, skills
from .profile_model import (AUTHOR_POSITIONS, DEGREE_LEVELS, EXPERIENCE_KINDS, LINK_KINDS, PROFILE_VERSION,
                            Award, Contact, EducationEntry, ExperienceEntry, Link, Profile, ProtectedAttr,
                            Publication, Span)
from .profile_pubs import publications
from .profile_text import MAX_CHARS, date_key, document_lines

__all__ = ["extract_profile", "candidate_names", "date_key", "Profile", "Span", "Contact", "Link",
           "EducationEntry", "ExperienceEntry", "Publication", "Award", "ProtectedAttr", "PROFILE_VERSION",
           "DEGREE_LEVELS", "EXPERIENCE_KINDS", "AUTHOR_POSITIONS", "LINK_KINDS"]


def candidate_names(document: Document) -> list[str]:
    """The names the CV's own identity rules find (display name, aliases, former names)."""
    ident = detect_identity(document.text[:MAX_CHARS], document.source)
    names = [ident.name, *ident.aliases, *ident.former_names] if ident.confident else []
    return [n for n in names if n]


def extract_profile(document: Document, passages: list[Passage] | None = None, *,
                    names: list[str] | None = None) -> Profile:
    """Read ``document`` into a Profile. ``names`` are the candidate's own names (any script, former
    names included) used to find their place in author lists; by default the identity rules' names."""
    text = document.text
    if names is None:
        names = candidate_names(document)
    lines = document_lines(document, passages)
    profile = Profile(
        candidate_id=document.candidate_id, doc_id=document.doc_id, source=document.source,
        names=list(names),
        contact=contact(text, lines),
        education=education(text, lines),
        experience=experience(text, lines),
        publications=publications(text, lines, list(names)),
        awards=awards(text, lines),
        skills=skills(text, lines),
        research_areas=research_areas(text, lines),
        protected=protected(text),
    )
    if len(text) > MAX_CHARS:
        profile.warnings.append(f"long text: the profile reads the first {MAX_CHARS} of {len(text)} characters")
    _drop_unplaced(profile, text)
    return profile


def _drop_unplaced(profile: Profile, text: str) -> None:
    """Belt and braces: a span whose value is not in its place in the text is removed (a record
    whose main value goes is removed with it)."""
    def ok(sp: Span | None) -> bool:
        return sp is None or sp.valid_in(text)

    def clean(rec) -> None:
        for name in rec._SPANS:
            if not ok(getattr(rec, name)):
                setattr(rec, name, None)
        for name in rec._SPAN_LISTS:
            setattr(rec, name, [s for s in getattr(rec, name) if ok(s)])

    c = profile.contact
    c.emails = [s for s in c.emails if ok(s)]
    c.phones = [s for s in c.phones if ok(s)]
    c.links = [ln for ln in c.links if ok(ln.url)]
    profile.skills = [s for s in profile.skills if ok(s)]
    profile.research_areas = [s for s in profile.research_areas if ok(s)]
    for name in ("education", "experience", "publications", "awards", "protected"):
        recs = getattr(profile, name)
        for r in recs:
            clean(r)
        main = {"education": lambda r: r.school or r.degree_text, "experience": lambda r: r.organisation or r.header,
                "publications": lambda r: r.title, "awards": lambda r: r.text, "protected": lambda r: r.value}[name]
        setattr(profile, name, [r for r in recs if main(r) is not None])
