"""BM25 over passages (Okapi, rank-bm25's scores) in an incremental postings index, with a CV-aware
bilingual tokenizer.

Measured on the sample CVs: BM25 with jieba beats the multilingual dense encoder, and a small zh↔en
dictionary applied to the *query* closes part of the cross-language gap (腾讯 ↔ Tencent).
"""
from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
import warnings
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

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


# rank-bm25's BM25Okapi defaults: the dev set and the recall bench were tuned with these scores.
K1, B, EPSILON = 1.5, 0.75, 0.25
COMPACT_MIN_DEAD = 1024   # removed slots tolerated before a compaction, and at most as many as live ones


class BM25Index:
    """Okapi BM25 over per-term postings, updated in place: scores equal rank-bm25's BM25Okapi
    (k1 1.5, b 0.75, a negative idf floored at ε·mean idf) on the passages currently held.

    Each passage occupies a *slot*; a term's postings list the slots holding it and its count there.
    ``add`` appends postings and ``remove`` retires slots (their postings stay until a compaction) while
    df, lengths and the total length are kept as counters, so a write costs the size of the change and
    a query reads only its terms' postings. The store moves ``generation`` along with the catalog's.
    """

    def __init__(self, tokenizer: CVTokenizer | None = None, *, k1: float = K1, b: float = B,
                 epsilon: float = EPSILON, compact_min_dead: int = COMPACT_MIN_DEAD):
        self.tokenizer = tokenizer or CVTokenizer()
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.compact_min_dead = compact_min_dead
        self.generation: int | None = None
        self._clear()

    def _clear(self) -> None:
        self._slot_of: dict[str, int] = {}              # passage id -> slot
        self._slot_ids: list[str | None] = []           # slot -> passage id, None once removed
        self._slot_keys: list[tuple | None] = []        # slot -> (candidate id, order): how ties rank
        self._slot_terms: list[array | None] = []       # slot -> its distinct term ids (to undo its df)
        self._lengths = array("d")                      # slot -> token count (0 once removed)
        self._alive = bytearray()                       # slot -> 1 while held
        self._term_ids: dict[str, int] = {}
        self._postings_slots: list[array] = []          # term id -> slots holding the term (int32)
        self._postings_tfs: list[array] = []            # term id -> the term's count in each (int32)
        self._df = array("q")                           # term id -> live passages holding it
        self._by_candidate: dict[str, set[int]] = {}
        self._total_length = 0
        self._dead = 0
        self._version = 0                               # moves on every change: keys the ε cache
        self._epsilon_cache: tuple[int, float] | None = None

    @staticmethod
    def indexed_text(passage_text: str, names: Iterable[str], heading: str) -> str:
        # The name and heading make "X's education" match passages that never repeat X or the heading.
        return " ".join([*names, heading, passage_text])

    # ---- writes --------------------------------------------------------------------------------
    def build(self, rows: Iterable[Sequence], generation: int | None = None) -> None:
        """Hold exactly these rows (see ``add``)."""
        self._clear()
        self.add(rows)
        self.generation = generation

    def add(self, rows: Iterable[Sequence]) -> None:
        """rows: (passage_id, candidate_id, tokens[, order]); a passage already held is replaced.
        ``order`` (default: the id) ranks equal scores within a candidate, as a fresh build would."""
        for pid, cid, tokens, *order in rows:
            if pid in self._slot_of:
                self.remove([pid])
            slot = len(self._slot_ids)
            terms = array("i")
            for term, tf in Counter(tokens).items():
                tid = self._term_ids.get(term)
                if tid is None:
                    tid = self._term_ids[term] = len(self._postings_slots)
                    self._postings_slots.append(array("i"))
                    self._postings_tfs.append(array("i"))
                    self._df.append(0)
                self._postings_slots[tid].append(slot)
                self._postings_tfs[tid].append(tf)
                self._df[tid] += 1
                terms.append(tid)
            self._slot_of[pid] = slot
            self._slot_ids.append(pid)
            self._slot_keys.append((cid, order[0] if order else pid))
            self._slot_terms.append(terms)
            self._lengths.append(len(tokens))
            self._alive.append(1)
            self._by_candidate.setdefault(cid, set()).add(slot)
            self._total_length += len(tokens)
            self._version += 1

    def remove(self, passage_ids: Iterable[str]) -> None:
        """Forget these passages (ids not held are ignored)."""
        for pid in passage_ids:
            slot = self._slot_of.pop(pid, None)
            if slot is None:
                continue
            for tid in self._slot_terms[slot]:
                self._df[tid] -= 1
            cid = self._slot_keys[slot][0]
            self._by_candidate[cid].discard(slot)
            if not self._by_candidate[cid]:
                del self._by_candidate[cid]
            self._total_length -= int(self._lengths[slot])
            self._lengths[slot] = 0.0
            self._alive[slot] = 0
            self._slot_ids[slot] = self._slot_keys[slot] = self._slot_terms[slot] = None
            self._dead += 1
            self._version += 1
        if self._dead >= self.compact_min_dead and self._dead > len(self._slot_of):
            self._compact()

    def _compact(self) -> None:
        """Drop retired slots and terms no passage holds any more, renumbering both (O(index size))."""
        alive = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        new_slot = (np.cumsum(alive) - 1).astype(np.int32)
        df = np.array(self._df, dtype=np.int64)
        kept_terms = np.flatnonzero(df > 0)
        new_term = np.full(len(df), -1, dtype=np.int32)
        new_term[kept_terms] = np.arange(len(kept_terms), dtype=np.int32)
        postings_slots, postings_tfs = [], []
        for tid in kept_terms.tolist():
            slots = np.array(self._postings_slots[tid], dtype=np.int32)
            live = alive[slots]
            postings_slots.append(array("i", new_slot[slots[live]].tobytes()))
            postings_tfs.append(array("i", np.array(self._postings_tfs[tid], dtype=np.int32)[live].tobytes()))
        self._term_ids = {t: int(new_term[tid]) for t, tid in self._term_ids.items() if new_term[tid] >= 0}
        self._postings_slots, self._postings_tfs = postings_slots, postings_tfs
        self._df = array("q", df[kept_terms].tobytes())
        live_slots = np.flatnonzero(alive).tolist()
        self._slot_ids = [self._slot_ids[s] for s in live_slots]
        self._slot_keys = [self._slot_keys[s] for s in live_slots]
        self._slot_terms = [array("i", new_term[np.array(self._slot_terms[s], dtype=np.int32)].tobytes())
                            for s in live_slots]
        self._lengths = array("d", np.array(self._lengths)[alive].tobytes())
        self._alive = bytearray(b"\x01" * len(live_slots))
        self._slot_of = {pid: s for s, pid in enumerate(self._slot_ids)}
        self._by_candidate = {}
        for s, (cid, _) in enumerate(self._slot_keys):
            self._by_candidate.setdefault(cid, set()).add(s)
        self._dead = 0
        self._version += 1

    # ---- reads ---------------------------------------------------------------------------------
    def ids(self) -> set[str]:
        return set(self._slot_of)

    def __len__(self) -> int:
        return len(self._slot_of)

    def idf(self, term: str) -> float:
        """BM25Okapi's idf of a term (0 for a term no passage holds)."""
        tid = self._term_ids.get(term)
        df = self._df[tid] if tid is not None else 0
        if df == 0:
            return 0.0
        n = len(self._slot_of)
        value = math.log(n - df + 0.5) - math.log(df + 0.5)
        return value if value >= 0 else self._epsilon_idf()

    def _epsilon_idf(self) -> float:
        # ε × the mean idf over every term held: depends on all of df, so cached until the next change.
        # Summed per distinct df value (a count of terms each), so the float does not depend on the
        # order terms arrived in: an index grown by adds and removes scores exactly as a fresh build.
        if self._epsilon_cache is None or self._epsilon_cache[0] != self._version:
            terms_with_df = np.bincount(np.array(self._df, dtype=np.int64), minlength=1)
            terms_with_df[0] = 0
            df = np.flatnonzero(terms_with_df)
            n, count = len(self._slot_of), terms_with_df[df]
            idf_sum = float(np.sum(count * (np.log(n - df + 0.5) - np.log(df + 0.5))))
            self._epsilon_cache = (self._version, self.epsilon * idf_sum / count.sum() if len(df) else 0.0)
        return self._epsilon_cache[1]

    def token_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every slot for these query tokens (a retired slot scores 0)."""
        n = len(self._slot_of)
        if n == 0:
            return np.zeros(0)
        out = np.zeros(len(self._slot_ids))
        lengths, avgdl, k1, b = None, self._total_length / n, self.k1, self.b
        for term in dict.fromkeys(tokens):
            idf = self.idf(term)
            if not idf:
                continue
            tid = self._term_ids[term]
            if lengths is None:
                lengths = np.array(self._lengths, dtype=np.float64)
            slots = np.array(self._postings_slots[tid], dtype=np.int32)
            tf = np.array(self._postings_tfs[tid], dtype=np.float64)
            # rank-bm25's expression, term by term in query order, so the floats come out the same
            out[slots] += idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[slots] / avgdl)))
        if self._dead and lengths is not None:
            out[np.frombuffer(self._alive, dtype=np.uint8) == 0] = 0.0
        return out

    def scores(self, query: str) -> np.ndarray:
        return self.token_scores(self.tokenizer.query_tokens(query))

    def rank(self, scores: np.ndarray, k: int, candidate_ids: Iterable[str] | None = None
             ) -> list[tuple[str, float]]:
        """Top k (passage_id, score) with score > 0, optionally within some candidates. Equal scores
        rank by candidate (id, or its place in candidate_ids) then ``order``: a fresh build's order."""
        if len(scores) == 0 or k <= 0:
            return []
        if candidate_ids is None:
            place = None
            positions = np.flatnonzero(scores > 0)
        else:
            place = {c: i for i, c in enumerate(dict.fromkeys(candidate_ids))}
            slots = [s for c in place for s in self._by_candidate.get(c, ())]
            positions = np.array(slots, dtype=np.int64)
            positions = positions[scores[positions] > 0] if len(positions) else positions
        if len(positions) > k:
            sub = scores[positions]
            kth = np.partition(sub, len(sub) - k)[len(sub) - k]
            positions = positions[sub >= kth]   # the top k and everything tied with the k-th
        keys = self._slot_keys
        top = sorted(zip(scores[positions].tolist(), positions.tolist()),
                     key=lambda e: (-e[0], keys[e[1]] if place is None else (place[keys[e[1]][0]], keys[e[1]][1])))
        return [(self._slot_ids[s], score) for score, s in top[:k]]

    def search(self, query: str, k: int = 8, candidate_ids: Iterable[str] | None = None
               ) -> list[tuple[str, float]]:
        return self.rank(self.scores(query), k, candidate_ids)

    def search_tokens(self, tokens: Sequence[str], k: int = 8, candidate_ids: Iterable[str] | None = None
                      ) -> list[tuple[str, float]]:
        return self.rank(self.token_scores(tokens), k, candidate_ids)
