"""Who a question is about: names and aliases in either script, or the conversation's focus.

Similar names (Ke Ji / Luo Ji / Keqing He) never mix: Latin names match only as whole words, the
longest mention wins, and a mention that fits two candidates equally is reported as ambiguous.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from recruiter.ingest.models import Candidate

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
# Follow-up words that point back to the candidate(s) in focus.
_PRONOUNS_EN = re.compile(r"\b(he|his|him|she|her|hers|they|their|them|this candidate|the candidate)\b", re.I)
_PRONOUNS_ZH = re.compile(r"他|她|其|该候选人|这位候选人|此人|这个人|这两位|他们|她们")
_ALL_CANDIDATES = re.compile(r"\b(all|every|each|any|which) (of the )?(candidates?|applicants?|people|of them)\b|"
                             r"\bthe (?:candidates|applicants)\b|\beveryone\b|\beverybody\b|"
                             r"\bwho (has|have|is|was|had|lists?|worked|did)\b|\bwho \w+ed\b|所有候选人|哪些候选人|哪位候选人|"
                             r"哪个候选人|各位候选人|候选人中|谁", re.I)
_COMPARATIVE = re.compile(r"\b(?:more|fewer|less|better|higher|lower|earlier|later|longer|older|younger)\b|更",
                          re.I)
_EXPLICIT_ALL = re.compile(r"\b(?:all|every|each|any|everyone|everybody)\b|\bwhich (?:of the )?candidates\b|\bthe (?:candidates|applicants)\b|所有|"
                           r"哪些候选人|各位|候选人中", re.I)
# A possessive pointing back ("who was HIS advisor", "他的导师是谁") keeps the focus even with "who"/"谁".
_POSSESSIVE = re.compile(r"\b(his|her)\b|他的|她的", re.I)


@dataclass
class Mention:
    candidate_id: str
    text: str          # as written in the question
    name: str          # the stored name it matched
    start: int
    end: int


@dataclass
class Resolution:
    candidate_ids: list[str] = field(default_factory=list)   # in order of first mention
    mentions: list[Mention] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)       # mentions that fit several candidates
    from_focus: bool = False
    focus_guessed: bool = False        # the focus was taken for a short question with no he/she/his/他/她
    wants_all: bool = False


def _name_pattern(name: str) -> re.Pattern:
    if _HAN.search(name):
        return re.compile(r"\s*".join(map(re.escape, name.replace(" ", ""))))
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", name) if p]
    # "Jinyi Han", "Jin-yi Han", "JINYI HAN"; never inside a longer word ("Keqing" ≠ "Ke")
    return re.compile(r"(?<![A-Za-z])" + r"[\s\-]*".join(parts) + r"(?![A-Za-z])", re.I)


def name_variants(candidate: Candidate) -> list[str]:
    names = candidate.all_names()
    # A distinctive given name alone ("Keqing") also names the candidate; short ones ("Ke") do not.
    for n in list(names):
        parts = n.split()
        if len(parts) == 2 and not _HAN.search(n) and n in (candidate.name, *candidate.aliases[:1]):
            given = parts[0]
            if len(given) >= 5:
                names.append(given)
        # "子逸" for 杨子逸: a two-character given name is how colleagues write a Chinese name.
        han = n.replace(" ", "")
        if _HAN.search(han) and len(han) == 3 and n in (candidate.name, *candidate.aliases):
            names.append(han[1:])
    return names


def find_mentions(question: str, candidates: list[Candidate]) -> tuple[list[Mention], list[str]]:
    spans: list[tuple[int, int, str, str, str]] = []
    for c in candidates:
        for n in name_variants(c):
            for m in _name_pattern(n).finditer(question):
                spans.append((m.start(), m.end(), c.id, m.group(0), n))
    # Longest mention first; drop mentions overlapping an accepted longer one.
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    accepted: list[tuple[int, int, str, str, str]] = []
    ambiguous: list[str] = []
    for s in spans:
        overlapping = [a for a in accepted if s[0] < a[1] and a[0] < s[1]]
        if not overlapping:
            accepted.append(s)
        elif all((a[1] - a[0]) == (s[1] - s[0]) and a[2] != s[2] for a in overlapping):
            ambiguous.append(s[3])
    amb_ids = {(a[0], a[1]) for a in accepted if a[3] in ambiguous}
    mentions = [Mention(candidate_id=a[2], text=a[3], name=a[4], start=a[0], end=a[1])
                for a in sorted(accepted) if (a[0], a[1]) not in amb_ids]
    return mentions, sorted(set(ambiguous))


def resolve(question: str, candidates: list[Candidate], focus: list[str] | None = None,
            scope: list[str] | None = None) -> Resolution:
    """Candidates a question is about. ``scope`` (chosen in the UI/CLI) limits the pool;
    ``focus`` is who the previous turns were about, used for "he/她" follow-ups."""
    pool = [c for c in candidates if not scope or c.id in scope]
    mentions, ambiguous = find_mentions(question, pool)
    ids: list[str] = []
    for m in mentions:
        if m.candidate_id not in ids:
            ids.append(m.candidate_id)
    res = Resolution(candidate_ids=ids, mentions=mentions, ambiguous=ambiguous)
    if ids:
        return res
    wants_all = bool(_ALL_CANDIDATES.search(question))
    if focus and len(focus) >= 2 and _COMPARATIVE.search(question) and not _EXPLICIT_ALL.search(question):
        wants_all = False    # "Compare Ke Ji and Keqing He." → "Who has more first-author papers?": those two
    pointed = bool(_POSSESSIVE.search(question) or _PRONOUNS_EN.search(question) or _PRONOUNS_ZH.search(question))
    if focus and (_POSSESSIVE.search(question) or not wants_all and (pointed or len(question) < 40)):
        res.candidate_ids = [f for f in focus if any(c.id == f for c in pool)]
        res.from_focus = bool(res.candidate_ids)
        res.focus_guessed = res.from_focus and not pointed
        return res
    if scope:
        res.candidate_ids = [c.id for c in pool]
    res.wants_all = True
    return res


# A person named in the question: "John Smith's", "about John Smith", "did John Smith …"; 王小明的 / 王小明在 …
_LATIN_PERSON = re.compile(r"(?:\b(?:about|did|does|is|was|has|have|for|of|with|and|or|between|compare)\s+)"
                           r"([A-Z][a-z]+(?:[\s-][A-Z][a-z]+){1,2})\b|"
                           r"\b([A-Z][a-z]+(?:[\s-][A-Z][a-z]+){1,2})(?=['’]s\b)")
_PERSON_NEXT = re.compile(r"的|在|是|有|和|与|跟|同|、|，|,|曾|毕业|读|做|目前|现在|\s*['’]|？|\?")
_COMMON_WORD_FREQ = 100      # jieba's frequency above which a "name" is an ordinary word (陈述, 何时)


def person_names(question: str) -> list[str]:
    """People named in the question, matched or not ("John Smith's", "about John Smith", 王小明的 …)."""
    found = [a or b for a, b in _LATIN_PERSON.findall(question)]
    if _HAN.search(question):
        import jieba
        import jieba.posseg

        tokens = list(jieba.posseg.cut(question))
        # a person is the subject or owner: first in the question, or followed by 的/在/是/和 … (not 马尔可夫决策)
        found += [w.word for i, w in enumerate(tokens) if w.flag.startswith("nr") and 2 <= len(w.word) <= 4
                  and _HAN.fullmatch(w.word[0]) and jieba.dt.FREQ.get(w.word, 0) < _COMMON_WORD_FREQ
                  and (i == 0 or i + 1 == len(tokens) or _PERSON_NEXT.match(tokens[i + 1].word))]
    return list(dict.fromkeys(found))


def romanised_candidate(han_name: str, candidates: list[Candidate]) -> str | None:
    """A Chinese name no CV writes in characters but one writes in pinyin: 韩海霞 → "Haixia Han" (a
    former name given only in Latin letters). The candidate's name as stored, or None (also when two
    candidates would match)."""
    if not _HAN.fullmatch(han_name[0]):
        return None
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(han_name)
    if len(syllables) < 2 or not all(x.isalpha() for x in syllables):
        return None
    surname, given = syllables[0], "".join(syllables[1:])
    forms = {f"{given} {surname}", f"{surname} {given}", f"{given}{surname}", f"{surname}{given}"}
    hits = [(c.id, n) for c in candidates for n in [*c.former_names, c.name, *c.aliases] if n.lower() in forms]
    return hits[0][1] if len({cid for cid, _ in hits}) == 1 else None   # the first as the CV writes it
