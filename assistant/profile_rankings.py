"""Rankings the stored profiles answer by counting or measuring, not by counting matching lines:
"who has the most awards", "who has done the most internships", "who has the longest work experience".

Each counted award and each dated job entry is cited by its span in the CV. Durations are computed
from the dates as written (months inclusive, overlapping entries merged, "至今 / Now" counted to
today); entries without both dates are not counted and the row says so. A question about experience
*with something* ("the most experience with RAG") is a topic question and is left to the line-level
answer.
"""
from __future__ import annotations

import datetime as dt
import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import Context
from recruiter.assistant.evidence import Evidence, span_evidence
from recruiter.assistant.lexicon import says_all
from recruiter.assistant.snippets import clean
from recruiter.ingest.profile import date_key

AWARDS = re.compile(r"awards?|honou?rs?|prizes?|scholarships?|fellowships?|获奖|奖项|荣誉|奖学金|得奖", re.I)
SCHOLARSHIP = re.compile(r"scholarships?|fellowships?|奖学金", re.I)
_EXPERIENCE = re.compile(r"experience|internships?|interned|\bjobs?\b|compan(?:y|ies)|employers?|positions?|"
                         r"\bworked\b|经历|经验|实习|公司|任职|从业|工作年限", re.I)
_DURATION = re.compile(r"experience|\blongest\b|\blonger\b|\byears\b|how long|经验|最长|更长|最久|更久|丰富|年限|时间", re.I)
_SUPERLATIVE = re.compile(r"\bmost\b|\bmore\b|\blongest\b|\blonger\b|\bgreatest\b|\bbiggest\b|最多|更多|最长|更长|最久|更久|"
                          r"最丰富|更丰富|排名|排序|\brank", re.I)
INTERN = re.compile(r"intern", re.I)
_INTERN_ZH = re.compile(r"实习")
FULL_TIME = re.compile(r"full[- ]time|\bemployee|全职|正式", re.I)
_PAPERS = re.compile(r"papers?|publications?|论文|发表", re.I)
# what may stand in such a question besides the measure; anything else is the topic it is about
_FILLER = re.compile(
    r"\b(?:who|whose|which|what|of|the|these|those|them|candidates?|people|has|have|had|is|are|does|do|did|done|"
    r"won|received|got|get|gets|gained|held|listed|lists?|most|more|longest|longer|greatest|biggest|total|amount|number|s|"
    r"experience|work|working|worked|industry|industrial|professional|full|time|internships?|intern|interned|"
    r"jobs?|compan(?:y|ies)|employers?|positions?|roles?|awards?|honou?rs?|prizes?|scholarships?|fellowships?|years?|how|long|"
    r"at|in|so|far|ever|been|a|an|and|or|between|among|than|to|date|rank|ranked|by|their|his|her|its|all)\b|full-time|"
    r"谁|哪位|哪个|哪些|候选人|的|有|最|更|多|长|久|丰富|经验|经历|工作|实习|全职|正式|从业|行业|公司|任职|年限|时间|过|"
    r"获奖|奖项|荣誉|奖学金|得奖|获得|和|与|跟|比|相比|之间|中|里|在|是|呢|吗|排名|排序|次数|数量|[^\w]", re.I)


def profile_measure(question: str, names: list[str] = ()) -> tuple[str, str | None, bool] | None:
    """(measure, kind, superlative) when the question ranks or lists candidates by a profile quantity.

    measure: "awards", "entries" (how many jobs / internships) or "duration"; kind: "internship",
    "full-time", "scholarship" or None (everything of the measure); superlative: "most / longest / 更多"
    (a ranking) rather than "which candidates have …" (a list). None when the question is about
    something else: a topic, papers, or no profile quantity at all."""
    rest = question
    for n in sorted(names, key=len, reverse=True):
        rest = re.sub(re.escape(n), " ", rest, flags=re.I)
    if _FILLER.sub("", rest).strip():
        return None        # "the most experience with RAG", "谁在大模型方面经验最丰富": a topic
    superlative = bool(_SUPERLATIVE.search(question))
    if AWARDS.search(question):
        return ("awards", "scholarship" if SCHOLARSHIP.search(question) else None, superlative)
    if not _EXPERIENCE.search(question) or _PAPERS.search(question):
        return None
    kind = _entry_kind(question)
    measure = "duration" if superlative and _DURATION.search(question) else "entries"
    return (measure, kind, superlative)


_ENTRY_UNITS = {"internship": ("段实习", "internship", "internships"),
                "full-time": ("份全职工作", "full-time job", "full-time jobs"),
                None: ("段工作/实习经历", "job entry", "job entries")}


def _entry_kind(question: str) -> str | None:
    """Which job entries the question means: internships, full-time jobs, or all (None)."""
    if INTERN.search(question) or _INTERN_ZH.search(question):
        return "internship"
    return "full-time" if FULL_TIME.search(question) else None


def _award_items(text: str, kind: str | None) -> int:
    """'国家奖学金 (1/130)、研究生优秀奖学金、三好学生标兵' lists three awards (two scholarships) on one line."""
    return len([p for p in re.split(r"[、；;]", text) if p.strip() and (kind is None or SCHOLARSHIP.search(p))])


def _month(value: str, today: tuple[int, int], *, end: bool) -> int | None:
    y, m = date_key(value)
    if y == 0:
        return None
    if y == 9999:                      # 至今 / Now
        y, m = today
    if m == 0:                         # a year alone: its first month as a start, its last as an end
        m = 12 if end else 1
    return min(y * 12 + m, today[0] * 12 + today[1])


def _dated_span(entry: dict, today: tuple[int, int]) -> tuple[int, int] | None:
    """(first month, last month) of an entry, or None unless both dates are given and in order."""
    s = _month(entry["start"]["value"], today, end=False) if entry.get("start") else None
    t = _month(entry["end"]["value"], today, end=True) if entry.get("end") else None
    return (s, t) if s is not None and t is not None and t >= s else None


def _merged_months(intervals: list[tuple[int, int]]) -> int:
    total, reach = 0, None
    for s, e in sorted(intervals):
        if reach is None or s > reach:
            total += e - s + 1
            reach = e
        elif e > reach:
            total += e - reach
            reach = e
    return total


def _entry_evidence(ct, doc_id: str, entry: dict) -> list[Evidence]:
    """The entry's header line, and its dates when they are printed outside it."""
    header, start, end = entry.get("header"), entry.get("start"), entry.get("end")
    evs = [span_evidence(ct, doc_id, header["start"], header["end"])] if header else []
    if start and end and not (header and header["start"] <= start["start"] and end["end"] <= header["end"]):
        lo, hi = min(start["start"], end["start"]), max(start["end"], end["end"])
        if hi - lo <= 60:
            evs.append(span_evidence(ct, doc_id, lo, hi))
    return evs


def _years(months: int, zh: bool) -> str:
    y, m = divmod(months, 12)
    if zh:
        return " ".join(p for p in (f"{y} 年" if y else "", f"{m} 个月" if m or not y else "") if p)
    return " ".join(p for p in (f"{y} yr{'s' if y != 1 else ''}" if y else "",
                                f"{m} mo{'s' if m != 1 else ''}" if m or not y else "") if p)


def _measure(ctx: Context, cid: str, profile: dict, measure: str, kind: str | None,
             today: tuple[int, int]) -> tuple[float, str, list[Evidence], int]:
    """(value, shown value, evidence, undated entries) for one candidate."""
    ct, doc_id, zh = ctx.texts[cid], profile["doc_id"], ctx.plan.lang == "zh"
    if measure == "awards":
        awards = [(a, k) for a in profile.get("awards") or [] if a.get("text")
                  and (k := _award_items(a["text"]["value"], kind))]
        n = sum(k for _, k in awards)
        evs = [span_evidence(ct, doc_id, a["text"]["start"], a["text"]["end"]) for a, _ in awards]
        unit = ("scholarship", "scholarships") if kind else ("award", "awards")
        return n, (f"{n} 项" if zh else f"{n} {unit[n != 1]}"), evs, 0
    entries = [e for e in profile.get("experience") or [] if kind is None or e.get("kind") == kind]
    if measure == "entries":
        evs = [ev for e in entries for ev in _entry_evidence(ct, doc_id, e)[:1]]
        zh_unit, one, many = _ENTRY_UNITS[kind]
        n = len(entries)
        return n, (f"{n} {zh_unit}" if zh else f"{n} {one if n == 1 else many}"), evs, 0
    spans, evs, undated = [], [], 0
    for e in entries:
        if (span := _dated_span(e, today)) is None:
            undated += 1
            continue
        spans.append(span)
        evs += _entry_evidence(ct, doc_id, e)
    months = _merged_months(spans)
    return months, _years(months, zh), evs, undated


def answer_profile_rank(ctx: Context, profiles: dict[str, dict], measure: str, kind: str | None,
                        superlative: bool = True, *, today: dt.date | None = None) -> Answer | None:
    """Rank (or compare) the candidates in ``ctx.order`` by the measure, each value cited; without
    ``superlative``, list the candidates who have any."""
    today = today or dt.date.today()
    now = (today.year, today.month)
    zh = ctx.plan.lang == "zh"
    rows = [(cid, *_measure(ctx, cid, profiles[cid], measure, kind, now)) for cid in ctx.order if cid in profiles]
    if not rows:
        return None
    rows.sort(key=lambda r: -r[1])
    book = CitationBook(ctx.names)
    found = [r for r in rows if r[1] > 0]
    lines, evidence = [], []
    for cid, value, shown, evs, undated in found:
        evidence += evs
        extra = (f"（另有 {undated} 段未写起止日期）" if zh else f" ({undated} undated entr{'ies' if undated > 1 else 'y'} not counted)") \
            if undated else ""
        lines.append(f"{ctx.names[cid]} — {shown}{extra} {book.cite_all(evs[:8])}")
    missing = [ctx.names[r[0]] for r in rows if r[1] <= 0]
    what = {"awards": ("奖项", "awards"), "entries": ("工作/实习经历", "job entries"),
            "duration": ("工作/实习经历", "experience")}[measure]
    if kind:
        what = {"internship": ("实习", "internships" if measure == "entries" else "internship experience"),
                "full-time": ("全职工作", "full-time jobs" if measure == "entries" else "full-time experience"),
                "scholarship": ("奖学金", "scholarships")}[kind]
    if not found:
        text = (f"简历中没有列出{what[0]}：" + "、".join(missing) + "。") if zh else \
            f"None of the CVs lists {what[1]} ({', '.join(missing)})."
        return Answer(text=text, citations=[], abstained=True, intent=ctx.plan.intent, candidate_ids=list(ctx.order))
    leaders = [ctx.names[r[0]] for r in found if r[1] == found[0][1]]
    pair = ctx.plan.intent == "compare"
    if not superlative:
        n = len(found)
        lead = (f"{n} 位候选人列有{what[0]}。" if zh else f"{n} candidate{'s' if n != 1 else ''} list{'s' if n == 1 else ''} {what[1]}.")
    elif len(leaders) == len(rows) > 1:          # everyone asked about is level
        lead = (f"{'、'.join(leaders)}的{what[0]}一样{'长' if measure == 'duration' else '多'}（{found[0][2]}）。" if zh else
                f"{' and '.join(leaders)} have the same {'length of ' if measure == 'duration' else 'number of '}"
                f"{what[1]} ({found[0][2]}).")
    elif zh:
        adj = ("更长" if pair else "最长") if measure == "duration" else ("更多" if pair else "最多")
        lead = f"{'、'.join(leaders)}的{what[0]}{adj}（{found[0][2]}）。"
    else:
        adj = ("longer" if pair else "the longest") if measure == "duration" else ("more" if pair else "the most")
        lead = f"{' and '.join(leaders)} {'have' if len(leaders) > 1 else 'has'} {adj} {what[1]} ({found[0][2]})."
    body = "\n".join(f"{i}. {ln}" for i, ln in enumerate(lines, 1))
    tail = []
    if missing:
        tail.append(("未列出：" + "、".join(missing) + "。") if zh else f"Not listed: {', '.join(missing)}.")
    if measure == "duration":
        tail.append(f"按简历所写起止日期计算，“至今”计到 {today:%Y-%m}，重叠时间只计一次。" if zh else
                    f"From the dates each CV gives; ongoing entries counted to {today:%Y-%m}, overlaps once.")
    elif measure == "awards":
        tail.append("按简历获奖部分列出的奖项计数。" if zh else "Counted from the awards each CV lists.")
    return Answer(text="\n".join([lead, body, *tail]), citations=book.citations, intent=ctx.plan.intent,
                  candidate_ids=[r[0] for r in found], evidence=evidence)


_WORKED = re.compile(r"\bwork(?:ed|s)?\b|\bintern(?:ed|s|ships?)?\b|\bemploy(?:ed|ee|ment)\b|\bjobs?\b|\bexperience\b|"
                     r"full[- ]time|实习|工作|任职|就职|待过|供职|经历|经验", re.I)


def answer_worked_at(ctx: Context, profiles: dict[str, dict]) -> Answer | None:
    """"Which candidates have worked at Tencent?", "谁在大厂实习过？": the job entries whose organisation
    or title line names it (any member of a category such as 大厂), each cited. None when the question
    names no organisation, or no entry names it (the line-level answer then looks further)."""
    if not _WORKED.search(ctx.question):
        return None
    orgs = [g for g in ctx.groups if g.alternatives and _FILLER.sub("", g.surface).strip()]
    if not orgs:
        return None
    kind = _entry_kind(ctx.question)
    book, zh, rows, evidence = CitationBook(ctx.names), ctx.plan.lang == "zh", [], []
    for cid in ctx.order:
        profile = profiles.get(cid)
        if profile is None:
            continue
        hits: list[list[Evidence]] = []
        for e in profile.get("experience") or []:
            if (kind is None or e.get("kind") == kind) and \
                    says_all(" ".join((e.get(k) or {}).get("value", "") for k in ("organisation", "header")), orgs):
                hits.append(_entry_evidence(ctx.texts[cid], profile["doc_id"], e))
        hits = [h for h in hits if h]
        if hits:
            evidence += [ev for h in hits for ev in h]
            rows.append(f"- {ctx.names[cid]}{'：' if zh else ': '}" +   # the title line shown, its dates cited
                        ("；" if zh else "; ").join(f"{clean(h[0].text)[:110]} {book.cite_all(h)}" for h in hits[:4]))
    if not rows:
        return None
    lead = f"{len(rows)} 位候选人：" if zh else f"{len(rows)} candidate{'s' if len(rows) > 1 else ''}:"
    return Answer(text=lead + "\n" + "\n".join(rows), citations=book.citations, intent=ctx.plan.intent,
                  candidate_ids=[e.candidate_id for e in evidence], evidence=evidence)


HOW_LONG = re.compile(r"how long|how many (?:years|months)|duration|多久|多长时间|多长|几年|几个月|时长", re.I)


def answer_tenure(ctx: Context, cid: str, profile: dict, entries: list[dict], *,
                  today: dt.date | None = None) -> Answer | None:
    """"How long was Ke Ji at Tencent?": months from the entries' dates (inclusive; several entries at
    the same place are added, overlaps once), each entry cited. None when no entry has both dates."""
    today = today or dt.date.today()
    now, zh = (today.year, today.month), ctx.plan.lang == "zh"
    book, spans, evidence, shown = CitationBook(ctx.names), [], [], []
    for e in entries:
        if (span := _dated_span(e, now)) is None:
            continue
        spans.append(span)
        evs = _entry_evidence(ctx.texts[cid], profile["doc_id"], e)
        evidence += evs
        title = clean(evs[0].text)[:90]
        if e["start"]["value"] not in title:   # the title line does not show the dates: say them
            dates = f"{clean(e['start']['value'])}–{clean(e['end']['value'])}"
            title += f"（{dates}）" if zh else f" ({dates})"
        shown.append(f"{title} {book.cite_all(evs)}")
    if not spans:
        return None
    total = _years(_merged_months(spans), zh)
    ongoing = any(date_key(e["end"]["value"])[0] == 9999 for e in entries if e.get("end"))
    until = (f"，至今（计到 {today:%Y-%m}）" if zh else f" so far (to {today:%Y-%m})") if ongoing else ""
    text = (f"{ctx.names[cid]}：共 {total}{until}。\n" if zh else f"{ctx.names[cid]}: {total}{until}.\n") + \
        "\n".join(f"- {r}" for r in shown)
    return Answer(text=text, citations=book.citations, candidate_ids=[cid], evidence=evidence)
