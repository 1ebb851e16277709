"""Bringing a process's in-memory BM25 index (and its passage map) up to the catalog's generation.

Another process may have written since this one last looked: the catalog's change log names the
passages each write added, removed or re-tokenized, so catching up costs the size of the change.
When the log can't tell (first use, too far behind, a store or a writer older than the log), rebuild
from the catalog's cached tokens.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from recruiter.ingest.models import Passage

from .bm25 import BM25Index
from .catalog import Catalog

# (passage, the candidate's names) -> space-joined tokens: the store's own tokenization
TokensFor = Callable[[Passage, Sequence[str]], str]


def catch_up(index: BM25Index, catalog: Catalog, passages: dict[str, Passage], tokens_for: TokensFor) -> None:
    """Apply the catalog's changes since ``index.generation`` to ``index`` and ``passages`` (id -> passage)."""
    delta = None if index.generation is None else catalog.changes_since(index.generation)
    if delta is None:
        with catalog.snapshot():
            generation, rows = catalog.generation(), catalog.passages_with_tokens()
        passages.clear()
        passages.update((p.id, p) for p, _ in rows)
        index.build(index_rows(rows, catalog, tokens_for), generation)
        return
    generation, touched, rows = delta   # touched: added, removed or re-tokenized; rows: those stored
    gone = touched - {p.id for p, _ in rows}
    index.remove(gone)
    for pid in gone:
        passages.pop(pid, None)
    passages.update((p.id, p) for p, _ in rows)
    index.add(index_rows(rows, catalog, tokens_for))   # a passage already held is replaced
    index.generation = generation


def index_rows(rows: list[tuple[Passage, str | None]], catalog: Catalog, tokens_for: TokensFor) -> list[tuple]:
    """BM25Index rows (id, candidate, tokens, order) for catalog rows (passage, cached tokens);
    (source, start, end) ranks equal scores in the catalog's order."""
    names = {c.id: c.all_names() for c in catalog.candidates()} if any(t is None for _, t in rows) else {}
    out = []
    for p, tokens in rows:
        if tokens is None:   # a reader next to an old writer: tokenize in memory
            tokens = tokens_for(p, names.get(p.candidate_id, []))
        out.append((p.id, p.candidate_id, tokens.split(), (p.source, p.start, p.end)))
    return out
