"""Refresh a stored profile with the model fallback (``recruiter profile NAME --refresh-with-llm``).

Off at ingest by default: on this machine the local model costs seconds per CV that needs it (see
docs/benchmarks.md, "Profiles"), while the rules cost milliseconds. The fallback itself, and why a
value the model invents can't get in, is in ``recruiter.ingest.profile_fallback``.
"""
from __future__ import annotations

from recruiter.ingest.profile import Profile, extract_profile
from recruiter.ingest.profile_fallback import FallbackReport, fill_empty_fields


def refresh_profile_with_llm(store, candidate_id: str, chat) -> FallbackReport:
    """Re-read the candidate's CV by rules, fill the fields the rules leave empty from the model
    (verbatim values only), and store the result. One document = one candidate, as at ingest."""
    docs = store.documents_for(candidate_id)
    if not docs:
        raise LookupError(f"no stored CV for candidate {candidate_id}")
    doc = docs[0]
    passages = [p for p in store.passages(candidate_id) if p.doc_id == doc.doc_id]
    stored = store.profile(candidate_id)
    names = stored.get("names") if stored else None
    profile = Profile.from_dict(stored) if stored and stored.get("doc_id") == doc.doc_id else \
        extract_profile(doc, passages, names=names)
    report = fill_empty_fields(profile, doc, passages, chat)
    if report.kept:
        store.put_profile(candidate_id, profile.to_dict())
    return report
