"""The candidate library: files in (parse → identity → store), candidates listed and removed.

One bad file never stops a batch: it is reported with its reason and what to do, and nothing is
stored for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from recruiter.ingest.identity import detect_identity
from recruiter.ingest.injection import injection_flag
from recruiter.ingest.models import Candidate, IngestError, candidate_id_for, content_hash
from recruiter.ingest.profile import extract_profile
from recruiter.ingest.protected import protected_flag
from recruiter.ingest.pipeline import IngestLimits, iter_input_files, parse_file
from recruiter.vectorstore.store import DuplicateDocumentError


@dataclass
class FileResult:
    path: str
    source: str
    status: str                 # added | replaced | unchanged | failed
    candidate: str = ""
    passages: int = 0
    reason: str = ""            # failed: machine-readable kind
    message: str = ""           # failed: what happened and what to do
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


class Library:
    def __init__(self, store, limits: IngestLimits):
        self.store = store
        self.limits = limits

    def ingest(self, paths: Iterable[str | Path], *, progress: bool = False,
               on_result: Callable[[FileResult], None] | None = None,
               sources: dict[str, str] | None = None) -> list[FileResult]:
        """``sources`` maps a path to the file name to store it under (uploads keep their own name)."""
        files, missing = [], []
        for p in paths:
            p = Path(p)
            (files if p.exists() else missing).append(p)
        results = [FileResult(str(p), p.name, "failed", reason="not_found",
                              message=f"{p} does not exist. Check the path.") for p in missing]
        expanded = iter_input_files(files)
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(expanded), unit="file", desc="ingest", leave=False)
        for path in expanded:
            res = self.ingest_file(path, source=(sources or {}).get(str(path)))
            results.append(res)
            if on_result:
                on_result(res)
            if bar:
                bar.update(1)
        if bar:
            bar.close()
        return results

    def ingest_file(self, path: Path, source: str | None = None) -> FileResult:
        source = source or path.name
        try:
            raw = path.read_bytes()
            if self.store.is_unchanged(source, content_hash(raw)):
                # one candidate per file: its id follows the file name (no scan of all candidates)
                known = self.store.candidate(candidate_id_for(source))
                return FileResult(str(path), source, "unchanged", candidate=known.name if known else "")
            parsed = parse_file(path, source=source, limits=self.limits)
        except IngestError as e:
            return FileResult(str(path), source, "failed", reason=e.kind, message=str(e))
        except OSError as e:
            return FileResult(str(path), source, "failed", reason="unreadable",
                              message=f"Could not read {path.name}: {e.strerror}. Check permissions.")
        doc = parsed.document
        ident = detect_identity(doc.text, source)
        candidate = self.store.candidate(doc.candidate_id) or Candidate(id=doc.candidate_id, name=ident.name)
        candidate.name = ident.name
        candidate.aliases = ident.aliases
        candidate.former_names = ident.former_names
        candidate.sources = sorted(set(candidate.sources) | {source})
        flag = injection_flag(doc.text)
        protected = protected_flag(doc.text)
        candidate.flags = [f for f in candidate.flags if not f.startswith(("instruction-like", "protected"))] \
            + [f for f in (flag, protected) if f]
        try:
            status = self.store.upsert(doc, candidate, parsed.passages)
        except DuplicateDocumentError as e:
            return FileResult(str(path), source, "failed", reason="duplicate",
                              message=f"{source} has the same text as {e.existing}, which is already loaded; "
                                      f"skipped. Remove one of the two files if they are the same CV.")
        if status != "unchanged":
            # one document = one candidate: the profile is read from this CV at ingest, every value a span
            profile = extract_profile(doc, parsed.passages, names=candidate.all_names())
            self.store.put_profile(candidate.id, profile.to_dict())
        return FileResult(str(path), source, status, candidate=candidate.name, passages=len(parsed.passages),
                          warnings=list(doc.warnings) + ([flag] if flag else []))

    def candidates(self) -> list[Candidate]:
        return sorted(self.store.candidates(), key=lambda c: c.sources[0] if c.sources else c.name)

    def find(self, name_or_id: str) -> list[Candidate]:
        from recruiter.assistant.resolve import find_mentions
        cands = self.store.candidates()
        exact = [c for c in cands if c.id == name_or_id or name_or_id in c.sources
                 or name_or_id.casefold() in (n.casefold() for n in c.all_names())]
        if exact:
            return exact
        mentions, _ = find_mentions(name_or_id, cands)
        ids = list(dict.fromkeys(m.candidate_id for m in mentions))
        return [c for c in cands if c.id in ids]

    def remove(self, name_or_id: str) -> Candidate:
        found = self.find(name_or_id)
        if not found:
            raise LookupError(f"No candidate matches '{name_or_id}'. Run `recruiter candidates` to list them.")
        if len(found) > 1:
            names = ", ".join(f"{c.name} ({c.sources[0] if c.sources else c.id})" for c in found)
            raise LookupError(f"'{name_or_id}' matches several candidates: {names}. Use the file name or id.")
        self.store.remove_candidate(found[0].id)
        return found[0]
