"""Dense retrieval: Chroma through langchain-chroma, always with our own embeddings.

Chroma's default embedding function downloads a model, so a collection is never used without an
``embedding_function``: every add and query is embedded by the Embeddings object we were given.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from langchain_core.embeddings import Embeddings

from recruiter.ingest.models import Passage

DEFAULT_COLLECTION = "recruiter_passages"
EMBED_BATCH = 64   # passages per embed_documents call: bounds memory, keeps progress granular


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
        self._batch = min(EMBED_BATCH, client.get_max_batch_size())

    def add(self, items: Sequence[tuple[Passage, str]]) -> None:
        """items: (passage, candidate name). Upserts, so re-adding an id just refreshes it."""
        for i in range(0, len(items), self._batch):
            chunk = items[i:i + self._batch]
            self._vs.add_texts([indexed_text(p, name) for p, name in chunk],
                               metadatas=[metadata(p) for p, _ in chunk], ids=[p.id for p, _ in chunk])

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
        return self._vs._collection.count()   # no public count() on the LangChain wrapper

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
        where = candidate_filter(candidate_ids)
        hits = self._vs.similarity_search_by_vector_with_relevance_scores(list(vector), k=k, filter=where)
        return [(doc.id, 1.0 - float(distance)) for doc, distance in hits]   # cosine space: 1 - distance
