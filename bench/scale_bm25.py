"""bench/scale.py --bm25-only: the product's BM25 index alone at each size, against rank-bm25 on the same
passages. No Chroma, USE or catalog, so it runs in seconds where the full scale run takes ~25 minutes."""
from __future__ import annotations

import time
from pathlib import Path

from _common import pct


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def rank_bm25_baseline(index, corpus: list[list[str]], queries: list[str], ms: list[float],
                       n_reference: int) -> str:
    """The old index on the same passages: rank-bm25's BM25Okapi.get_scores, first n_reference queries."""
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return ""
    ref = BM25Okapi(corpus)
    old = []
    for q in queries[:n_reference]:
        tokens = index.tokenizer.query_tokens(q)
        t = time.perf_counter()
        ref.get_scores(tokens)
        old.append(1000 * (time.perf_counter() - t))
    return (f"; rank-bm25 get_scores p50 {pct(old, 50):.0f} ms on the first {n_reference} queries "
            f"({pct(old, 50) / max(pct(ms[:n_reference], 50), 1e-3):.0f}x this index's p50 on them)")


def bm25_only(docs: list, sizes: list[int], queries: list[str], n_reference: int) -> list[str]:
    """The product's BM25Index alone (no Chroma, no USE, no catalog), grown to each size from the same
    replicas, each base passage tokenized once: query p50/p95 (tokenizing included), one CV's add and
    remove, a full build, and the grown index's top 20 against a fresh build. Seconds, not an hour."""
    from recruiter.ingest.chunking import chunk_document
    from recruiter.ingest.sections import split_sections
    from recruiter.vectorstore.bm25 import BM25Index, CVTokenizer
    tokenizer = CVTokenizer()
    base = [[tokenizer.tokenize(BM25Index.indexed_text(p.text, [Path(d.source).stem], p.heading))
             for p in chunk_document(d, spans=split_sections(d.text))] for d in docs]

    def copy(k: int, i: int) -> list[tuple]:   # copy k of CV i: new ids, plus its "Ref k" line's tokens
        return [(f"r{k}_{i}_{j}", f"c{k}_{i}", [*tokens, "ref", str(k)], j) for j, tokens in enumerate(base[i])]

    index, copies, lines = BM25Index(tokenizer), 0, []
    for size in sizes:
        while len(index) < size:
            for i in range(len(base)):
                index.add(copy(copies, i))
            copies += 1
        for q in queries:                                   # warm-up
            index.search(q, 32)
        ms = []
        for q in queries:
            t = time.perf_counter()
            index.search(q, 32)
            ms.append(1000 * (time.perf_counter() - t))
        extra = copy(copies, 0)
        add_ms = 1000 * _timed(lambda: index.add(extra))
        remove_ms = 1000 * _timed(lambda: index.remove([r[0] for r in extra]))
        fresh = BM25Index(tokenizer)
        rows = [r for k in range(copies) for i in range(len(base)) for r in copy(k, i)]
        build_s = _timed(lambda: fresh.build(rows))
        same = all(index.search(q, 20) == fresh.search(q, 20) for q in queries)
        del fresh
        lines.append(f"{len(index):>8} passages: BM25 search p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms; "
                     f"+1 CV {add_ms:.1f} ms, -1 CV {remove_ms:.1f} ms; full build {build_s:.1f} s; "
                     f"same top 20 as a fresh build: {same}"
                     + rank_bm25_baseline(index, [r[2] for r in rows], queries, ms, n_reference))
        print(lines[-1], flush=True)
    return lines
