"""Recruiter workflows built on evidence: job-description matching and interview-prep packs."""
from __future__ import annotations

import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.compose import Context, abstain
from recruiter.assistant.snippets import clean, snippet
from recruiter.assistant.evidence import (AUTHORS, NUMBER, TAGGED, Line, entry_block, group_hits, score_lines,
                                          to_evidence)
from recruiter.assistant.lexicon import Lexicon, TermGroup, idf_weights

_NICE = re.compile(r"nice to have|preferred|a plus|bonus|优先|加分", re.I)
EVIDENCE_LINES = 3      # lines that may evidence one requirement together
SUPPORT_RATIO = 0.5     # ... each at least this share of the best line's score
_REQUIREMENT_SPLIT = re.compile(r"(?<=[.;。；!?！？\n])\s*")


# Words every JD uses around its requirements: rare in CVs, so idf would make them weigh most.
_JD_BOILERPLATE = frozenset("""要求 招聘 经验 熟悉 优先 岗位 职责 负责 具备 能力 良好 以上 任职 资格 加分 加分项 者 我们 团队 工作 职位
了解 掌握 精通 扎实 较强 优秀 相关经验 岗位职责 任职要求 任职资格 有 年 及
requirements requirement required require responsibilities responsible experience experienced familiar familiarity
must strong excellent good plus preferred ability abilities skills skill knowledge hiring hire looking ideal join team
we our you years year including proven solid deep understanding hands-on qualifications qualification minimum
bonus role position job description apply opportunity work""".split())
# "Top venue" names no venue; a CV names the venue. One group whose alternatives are the venues.
_TOP_VENUE = re.compile(r"^(?:顶会|顶级会议|顶刊|顶级期刊|top[- ]?tier|top-?venues?|top conferences?)$", re.I)
TOP_VENUES = ["ACL", "EMNLP", "NAACL", "NeurIPS", "ICLR", "ICML", "AAAI", "IJCAI", "CVPR", "ICCV", "ECCV", "SIGIR",
              "KDD", "WWW", "COLM", "COLING", "TACL", "TPAMI"]


# The job's title names the role, not a requirement a CV evidences: a Chinese CV never writes
# "research scientist", an English one matches it by the word "research" anywhere.
_JOB_TITLE = re.compile(r"^(?:(?:senior|junior|staff|principal|lead|chief)\s+)?(?:research\s+scientists?|researchers?|"
                        r"scientists?|research\s+engineers?|engineers?|developers?|interns?)$|^(?:高级|资深)?(?:研究员|"
                        r"工程师|算法工程师|科学家|研究科学家|实习生)$", re.I)


def _jd_groups(lexicon: Lexicon, sentence: str) -> list[TermGroup]:
    groups = []
    for g in lexicon.question_terms(sentence):
        if g.surface.casefold() in _JD_BOILERPLATE or _JOB_TITLE.match(g.surface.strip()):
            continue
        if _TOP_VENUE.match(g.surface):
            g = TermGroup(g.surface, list(dict.fromkeys([*g.alternatives, *TOP_VENUES])))
        groups.append(g)
    return groups


def jd_requirements(lexicon: Lexicon, jd: str) -> list[tuple[str, list[TermGroup], float]]:
    """The JD's sentences as requirements: (text, term groups, weight: 1 must-have, 0.5 nice-to-have)."""
    reqs = []
    for sent in _REQUIREMENT_SPLIT.split(jd):
        sent = sent.strip()
        if len(sent) < 4:
            continue
        groups = _jd_groups(lexicon, sent)
        if groups:
            reqs.append((sent, groups, 0.5 if _NICE.search(sent) else 1.0))
    return reqs


_ROLE_ASKED = [
    re.compile(r"\b(?:best|most suitable|strongest|top|ideal|right|good|great|strong)\s+(?:candidates?|fit|person|match|"
               r"choice|hire)\s+for\s+(?:(?:a|an|the|our|this)\s+)?(?P<role>.{3,80}?)\s*\b(?:role|position|job|opening|post)\b", re.I),
    re.compile(r"\b(?:fits?|suited|suitable|qualified|right)\s+(?:best\s+)?(?:for\s+)?(?:(?:a|an|the|our|this)\s+)?"
               r"(?P<role>.{3,80}?)\s*\b(?:role|position|job|opening|post)\b", re.I),
    re.compile(r"(?:适合|胜任|符合|匹配)(?:做|担任|从事|这个|该)?(?P<role>[^，。？?,]{2,30}?)(?:岗位|职位|岗|工作)"),
]
_ROLE_FILLER = re.compile(r"\b(?:research|researcher|engineer(?:ing)?|scientist|developer|senior|junior|lead|"
                          r"staff|principal|this|that|the|a|an|our|your|new)\b|研究员|工程师|科学家|高级|资深|研究|方向|的", re.I)


def role_from_question(question: str) -> str | None:
    """"Who is the best candidate for a dialogue system research role?" → "dialogue system": the role
    asked about, as a one-line JD for matching (None when the question names no role)."""
    for rx in _ROLE_ASKED:
        if (m := rx.search(question)) is not None:
            role = _ROLE_FILLER.sub(" ", m.group("role"))
            role = " ".join(role.split()).strip(" -–,")
            if len(role) >= 2:
                return role
    return None


def answer_match(ctx: Context, lexicon: Lexicon, jd: str, top: int = 3) -> Answer:
    """Rank candidates by how much of the JD their CVs evidence; the score is the explained sum."""
    reqs = jd_requirements(lexicon, jd) or [(jd, ctx.groups, 1.0)]
    pool_lines = [ln.low for cid in ctx.order for ln in ctx.texts[cid].lines]
    for _, groups, _ in reqs:
        idf_weights(groups, pool_lines)
    scored = []
    for cid in ctx.order:
        ct = ctx.texts[cid]
        total, depth, evs = 0.0, 0.0, []
        for _, groups, weight in reqs:
            ranked = score_lines(ct, groups, None, context=2)
            if not ranked or ranked[0][0] <= 0:
                continue
            best_score, line, matched = ranked[0]
            depth += weight * sum(r[0] >= SUPPORT_RATIO * best_score for r in ranked)
            req_total = sum(g.weight for g in groups) or 1.0
            # A requirement that lists several skills is met by several lines: count the skills the
            # best few lines evidence together, not only what one line holds.
            support = [r for r in ranked[:EVIDENCE_LINES] if r[0] >= SUPPORT_RATIO * best_score]
            covered = set().union(*(r[2] for r in support))
            frac = min(1.0, max(best_score, sum(groups[g].weight for g in covered)) / req_total)
            total += weight * frac
            if frac >= 0.3:
                evs.append((frac * weight, to_evidence(ct, line, groups, best_score, matched, max_chars=160)))
        max_total = sum(w for _, _, w in reqs) or 1.0
        evs.sort(key=lambda t: -t[0])
        scored.append((total / max_total, cid, [e for _, e in evs], depth))
    # equal shares (a one-line role: everyone mentions "LLM") go to the CV that evidences them on more lines
    scored.sort(key=lambda s: (-round(s[0], 6), -s[3]))
    scored = [s[:3] for s in scored if s[2]][:top]
    if not scored:
        return abstain(ctx)
    book = CitationBook(ctx.names)
    zh = ctx.plan.lang == "zh"
    rows = []
    seen: set = set()
    groups_all = [g for _, groups, _ in reqs for g in groups]
    for i, (score, cid, evs) in enumerate(scored, 1):
        picked = []
        for e in evs:
            if e.key() not in seen and len(picked) < 2:
                seen.add(e.key())
                picked.append(e)
        why = ("；" if zh else "; ").join(f"{snippet(e.text, groups_all, 110)} {book.cite(e)}" for e in picked)
        pct = f"{score * 100:.0f}%"
        rows.append(f"{i}. {ctx.names[cid]}（匹配度 {pct}）：{why}" if zh else
                    f"{i}. {ctx.names[cid]} (match {pct}): {why}")
    note = ("匹配度 = 有简历证据支持的岗位要求占比（必备要求权重 1，加分项 0.5；同分时证据行多者在前）；只计与岗位相关的证据，录用决定由您做出。"
            if zh else "Match = share of the JD's requirements evidenced in the CV (must-haves weigh 1, nice-to-haves 0.5; "
            "ties go to the CV with more evidencing lines); only job-relevant evidence counts, and the decision stays "
            "with you.")
    return Answer(text="\n".join(rows) + "\n" + note, citations=book.citations, intent="match",
                  candidate_ids=[s[1] for s in scored], evidence=[e for s in scored for e in s[2]])


def _question_for(title: str, fact: str, zh: bool, k: int) -> str:
    title = title if len(title) <= 50 else title[:49].rstrip(" ,:：") + "…"
    fact = fact if len(fact) <= 40 else fact[:39].rstrip(" ,，;；") + "…"
    if zh:
        templates = [f"「{title}」：你具体负责哪部分？关键决策是什么？",
                     f"关于「{fact}」：如何验证的？和什么基线比较？",
                     f"「{title}」最难的地方是什么？重做会改什么？"]
    else:
        templates = [f"“{title}”: what was your part, and which decisions were yours?",
                     f"On “{fact}”: how was it measured, and against what baseline?",
                     f"“{title}”: what was hardest, and what would you change?"]
    return templates[k % len(templates)]


_EXAMPLES = re.compile(r"[（(]\s*(?:如|例如|比如|e\.g\.,?|such as|including)\s*([^（）()]+)[）)]|"
                       r"(?:such as|including|e\.g\.,?)\s+([^.?!。？]+)", re.I)


# Words of the request itself ("prepare interview questions for X, citing key facts"): no topic of their own.
_PREP_WORDS = re.compile(r"^(?:prepare|prep|preparing|help|interview(?:s|ing)?|questions?|ask|citing|cite|citations?|"
                         r"key|facts?|points?|pack|should|准备|面试|问题|帮我|考察|引用|几个|要点|提问|应该|问)$", re.I)


def prep_has_topic(groups: list[TermGroup]) -> bool:
    """"Prepare me to interview X" names no topic (the whole prep pack); "… about her ByteDance project" does."""
    return any(not _PREP_WORDS.match(g.surface) for g in groups)


def prep_topics(lexicon: Lexicon, question: str, groups: list[TermGroup]) -> list[list[TermGroup]]:
    """One topic per example the question lists ("如 MeTHanol、超网络元门控 LLM"), else the whole question."""
    m = _EXAMPLES.search(question)
    if not m:
        return [groups]
    items = [t.strip() for t in re.split(r"、|,|，|;|；|\band\b|\bor\b|和|及", m.group(1) or m.group(2)) if t.strip()]
    by_surface = {g.surface.lower(): g for g in groups}
    topics = []
    for item in items:
        tg = [by_surface.get(g.surface.lower(), g) for g in lexicon.question_terms(item)]
        if tg:
            topics.append(tg)
    return topics or [groups]


def _is_entry_head(line: Line) -> bool:
    return line.text.lstrip().startswith("#") or bool(re.match(r"^\s*(?:\d{1,3}[.)、]|[-*]?\s*\[\d{1,3}\])\s", line.text))


def _entry_title(block: list[Line]) -> Line:
    first = block[0]
    if TAGGED.match(first.text) and len(block) > 1:
        return block[1]
    return first


def answer_prep(ctx: Context, lexicon: Lexicon, max_entries: int = 3) -> Answer:
    """Interview prep: the entries the question is about, their key facts, and questions grounded in them."""
    cid = ctx.order[0]
    ct = ctx.texts[cid]
    topics = prep_topics(lexicon, ctx.question, ctx.groups)
    pool = [ln.low for c in ctx.texts.values() for ln in c.lines]
    entries, used = [], set()
    for groups in topics:
        if any(g.weight == 1.0 and not g.absent for g in groups):
            idf_weights(groups, pool)
        ranked = score_lines(ct, groups, None, context=0)
        if not ranked or ranked[0][0] <= 0:
            continue
        top = ranked[0][0]
        for s, ln, _ in ranked:
            if s < (0.8 if len(topics) == 1 else 1.0) * top or len(entries) >= max_entries:
                break
            block = entry_block(ct, ln, limit=10)
            key = (block[0].doc_id, block[0].start)
            if key not in used:
                used.add(key)
                entries.append((groups, ln, block))
    if not entries:
        return abstain(ctx, [cid])
    zh = ctx.plan.lang == "zh"
    book = CitationBook(ctx.names)
    fact_rows, questions, evs = [], [], []
    for k, (groups, hit, block) in enumerate(entries):
        # the line that names what the question is about is the entry's title for the recruiter
        top_group = max(group_hits(groups, hit), key=lambda g: groups[g].weight, default=None)
        if TAGGED.match(block[0].text) or _is_entry_head(block[0]):
            title_line = _entry_title(block)
        else:
            title_line = next((l for l in block if top_group is not None and top_group in group_hits(groups, l)),
                              block[0])
        rest = [l for l in block if l is not title_line and not TAGGED.match(l.text) and not AUTHORS.search(l.text)]
        # the entry's lines with results (numbers) and the question's terms, best first
        rest.sort(key=lambda l: (-(len(group_hits(groups, l)) + 2 * bool(re.search(r"\d+(?:\.\d+)?%|\d{2,}", l.text))),
                                 -min(len(l.text), 120), l.index))
        facts = sorted([title_line] + rest[:3 if len(entries) == 1 else 2], key=lambda l: l.index)
        fevs = [to_evidence(ct, l, groups, 0.0, (), extra=NUMBER, max_chars=200) for l in facts]
        evs += fevs
        fact_rows.append(("；" if zh else "; ").join(f"{snippet(e.text, groups, 160 if len(entries) == 1 else 100)} {book.cite(e)}" for e in fevs))
        title = clean(title_line.text)
        detail_line = rest[0] if rest else title_line
        detail = snippet(detail_line.text, groups, 40)
        title_ev = next(e for e in fevs if e.start == title_line.start or e.start >= title_line.start)
        questions.append(f"{_question_for(title, detail, zh, 0)} {book.cite(title_ev)}")
        detail_ev = next((e for e in fevs if detail_line.start <= e.start < detail_line.end), fevs[-1])
        questions.append(f"{_question_for(title, detail, zh, 1)} {book.cite(detail_ev)}")
    head = f"{ctx.names[cid]} — 要点：" if zh else f"{ctx.names[cid]} — key facts:"
    qhead = "面试问题：" if zh else "Interview questions:"
    text = head + "\n" + "\n".join(f"- {r}" for r in fact_rows) + f"\n{qhead}\n" + \
        "\n".join(f"{i}. {q}" for i, q in enumerate(questions, 1))
    return Answer(text=text, citations=book.citations, intent="prep", candidate_ids=[cid], evidence=evs)
