"""What kind of answer a question needs. The plan decides the program's method, not the model."""
from __future__ import annotations

import re
from dataclasses import dataclass

from recruiter.assistant.lexicon import is_han

_PREP = re.compile(r"interview|prepare|prep pack|questions? to ask|what (?:should|could|can) I ask|面试|准备.{0,6}问题|考察|"
                   r"(?:该|应该|可以)问.{0,8}?(?:哪些|什么|些)问题", re.I)
_MATCH = re.compile(r"job description|\bJD\b|this (role|job|position)|fit (this|the)|岗位|职位|岗|符合|匹配", re.I)
_RANK = re.compile(r"\brank|ranking|best fit|fits? best|most suitable|who has the most|the most\b|排序|排名第|最符合|最适合|最多|最匹配", re.I)
_COMPARE = re.compile(r"compare|comparison|between|versus|\bvs\.?\b|which of (the two|them|these)|who .*\b(more|higher|larger|longer|earlier|later)\b|比较|对比|相比|哪个.{0,12}更|谁.{0,12}更|更多|更高|更早", re.I)
LIST_WORDS = _LIST = re.compile(r"\bwhich\b|\blist\b|\ball\b|\bwhat (are|were)\b|哪些|列出|列举|所有|几篇|几个|分别", re.I)
_COUNT = re.compile(r"how many|number of|多少篇|几篇|多少个|几个", re.I)
_MORE = re.compile(r"\bmore\b|\bmost\b|higher|highest|larger|largest|更多|最多|更高|最高", re.I)


@dataclass
class Plan:
    intent: str            # single | list | compare | aggregate | rank | match | prep
    lang: str              # zh | en: the language to answer in
    wants_count: bool = False
    wants_more: bool = False


def question_language(question: str, names: list[str] = ()) -> str:
    text = question
    for n in names:
        text = text.replace(n, " ")
    return "zh" if is_han(text) else "en"


def plan(question: str, n_named: int, wants_all: bool, has_jd: bool, names: list[str] = ()) -> Plan:
    lang = question_language(question, names)
    p = Plan("single", lang, wants_count=bool(_COUNT.search(question)), wants_more=bool(_MORE.search(question)))
    if _PREP.search(question) and n_named >= 1:
        p.intent = "prep"
    elif has_jd or (_MATCH.search(question) and _RANK.search(question)):
        p.intent = "match"
    elif n_named >= 2:
        p.intent = "compare"
    elif n_named == 0 and _RANK.search(question):
        p.intent = "rank"
    elif n_named == 0 and (wants_all or _COMPARE.search(question)):
        p.intent = "aggregate"
    elif n_named == 1 and _LIST.search(question):
        p.intent = "list"
    return p
