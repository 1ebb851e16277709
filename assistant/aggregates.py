"""Which candidates have X, and who has the most of it: each candidate judged on its own CV; only
those with evidence are named."""
from __future__ import annotations

import re
from dataclasses import replace

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import (AGGREGATE_COVERAGE, SECTION_CUES, Context, abstain, best_evidence,
                                         joined_parts, quantity_near, sep_for)
from recruiter.assistant.evidence import DATE, Evidence, coverage, score_lines, to_evidence
from recruiter.assistant.snippets import clean
from recruiter.assistant.lexicon import absent_names


_PROPER = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]*)*")    # ByteDance, Meituan, Python: a named thing, not a topic
_AT_ORG = re.compile(r"\b(?:at|for)\s+([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*)|"          # worked at X, 在X工作
                     r"在([\u4e00-\u9fffA-Za-z]{2,12}?)(?:工作|实习|任职|就职|做过|待过)")


_REVIEWING = re.compile(r"\breview(?:ed|s|ing)? for\b|\breviewers?\b|\bpeer review|审稿|评审", re.I)
_NOT_A_REVIEWER = re.compile(r"under review|under submission|\bsubmitted\b|systematic review|literature review|"
                             r"\ba review\b|\bsurvey\b|在审|投稿|综述", re.I)
_JOB_WORDS = re.compile(SECTION_CUES["experience"].pattern + r"|经历|经验|\bexperiences?\b", re.I)


def _aggregate_hits(ctx: Context, threshold: float) -> list[tuple[float, str, list[Evidence]]]:
    """Candidates whose best evidence is close to the best candidate's (and covers enough on its own)."""
    found = []
    worked = SECTION_CUES["experience"].search(ctx.question)
    orgs = [a or b for a, b in _AT_ORG.findall(ctx.question)]
    employer = {i for i, g in enumerate(ctx.groups) if any(g.surface.lower() in o.lower() for o in orgs)}
    named = employer | {i for i, g in enumerate(ctx.groups) if any(_PROPER.fullmatch(a) for a in g.alternatives)}
    job = bool(employer and worked)    # "worked at Meituan", "在美团工作过" (not "worked with Xiaojun Quan")
    if job:   # a job entry says "worked"; the line has to name the organisation
        keep = [i for i, g in enumerate(ctx.groups) if i in named or not _JOB_WORDS.search(g.surface)]
        named = {keep.index(i) for i in named}
        ctx = replace(ctx, groups=[ctx.groups[i] for i in keep])
    for cid in ctx.order:
        # named/job filters below may drop the best lines: read further down, keep the best two that pass
        evs, cov = best_evidence(ctx, cid, max_lines=6 if named else 2, max_chars=200)
        if worked:   # "worked at Google" is not shown by a "Google Scholar" link in the header
            evs = [e for e in evs if e.section != "contact"]
        if named:    # "at ByteDance": the line (or its entry) names it; "in academia and industry" does not
            evs = [e for e in evs if named <= set(e.matched)]
        if job:      # …and is a job: in the experience section or a dated entry
            evs = [e for e in evs if e.section == "experience" or len(DATE.findall(e.text)) >= 2]
        if _REVIEWING.search(ctx.question):   # "reviewed for ICLR": a reviewer role, not a paper "under review"
            evs = [e for e in evs if not _NOT_A_REVIEWER.search(e.text)]
        evs = evs[:2]
        if evs:
            found.append((max(e.score for e in evs), cov, cid, evs))
    if not found:
        return []
    top = max(f[0] for f in found)
    hits = [(sc, cid, evs) for sc, cov, cid, evs in found if sc >= 0.6 * top and cov >= threshold]
    hits.sort(key=lambda h: -h[0])
    return hits


def answer_aggregate(ctx: Context) -> Answer:
    """Which candidates have X: each candidate judged on its own CV; only those with evidence are named."""
    # a named thing no CV mentions ("Japanese", "Kubernetes", "GPA"): no candidate has it
    hits = [] if absent_names(ctx.groups) else _aggregate_hits(ctx, AGGREGATE_COVERAGE)
    if not hits:
        return abstain(ctx)
    book = CitationBook(ctx.names)
    lang = ctx.plan.lang
    rows = [f"{ctx.names[cid]}{'：' if lang == 'zh' else ': '}"
            + sep_for(lang).join(joined_parts(evs[:3], book, limit=130, groups=ctx.groups)) for _, cid, evs in hits]
    lead = (f"{len(hits)} 位候选人：" if lang == "zh" else
            f"{len(hits)} candidate{'s' if len(hits) > 1 else ''}:")
    return Answer(text=lead + "\n" + "\n".join(f"- {r}" for r in rows), citations=book.citations,
                  intent=ctx.plan.intent, candidate_ids=[h[1] for h in hits],
                  evidence=[e for h in hits for e in h[2]])


def answer_rank(ctx: Context) -> Answer:
    """Who has the most X: count the distinct evidence lines per candidate."""
    counts = []
    # "the most experience with Python": a line counts only if it names Python (or another specific
    # term of the question), not for "experience" alone
    topic = {i for i, g in enumerate(ctx.groups) if not _GENERIC.fullmatch(g.surface)}
    for cid in ctx.order:
        ct = ctx.texts[cid]
        ranked = [(s, ln, m) for s, ln, m in score_lines(ct, ctx.groups, ctx.slot, context=2)
                  if coverage(ctx.groups, m) >= AGGREGATE_COVERAGE and (not topic or topic & set(m))]
        if ranked:
            evs = [to_evidence(ct, ln, ctx.groups, s, m, max_chars=160) for s, ln, m in ranked[:12]]
            counts.append((len(ranked), cid, evs))
    if not counts:
        return abstain(ctx)
    if _MEASURED.search(ctx.question) and (measured := _rank_by_quantity(ctx, counts)) is not None:
        return measured
    counts.sort(key=lambda c: -c[0])
    book = CitationBook(ctx.names)
    lang = ctx.plan.lang
    rows = []
    for n, cid, evs in counts:
        label = f"{n} 处提及" if lang == "zh" else f"mentioned on {n} line{'s' if n > 1 else ''}"
        rows.append(f"{ctx.names[cid]} — {label} " + book.cite_all(evs[:3]))
    lead = (f"{ctx.names[counts[0][1]]}最多。" if lang == "zh" else f"{ctx.names[counts[0][1]]} has the most.")
    return Answer(text=lead + "\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(rows, 1)),
                  citations=book.citations, intent="rank", candidate_ids=[c[1] for c in counts],
                  evidence=[e for c in counts for e in c[2][:3]])


_GENERIC = re.compile(r"experiences?|work(?:ed|ing)?|skills?|knowledge|background|expertise|经验|经历|工作|技能|背景", re.I)
_MEASURED = re.compile(r"(?<![a-z])stars?(?![a-z])|citations?|\bcited\b|downloads?|followers?|下载|引用|星标|star数", re.I)


def _rank_by_quantity(ctx: Context, counts: list) -> Answer | None:
    """"Whose repo has the most stars?": the largest number each CV states next to the unit, ranked and cited."""
    best = {}
    for _, cid, evs in counts:
        stated = [(q, e) for e in evs if (q := quantity_near(clean(e.text), ctx.groups)) is not None]
        if stated:
            best[cid] = max(stated, key=lambda x: x[0])
    if len(best) < 2:
        return None
    order = sorted(best, key=lambda c: -best[c][0])
    book, zh = CitationBook(ctx.names), ctx.plan.lang == "zh"
    rows = [f"{i}. {ctx.names[c]} — {best[c][0]:g} {book.cite(best[c][1])}" for i, c in enumerate(order, 1)]
    top = ctx.names[order[0]]
    lead = f"{top}最多（{best[order[0]][0]:g}）。" if zh else f"{top} has the most ({best[order[0]][0]:g})."
    return Answer(text=lead + "\n" + "\n".join(rows), citations=book.citations, intent="rank",
                  candidate_ids=order, evidence=[best[c][1] for c in order])
