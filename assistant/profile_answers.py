"""Counting and listing from stored profiles: "who has the most first-author ACL papers?",
"X or Y: who has more papers?", "list her first-author papers". Counts show their evidence: each
counted paper is cited by its title span in the CV.
"""
from __future__ import annotations

import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import Context, abstain
from recruiter.assistant.evidence import Evidence, span_evidence
from recruiter.assistant.lexicon import TermGroup, says_all
from recruiter.assistant.snippets import clean

PAPERS = re.compile(r"papers?|publications?|articles?|论文|文章|发表|一作|first[- ]authors?|co-first|共同一作", re.I)
FIRST = re.compile(r"first[- ]author|一作|第一作者|lead author", re.I)
VENUES = re.compile(r"(?<![A-Za-z])(ACL|EMNLP|NAACL|COLING|ICLR|NeurIPS|NIPS|ICML|AAAI|IJCAI|CVPR|ICCV|ECCV|SIGIR|"
                    r"KDD|WWW|CIKM|WSDM|COLM|TACL|DASFAA|CIKM|Findings)(?![A-Za-z])", re.I)
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
RECENT = re.compile(r"\brecent|\blatest\b|\bnewest\b|最近|最新|近期", re.I)


def pub_year(pub: dict) -> int:
    """The year a listed paper gives (venue, year or note), 0 when none."""
    where = " ".join((pub.get(k) or {}).get("value", "") for k in ("year", "venue", "note"))
    return max((int(y) for y in YEAR.findall(where)), default=0)


def asks_about_papers(question: str) -> bool:
    return bool(PAPERS.search(question))


def _venue_in(venue: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(venue)}(?![A-Za-z])", text, re.I) is not None


_PAPER_WORDS = re.compile(r"papers?|publications?|articles?|works?|论文|文章|发表\w*|一作|共同一作|第一作者|first|co|"
                          r"authors?|authored|lead|publish(?:ed)?|venues?|conferences?|journals?|count|total|overall|altogether|"
                          r"numbers?|listed|篇|几篇|多少篇|篇数|数量|多少|一共|总共|总计|共|累计", re.I)


def topic_groups(groups: list[TermGroup]) -> list[TermGroup]:
    """The question's terms that say what the papers are about ("on reinforcement learning"), not
    which papers count (papers, first author, ACL, 2024)."""
    return [g for g in groups if g.alternatives and not (_PAPER_WORDS.fullmatch(g.surface) or FIRST.fullmatch(g.surface)
                                                         or VENUES.fullmatch(g.surface) or YEAR.fullmatch(g.surface)
                                                         or RECENT.fullmatch(g.surface))]


def _about(pub: dict, topic: list[TermGroup]) -> bool:
    return says_all(" ".join((pub.get(k) or {}).get("value", "") for k in ("title", "venue", "note")), topic)


def matching_publications(profile: dict, question: str, groups: list[TermGroup] = ()) -> list[dict]:
    """The candidate's publications that meet the question's filters: first author, venue, year, and
    the topic its terms name (in the title)."""
    pubs = profile.get("publications") or []
    topic = topic_groups(list(groups))
    first = bool(FIRST.search(question))
    venues = [v for v in VENUES.findall(question) if v.lower() != "findings"]
    years = YEAR.findall(question)
    out = []
    for pub in pubs:
        if pub.get("title") is None:
            continue
        where = " ".join((pub.get(k) or {}).get("value", "") for k in ("venue", "year", "title", "note"))
        if first and pub.get("author_position") not in ("first", "co-first"):
            continue
        if venues and not any(_venue_in(v, where) for v in venues):
            continue
        if years and not any(y in where for y in years):
            continue
        if topic and not _about(pub, topic):
            continue
        out.append(pub)
    if RECENT.search(question) and not years and any(pub_year(p) for p in out):
        latest = max(pub_year(p) for p in out)    # "his most recent papers": those of the latest year listed
        out = [p for p in out if pub_year(p) == latest]
    return out


def _evidence(ctx: Context, cid: str, profile: dict, pub: dict) -> Evidence:
    span = pub["title"]
    return span_evidence(ctx.texts[cid], profile["doc_id"], span["start"], span["end"], "publications")


def _filters_text(question: str, zh: bool, groups: list[TermGroup] = ()) -> str:
    parts = [g.surface for g in topic_groups(list(groups))]
    if FIRST.search(question):
        parts.append("一作（含共同一作）" if zh else "first-author (incl. co-first)")
    venues = [v for v in VENUES.findall(question) if v.lower() != "findings"]
    parts += venues + YEAR.findall(question)
    return " ".join(parts)


def answer_paper_counts(ctx: Context, profiles: dict[str, dict], *, show: int = 3) -> Answer | None:
    """Rank or compare candidates by how many of their listed papers meet the question's filters."""
    counted = []
    for cid in ctx.order:
        profile = profiles.get(cid)
        if profile is None:
            continue
        pubs = matching_publications(profile, ctx.question, ctx.question_groups)
        counted.append((len(pubs), cid, profile, pubs))
    if not counted:
        return None
    counted.sort(key=lambda c: -c[0])
    if counted[0][0] == 0:
        return abstain(ctx, [c[1] for c in counted] if ctx.plan.intent == "compare" else None)
    zh = ctx.plan.lang == "zh"
    what = _filters_text(ctx.question, zh, ctx.question_groups)
    book = CitationBook(ctx.names)
    rows, evs = [], []
    for n, cid, profile, pubs in counted:
        if n == 0 and ctx.plan.intent != "compare":
            continue   # an aggregate answer names only candidates with evidence
        cited = [_evidence(ctx, cid, profile, p) for p in pubs[:show]]
        evs += cited
        titles = "；".join(f"{clean(e.text)[:70]} {book.cite(e)}" for e in cited) if zh else \
            "; ".join(f"{clean(e.text)[:70]} {book.cite(e)}" for e in cited)
        more = (f" 等 {n} 篇" if zh else f" and {n - show} more") if n > show else ""
        rows.append(f"{ctx.names[cid]}：{n} 篇（{titles}{more}）" if zh else
                    f"{ctx.names[cid]}: {n} ({titles}{more})")
    top_n = counted[0][0]
    leaders = [ctx.names[c[1]] for c in counted if c[0] == top_n]
    if zh:
        lead = f"{'、'.join(leaders)}的{what}论文最多（{top_n} 篇）。"
    else:
        lead = f"{' and '.join(leaders)} {'have' if len(leaders) > 1 else 'has'} the most {what + ' ' if what else ''}papers ({top_n})."
    note = "按简历中列出的论文计数。" if zh else "Counted from the papers each CV lists."
    return Answer(text=lead + "\n" + "\n".join(f"- {r}" for r in rows) + "\n" + note, citations=book.citations,
                  intent=ctx.plan.intent, candidate_ids=[c[1] for c in counted if c[0] > 0], evidence=evs)
