"""Question terms: what a question asks for, in words that can be found in a CV (either language).

Latin words match by stem prefix ("classification" ~ "classifier"), CJK words as substrings;
each question term forms a group with its zh↔en translations, and a group counts once.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#]*(?:[-.][A-Za-z0-9]+)*|\d+(?:\.\d+)?[kK]?|[\u4e00-\u9fff\u3400-\u4dbf]+")

# Words that shape a question but are never what it asks for.
STOP_EN = set("""a an the of in on at for to and or with without by as from into about over under than then
what which who whom whose where when why how whether does do did done is are was were be been being am has
have had having his her hers their theirs he she they them him it its this that these those there here
any all each every some other others both either neither more most much many few one ones s count counts
candidate candidates applicant applicants person people cv cvs resume resumes profile page homepage's
list lists listed listing mention mentions mentioned include includes included name names named tell me
please give show describe explain say says said state stated states according write written
can could would should will shall may might must also just only ever still currently current
attend attended serve served work worked study studied get got receive received hold held obtain
obtained earn earned take took spend spent go went come came make made use used using
end ended ends start started starts begin began finish finished last long
title titles kind type sort part role between compare comparison versus vs among who's what's
and/or etc e.g i.e yes no not know knows known knew familiar good""".split())
STOP_ZH = set("""的 是 在 哪 哪里 哪儿 哪个 哪些 哪位 哪所 哪家 哪年 什么 多少 几 吗 呢 了 和 与 及 以及 或 有 有没有
没有 是否 简历 简历上 候选人 请 一下 他 她 其 他们 她们 上 中 里 分别 各 各自 这 那 个 位 谁 过 都 被 为 对 从 给
把 怎么 如何 还 也 就 所 曾 曾经 留 列出 列举 说明 说 写 提到 提及 包括 相关 方面 之间 比较 对比 哪一个 哪一 的话
担任 读 读的 就读 做 做过 参与 参加 一些 几个 哪几 时候 起止 时间 分别是 什么样 工作中 用到 用过 使用 涉及
有关 结束 开始 如 例如 比如 两个 三个 这两个 这些 所有 全部 候选人们 各位 比较一下 获得 获得过 拥有 具有 具备 哪方面 情况 信息 内容 附 附上 并附引用 说明理由 理由 排序 请排序""".split())


_CITE_REQUEST = re.compile(r"[并且]?(?:附上?|带上?|给出|注明|标明|列出)(?:相关)?引用|并引用|引用(?:来源|出处|原文)")


def is_han(text: str) -> bool:
    return bool(_HAN.search(text))


_SUFFIXES = ("ations", "ation", "itions", "ition", "itive", "ings", "ing", "ers", "er", "ies", "es", "ed",
             "ally", "al", "ly", "ments", "ment", "ness", "s")


def stem(word: str) -> str:
    """A light suffix-stripping stem, compared by prefix: classification ~ classifier, reviewers ~ review."""
    w = word.lower()
    if not w.isalpha():
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


@dataclass
class TermGroup:
    surface: str                                       # as the question wrote it
    alternatives: list[str] = field(default_factory=list)   # itself + translations
    weight: float = 1.0
    absent: bool = False                               # found in none of the CVs in scope


class Lexicon:
    """Owns the jieba tokenizer and the zh↔en dictionary; created once per assistant."""

    def __init__(self, dictionary: list[list[str]] | None = None):
        self._groups = dictionary

    @cached_property
    def _jieba(self):
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        return tok

    @cached_property
    def dictionary(self) -> dict[str, list[str]]:
        # One zh↔en CV dictionary serves BM25 query expansion and question terms alike.
        data = {"groups": self._groups} if self._groups is not None else json.loads(
            resources.files("recruiter.vectorstore").joinpath("cv_dictionary.json").read_text("utf-8"))
        both: dict[str, set[str]] = {}
        for values in data["groups"]:
            group = {v.lower() for v in values}
            for term in group:
                both.setdefault(term, set()).update(group - {term})
        for category in data.get("categories", []):   # one way: "大厂" -> 腾讯, 美团 …; 腾讯 stays 腾讯
            names = {v.lower() for v in category["names"]}
            for term in names:
                both.setdefault(term, set()).update((names | {v.lower() for v in category["members"]}) - {term})
        return {k: sorted(v) for k, v in both.items()}

    def words(self, text: str) -> list[str]:
        """Tokens: Latin words/numbers whole, CJK runs cut by jieba; a plain hyphenated phrase
        ("recommendation-system") splits into its words unless the dictionary knows it."""
        out: list[str] = []
        for tok in _TOKEN.findall(text):
            if is_han(tok):
                out += [w for w in self._jieba.lcut(tok) if w.strip()]
            elif "-" in tok and tok.lower() not in self.dictionary and re.fullmatch(r"[a-z]+(?:-[a-z]+)+", tok):
                out += tok.split("-")
            else:
                out.append(tok)
        return out

    def translations(self, term: str) -> list[str]:
        t = term.lower()
        found = list(self.dictionary.get(t, []))
        if not found and not is_han(term):
            st = stem(t)   # "reviewers" -> the entry for "reviewer"
            found = next(([k, *v] for k, v in self.dictionary.items() if not is_han(k) and stem(k) == st), [])
        if is_han(term) and not found:
            # a longer CJK word may contain a dictionary entry: 本科阶段 -> 本科
            for key, vals in self.dictionary.items():
                if is_han(key) and len(key) >= 2 and key in term:
                    found += [key, *vals]
        return found

    def question_terms(self, question: str, drop: list[str] = ()) -> list[TermGroup]:
        text = _CITE_REQUEST.sub(" ", question)     # "并附引用" asks to cite; "被引用多少次" asks about citations
        for name in sorted(drop, key=len, reverse=True):
            text = re.sub(re.escape(name), " ", text, flags=re.I)
        groups: list[TermGroup] = []
        seen: set[str] = set()
        # Multi-word dictionary phrases first ("teaching assistant", "first author").
        for key in sorted(self.dictionary, key=len, reverse=True):
            if is_han(key) and len(key) >= 3 and key in text:   # jieba would cut 层次解码器 apart
                groups.append(TermGroup(key, [key, *self.dictionary[key]]))
                seen.add(key)
                text = text.replace(key, " ")
                continue
            if " " not in key:
                continue
            rx = re.compile(rf"(?<![a-z]){re.escape(key)}(?:e?s)?(?![a-z])", re.I)   # "teaching assistants" too
            if rx.search(text):
                groups.append(TermGroup(key, [key, *self.dictionary[key]]))
                seen.update(key.split())
                text = rx.sub(" ", text)
        # "DPO（直接偏好优化）", "仲裁智能化 (arbitration)": a term and its gloss are one group
        for m in re.finditer(r"([A-Za-z][\w\-]*|[\u4e00-\u9fff]+)\s*[（(]\s*(如|e\.g\.|eg|例如|比如|such as)?\s*([^（）()]{2,30})\s*[）)]", text):
            a, b = m.group(1).strip(), m.group(3).strip()
            if is_han(a) != is_han(b) and not m.group(2):   # an example ("如 AIMO") is not a gloss
                alts = [a, b, *self.translations(a), *self.translations(b)]
                groups.append(TermGroup(a, list(dict.fromkeys(alts))))
                seen.update({a.lower(), b.lower(), *(w.lower() for w in self.words(b))})
                seen.update(w.lower() for w in self.words(a))
        for w in self.words(text):
            lw = w.lower()
            if lw in ("or", "或", "或者"):
                groups.append(TermGroup("|", []))   # marks a disjunction, merged below
                continue
            if lw in seen or lw in STOP_EN or w in STOP_ZH or (len(w) == 1 and is_han(w)):
                continue
            if not is_han(w) and len(w) < 2:
                continue
            seen.add(lw)
            groups.append(TermGroup(w, [w, *self.translations(w)]))
        return _merge_disjunctions(groups)


def _merge_disjunctions(groups: list[TermGroup]) -> list[TermGroup]:
    """"Huawei or Tencent", "华为或腾讯": either term satisfies the question, so they form one group."""
    out: list[TermGroup] = []
    i = 0
    while i < len(groups):
        g = groups[i]
        if g.surface == "|":
            if out and i + 1 < len(groups) and groups[i + 1].surface != "|":
                nxt = groups[i + 1]
                prev = out[-1]
                out[-1] = TermGroup(f"{prev.surface}|{nxt.surface}",
                                    list(dict.fromkeys(prev.alternatives + nxt.alternatives)))
                i += 2
                continue
            i += 1
            continue
        out.append(g)
        i += 1
    return out


def matches(alternative: str, line_low: str, line_stems: set[str]) -> bool:
    a = alternative.lower()
    if is_han(a) or " " in a or not a.isalnum():
        return a in line_low
    if a.isdigit():
        return re.search(rf"(?<!\d){re.escape(a)}(?!\d)", line_low) is not None
    s = stem(a)
    if len(a) <= 3:   # short acronyms (DPO, RL, LG) only as whole tokens
        return a in line_stems or re.search(rf"(?<![a-z]){re.escape(a)}(?![a-z])", line_low) is not None
    if len(s) < 6:
        return s in line_stems or any(t.startswith(a) for t in line_stems)
    # "classification" (stem classific) ~ "classifier" (classifi); but "supervisor" ≁ "self-supervised"
    shortened = s != a
    return any(t.startswith(s) or (shortened and len(t) >= max(6, len(s) - 2) and s.startswith(t))
               for t in line_stems)


def says_all(text: str, groups: list[TermGroup]) -> bool:
    """Whether ``text`` names every group (any of its alternatives): a profile value checked against
    the question's terms ("Sun Yat-sen University" ~ 中山大学, 大厂 ~ 美团)."""
    low = " ".join(text.split()).lower()
    stems = line_stems(low)
    return all(any(matches(a, low, stems) for a in g.alternatives) for g in groups)


def line_stems(line: str) -> set[str]:
    return {stem(t) for t in re.findall(r"[a-z][a-z0-9+#]*", line.lower())}


def idf_weights(groups: list[TermGroup], lines_low: list[str]) -> None:
    """Weight each group by how rare its best alternative is among the pool's lines."""
    n = max(1, len(lines_low))
    stems = [line_stems(l) for l in lines_low]
    for g in groups:
        df = 0
        for low, st in zip(lines_low, stems):
            if any(matches(a, low, st) for a in g.alternatives):
                df += 1
        # rare, specific terms (a paper's name, "AIMO") should outweigh several generic ones; a term no CV
        # uses can't tell candidates apart ("venues"), so it weighs nothing (see absent_acronyms)
        g.absent = df == 0
        g.weight = 0.0 if g.absent else math.log(1 + (n - df + 0.5) / (df + 0.5)) ** 1.5


def absent_names(groups: list[TermGroup]) -> list[str]:
    """Acronyms and capitalised names (a language, a company, a tool) asked for that no CV mentions."""
    return absent_acronyms(groups) + [g.surface for g in groups if g.absent and len(g.surface) >= 3
                                      and re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)*", g.surface)]


def absent_acronyms(groups: list[TermGroup]) -> list[str]:
    """Specific things asked for that no CV mentions at all ("GPA", "TOEFL"): the CVs don't say."""
    return [g.surface for g in groups if g.absent and re.fullmatch(r"[A-Z]{2,6}\d*", g.surface)]
