"""Dense retrieval: Chroma holds passage ids, vectors and span metadata; never CV text.

Every vector is made here with the Embeddings object we were given (Chroma's default embedding
function would download a model), and written without ``documents``: the passage text lives only in
the SQLite catalog. Why: Chroma keeps what it was sent in its own write-ahead log and full-text
index long after a delete, so a removed candidate's CV would stay readable in the data dir.
Stores written before this held each passage's text as its document: the first writable open
rewrites those records without it (``_drop_documents``).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from langchain_core.embeddings import Embeddings

from recruiter.ingest.models import Passage

DEFAULT_COLLECTION = "recruiter_passages"
EMBED_BATCH = 64   # passages per embed_documents call: bounds memory, keeps progress granular
TEXT_FREE = "recruiter_text_free"   # collection metadata: set once no record carries a document
SCAN_PAGE = 2000   # records per get() while looking for an old store's documents
# A `chroma run` server (1.5.x) fails a query with "Error creating hnsw segment reader: Nothing found on
# disk" while another client's first writes to the collection are being indexed; it answers a moment
# later (tests/reliability/test_server_multiprocess.py hits it): retry that error only, briefly.
QUERY_ATTEMPTS = 4


class ChromaUnavailable(RuntimeError):
    pass


def open_client(home: Path, chroma_url: str | None = None):
    """Embedded PersistentClient under home/"chroma", or an HttpClient when a server URL is given."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if not chroma_url:
        return chromadb.PersistentClient(path=str(Path(home) / "chroma"), settings=settings)
    url = urlsplit(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    ssl = url.scheme == "https"
    try:
        return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or (443 if ssl else 8000),
                                   ssl=ssl, settings=settings)
    except Exception as e:   # chromadb raises a bare ValueError/ConnectError; say what to check
        raise ChromaUnavailable(f"cannot reach the Chroma server at {chroma_url} ({e}). Start it with "
                                f"`chroma run --path <dir> --port {url.port or 8000}` or unset "
                                f"RECRUITER_CHROMA_URL to use the embedded store.") from e


def indexed_text(passage: Passage, name: str) -> str:
    # Measured: prefixing "name | section" adds ~0.06 dense recall (the passage alone rarely says whose
    # CV it is or which section it sits in).
    return f"{name} | {passage.heading or passage.section} | {passage.text}"


def metadata(passage: Passage) -> dict:
    return {"candidate_id": passage.candidate_id, "doc_id": passage.doc_id, "source": passage.source,
            "section": passage.section, "start": passage.start, "end": passage.end}


def candidate_filter(candidate_ids: Iterable[str] | None) -> dict | None:
    if candidate_ids is None:
        return None
    ids = list(dict.fromkeys(candidate_ids))
    return {"candidate_id": ids[0]} if len(ids) == 1 else {"candidate_id": {"$in": ids}}


class DenseIndex:
    def __init__(self, client, embeddings: Embeddings, collection: str = DEFAULT_COLLECTION, *,
                 create: bool = True):
        from langchain_chroma import Chroma

        self.client = client
        self.embeddings = embeddings
        self._vs = Chroma(collection_name=collection, embedding_function=embeddings, client=client,
                          collection_configuration={"hnsw": {"space": "cosine"}},
                          create_collection_if_not_exists=create)
        self._collection = self._vs._collection   # the chromadb collection: writes and queries go to it
        self._batch = min(EMBED_BATCH, client.get_max_batch_size())
        if create:   # a writer; readers never write
            self._drop_documents()

    def _drop_documents(self) -> None:
        """Rewrite records that carry a document (a store from before the index went text-free) as
        id + vector + metadata, once: a marker in the collection metadata says it is done. A crash
        between a chunk's delete and add leaves gaps, which the store's reconcile() re-embeds."""
        if (self._collection.metadata or {}).get(TEXT_FREE):
            return
        with_text: list[str] = []
        for start in range(0, self._collection.count(), SCAN_PAGE):
            got = self._collection.get(limit=SCAN_PAGE, offset=start, include=["documents"])
            with_text += [i for i, d in zip(got["ids"], got["documents"]) if d is not None]
        for i in range(0, len(with_text), self._batch):
            got = self._collection.get(ids=with_text[i:i + self._batch], include=["embeddings", "metadatas"])
            # upsert would keep the old document: only delete + add drops it
            self._collection.delete(ids=got["ids"])
            self._collection.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"])
        self._collection.modify(metadata={**(self._collection.metadata or {}), TEXT_FREE: True})

    def add(self, items: Sequence[tuple[Passage, str]],
            vectors: Sequence[Sequence[float]] | None = None) -> None:
        """items: (passage, candidate name). Upserts, so re-adding an id just refreshes it.

        ``vectors[i]`` (optional) is the embedding of ``indexed_text(*items[i])``, computed elsewhere
        (an ingest worker) with this index's embeddings; given, nothing is embedded here.
        """
        if vectors is not None and len(vectors) != len(items):
            raise ValueError(f"{len(vectors)} vectors for {len(items)} passages")
        for i in range(0, len(items), self._batch):
            chunk = items[i:i + self._batch]
            if vectors is None:
                chunk_vectors = self.embeddings.embed_documents([indexed_text(p, name) for p, name in chunk])
            else:
                chunk_vectors = vectors[i:i + self._batch]
            # no documents=: the text the vector was made from is not stored (see the module docstring)
            self._collection.upsert(ids=[p.id for p, _ in chunk], embeddings=[list(v) for v in chunk_vectors],
                                    metadatas=[metadata(p) for p, _ in chunk])

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self._vs.delete(ids=ids[i:i + 1000])

    def ids(self) -> set[str]:
        out: set[str] = set()
        page = 5000
        while True:
            got = self._vs.get(limit=page, offset=len(out), include=[])["ids"]
            out.update(got)
            if len(got) < page:
                return out

    def count(self) -> int:
        return self._collection.count()   # no public count() on the LangChain wrapper

    def embed_query(self, query: str) -> list[float]:
        return self.embeddings.embed_query(query)

    def query(self, vector: Sequence[float], k: int, candidate_ids: Iterable[str] | None = None
              ) -> list[tuple[str, float]]:
        """Top k (passage_id, cosine similarity), optionally restricted to some candidates."""
        if candidate_ids is not None:
            candidate_ids = list(candidate_ids)
            if not candidate_ids:
                return []
        if k <= 0:
            return []
        from chromadb.errors import InternalError   # chromadb is loaded by now (open_client)

        where = candidate_filter(candidate_ids)
        for attempt in range(1, QUERY_ATTEMPTS + 1):
            try:
                # ids and distances only: nothing else is needed, and an old store's documents stay unread
                got = self._collection.query(query_embeddings=[list(vector)], n_results=k, where=where,
                                             include=["distances"])
                break
            except InternalError as e:
                if attempt == QUERY_ATTEMPTS or "hnsw segment reader" not in str(e):
                    raise
                time.sleep(0.1 * attempt)
        return [(pid, 1.0 - float(distance))                                  # cosine space: 1 - distance
                for pid, distance in zip(got["ids"][0], got["distances"][0])]
