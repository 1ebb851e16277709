"""Degrees from the profiles' education entries, computed, not guessed.

- "Which of A and B graduated from their master's earlier?", "冀轲和杨子逸谁的本科更早毕业？": the program
  orders the candidates by the date the CV gives for that degree and cites the school and the date.
- "Which candidates have a PhD?", "哪些候选人是博士？": the candidates whose CV lists that degree, with
  the entry cited and whether it is still in progress.
"""
from __future__ import annotations

import datetime as dt
import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import Context
from recruiter.assistant.lexicon import says_all
from recruiter.assistant.profile_views import LEVELS, ProfileCites, answer_from_parts, dates_of
from recruiter.assistant.snippets import clean
from recruiter.ingest.profile_text import date_key

_EARLIER = re.compile(r"earlier|earliest|first|sooner|before|更早|最早|先|早于", re.I)
_LATER = re.compile(r"later|latest|more recent|most recent|更晚|最晚|晚于|更近", re.I)
_START = re.compile(r"\bstart|\bbeg[ia]n|\benrol|\bjoin|\bentered|入学|开始|进入|开始读", re.I)
_END = re.compile(r"graduat|finish|complet|\bend(?:ed)?\b|毕业|结束|完成|读完", re.I)
_LEVEL = {"phd": re.compile(r"ph\.?\s?d|doctor|博士|读博", re.I),
          "master": re.compile(r"master|硕士|研究生", re.I),
          "bachelor": re.compile(r"bachelor|undergrad|本科|学士", re.I)}


def asks_date_order(question: str) -> bool:
    return bool((_EARLIER.search(question) or _LATER.search(question)) and
                (_START.search(question) or _END.search(question)) and _level(question))


def _level(question: str) -> str | None:
    return next((lvl for lvl, rx in _LEVEL.items() if rx.search(question)), None)


def answer_date_order(ctx: Context, profiles: dict[str, dict]) -> Answer | None:
    level = _level(ctx.question)
    which = "start" if _START.search(ctx.question) and not _END.search(ctx.question) else "end"
    later = bool(_LATER.search(ctx.question)) and not _EARLIER.search(ctx.question)
    zh = ctx.plan.lang == "zh"
    book, evidence = CitationBook(ctx.names), []
    dated, missing = [], []
    for cid in ctx.order:
        profile = profiles.get(cid)
        entry = next((e for e in (profile or {}).get("education", []) if e.get("degree_level") == level), None)
        if entry is None or not entry.get(which) or date_key(entry[which]["value"])[0] == 0:
            missing.append(cid)
            continue
        dated.append((date_key(entry[which]["value"]), cid, profile, entry))
    if len(dated) < 2:
        return None   # nothing to order: the general comparison says what each CV states
    dated.sort(key=lambda d: d[0], reverse=later)
    for i, (key, cid, profile, entry) in enumerate(dated):   # cited in the order the answer names them
        cite = ProfileCites(ctx, cid, profile, book, evidence)
        school = clean(entry["school"]["value"]) + ", " if entry.get("school") else ""
        when = clean(entry[which]["value"])
        dated[i] = (key, cid, school + when, f"{cite(entry.get('school'))}{cite(entry[which])}", when)
    ongoing = [d for d in dated if d[0][0] == 9999]
    level_name = LEVELS[level][1 if zh else 0]
    verb = ("入学" if which == "start" else "毕业") if zh else ("started" if which == "start" else "finished")
    first = dated[0]
    first_date = first[4]
    if dated[1][0] == first[0]:
        lead = (f"{ctx.names[first[1]]}和{ctx.names[dated[1][1]]}的{level_name}同时{verb}（{first_date}）。" if zh else
                f"{ctx.names[first[1]]} and {ctx.names[dated[1][1]]} {verb} their {level_name} at the same time "
                f"({first_date}).")
    elif zh:
        lead = f"{ctx.names[first[1]]}的{level_name}{'更晚' if later else '更早'}{verb}（{first_date}）。"
    else:
        lead = f"{ctx.names[first[1]]} {verb} the {level_name} {'later' if later else 'earlier'} ({first_date})."
    rows = [f"- {ctx.names[cid]}：{value}{'（在读）' if (k[0] == 9999) else ''} {ref}" if zh else
            f"- {ctx.names[cid]}: {value}{' (ongoing)' if k[0] == 9999 else ''} {ref}" for k, cid, value, ref, _ in dated]
    rows += [f"- {ctx.names[cid]}：简历中没有{level_name}的{verb}时间。" if zh else
             f"- {ctx.names[cid]}: the CV gives no {level_name} {which} date." for cid in missing]
    if ongoing and which == "end":
        rows.append("“至今/在读”表示尚未毕业。" if zh else "“Present” means not finished yet.")
    return Answer(text=lead + "\n" + "\n".join(rows), citations=book.citations, intent="compare",
                  candidate_ids=[d[1] for d in dated], evidence=list(evidence))



# Words that only restate "has the degree": with nothing else asked, the profile answers it whole.
_HOLDER_WORDS = re.compile(r"^(?:degrees?|holds?|holding|students?|candidates?|graduates?|progress|ongoing|current(?:ly)?|"
                           r"pursuing|doing|enrolled|programs?|正在|在读|读博|读研|攻读|目前|现在|学位|学历|学生|毕业生)$", re.I)
# "in progress", "currently pursuing", "正在读博": only the entries not finished yet
_ONGOING = re.compile(r"in progress|ongoing|\bcurrent(?:ly)?\b|\bpursuing\b|\benrolled\b|\bdoing\b|\bnow\b|正在|在读|攻读|目前|现在",
                      re.I)


_STUDIED = re.compile(r"\bstudied\b|\battended\b|\bgraduated?\b|\balumn(?:i|us|a)\b|\bwent to\b|毕业于|毕业|就读|读过|上过|校友", re.I)


def asks_degree_holders(question: str, groups) -> bool:
    """"Which candidates have a PhD (from X)?", and "who studied at / graduated from X?" (any degree)."""
    return _level(question) is not None or bool(_STUDIED.search(question))


_SCHOOL = re.compile(r"universit|college|institute|school|大学|学院|研究院", re.I)


def _filters(groups, level: str | None) -> list:
    """The terms besides the degree itself: a school or a field ("from Sun Yat-sen University", "in CS")."""
    return [g for g in groups if g.alternatives and not ((level and _LEVEL[level].search(g.surface)) or
                                                         _HOLDER_WORDS.match(g.surface) or _STUDIED.fullmatch(g.surface))]


def _entry_says(entry: dict, groups) -> bool:
    return says_all(" ".join((entry.get(k) or {}).get("value", "") for k in ("school", "field", "degree_text")), groups)


def _as_written(question: str, groups) -> str:
    """The groups as the question spells them ("Peking University", not the dictionary's lower case)."""
    return " ".join(m.group(0) if (m := re.search(re.escape(g.surface), question, re.I)) else g.surface
                    for g in groups)


def answer_degree_holders(ctx: Context, profiles: dict[str, dict]) -> Answer | None:
    """None when the question names something no education entry of that level says (a topic, not a
    school or field): the line-level answer takes it."""
    level = _level(ctx.question)
    zh = ctx.plan.lang == "zh"
    book, evidence, rows = CitationBook(ctx.names), [], []
    only_ongoing, holders = bool(_ONGOING.search(ctx.question)), 0
    filters = _filters(ctx.question_groups, level)
    if level is None and not any(_SCHOOL.search(g.surface) for g in filters):
        return None               # "who studied RL?": a topic; "who studied at Southeast University?": a school
    for cid in ctx.order:
        profile = profiles.get(cid)
        entry = next((e for e in (profile or {}).get("education", []) if level in (None, e.get("degree_level"))
                      and (not filters or _entry_says(e, filters))), None)
        if entry is None or not entry.get("school"):
            continue
        holders += 1
        cite = ProfileCites(ctx, cid, profile, book, evidence)
        ongoing = bool(entry.get("end")) and date_key(entry["end"]["value"])[0] == 9999
        if only_ongoing and not ongoing:
            continue
        dates = "–".join(clean(entry[k]["value"]) for k in ("start", "end") if entry.get(k))
        status = ("，在读" if zh else ", in progress") if ongoing else ""
        if level is None:        # any degree: say which
            status = ("，" + LEVELS.get(entry.get("degree_level") or "", ("", "学位"))[1] if zh else
                      ", " + LEVELS.get(entry.get("degree_level") or "", ("degree", ""))[0]) + status
        rows.append(f"- {ctx.names[cid]}：{clean(entry['school']['value'])}（{dates}{status}） "
                    f"{cite(entry.get('degree_text') or entry['school'])}{cite(entry['school'])}" if zh else
                    f"- {ctx.names[cid]}: {clean(entry['school']['value'])} ({dates}{status}) "
                    f"{cite(entry.get('degree_text') or entry['school'])}{cite(entry['school'])}")
    level_name = LEVELS[level][1 if zh else 0] if level else ("学位" if zh else "degree")
    if filters and not holders:
        if not any(_SCHOOL.search(g.surface) for g in filters):
            return None           # "a PhD in NLP": a topic, not a school
        asked = _as_written(ctx.question, filters)
        return Answer(text=(f"没有候选人的简历列有{asked}的{level_name}。" if zh else
                            f"No candidate's CV lists a {level_name} from {asked}."),
                      abstained=True, intent="aggregate")
    if not rows and only_ongoing and holders:   # holders exist, none marked 至今/present
        return Answer(text=(f"没有候选人的简历列有在读（至今）的{level_name}。" if zh else
                            f"No candidate's CV lists a {level_name} still in progress (“present”/“至今”)."),
                      abstained=True, intent="aggregate")
    if not rows:
        return None
    if level is None:
        asked = _as_written(ctx.question, filters)
        lead = f"{len(rows)} 位候选人在{asked}读过书：" if zh else \
            f"{len(rows)} candidate{'s' if len(rows) != 1 else ''} studied at {asked}:"
        return Answer(text=lead + "\n" + "\n".join(rows), citations=book.citations, intent="aggregate",
                      candidate_ids=list(dict.fromkeys(e.candidate_id for e in evidence)), evidence=list(evidence))
    lead = (f"{len(rows)} 位候选人的简历列有{'在读的' if only_ongoing else ''}{level_name}：" if zh else
            f"{len(rows)} candidate{'s list' if len(rows) != 1 else ' lists'} a {level_name}"
            f"{' in progress' if only_ongoing else ''}:")
    return Answer(text=lead + "\n" + "\n".join(rows), citations=book.citations, intent="aggregate",
                  candidate_ids=list(dict.fromkeys(e.candidate_id for e in evidence)), evidence=list(evidence))


_STUDY = re.compile(r"\bdegree|\bstud(?:y|ying|ent)\b|\benrolled\b|\bpursuing\b|学位|在读|攻读|读什么|读的什么|学生|读书", re.I)


def asks_current_study(question: str) -> bool:
    """"What degree is she pursuing now?", "韩槿一目前在读什么学位？" (no level named: that is a lookup)."""
    return bool(_ONGOING.search(question) and _STUDY.search(question) and _level(question) is None)


def answer_current_study(ctx: Context, cid: str, profile: dict) -> Answer | None:
    """The education entries still running ("至今 / present", or an end date still ahead), cited; when
    none is, the latest one, said so."""
    zh = ctx.plan.lang == "zh"
    entries = [e for e in profile.get("education") or [] if e.get("school")]
    if not entries:
        return None
    cite = ProfileCites(ctx, cid, profile)
    today = dt.date.today()
    ongoing = [e for e in entries if e.get("end") and date_key(e["end"]["value"]) > (today.year, today.month)]

    def entry_text(e: dict) -> str:
        level = LEVELS.get(e.get("degree_level") or "", ("Degree", "学位"))[1 if zh else 0]
        return (f"{level}，{clean(e['school']['value'])}（{dates_of(e)}）" if zh else
                f"{level}, {clean(e['school']['value'])} ({dates_of(e)})") + \
            f" {cite(e.get('degree_text') or e['school'])}{cite(e['school'])}{cite(e.get('end'))}"
    if ongoing:
        head = "在读：" if zh else "in progress: "
        return answer_from_parts(ctx, cid, cite, [head + ("；" if zh else "; ").join(entry_text(e) for e in ongoing)],
                                 "single")
    latest = max(entries, key=lambda e: date_key(e["end"]["value"]) if e.get("end") else (0, 0))
    head = "简历没有列出在读的学位；最近的是" if zh else "no degree in progress is listed; the latest is "
    return answer_from_parts(ctx, cid, cite, [head + entry_text(latest)], "single")
