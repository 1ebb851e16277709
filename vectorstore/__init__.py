"""Storage and retrieval of CV passages: a SQLite catalog (truth) + Chroma (dense) + BM25 (jieba).

Use ``CandidateStore``; the submodules are its parts. Exports resolve lazily so importing the package
does not import chromadb.
"""
from __future__ import annotations

__all__ = ["CandidateStore", "DuplicateDocumentError", "Hit", "StoreLockedError", "ChromaUnavailable"]


def __getattr__(name: str):
    if name in ("CandidateStore", "DuplicateDocumentError", "Hit"):
        from . import store
        return getattr(store, name)
    if name == "StoreLockedError":
        from .lock import StoreLockedError
        return StoreLockedError
    if name == "ChromaUnavailable":
        from .dense import ChromaUnavailable
        return ChromaUnavailable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
