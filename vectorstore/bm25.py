"""BM25 over passages (rank-bm25's BM25Okapi) with a CV-aware bilingual tokenizer.

Measured on the sample CVs: BM25 with jieba beats the multilingual dense encoder, and a small zh↔en
dictionary applied to the *query* closes part of the cross-language gap (腾讯 ↔ Tencent).
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

# Bump when tokenization changes: the store re-tokenizes cached passage tokens on the next open.
TOKENIZER_VERSION = "1"
DICTIONARY_PATH = Path(__file__).with_name("cv_dictionary.json")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN = rf"[^\W_{_CJK}]"                                     # a word character that is not CJK
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|({_LATIN}+(?:[-._/@+']{_LATIN}+)*)")
_SEP_RE = re.compile(r"[-._/@+']")
_ALNUM_RE = re.compile(r"\d+|[^\W\d_]+")                     # letter runs and digit runs
_HAS_CJK = re.compile(f"[{_CJK}]")

STOPWORDS = frozenset("""
a an the of and or in on at to for with by from as is are was were be been being it its this that these
those what which who whom whose when where why how does did do has have had can could would should will
his her him he she they their them i me my we our you your s t about into than then there any all some
please tell list show give find also not no yes vs
的 了 和 与 及 或 在 是 有 为 等 对 把 被 我 他 她 它 你 们 吗 呢 吧 啊 哪 哪些 哪个 哪里 什么 谁 是否 多少 怎么 如何 请 过 着 也 都 就 而 并 其 该 这 那 这个 那个 之 以 于 中 上 下
""".split())


class CVTokenizer:
    """Lowercased words; jieba (search mode) for CJK runs; Latin words kept whole *and* split.

    "helicbupt@gmail.com" → helicbupt@gmail.com, helicbupt, gmail, com; "CSC6052" → csc6052, csc, 6052;
    "2016.09" → 2016.09, 2016, 09. So an exact id, e-mail or date is findable whole or by its parts.
    """

    def __init__(self, dictionary_path: Path = DICTIONARY_PATH):
        self._dictionary_path = dictionary_path
        self._jieba = None
        self._groups: list[tuple[re.Pattern | None, list[str], list[str]]] | None = None

    @property
    def jieba(self):
        # Created lazily (loading the dictionary takes ~1 s) and owned here, not jieba's module global.
        if self._jieba is None:
            with warnings.catch_warnings():   # jieba imports the deprecated pkg_resources
                warnings.simplefilter("ignore")
                import jieba
            jieba.setLogLevel(logging.WARNING)   # "Building prefix dict…" is noise in a CLI
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            self._jieba = tokenizer
        return self._jieba

    def tokenize(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).casefold()
        out: list[str] = []
        for cjk, word in _TOKEN_RE.findall(text):
            if cjk:
                out.extend(t for t in self.jieba.lcut_for_search(cjk) if t.strip() and t not in STOPWORDS)
            else:
                out.extend(_word_tokens(word))
        return out

    # ---- query expansion -----------------------------------------------------------------------
    def _dictionary(self) -> list[tuple[re.Pattern | None, list[str], list[str]]]:
        if self._groups is None:
            groups = json.loads(self._dictionary_path.read_text(encoding="utf-8"))["groups"]
            compiled = []
            for group in groups:
                terms = [unicodedata.normalize("NFKC", t).casefold() for t in group]
                cjk = [t for t in terms if _HAS_CJK.search(t)]
                latin = [t for t in terms if not _HAS_CJK.search(t)]
                # Latin terms match whole words only: "rl" must not fire inside "rlhf" or "world".
                pattern = (re.compile(rf"(?<!{_LATIN})(?:{'|'.join(map(re.escape, latin))})(?!{_LATIN})")
                           if latin else None)
                compiled.append((pattern, cjk, terms))
            self._groups = compiled
        return self._groups

    def expansions(self, query: str) -> list[str]:
        """Terms from dictionary groups the query mentions (the mentioned terms included)."""
        q = unicodedata.normalize("NFKC", query).casefold()
        found: list[str] = []
        for pattern, cjk, terms in self._dictionary():
            if any(t in q for t in cjk) or (pattern is not None and pattern.search(q)):
                found.extend(terms)
        return found

    def query_tokens(self, query: str) -> list[str]:
        """Query tokens plus dictionary expansions, deduplicated (order kept)."""
        tokens = self.tokenize(query)
        for term in self.expansions(query):
            tokens.extend(self.tokenize(term))
        return list(dict.fromkeys(tokens))


def _word_tokens(word: str) -> list[str]:
    parts = [word]
    if _SEP_RE.search(word):
        parts += [p for p in _SEP_RE.split(word) if p]
    for p in list(parts[1:] if len(parts) > 1 else parts):
        runs = _ALNUM_RE.findall(p)
        if len(runs) > 1:            # letters and digits mixed: "neurips2025" → neurips, 2025
            parts += runs
    return [p for p in dict.fromkeys(parts) if p not in STOPWORDS]


class BM25Index:
    """Holds exactly the passage ids it was last built with; the store rebuilds it when the catalog
    generation moves. Passage tokens come pre-computed (cached in the catalog), so a rebuild is cheap."""

    def __init__(self, tokenizer: CVTokenizer | None = None):
        self.tokenizer = tokenizer or CVTokenizer()
        self.generation: int | None = None
        self._ids: list[str] = []
        self._bm25: BM25Okapi | None = None
        self._by_candidate: dict[str, np.ndarray] = {}

    @staticmethod
    def indexed_text(passage_text: str, names: Iterable[str], heading: str) -> str:
        # The name and heading make "X's education" match passages that never repeat X or the heading.
        return " ".join([*names, heading, passage_text])

    def build(self, rows: Sequence[tuple[str, str, list[str]]], generation: int | None = None) -> None:
        """rows: (passage_id, candidate_id, tokens)."""
        self._ids = [r[0] for r in rows]
        by_cand: dict[str, list[int]] = {}
        for i, (_, cid, _) in enumerate(rows):
            by_cand.setdefault(cid, []).append(i)
        self._by_candidate = {c: np.array(ix, dtype=np.int64) for c, ix in by_cand.items()}
        # BM25Okapi divides by the corpus size; an empty store simply has no index.
        self._bm25 = BM25Okapi([r[2] for r in rows]) if rows else None
        self.generation = generation

    def ids(self) -> set[str]:
        return set(self._ids)

    def scores(self, query: str) -> np.ndarray:
        if self._bm25 is None:
            return np.zeros(0)
        # Only terms the corpus knows: BM25Okapi loops over every passage for each query term.
        tokens = [t for t in self.tokenizer.query_tokens(query) if t in self._bm25.idf]
        if not tokens:
            return np.zeros(len(self._ids))
        return self._bm25.get_scores(tokens)

    def rank(self, scores: np.ndarray, k: int, candidate_ids: Iterable[str] | None = None
             ) -> list[tuple[str, float]]:
        """Top k (passage_id, score) with score > 0, optionally within some candidates."""
        if len(scores) == 0 or k <= 0:
            return []
        if candidate_ids is None:
            positions = np.arange(len(scores))
        else:
            chunks = [self._by_candidate[c] for c in dict.fromkeys(candidate_ids) if c in self._by_candidate]
            if not chunks:
                return []
            positions = np.concatenate(chunks)
        sub = scores[positions]
        order = np.argsort(-sub, kind="stable")[:k]
        return [(self._ids[positions[i]], float(sub[i])) for i in order if sub[i] > 0]

    def search(self, query: str, k: int = 8, candidate_ids: Iterable[str] | None = None
               ) -> list[tuple[str, float]]:
        return self.rank(self.scores(query), k, candidate_ids)
