"""The SQLite catalog: the source of truth for documents, passages, candidates and profiles.

Chroma and BM25 are indexes derived from it; on any disagreement the catalog wins (see
``CandidateStore.reconcile``). It stores the full normalized document text because every citation is
a span of that text.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from recruiter.ingest.models import Candidate, Document, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    former_names TEXT NOT NULL DEFAULT '[]',
    sources TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE COLLATE NOCASE,   -- candidate ids fold case too (candidate_id_for)
    path TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    format TEXT NOT NULL,
    extractor TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_candidate ON documents(candidate_id);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    source TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    section TEXT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT              -- cached BM25 tokens (space-joined), so a rebuild needs no jieba
);
CREATE INDEX IF NOT EXISTS passages_candidate ON passages(candidate_id);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS profiles (candidate_id TEXT PRIMARY KEY, json TEXT NOT NULL);
-- Passage ids each write added, removed or re-tokenized, by the generation it committed: another
-- process's in-memory BM25 catches up by applying these instead of rebuilding.
CREATE TABLE IF NOT EXISTS passage_changes (generation INTEGER NOT NULL, passage_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passage_changes_generation ON passage_changes(generation);
"""
# Generations of passage changes kept; a process further behind than this rebuilds its index instead.
CHANGELOG_GENERATIONS = 5000

_P_COLS = 'id, doc_id, candidate_id, source, start, "end", section, heading, text'
_D_COLS = "doc_id, source, path, file_hash, text, format, extractor, candidate_id, warnings"
_C_COLS = "id, name, aliases, former_names, sources, flags"


def _passage(row: Sequence) -> Passage:
    return Passage(*row[:9])


def _document(row: Sequence) -> Document:
    return Document(*row[:8], warnings=json.loads(row[8]))


def _candidate(row: Sequence) -> Candidate:
    return Candidate(id=row[0], name=row[1], aliases=json.loads(row[2]), former_names=json.loads(row[3]),
                     sources=json.loads(row[4]), flags=json.loads(row[5]))


class Catalog:
    """One SQLite connection (WAL) guarded by a lock, so UI threads can share a store."""

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        if read_only:
            if not self.path.exists():
                raise FileNotFoundError(f"no recruiter store at {self.path.parent}: ingest some CVs first")
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                                       isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable across app crashes
            # a removed CV's text must not linger in freed pages (Debian's SQLite defaults to this; others don't)
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.executescript(SCHEMA)
        self._db.execute("PRAGMA busy_timeout=10000")   # server mode: other processes may be writing
        if not read_only:
            self._start_changelog()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _start_changelog(self) -> None:
        # A store made before the change log existed has a complete log only from now on: mark where.
        # ("changelog_at" is the generation the log covers up to; every write moves it, see _Transaction.)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for key in ("changelog_floor", "changelog_at"):
                    self._db.execute("INSERT OR IGNORE INTO meta (key, value) SELECT ?, COALESCE((SELECT "
                                     "value FROM meta WHERE key='generation'), '0')", (key,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @contextmanager
    def snapshot(self):
        """Reads inside see one committed state (a WAL read transaction), even while others write."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self
            finally:
                self._db.execute("COMMIT")

    # ---- reads -------------------------------------------------------------------------------
    def _all(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _one(self, sql: str, args: Iterable = ()) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchone()

    def generation(self) -> int:
        """Bumped by every write; in-memory indexes rebuild when it moves (also across processes)."""
        row = self._one("SELECT value FROM meta WHERE key='generation'")
        return int(row[0]) if row else 0

    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key=?", (key,))
        return row[0] if row else None

    def document(self, doc_id: str) -> Document | None:
        row = self._one(f"SELECT {_D_COLS} FROM documents WHERE doc_id=?", (doc_id,))
        return _document(row) if row else None

    def document_by_source(self, source: str) -> Document | None:
        row = self._one(f"SELECT {_D_COLS} FROM documents WHERE source=?", (source,))
        return _document(row) if row else None

    def file_hash_for(self, source: str) -> str | None:
        row = self._one("SELECT file_hash FROM documents WHERE source=?", (source,))
        return row[0] if row else None

    def documents(self, candidate_id: str | None = None) -> list[Document]:
        if candidate_id is None:
            rows = self._all(f"SELECT {_D_COLS} FROM documents ORDER BY source")
        else:
            rows = self._all(f"SELECT {_D_COLS} FROM documents WHERE candidate_id=? ORDER BY source",
                             (candidate_id,))
        return [_document(r) for r in rows]

    def mentions(self, text: str) -> bool:
        """Some stored CV contains ``text`` (ASCII case folded)."""
        return self._one("SELECT 1 FROM documents WHERE instr(lower(text), lower(?)) > 0 LIMIT 1", (text,)) is not None

    def passages(self, candidate_id: str | None = None) -> list[Passage]:
        order = "ORDER BY candidate_id, source, start, \"end\""
        if candidate_id is None:
            rows = self._all(f"SELECT {_P_COLS} FROM passages {order}")
        else:
            rows = self._all(f"SELECT {_P_COLS} FROM passages WHERE candidate_id=? {order}", (candidate_id,))
        return [_passage(r) for r in rows]

    def passage(self, passage_id: str) -> Passage | None:
        row = self._one(f"SELECT {_P_COLS} FROM passages WHERE id=?", (passage_id,))
        return _passage(row) if row else None

    def passage_ids(self, doc_id: str | None = None) -> set[str]:
        if doc_id is None:
            return {r[0] for r in self._all("SELECT id FROM passages")}
        return {r[0] for r in self._all("SELECT id FROM passages WHERE doc_id=?", (doc_id,))}

    def passages_with_tokens(self) -> list[tuple[Passage, str | None]]:
        rows = self._all(f"SELECT {_P_COLS}, tokens FROM passages ORDER BY candidate_id, source, start")
        return [(_passage(r), r[9]) for r in rows]

    def changes_since(self, generation: int) -> tuple[int, set[str], list[tuple[Passage, str | None]]] | None:
        """(generation now, ids of passages written after ``generation``, (passage, tokens) of those
        still stored), read in one snapshot; None when the log cannot tell (``generation`` is older than
        the log, or a writer without a log moved the store since)."""
        try:
            with self.snapshot():
                now = self.generation()
                floor, covered = self.meta("changelog_floor"), self.meta("changelog_at")
                if floor is None or covered != str(now) or not int(floor) <= generation <= now:
                    return None
                ids = {r[0] for r in self._all("SELECT DISTINCT passage_id FROM passage_changes "
                                               "WHERE generation > ?", (generation,))}
                rows = self._all(f"SELECT {_P_COLS}, tokens FROM passages WHERE id IN (SELECT passage_id "
                                 f"FROM passage_changes WHERE generation > ?)", (generation,))
        except sqlite3.OperationalError:   # read-only open of a store made before the log existed
            return None
        return now, ids, [(_passage(r), r[9]) for r in rows]

    def candidates(self) -> list[Candidate]:
        return [_candidate(r) for r in self._all(f"SELECT {_C_COLS} FROM candidates ORDER BY name, id")]

    def candidate(self, candidate_id: str) -> Candidate | None:
        row = self._one(f"SELECT {_C_COLS} FROM candidates WHERE id=?", (candidate_id,))
        return _candidate(row) if row else None

    def profile(self, candidate_id: str) -> dict | None:
        row = self._one("SELECT json FROM profiles WHERE candidate_id=?", (candidate_id,))
        return json.loads(row[0]) if row else None

    def counts(self) -> dict[str, int]:
        return {t: self._one(f"SELECT COUNT(*) FROM {t}")[0]
                for t in ("candidates", "documents", "passages", "profiles")}

    # ---- writes: each public method is one transaction ---------------------------------------
    def _write(self):
        if self.read_only:
            raise PermissionError("this store was opened read-only")
        return _Transaction(self)

    def replace_document(self, document: Document, candidate: Candidate, passages: Sequence[Passage],
                         tokens: Sequence[str]) -> None:
        """Drop whatever the source held before (document, passages, profile) and store the new one."""
        with self._write() as db:
            old = db.execute("SELECT doc_id, candidate_id FROM documents WHERE source=?",
                             (document.source,)).fetchone()
            if old:
                _log_passages(db, [r[0] for r in db.execute("SELECT id FROM passages WHERE doc_id=?", (old[0],))])
                db.execute("DELETE FROM passages WHERE doc_id=?", (old[0],))
                db.execute("DELETE FROM documents WHERE doc_id=?", (old[0],))
                db.execute("DELETE FROM profiles WHERE candidate_id=?", (old[1],))   # its spans are stale
                if old[1] != candidate.id:   # the file now belongs to someone else: drop an empty husk
                    db.execute("DELETE FROM candidates WHERE id=? AND NOT EXISTS "
                               "(SELECT 1 FROM documents WHERE candidate_id=?)", (old[1], old[1]))
            self._put_candidate(db, candidate)
            db.execute(f"INSERT INTO documents ({_D_COLS}, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (document.doc_id, document.source, document.path, document.file_hash, document.text,
                        document.format, document.extractor, document.candidate_id,
                        json.dumps(list(document.warnings), ensure_ascii=False),
                        datetime.now(timezone.utc).isoformat(timespec="seconds")))
            db.executemany(f"INSERT INTO passages ({_P_COLS}, tokens) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           [(p.id, p.doc_id, p.candidate_id, p.source, p.start, p.end, p.section,
                             p.heading, p.text, t) for p, t in zip(passages, tokens, strict=True)])
            _log_passages(db, [p.id for p in passages])

    def remove_candidate(self, candidate_id: str) -> set[str]:
        """Delete everything about a candidate; returns the passage ids that were removed."""
        with self._write() as db:
            ids = {r[0] for r in db.execute("SELECT id FROM passages WHERE candidate_id=?", (candidate_id,))}
            _log_passages(db, ids)
            db.execute("DELETE FROM passages WHERE candidate_id=?", (candidate_id,))
            db.execute("DELETE FROM documents WHERE candidate_id=?", (candidate_id,))
            db.execute("DELETE FROM profiles WHERE candidate_id=?", (candidate_id,))
            db.execute("DELETE FROM candidates WHERE id=?", (candidate_id,))
        # the WAL still holds the deleted rows' pages until a checkpoint: fold it in now (a long-running UI
        # process would otherwise keep them); busy readers just make this a no-op, never an error
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ids

    def put_candidate(self, candidate: Candidate, tokens: Iterable[tuple[str, str]] = ()) -> None:
        """Update a candidate row and, in the same transaction, its passages' cached tokens."""
        tokens = list(tokens)
        with self._write() as db:
            self._put_candidate(db, candidate)
            db.executemany("UPDATE passages SET tokens=? WHERE id=?", [(t, pid) for pid, t in tokens])
            _log_passages(db, [pid for pid, _ in tokens])

    @staticmethod
    def _put_candidate(db: sqlite3.Connection, c: Candidate) -> None:
        dump = lambda v: json.dumps(list(v), ensure_ascii=False)   # noqa: E731
        db.execute(f"INSERT OR REPLACE INTO candidates ({_C_COLS}) VALUES (?,?,?,?,?,?)",
                   (c.id, c.name, dump(c.aliases), dump(c.former_names), dump(c.sources), dump(c.flags)))

    def set_tokens(self, items: Iterable[tuple[str, str]]) -> None:
        items = list(items)
        with self._write() as db:
            db.executemany("UPDATE passages SET tokens=? WHERE id=?", [(t, pid) for pid, t in items])
            _log_passages(db, [pid for pid, _ in items])

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def put_profile(self, candidate_id: str, profile: dict) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO profiles (candidate_id, json) VALUES (?, ?)",
                       (candidate_id, json.dumps(profile, ensure_ascii=False)))


def _log_passages(db: sqlite3.Connection, passage_ids: Iterable[str]) -> None:
    """Record, inside a write transaction, passage ids it changes under the generation it will commit,
    and forget entries older than CHANGELOG_GENERATIONS (moving the floor a reader checks)."""
    ids = list(passage_ids)
    if not ids:
        return
    row = db.execute("SELECT CAST(value AS INTEGER) FROM meta WHERE key='generation'").fetchone()
    generation = (row[0] if row else 0) + 1
    db.executemany("INSERT INTO passage_changes (generation, passage_id) VALUES (?, ?)",
                   [(generation, pid) for pid in ids])
    floor = generation - CHANGELOG_GENERATIONS
    if db.execute("DELETE FROM passage_changes WHERE generation <= ?", (floor,)).rowcount:
        db.execute("UPDATE meta SET value=? WHERE key='changelog_floor' AND CAST(value AS INTEGER) < ?",
                   (str(floor), floor))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT that also bumps the generation, under the catalog's lock."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def __enter__(self) -> sqlite3.Connection:
        self.catalog._lock.acquire()
        db = self.catalog._db
        try:
            db.execute("BEGIN IMMEDIATE")   # take the write lock now: no upgrade deadlocks between processes
        except BaseException:
            self.catalog._lock.release()
            raise
        return db

    def __exit__(self, exc_type, exc, tb) -> None:
        db = self.catalog._db
        try:
            if exc_type is None:
                try:
                    # A writer without the log (an older version) moved the store since the last logged
                    # write: the log is complete only from here on.
                    db.execute("UPDATE meta SET value=(SELECT COALESCE(MAX(value), '0') FROM meta WHERE "
                               "key='generation') WHERE key='changelog_floor' AND (SELECT value FROM meta "
                               "WHERE key='changelog_at') IS NOT (SELECT COALESCE(MAX(value), '0') FROM meta "
                               "WHERE key='generation')")
                    db.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                               "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
                    # the change log is complete up to here (a writer without it would leave this behind)
                    db.execute("INSERT OR REPLACE INTO meta (key, value) "
                               "SELECT 'changelog_at', value FROM meta WHERE key='generation'")
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            else:
                db.execute("ROLLBACK")
        finally:
            self.catalog._lock.release()
