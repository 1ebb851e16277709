"""The candidate library: files in (parse → identity → store), candidates listed and removed.

One bad file never stops a batch: it is reported with its reason and what to do, and nothing is
stored for it.

A batch of files is parsed, analyzed (identity, flags, profile) and embedded in worker processes
(``ingest.parallel.parse_parallel``) and stored here, one file at a time in input order, so a crash
loses at most the files not yet committed. Why: USE embedding and pypdf are CPU-bound Python/numpy
and only separate processes keep both cores busy. A few files (one upload) stay in this process:
starting a worker and loading USE in it costs more than it saves.
"""
from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from recruiter.ingest.identity import Identity, detect_identity
from recruiter.ingest.injection import injection_flag
from recruiter.ingest.models import Candidate, IngestError, candidate_id_for
from recruiter.ingest.parallel import DEFAULT_WORKERS, ParseResult, parse_parallel
from recruiter.ingest.pipeline import IngestLimits, ParsedDocument, iter_input_files
from recruiter.ingest.profile import extract_profile
from recruiter.ingest.protected import protected_flag
from recruiter.vectorstore.dense import indexed_text
from recruiter.vectorstore.store import DuplicateDocumentError

SERIAL_BELOW = 8       # this many files or fewer: no worker processes (their start-up + USE load ~2-3 s)


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


@dataclass
class Analysis:
    """What is read from one parsed CV before storing it; computed where it was parsed (a worker)."""
    identity: Identity
    injection: str | None
    protected: str | None
    profile: dict
    vectors: list | None = None     # USE vectors of indexed_text(passage, embedded_name), in passage order
    embedded_name: str = ""


def analyze(parsed: ParsedDocument, embeddings=None) -> Analysis:
    """Identity, flags and profile of a parsed CV, and its dense vectors when ``embeddings`` is given.

    Module-level: parse_parallel pickles it (with ``embeddings``) by reference to run in its workers.
    """
    doc = parsed.document
    ident = detect_identity(doc.text, doc.source)
    # The stored candidate takes the identity's names (see _store), so the profile can be read here.
    names = Candidate(id=doc.candidate_id, name=ident.name, aliases=ident.aliases,
                      former_names=ident.former_names).all_names()
    out = Analysis(ident, injection_flag(doc.text), protected_flag(doc.text),
                   extract_profile(doc, parsed.passages, names=names).to_dict())
    if embeddings is not None and parsed.passages:
        # exactly the text DenseIndex.add would embed for this candidate name
        out.vectors = embeddings.embed_documents([indexed_text(p, ident.name) for p in parsed.passages])
        out.embedded_name = ident.name
    return out


class Library:
    def __init__(self, store, limits: IngestLimits, *, workers: int = DEFAULT_WORKERS,
                 serial_below: int = SERIAL_BELOW):
        self.store = store
        self.limits = limits
        # Settings.ingest_workers; 1 = everything in this process; more processes than cores only contend
        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self.serial_below = serial_below

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
        pooled = self.workers > 1 and len(expanded) > self.serial_below
        # In-process, the store embeds with its own (multi-threaded) model; workers embed with one
        # BLAS thread each, as many processes are worth more than threads.
        enrich = functools.partial(analyze, embeddings=self._worker_embeddings() if pooled else None)
        parsed = parse_parallel(expanded, limits=self.limits, sources=sources, skip=self.store.is_unchanged,
                                enrich=enrich, workers=self.workers if pooled else 1, serial_below=self.serial_below)
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(expanded), unit="file", desc="ingest", leave=False)
        with contextlib.closing(parsed):    # on an exception here, queued files are dropped and the pool shut down
            for item in parsed:
                res = self._store(item)
                results.append(res)
                if on_result:
                    on_result(res)
                if bar:
                    bar.update(1)
        if bar:
            bar.close()
        return results

    def ingest_file(self, path: Path, source: str | None = None) -> FileResult:
        """One file, in this process."""
        sources = {str(path): source} if source else None
        item = next(parse_parallel([path], limits=self.limits, sources=sources, skip=self.store.is_unchanged,
                                   enrich=analyze, workers=1))
        return self._store(item)

    def _worker_embeddings(self):
        """The store's embeddings as sent to a worker, or None (embed here) when they can't be sent."""
        embeddings = self.store.dense.embeddings
        with_threads = getattr(embeddings, "with_threads", None)
        return with_threads(1) if with_threads is not None else None

    def _store(self, item: ParseResult) -> FileResult:
        path, source = item.path, item.source
        if item.skipped:
            # one candidate per file: its id follows the file name (no scan of all candidates)
            known = self.store.candidate(candidate_id_for(source))
            return FileResult(str(path), source, "unchanged", candidate=known.name if known else "")
        if isinstance(item.error, IngestError):
            return FileResult(str(path), source, "failed", reason=item.error.kind, message=str(item.error))
        if item.error is not None:
            return FileResult(str(path), source, "failed", reason="unreadable",
                              message=f"Could not read {path.name}: {item.error.strerror}. Check permissions.")
        doc, passages, found = item.parsed.document, item.parsed.passages, item.extra
        ident = found.identity
        candidate = self.store.candidate(doc.candidate_id) or Candidate(id=doc.candidate_id, name=ident.name)
        candidate.name = ident.name
        candidate.aliases = ident.aliases
        candidate.former_names = ident.former_names
        candidate.sources = sorted(set(candidate.sources) | {source})
        candidate.flags = [f for f in candidate.flags if not f.startswith(("instruction-like", "protected"))] \
            + [f for f in (found.injection, found.protected) if f]
        # Vectors embedded for another display name would not match what the index embeds: redo them here.
        vectors = found.vectors if found.embedded_name == candidate.name else None
        try:
            status = self.store.upsert(doc, candidate, passages, vectors=vectors)
        except DuplicateDocumentError as e:
            return FileResult(str(path), source, "failed", reason="duplicate",
                              message=f"{source} has the same text as {e.existing}, which is already loaded; "
                                      f"skipped. Remove one of the two files if they are the same CV.")
        if status != "unchanged":
            # one document = one candidate: the profile is read from this CV at ingest, every value a span
            self.store.put_profile(candidate.id, found.profile)
        return FileResult(str(path), source, status, candidate=candidate.name, passages=len(passages),
                          warnings=list(doc.warnings) + ([found.injection] if found.injection else []))

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
