"""The program's own answers: found, counted, compared and ranked from evidence, every clause cited.

These answers are correct without a model; a model may only re-phrase them (see chain.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.evidence import (DATE, HOW_MANY, NUMBER, SLOTS, WHEN, CandidateText, Evidence,
                                          coverage, entry_block, entry_title_before, following_items, group_hits,
                                          heading_of, score_lines,
                                          to_evidence)
from recruiter.assistant.planner import LIST_WORDS
from recruiter.assistant.profiles import (EDUCATION_WORDS, asks_education_only, asks_missing_degree,
                                          entries_for_question, entries_with_tag, is_education_evidence,
                                          section_entries)
from recruiter.assistant.lexicon import TermGroup, absent_acronyms, is_han
from recruiter.assistant.snippets import clean, snippet
from recruiter.assistant.planner import Plan

ANSWER_COVERAGE = 0.5      # share of the question's weighted terms the evidence must hold to answer
AGGREGATE_COVERAGE = 0.5   # with a relative bar: near the best candidate's evidence


@dataclass
class Context:
    question: str
    plan: Plan
    groups: list[TermGroup]
    texts: dict[str, CandidateText]     # candidate id -> lines, for the candidates in scope
    order: list[str]                     # candidate ids in the order they matter
    names: dict[str, str]                # candidate id -> how to name them in the answer
    slots: tuple = ()                    # what the question asks for by form: email, url, phone
    boost: dict | None = None            # passage id -> bonus from hybrid retrieval
    own_groups: list[TermGroup] | None = None   # the question's own terms when a follow-up borrowed a topic

    @property
    def question_groups(self) -> list[TermGroup]:
        """What the question itself names: a filter ("papers on RL") must not come from the last turn."""
        return self.groups if self.own_groups is None else self.own_groups

    @property
    def slot(self) -> str | None:
        return self.slots[0] if len(self.slots) == 1 else None


def detect_slots(question: str) -> tuple:
    return tuple(name for name, (ask, _) in SLOTS.items() if ask.search(question))


def sep_for(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _not_stated(lang: str, name: str) -> str:
    return f"{name}：简历中没有相关信息。" if lang == "zh" else f"{name}: not stated in the CV."


def abstain(ctx: Context, who: list[str] | None = None) -> Answer:
    names = "、".join(ctx.names[c] for c in (who or [])) if ctx.plan.lang == "zh" else \
        ", ".join(ctx.names[c] for c in (who or []))
    if ctx.plan.lang == "zh":
        text = f"{names}的简历中没有提到这一点。" if names else "这些简历中没有提到这一点。"
    else:
        text = f"{names}'s CV doesn't say." if names and len(who or []) == 1 else \
            (f"The CVs of {names} don't say." if names else "The CVs don't say.")
    return Answer(text=text, abstained=True, intent=ctx.plan.intent, candidate_ids=list(who or []))


def best_evidence(ctx: Context, cid: str, *, max_lines: int = 3, ratio: float = 0.6,
                  max_chars: int = 260, listing: bool = False) -> tuple[list[Evidence], float]:
    """The lines of one candidate that answer the question, and how much of it they cover."""
    ct = ctx.texts[cid]
    extra = SLOTS[ctx.slots[0]][1] if ctx.slots else (DATE if WHEN.search(ctx.question) else
                                                 (NUMBER if HOW_MANY.search(ctx.question) else None))
    ranked = score_lines(ct, ctx.groups, None, boost=ctx.boost)
    if not ctx.slots and (not ranked or ranked[0][0] <= 0):
        return [], 0.0
    if ctx.slots:
        evs = []
        for slot in ctx.slots:
            slot_re = SLOTS[slot][1]
            hits = [(s, ln, m) for s, ln, m in score_lines(ct, ctx.groups, slot) if slot_re.search(ln.text)]
            if not hits:
                return [], 0.0        # asked for an e-mail the CV doesn't give: abstain, don't guess
            s, ln, m = hits[0]
            ev = to_evidence(ct, ln, ctx.groups, s, m, extra=slot_re, max_chars=max_chars)
            if all(ev.key() != e.key() for e in evs):
                evs.append(ev)
        return evs, 1.0
    top_score, top_line, top_matched = ranked[0]
    # Later lines must share the top line's specific terms (in the line or its entry), so
    # "FuseChat … 600 stars" does not pull in another project's "300 stars".
    own_top = set(group_hits(ctx.groups, top_line))
    top_head = heading_of(ct, top_line)
    # a list's items each state the filter themselves (or under their section heading)
    basis = (own_top | (set(group_hits(ctx.groups, top_head)) if top_head else set())) if listing else set(top_matched)
    max_w = max((ctx.groups[g].weight for g in basis), default=0.0)
    required = {g for g in basis if ctx.groups[g].weight >= 0.5 * max_w}
    picked, covered = [], set()
    for s, ln, m in ranked:
        if len(picked) >= max_lines or s < ratio * top_score:
            break
        if picked and listing:
            head = heading_of(ct, ln)
            have = set(group_hits(ctx.groups, ln)) | (set(group_hits(ctx.groups, head)) if head else set())
        else:
            have = set(m)
        if picked and not required <= have:
            continue
        if picked and not listing and not (set(m) - covered) and not (extra is not None and extra.search(ln.text)):
            continue
        if ln.is_label and not ln.is_heading:
            items = [it for it in following_items(ct, ln, limit=4) if all(it is not p[1] for p in picked)]
            if items:
                picked += [(s, it, m) for it in items[:max(1, max_lines - len(picked))]]
                covered |= set(m)
                continue
        picked.append((s, ln, m))
        covered |= set(m)
    if listing:   # list items that are venue/author lines read with their titles
        titled = []
        for sc, ln, m in picked:
            title = entry_title_before(ct, ln)
            if title is not None and all(title is not p[1] for p in picked + titled):
                titled.append((0.0, title, set()))
        picked += titled
    # A date range printed on its own line next to the entry (e.g. "2016.09 – 2020.06").
    if extra is DATE and not any(DATE.search(ln.text) for _, ln, _ in picked):
        first = picked[0][1]
        near = [l for l in ct.lines if l.doc_id == first.doc_id and abs(l.index - first.index) <= 3
                and l.section == first.section and DATE.search(l.text) and len(l.text) <= 40]
        if near:
            near.sort(key=lambda l: (abs(l.index - first.index), l.index < first.index))
            picked.append((0.0, near[0], set()))
    # The entry title that carries the question's name for the thing ("FuseChat", "HuatuoGPT-II").
    first = picked[0][1]
    own = set(group_hits(ctx.groups, first))
    from_context = set(picked[0][2]) - own
    if from_context:
        for title in reversed(entry_block(ct, first, limit=10)):
            if title.index < first.index and set(group_hits(ctx.groups, title)) & from_context:
                picked.append((0.0, title, set()))
                break
    evs = [to_evidence(ct, ln, ctx.groups, s, m, extra=extra, max_chars=max_chars) for s, ln, m in picked]
    evs.sort(key=lambda e: e.start)
    return evs, coverage(ctx.groups, covered | set(top_matched))


def _items_after_label(ctx: Context, cid: str) -> list[Evidence]:
    """For list questions whose best line is a label ("- 教学助理"): the items listed under it."""
    ct = ctx.texts[cid]
    ranked = score_lines(ct, ctx.groups, None, context=0)
    for s, ln, m in ranked[:3]:
        if s > 0 and ln.is_label:
            items = following_items(ct, ln)
            if items:
                return [to_evidence(ct, it, ctx.groups, s, m, max_chars=200) for it in items]
    return []


def joined_parts(evs: list[Evidence], book: CitationBook, limit: int = 220,
                  groups: list[TermGroup] = ()) -> list[str]:
    """Short lines of one entry (a tag and its title, a school and its dates) read as one part;
    in a long list each item is shortened (the citation holds the whole span)."""
    parts: list[str] = []
    prev = None
    limit = min(limit, 140) if len(evs) >= 3 else limit
    for e in evs:
        piece = f"{snippet(e.text, list(groups), limit)} {book.cite(e)}"
        near = prev is not None and e.doc_id == prev.doc_id and 0 < e.start - prev.end <= 40
        if near and (len(clean(prev.text)) <= 24 or len(clean(e.text)) <= 30):
            parts[-1] = parts[-1] + " " + piece
        else:
            parts.append(piece)
        prev = e
    return parts


def education_evidence(ctx: Context, cid: str) -> list[Evidence]:
    """A degree question answered from the education entries (school, degree, dates lines)."""
    ct = ctx.texts[cid]
    edu = entries_for_question(ct, ctx.question)
    if edu and any(not g.absent and not EDUCATION_WORDS.search(" ".join(g.alternatives)) and not any(
            group_hits([g], ln) for e in edu for ln in e.lines()) for g in ctx.groups):
        return []   # the question asks more than the education entries hold (e.g. GPA, ranking)
    return [to_evidence(ct, ln, ctx.groups, 0.0, (), max_chars=200) for e in edu for ln in e.lines()]


SECTION_CUES = {   # question words that name a whole section even when they carry no content term
    "experience": re.compile(r"\bwork(?:ed|s)?\b|\bemploy|\bcompan(?:y|ies)\b|\bjobs?\b|\bcareer|工作|任职|就职|公司|实习", re.I),
    "education": re.compile(r"\bstud(?:y|ied)\b|\bschools?\b|\beducat|学校|读书|教育", re.I),
    "skills": re.compile(r"\bskills?\b|技能", re.I),
    "awards": re.compile(r"\bawards?\b|\bhonou?rs?\b|获奖|奖项|荣誉", re.I),
}


def section_words_only(groups: list[TermGroup], sections=tuple(SECTION_CUES)) -> bool:
    """Every content term of the question only names a section ("work", "工作", "study")."""
    return bool(groups) and all(any(SECTION_CUES[sec].search(g.surface) for sec in sections) for g in groups)


_CURRENT = re.compile(r"\bcurrent(?:ly)?\b|\bnow\b|\bpresent\b|目前|现在|当前", re.I)
_PRESENT = re.compile(r"present|now|至今|今", re.I)


def section_overview(ctx: Context, cid: str) -> list[Evidence]:
    """A question that names a whole section ("where did she intern?", "Where did he work?",
    "工作经历有哪些") is answered with that section's entries (the current one, if asked)."""
    ct = ctx.texts[cid]
    total = sum(g.weight for g in ctx.groups)
    heads = [(sum(ctx.groups[g].weight for g in group_hits(ctx.groups, ln)), ln) for ln in ct.lines if ln.is_heading]
    heads = [(w, ln) for w, ln in heads if w > 0]
    head = None
    if heads and total > 0:
        w, best = max(heads, key=lambda h: h[0])
        if w >= 0.8 * total:   # else the question asks about something inside the section
            head = best
    if head is None and (total <= 0 or section_words_only(ctx.groups)):
        # nothing but section words ("在哪里工作过", "where did she intern"): the cued section whole
        cued = [sec for sec, rx in SECTION_CUES.items() if rx.search(ctx.question)]
        head = next((ln for sec in cued for ln in ct.lines if ln.is_heading and ln.section == sec), None)
    if head is None:
        return []
    entries = section_entries(ct, head)
    if _CURRENT.search(ctx.question):
        entries = [e for e in entries if any(_PRESENT.search(ln.text) for ln in e)] or entries[:1]
    return [to_evidence(ct, ln, ctx.groups, 0.0, (), max_chars=160) for e in entries for ln in e]


def answer_single(ctx: Context) -> Answer:
    cid = ctx.order[0]
    name = ctx.names[cid]
    book = CitationBook(ctx.names)
    listing = ctx.plan.intent == "list"
    ct = ctx.texts[cid]
    evs: list[Evidence] = []
    cov = 0.0
    if absent_acronyms(ctx.groups) and not entries_with_tag(ct, ctx.question):
        return abstain(ctx, [cid])
    if asks_missing_degree(ct, ctx.question):
        return abstain(ctx, [cid])   # "his PhD thesis" when the CV lists no PhD
    if not ctx.slots:
        evs = education_evidence(ctx, cid) or section_overview(ctx, cid)
        tagged = [] if evs else entries_with_tag(ct, ctx.question)
        if tagged:
            # the tag line proves the category, the title is the answer: one part, two citations
            book_parts = []
            for e in tagged:
                tag_ev = to_evidence(ct, e.tag_line, ctx.groups, 0.0, (), max_chars=60)
                title_ev = to_evidence(ct, e.title, ctx.groups, 0.0, (), max_chars=200)
                evs += [tag_ev, title_ev]
                book_parts.append(f"{clean(title_ev.text)} {book.cite(tag_ev)}{book.cite(title_ev)}")
            sep = sep_for(ctx.plan.lang)
            text = f"{name}{'：' if ctx.plan.lang == 'zh' else ': '}" + sep.join(book_parts)
            text += "。" if ctx.plan.lang == "zh" else "."
            return Answer(text=text, citations=book.citations, intent=ctx.plan.intent, candidate_ids=[cid],
                          evidence=evs)
        cov = 1.0 if evs else 0.0
    if listing and not evs and not ctx.slots:
        evs = _items_after_label(ctx, cid)
        cov = 1.0 if evs else 0.0
    if not evs:
        evs, cov = best_evidence(ctx, cid, max_lines=8 if listing else 3, ratio=0.8 if listing else 0.6,
                                 listing=listing)
        if not ctx.slots and asks_education_only(ctx.groups):
            # "what degree …" on a CV without an education section: "a higher degree of personalization"
            # is not an answer
            evs = [e for e in evs if is_education_evidence(e)]
        elif not ctx.slots and section_words_only(ctx.groups, ("experience",)):
            # "where does she work?" answers from a job entry (section or dated line), not "In this work, …"
            evs = [e for e in evs if e.section == "experience" or DATE.search(e.text)]
    if not evs or cov < ANSWER_COVERAGE:
        return abstain(ctx, [cid])
    sep = sep_for(ctx.plan.lang)
    parts = joined_parts(evs, book, groups=ctx.groups)
    joiner = "：" if ctx.plan.lang == "zh" else ": "
    text = f"{name}{joiner}" + sep.join(parts)
    text += "。" if ctx.plan.lang == "zh" else "."
    return Answer(text=text, citations=book.citations, intent=ctx.plan.intent, candidate_ids=[cid], evidence=evs)


def quantity_near(ev_text: str, groups: list[TermGroup]) -> float | None:
    """The number an evidence line states next to the asked-about unit (e.g. '600 stars')."""
    low = ev_text.lower()
    units = [a.lower() for g in groups for a in g.alternatives if not a.isdigit()]
    best, best_dist = None, 10 ** 9
    for m in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([kK万])?\+?", ev_text):
        if DATE.fullmatch(m.group(0).strip()):
            continue
        for u in units:
            for um in re.finditer(re.escape(u), low):
                dist = min(abs(um.start() - m.end()), abs(m.start() - um.end()))
                if dist <= 15 and dist < best_dist:
                    scale = 1000 if m.group(2) in ("k", "K") else 10000 if m.group(2) == "万" else 1
                    best, best_dist = float(m.group(1)) * scale, dist
    return best


def answer_compare(ctx: Context) -> Answer:
    book = CitationBook(ctx.names)
    lang = ctx.plan.lang
    rows, found = [], {}
    all_evs: list[Evidence] = []
    listing = bool(LIST_WORDS.search(ctx.question))
    for cid in ctx.order:
        evs = education_evidence(ctx, cid)
        cov = 1.0
        if not evs:
            evs, cov = best_evidence(ctx, cid, max_lines=4, listing=listing, ratio=0.75 if listing else 0.6)
        if evs and cov >= ANSWER_COVERAGE:
            found[cid] = evs
            all_evs += evs
            rows.append(f"{ctx.names[cid]}{'：' if lang == 'zh' else ': '}" + sep_for(lang).join(joined_parts(evs, book, groups=ctx.groups)))
        else:
            rows.append(_not_stated(lang, ctx.names[cid]))
    if not found:
        return abstain(ctx, ctx.order)
    lead = ""
    if ctx.plan.wants_more and len(found) >= 2:
        qty = {cid: next((q for e in sorted(evs, key=lambda e: -e.score)
                          if (q := quantity_near(clean(e.text), ctx.groups)) is not None), None)
               for cid, evs in found.items()}
        known = {c: q for c, q in qty.items() if q is not None}
        if len(known) >= 2:
            top = max(known, key=known.get)
            lead = (f"{ctx.names[top]}更多（" + "，".join(f"{ctx.names[c]} {known[c]:g}" for c in known) + "）。"
                    if lang == "zh" else
                    f"{ctx.names[top]} has more (" + ", ".join(f"{ctx.names[c]}: {known[c]:g}" for c in known) + ").")
    elif len(found) < len(ctx.order):
        who = [ctx.names[c] for c in ctx.order if c in found]
        lead = (f"只有{'、'.join(who)}有相关记录。" if lang == "zh" else f"Only {', '.join(who)}.")
    text = (lead + "\n" if lead else "") + "\n".join(f"- {r}" for r in rows)
    return Answer(text=text, citations=book.citations, intent="compare", candidate_ids=list(ctx.order),
                  evidence=all_evs)


def block_evidence(ctx: Context, cid: str, max_lines: int = 6) -> list[Evidence]:
    """The entry (project, paper, job) that best matches the question, line by line."""
    ct = ctx.texts[cid]
    ranked = score_lines(ct, ctx.groups, None)
    if not ranked or ranked[0][0] <= 0:
        return []
    block = entry_block(ct, ranked[0][1], limit=12)
    return [to_evidence(ct, ln, ctx.groups, 0.0, (), extra=NUMBER, max_chars=220) for ln in block][:max_lines]


def is_cjk_answer(text: str) -> bool:
    return is_han(text)
