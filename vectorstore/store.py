"""CandidateStore: the one storage/retrieval API the rest of the app uses.

The SQLite catalog is the source of truth; Chroma (dense) and BM25 are indexes of its passages and
always end up holding exactly its passage ids:
- upsert writes Chroma first, then commits the catalog in one transaction, then deletes stale Chroma
  ids, so a crash at any point leaves at worst Chroma orphans or gaps, which ``reconcile`` (run on
  every writable open) repairs;
- BM25 lives in memory; when the catalog generation moves (a write here or in another process) it applies
  the passages the catalog's change log names since its own generation, or rebuilds from the cached
  tokens when the log can't tell.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from langchain_core.embeddings import Embeddings

from recruiter.ingest.models import Candidate, Document, Passage

from .bm25 import TOKENIZER_VERSION, BM25Index, CVTokenizer
from .bm25_sync import catch_up
from .catalog import Catalog
from .dense import DEFAULT_COLLECTION, DenseIndex, open_client
from .lock import HomeLock, WriteLock

MODES = ("hybrid", "dense", "bm25")
RRF_K = 10          # small k: a list's top hits count (k=60 let mid-rank overlaps win)
DENSE_WEIGHT = 0.5   # measured on the dev set: BM25+dictionary 0.76 recall@5, dense 0.52
MIN_DEPTH = 20         # each list is fetched deeper than k so fusion has something to fuse
QUERY_CACHE = 256      # recent query embeddings: per-candidate search and follow-ups repeat queries


class Hit(NamedTuple):
    passage: Passage
    score: float               # RRF score (hybrid), cosine similarity (dense) or BM25 score (bm25)
    dense_rank: int | None     # 1-based rank in the dense list, None when not in it
    bm25_rank: int | None


class DuplicateDocumentError(ValueError):
    """The same text is already stored under another file name (passage ids would collide)."""

    def __init__(self, source: str, existing: str):
        super().__init__(f"{source} has the same text as {existing}, which is already stored; "
                         f"remove one of them or keep only one copy.")
        self.source, self.existing = source, existing


class CandidateStore:
    """Candidates' CVs under a data dir ``home``: catalog.sqlite3 + Chroma (embedded in home/"chroma",
    or a server when ``chroma_url`` is set) + in-memory BM25.

    One embedded writer per home (a second gets StoreLockedError); ``read_only=True`` opens take no
    lock and may sit next to it. In server mode any number of processes may write.
    """

    def __init__(self, home: Path, embeddings: Embeddings, chroma_url: str | None = None, *,
                 read_only: bool = False, collection: str | None = None,
                 tokenizer: CVTokenizer | None = None):
        self.home = Path(home)
        self.chroma_url = chroma_url or None
        self.read_only = read_only
        self.collection = collection or _collection_name(self.home, self.chroma_url)
        self._lock = threading.RLock()            # UI threads share one store
        self._home_lock = HomeLock(self.home)
        self._write_lock = WriteLock(self.home)
        self._qcache: OrderedDict[str, list[float]] = OrderedDict()
        self._passages: dict[str, Passage] = {}   # id -> passage, kept up to date with BM25
        self.bm25 = BM25Index(tokenizer)
        self.catalog = self.dense = self._client = None
        try:
            if not read_only:
                (self._home_lock.acquire_shared if self.chroma_url else self._home_lock.acquire_writer)()
            self.catalog = Catalog(self.home / "catalog.sqlite3", read_only=read_only)
            self._client = open_client(self.home, self.chroma_url)
            # get-or-create even when read-only: a first ingest killed before the collection existed
            # must leave a store that opens (empty), not a traceback
            self.dense = DenseIndex(self._client, embeddings, self.collection, create=True)
            if not read_only:
                self._refresh_tokens()
                self.reconcile()
        except BaseException:
            self.close()
            raise

    # ---- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._client is not None and hasattr(self._client, "close"):
                self._client.close()
            if self.catalog is not None:
                self.catalog.close()
            self._client = self.catalog = self.dense = None
            self._home_lock.release()

    def __enter__(self) -> "CandidateStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _writing(self):
        """Thread lock + (server mode) the cross-process write lock, for one write operation."""
        if self.read_only:
            raise PermissionError(f"the store at {self.home} was opened read-only")
        if self.catalog is None:
            raise RuntimeError("the store is closed")
        return _Both(self._lock, self._write_lock if self.chroma_url else None)

    # ---- writes --------------------------------------------------------------------------------
    def is_unchanged(self, source: str, file_hash: str) -> bool:
        """True when this file name is stored with these exact bytes: ingest can skip parsing it."""
        return self.catalog.file_hash_for(source) == file_hash

    def upsert(self, document: Document, candidate: Candidate, passages: Sequence[Passage],
               vectors: Sequence[Sequence[float]] | None = None) -> str:
        """Store one CV: "added", "replaced" (its old passages are dropped exactly) or "unchanged".

        ``vectors`` (optional): each passage's embedding of ``dense.indexed_text(passage, candidate.name)``,
        computed elsewhere with this store's embeddings (an ingest worker); otherwise embedded here.
        """
        passages = list(passages)
        _validate(document, candidate, passages)
        with self._writing():
            old = self.catalog.document_by_source(document.source)
            if old is not None and old.file_hash == document.file_hash:
                return "unchanged"
            twin = self.catalog.document(document.doc_id)
            if twin is not None and twin.source.casefold() != document.source.casefold():
                raise DuplicateDocumentError(document.source, twin.source)
            if document.source not in candidate.sources:
                candidate = replace(candidate, sources=[*candidate.sources, document.source])
            names = candidate.all_names()
            tokens = [self._tokens_for(p, names) for p in passages]
            old_ids = self.catalog.passage_ids(old.doc_id) if old is not None else set()
            self.dense.add([(p, candidate.name) for p in passages], vectors)      # 1. orphans if we crash
            self.catalog.replace_document(document, candidate, passages, tokens)   # 2. the commit point
            stale = old_ids - {p.id for p in passages}
            if stale:
                self.dense.delete(stale)                                           # 3. orphans otherwise
            return "replaced" if old is not None else "added"

    def remove_candidate(self, candidate_id: str) -> int:
        """Forget a candidate everywhere; returns how many passages were removed."""
        with self._writing():
            ids = self.catalog.remove_candidate(candidate_id)   # catalog first: a crash leaves orphans only
            if ids:
                self.dense.delete(ids)
            return len(ids)

    def put_candidate(self, candidate: Candidate) -> None:
        """Update an existing candidate's names, aliases or flags (and re-index what depends on names)."""
        with self._writing():
            old = self.catalog.candidate(candidate.id)
            if old is None:
                raise KeyError(f"unknown candidate {candidate.id}")
            passages = self.catalog.passages(candidate.id)
            tokens: list[tuple[str, str]] = []
            if old.all_names() != candidate.all_names():   # names are part of the BM25 text
                tokens = [(p.id, self._tokens_for(p, candidate.all_names())) for p in passages]
            if old.name != candidate.name:                 # and the display name of the dense text
                self.dense.add([(p, candidate.name) for p in passages])
            self.catalog.put_candidate(candidate, tokens)

    def put_profile(self, candidate_id: str, profile: dict) -> None:
        with self._writing():
            self.catalog.put_profile(candidate_id, profile)

    def reconcile(self) -> dict[str, int]:
        """Make Chroma hold exactly the catalog's passages: drop orphans, re-add what is missing."""
        with self._writing():
            catalog_ids = self.catalog.passage_ids()
            chroma_ids = self.dense.ids()
            orphans, missing = chroma_ids - catalog_ids, catalog_ids - chroma_ids
            if orphans:
                self.dense.delete(orphans)
            if missing:
                names = {c.id: c.name for c in self.catalog.candidates()}
                self.dense.add([(p, names.get(p.candidate_id, "")) for p in self.catalog.passages()
                                if p.id in missing])
            return {"removed": len(orphans), "added": len(missing)}

    def _refresh_tokens(self) -> None:
        """Re-tokenize cached passage tokens written by an older tokenizer (or never written)."""
        with self._writing():
            current = self.catalog.meta("tokenizer_version") == TOKENIZER_VERSION
            rows = [(p, t) for p, t in self.catalog.passages_with_tokens() if t is None or not current]
            if rows:
                names = {c.id: c.all_names() for c in self.catalog.candidates()}
                self.catalog.set_tokens([(p.id, self._tokens_for(p, names.get(p.candidate_id, [])))
                                         for p, _ in rows])
            if not current:
                self.catalog.set_meta("tokenizer_version", TOKENIZER_VERSION)

    def _tokens_for(self, p: Passage, names: Sequence[str]) -> str:
        return " ".join(self.bm25.tokenizer.tokenize(BM25Index.indexed_text(p.text, names, p.heading)))

    def warm(self) -> None:
        """Load jieba's dictionary and the embedder now; otherwise the first query pays for it (~1-2 s)."""
        self.bm25.tokenizer.tokenize("预热")
        self._embed("warm up")

    # ---- reads ---------------------------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        return self.catalog.candidates()

    def candidate(self, candidate_id: str) -> Candidate | None:
        return self.catalog.candidate(candidate_id)

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)

    def document_for_source(self, source: str) -> Document | None:
        return self.catalog.document_by_source(source)

    def documents_for(self, candidate_id: str) -> list[Document]:
        return self.catalog.documents(candidate_id)

    def passages(self, candidate_id: str | None = None) -> list[Passage]:
        return self.catalog.passages(candidate_id)

    def mentions(self, text: str) -> bool:
        return self.catalog.mentions(text)

    def passage(self, passage_id: str) -> Passage | None:
        return self.catalog.passage(passage_id)

    def profile(self, candidate_id: str) -> dict | None:
        return self.catalog.profile(candidate_id)

    def index_ids(self) -> dict[str, set[str]]:
        """Passage ids held by each part (catalog, chroma, bm25): equal after every operation."""
        with self._lock:
            self._fresh()
            return {"catalog": self.catalog.passage_ids(), "chroma": self.dense.ids(), "bm25": self.bm25.ids()}

    def stats(self) -> dict:
        with self._lock:
            self._fresh()
            return {"home": str(self.home), "mode": "server" if self.chroma_url else "embedded",
                    "chroma_url": self.chroma_url, "collection": self.collection, "read_only": self.read_only,
                    **self.catalog.counts(), "chroma": self.dense.count(), "bm25": len(self.bm25.ids())}

    # ---- search --------------------------------------------------------------------------------
    def search(self, query: str, *, k: int = 8, candidate_ids: Iterable[str] | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Top k passages; hybrid = reciprocal-rank fusion of dense and BM25, both within candidate_ids."""
        cands = None if candidate_ids is None else list(dict.fromkeys(candidate_ids))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if not query.strip() or k <= 0 or cands == []:
            return []
        depth = max(4 * k, MIN_DEPTH)
        vector = self._embed(query) if mode != "bm25" else None   # outside the lock: may be slow
        with self._lock:
            self._fresh()
            dense = self.dense.query(vector, depth, cands) if vector is not None else []
            bm25 = self.bm25.search(query, depth, cands) if mode != "dense" else []
            return self._fuse(dense, bm25, mode, k)

    def search_per_candidate(self, query: str, candidate_ids: Iterable[str] | None = None, k_each: int = 4,
                             *, mode: str = "hybrid") -> dict[str, list[Hit]]:
        """k_each hits for each candidate separately (None = every candidate), in the order given.
        Measured: scoping retrieval per candidate is the biggest recall win on these CVs."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        live = query.strip() and k_each > 0
        vector = self._embed(query) if live and mode != "bm25" else None
        with self._lock:
            self._fresh()
            cands = list(dict.fromkeys(candidate_ids if candidate_ids is not None
                                       else (c.id for c in self.catalog.candidates())))
            if not live:
                return {c: [] for c in cands}
            depth = max(4 * k_each, MIN_DEPTH)
            scores = self.bm25.scores(query) if mode != "dense" else None
            out = {}
            for c in cands:
                dense = self.dense.query(vector, depth, [c]) if vector is not None else []
                bm25 = self.bm25.rank(scores, depth, [c]) if scores is not None else []
                out[c] = self._fuse(dense, bm25, mode, k_each)
            return out

    def _fuse(self, dense: list[tuple[str, float]], bm25: list[tuple[str, float]], mode: str, k: int
              ) -> list[Hit]:
        acc: dict[str, list] = {}   # id -> [score, dense_rank, bm25_rank]
        for slot, hits, weight in ((1, dense, DENSE_WEIGHT), (2, bm25, 1.0)):
            for rank, (pid, score) in enumerate(hits, 1):
                entry = acc.setdefault(pid, [0.0, None, None])
                entry[slot] = rank
                entry[0] += weight / (RRF_K + rank) if mode == "hybrid" else score
        best = sorted(acc.items(), key=lambda kv: (-kv[1][0], min(r for r in kv[1][1:] if r), kv[0]))
        # An id the catalog doesn't know is an orphan of another process's unfinished write: skip it.
        return [Hit(self._passages[pid], s, d, b) for pid, (s, d, b) in best if pid in self._passages][:k]

    def _embed(self, query: str) -> list[float]:
        with self._lock:
            vector = self._qcache.get(query)
            if vector is not None:
                self._qcache.move_to_end(query)
                return vector
            dense = self.dense
        if dense is None:
            raise RuntimeError("the store is closed")
        vector = list(dense.embed_query(query))
        with self._lock:
            self._qcache[query] = vector
            while len(self._qcache) > QUERY_CACHE:
                self._qcache.popitem(last=False)
        return vector

    def _fresh(self) -> None:
        """Bring BM25 (and the passage map) up to the catalog's generation, after writes made here or in
        another process (see bm25_sync: a change-log delta, or a rebuild when the log can't tell)."""
        if self.catalog is None:
            raise RuntimeError("the store is closed")
        if self.catalog.generation() == self.bm25.generation:
            return
        if self.read_only and not self.chroma_url and self.bm25.generation is not None:
            self._reopen_dense()
        catch_up(self.bm25, self.catalog, self._passages, self._tokens_for)

    def _reopen_dense(self) -> None:
        # An embedded reader's HNSW index is a snapshot taken at open; when another process has written,
        # reopening the client is the only way to see its vectors (~0.1 s, only after a change).
        embeddings = self.dense.embeddings
        self.dense = None
        self._client.close()
        self._client = open_client(self.home, None)
        self.dense = DenseIndex(self._client, embeddings, self.collection, create=False)


class _Both:
    def __init__(self, lock: threading.RLock, write_lock: WriteLock | None):
        self.lock, self.write_lock = lock, write_lock

    def __enter__(self):
        self.lock.acquire()
        if self.write_lock is not None:
            try:
                self.write_lock.__enter__()
            except BaseException:
                self.lock.release()
                raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.write_lock is not None:
                self.write_lock.__exit__(*exc)
        finally:
            self.lock.release()


def _collection_name(home: Path, chroma_url: str | None) -> str:
    if not chroma_url:
        return DEFAULT_COLLECTION
    # A server may serve several data dirs; each home's catalog is the truth for its own collection only
    # (reconcile deletes what its catalog doesn't know), so never share one collection between homes.
    return f"{DEFAULT_COLLECTION}_{hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]}"


def _validate(document: Document, candidate: Candidate, passages: Sequence[Passage]) -> None:
    """Refuse inputs that would break a citation invariant, before anything is written."""
    if document.candidate_id != candidate.id:
        raise ValueError(f"{document.source}: document.candidate_id {document.candidate_id} != {candidate.id}")
    seen: set[str] = set()
    for p in passages:
        where = f"{document.source} passage {p.id} [{p.start}:{p.end}]"
        if p.id in seen:
            raise ValueError(f"{where}: duplicate passage id")
        seen.add(p.id)
        if (p.doc_id, p.candidate_id, p.source) != (document.doc_id, candidate.id, document.source):
            raise ValueError(f"{where}: doc_id/candidate_id/source don't match its document")
        if not (0 <= p.start <= p.end <= len(document.text)) or document.text[p.start:p.end] != p.text:
            raise ValueError(f"{where}: text is not document.text[start:end]")
