"""One candidate seen through the stored profile: "Tell me about X", "How many first-author papers
does X have?", "What did X do at <company>?". The program picks the profile's values; every value
is a verbatim span of the CV and is cited as such.
"""
from __future__ import annotations

import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import Context
from recruiter.assistant.evidence import CandidateText, Evidence, span_evidence
from recruiter.assistant.lexicon import TermGroup
from recruiter.assistant.profile_answers import (FIRST, RECENT, VENUES, YEAR, asks_about_papers, matching_publications,
                                                pub_year)
from recruiter.assistant.snippets import clean

# Words that ask for the whole picture rather than a fact; a question made only of these (and a name)
# wants an overview.
_OVERVIEW_WORDS = re.compile(r"^(?:overview|summar\w*|background|profile|introduc\w*|about|brief\w*|résumé|resume|"
                             r"cv|describe|description|who|介绍|概要|概述|总结|简介|背景|简历|履历|情况|基本情况|"
                             r"一下|是谁|怎么样|strengths?|strong|points|highlights?|优势|亮点|长处|特点)$", re.I)
_OVERVIEW_CUE = re.compile(r"tell me about|who is|overview|summar|background|introduce|describe|profile|strengths|"
                           r"strong points|highlights|优势|亮点|长处|"
                           r"介绍|概要|概述|总结|简介|背景|是谁|什么情况|基本情况", re.I)
_DUTIES = re.compile(r"what did .{0,40}\b(?:do|work on|build|own)\b|\bwork(?:ed)? on\b|responsib|\bduties\b|\brole\b|"
                     r"做了什么|做什么|负责|工作内容|主要工作|职责", re.I)
LEVELS = {"phd": ("PhD", "博士"), "master": ("Master's", "硕士"), "bachelor": ("Bachelor's", "本科")}
_PRESENT = re.compile(r"present|now|current|至今|今", re.I)


def wants_overview(question: str, groups: list[TermGroup]) -> bool:
    return bool(_OVERVIEW_CUE.search(question)) and all(_OVERVIEW_WORDS.match(g.surface) for g in groups)


_CITED = re.compile(r"citations?|\bcited\b|被引|引用", re.I)


def wants_own_paper_count(question: str) -> bool:
    return asks_about_papers(question) and re.search(r"how many|number of|count|多少|几篇", question, re.I) is not None \
        and not _CITED.search(question)      # "论文被引用了多少次" asks for citations, not papers


def wants_filtered_papers(question: str) -> bool:
    """"Which of X's papers are from 2025 / at ACL / first-author?": a filter the profile can apply."""
    return asks_about_papers(question) and bool(FIRST.search(question) or YEAR.search(question) or
                                                RECENT.search(question) or
                                                [v for v in VENUES.findall(question) if v.lower() != "findings"])


class ProfileCites:
    """Evidence from profile spans of one candidate, numbered in a CitationBook."""

    def __init__(self, ctx: Context, cid: str, profile: dict, book: CitationBook | None = None,
                 evidence: list[Evidence] | None = None):
        self.ct: CandidateText = ctx.texts[cid]
        self.doc = self.ct.doc(profile["doc_id"])
        self.book = book or CitationBook(ctx.names)   # shared when one answer cites several candidates
        self.evidence: list[Evidence] = [] if evidence is None else evidence

    def __call__(self, span: dict | None) -> str:
        if not span:
            return ""
        ev = span_evidence(self.ct, self.doc.doc_id, span["start"], span["end"])
        self.evidence.append(ev)
        return self.book.cite(ev)


def _v(span: dict | None, limit: int = 80) -> str:
    text = clean(span["value"]) if span else ""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def dates_of(entry: dict) -> str:
    a, b = _v(entry.get("start")), _v(entry.get("end"))
    return f"{a}–{b}" if a and b else a or b


def answer_from_parts(ctx: Context, cid: str, cites: ProfileCites, parts: list[str], intent: str) -> Answer:
    zh = ctx.plan.lang == "zh"
    text = ctx.names[cid] + ("：" if zh else ": ") + ("；" if zh else "; ").join(p for p in parts if p)
    text += "。" if zh else "."
    return Answer(text=text, citations=cites.book.citations, intent=intent, candidate_ids=[cid],
                  evidence=cites.evidence)


def answer_overview(ctx: Context, cid: str, profile: dict) -> Answer | None:
    """Current role, degrees, papers and research areas: a short cited portrait."""
    zh = ctx.plan.lang == "zh"
    cite = ProfileCites(ctx, cid, profile)
    parts: list[str] = []
    experience = profile.get("experience") or []
    current = [e for e in experience if e.get("end") and _PRESENT.search(e["end"]["value"])]
    for e in (current or experience)[:2]:
        what = ", ".join(x for x in (_v(e.get("role"), 50), _v(e.get("organisation"), 60)) if x) \
            or _v(e.get("header"), 90)
        label = ("目前" if current else "曾任") if zh else ("currently" if current else "previously")
        parts.append(f"{label} {what} ({dates_of(e)}) {cite(e.get('header') or e.get('organisation'))}".strip())
    for e in (profile.get("education") or [])[:3]:
        level = LEVELS.get(e.get("degree_level") or "", (_v(e.get("degree_text"), 30),) * 2)[1 if zh else 0]
        field = _v(e.get("field"), 40)
        field = (f" {field}" if zh else f" in {field}") if field else ""
        parts.append(f"{level}{field}, {_v(e.get('school'), 60)} ({dates_of(e)}) "
                     f"{cite(e.get('school'))}".strip())
    pubs = profile.get("publications") or []
    if pubs:
        first = [p for p in pubs if p.get("author_position") in ("first", "co-first")]
        top = (first or pubs)[0]
        count = (f"列出 {len(pubs)} 篇论文（一作/共同一作 {len(first)} 篇），如「{_v(top.get('title'), 60)}」"
                 if zh else f"{len(pubs)} papers listed ({len(first)} first or co-first author), e.g. "
                            f"“{_v(top.get('title'), 60)}”")
        parts.append(f"{count} {cite(top.get('title'))}")
    areas = (profile.get("research_areas") or [])[:5]
    if areas:
        parts.append(("研究方向：" if zh else "research areas: ") + ", ".join(_v(a, 40) for a in areas) + " "
                     + "".join(dict.fromkeys(cite(a) for a in areas)))
    if not cite.evidence:
        return None
    return answer_from_parts(ctx, cid, cite, parts, "summary")


def answer_own_paper_count(ctx: Context, cid: str, profile: dict, show: int = 5) -> Answer:
    """"How many (first-author / ACL / 2024) papers does X have?": a count with the papers cited."""
    zh = ctx.plan.lang == "zh"
    cite = ProfileCites(ctx, cid, profile)
    pubs = matching_publications(profile, ctx.question, ctx.question_groups)
    first = bool(FIRST.search(ctx.question))
    venues = [v for v in VENUES.findall(ctx.question) if v.lower() != "findings"]
    years = YEAR.findall(ctx.question) or ([str(pub_year(pubs[0]))] if pubs and RECENT.search(ctx.question) else [])
    titles = [f"{_v(p.get('title'), 70)} {cite(p.get('title'))}" for p in pubs[:show]]
    more = (" 等" if zh else f" and {len(pubs) - show} more") if len(pubs) > show else ""
    if zh:
        what = " ".join(venues + years) + (" " if venues or years else "") + ("一作（含共同一作）" if first else "")
        head = f"简历列出 {len(pubs)} 篇{' ' + what if what else ''}论文" + ("：" + "；".join(titles) + more if titles else "")
    else:
        what = ("first-author (incl. co-first) " if first else "") + f"paper{'s' if len(pubs) != 1 else ''}"
        what += (" at " + "/".join(venues) if venues else "") + (" from " + "/".join(years) if years else "")
        head = f"{len(pubs)} {what} listed" + (": " + "; ".join(titles) + more if titles else "")
    ans = answer_from_parts(ctx, cid, cite, [head], "single")
    ans.notes.append("counted from the papers the CV lists")
    return ans


_GENERIC_ORG = frozenset("lab labs group team inc ltd co company corp university institute center centre research ai "
                         "公司 有限公司 科技 集团 股份 实验室 团队 大学 学院 研究院 中心".split())


def experience_entries(profile: dict, groups: list[TermGroup]) -> list[dict]:
    """The experience entries at the organisation the question names ("at Tencent", "在腾讯"), matched
    through the question's terms and their translations (腾讯 ↔ Tencent); the longest name wins."""
    found: dict[str, list[dict]] = {}
    for e in profile.get("experience") or []:
        org = clean((e.get("organisation") or e.get("header") or {}).get("value", "")).casefold()
        for g in groups:
            for alt in g.alternatives:
                alt = alt.casefold().strip()
                if len(alt) >= 2 and alt not in _GENERIC_ORG and alt in org and e not in found.get(alt, []):
                    found.setdefault(alt, []).append(e)
    return found[max(found, key=len)] if found else []


def experience_entry(profile: dict, groups: list[TermGroup]) -> dict | None:
    entries = experience_entries(profile, groups)
    return entries[0] if entries else None


def answer_duties(ctx: Context, cid: str, profile: dict, entry: dict, show: int = 3) -> Answer:
    """"What did X do at Y?": the entry's header and what its bullets say, cited."""
    cite = ProfileCites(ctx, cid, profile)
    head = f"{_v(entry.get('header') or entry.get('organisation'), 90)} {cite(entry.get('header') or entry.get('organisation'))}"
    details = [f"{_v(d, 120)} {cite(d)}" for d in (entry.get("details") or [])[:show]]
    return answer_from_parts(ctx, cid, cite, [head.strip(), *details], "single")


_ADVISOR = re.compile(r"advis|supervis|mentor|导师", re.I)
_LEVEL_ASKED = {"phd": re.compile(r"ph\.?\s?d|doctor|博士|读博", re.I), "master": re.compile(r"master|硕士|研究生", re.I),
                "bachelor": re.compile(r"bachelor|undergrad|本科|学士", re.I)}


def asks_advisor(question: str) -> bool:
    return bool(_ADVISOR.search(question))


def _entries_asked(ctx: Context, profile: dict, key: str | None = None) -> list[dict]:
    """Education entries of the degree level(s) the question names (all when none), that have ``key``."""
    levels = [lvl for lvl, rx in _LEVEL_ASKED.items() if rx.search(ctx.question)]
    return [e for e in profile.get("education") or []
            if (key is None or e.get(key)) and (not levels or e.get("degree_level") in levels)]


def _level_name(entry: dict, zh: bool) -> str:
    return LEVELS.get(entry.get("degree_level") or "", (_v(entry.get("degree_text"), 30),) * 2)[1 if zh else 0]


def answer_advisor(ctx: Context, cid: str, profile: dict) -> Answer | None:
    """"Who is X's (PhD) advisor?": the education entries that name one. None when the CV names no
    advisor for the degree asked about, so the general path abstains."""
    entries = _entries_asked(ctx, profile, "advisor")
    if not entries:
        return None
    zh = ctx.plan.lang == "zh"
    cite = ProfileCites(ctx, cid, profile)
    parts = []
    for e in entries:
        where = f"{_v(e.get('school'), 60)}, {dates_of(e)}".strip(", ")
        refs = cite(e["advisor"]) + cite(e.get("school"))
        parts.append(f"{_level_name(e, zh)}（{where}）导师：{_v(e['advisor'], 40)} {refs}" if zh
                     else f"{_level_name(e, zh)} ({where}) advisor: {_v(e['advisor'], 40)} {refs}")
    return answer_from_parts(ctx, cid, cite, parts, "single")


def asks_advisor_missing(ctx: Context, profile: dict) -> bool:
    """An advisor question about degrees the CV lists without naming an advisor: not stated.
    (The profile reads advisors from the education entries, where CVs name them.)"""
    listed = _entries_asked(ctx, profile)
    return bool(listed) and not any(e.get("advisor") for e in listed)


_SCHOOL_OR_WHEN = re.compile(r"哪里|哪所|哪个学校|什么学校|学校|什么时候|何时|起止|\bwhere\b|\bwhich (?:university|school)\b|"
                             r"\bwhen\b", re.I)


def answer_advisor_not_stated(ctx: Context, cid: str, profile: dict) -> Answer | None:
    """"Where is she doing her PhD, and who is her advisor?" when the CV names none: the entry, and that the
    advisor is not stated. None when the question asks only for the advisor (the caller abstains)."""
    entries = _entries_asked(ctx, profile, "school")
    if not entries or not _SCHOOL_OR_WHEN.search(_ADVISOR.sub(" ", ctx.question)):
        return None
    zh = ctx.plan.lang == "zh"
    cite = ProfileCites(ctx, cid, profile)
    parts = []
    for e in entries:
        refs = cite(e.get("degree_text") or e["school"]) + cite(e["school"])
        parts.append(f"{_level_name(e, zh)}：{_v(e['school'], 60)}（{dates_of(e)}） {refs}，简历未写明导师" if zh else
                     f"{_level_name(e, zh)}: {_v(e['school'], 60)} ({dates_of(e)}) {refs}; the CV names no advisor")
    return answer_from_parts(ctx, cid, cite, parts, "single")


def asks_duties(question: str) -> bool:
    return bool(_DUTIES.search(question))


_FORMER = re.compile(r"former name|previous name|formerly (?:known|called|named)|used to be called|name change|"
                     r"曾用名|以前的名字|以前叫|之前叫|原名|改名", re.I)


def asks_former_name(question: str) -> bool:
    return bool(_FORMER.search(question))


def answer_former_name(ctx: Context, cid: str) -> Answer:
    """"What is her former name?": the former names read at ingest, each cited where the CV writes it."""
    ct, zh = ctx.texts[cid], ctx.plan.lang == "zh"
    book, evidence, shown = CitationBook(ctx.names), [], []
    for name in ct.candidate.former_names:
        for doc in ct.documents:
            if (at := doc.text.find(name)) >= 0:
                ev = span_evidence(ct, doc.doc_id, at, at + len(name))
                evidence.append(ev)
                shown.append(f"{name} {book.cite(ev)}")
                break
    if not shown:
        return Answer(text=f"{ctx.names[cid]}的简历没有写曾用名。" if zh else f"{ctx.names[cid]}'s CV gives no former name.",
                      abstained=True, candidate_ids=[cid])
    return Answer(text=(f"{ctx.names[cid]}的曾用名：" if zh else f"{ctx.names[cid]}'s former name: ") + "，".join(shown)
                  + ("。" if zh else "."), citations=book.citations, candidate_ids=[cid], evidence=evidence)
