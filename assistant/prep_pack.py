"""Interview-prep pack for one candidate, built from the stored profile: a cited summary, points to
probe (claims to verify, gaps between dates, JD requirements without evidence) and 8–12 questions,
each grounded in a cited span of the CV."""
from __future__ import annotations

import re

from recruiter.assistant.answer import Answer, CitationBook
from recruiter.assistant.evidence import CandidateText, Evidence, span_evidence
from recruiter.assistant.snippets import clean
from recruiter.ingest.profile import date_key

_CLAIM = re.compile(r"\d+(?:\.\d+)?\s*%|\+\s*\d+(?:\.\d+)?\s*(?:PP|pp|分|点)|\d+(?:\.\d+)?[kK万]\+?\s*(?:stars?|star|下载)|"
                    r"SOTA|state[- ]of[- ]the[- ]art|首次|first to", re.I)
LEVELS = {"phd": ("PhD", "博士"), "master": ("Master's", "硕士"), "bachelor": ("Bachelor's", "本科"),
          "other": ("Degree", "学历")}


def _ev(ct: CandidateText, doc_id: str, span: dict | None) -> Evidence | None:
    return span_evidence(ct, doc_id, span["start"], span["end"]) if span else None


def _v(span: dict | None) -> str:
    return clean(span["value"]) if span else ""


def _gaps(entries: list[dict]) -> list[tuple[dict, dict]]:
    """Stretches of more than six months that no education or experience entry covers:
    (the entry that ended before the gap, the entry that started after it)."""
    def months(span: dict) -> int | None:
        y, m = date_key(span["value"]) if span else (0, 0)
        return None if y == 0 else (min(y, 2100) * 12 + max(m, 1))

    dated = [(months(e.get("start")), months(e.get("end")), e) for e in entries if e.get("start") and e.get("end")]
    dated = sorted((a, b, e) for a, b, e in dated if a is not None and b is not None)
    gaps, reach, last = [], None, None
    for start, end, e in dated:
        if reach is not None and start - reach > 6:
            gaps.append((last, e))
        if reach is None or end > reach:
            reach, last = end, e
    return gaps


def prep_pack(ct: CandidateText, profile: dict, name: str, *, lang: str = "en",
              jd_gaps: list[str] = (), max_questions: int = 12) -> Answer:
    zh = lang == "zh"
    book = CitationBook({ct.candidate.id: name})
    doc_id = profile["doc_id"]
    lines: list[str] = [f"# {name} — {'面试准备' if zh else 'interview prep'}", "",
                        f"## {'概要' if zh else 'Summary'}"]
    questions: list[str] = []
    evs: list[Evidence] = []

    def cite(span) -> str:
        ev = _ev(ct, doc_id, span)
        if ev is None:
            return ""
        evs.append(ev)
        return book.cite(ev)

    for e in profile.get("education", []):
        level = LEVELS.get(e.get("degree_level") or "other", LEVELS["other"])[1 if zh else 0]
        lines.append(f"- {level}: {_v(e.get('school'))} {_v(e.get('start'))}–{_v(e.get('end'))} "
                     f"{cite(e.get('school'))}{cite(e.get('start'))}".rstrip())
    for e in profile.get("experience", [])[:4]:
        lines.append(f"- {_v(e.get('organisation'))} {_v(e.get('role'))} {_v(e.get('start'))}–{_v(e.get('end'))} "
                     f"{cite(e.get('header') or e.get('organisation'))}")
        org = _v(e.get("organisation")) or _v(e.get("header"))[:40]
        questions.append((f"在{org}期间，你负责的最重要的一项工作是什么？你的具体贡献和结果如何？" if zh else
                          f"At {org}, what was the most important thing you owned, and what came of it?")
                         + " " + cite(e.get("header") or e.get("organisation")))
    pubs = sorted(profile.get("publications", []),
                  key=lambda p: {"first": 0, "co-first": 1}.get(p.get("author_position"), 2))[:4]
    for p in pubs:
        pos = p.get("author_position")
        lines.append(f"- {_v(p.get('title'))[:90]} {_v(p.get('venue'))} ({pos}) {cite(p.get('title'))}")
        title = _v(p.get("title"))[:60]
        questions.append((f"「{title}」：核心想法是什么？你本人负责哪部分？" if zh else
                          f"“{title}”: what is the key idea, and which part was yours?") + " " + cite(p.get("title")))
    lines += ["", f"## {'需要核实的要点' if zh else 'Points to probe'}"]
    claims = [d for e in profile.get("experience", []) for d in e.get("details", []) if _CLAIM.search(d["value"])][:3]
    for d in claims:
        short = _v(d)[:80]
        lines.append(f"- {'待核实的结果' if zh else 'Claim to verify'}: {short} {cite(d)}")
        questions.append((f"简历写到「{short[:40]}」——怎么测的？基线是什么？" if zh else
                          f"You report “{short[:50]}” — how was it measured, against what baseline?") + " " + cite(d))
    for older, newer in _gaps(profile.get("experience", []) + profile.get("education", []))[:2]:
        a, b = _v(older.get("end")), _v(newer.get("start"))
        lines.append(f"- {'时间空档' if zh else 'Gap'}: {a} → {b} {cite(older.get('end'))}{cite(newer.get('start'))}")
        questions.append((f"{a} 到 {b} 之间你在做什么？" if zh else f"What were you doing between {a} and {b}?")
                         + " " + cite(older.get("end")))
    for req in jd_gaps[:3]:
        lines.append(f"- {'岗位要求暂无简历证据' if zh else 'JD requirement without evidence'}: {req[:100]}")
    for e in profile.get("education", []):
        if len(questions) >= 8:
            break
        school = _v(e.get("school"))
        questions.append((f"在{school}的学习中，哪段研究或课程与这个岗位最相关？" if zh else
                          f"What from your time at {school} is most relevant to this role?") + " " + cite(e.get("school")))
    questions = [q for q in questions if q.strip()][:max_questions]
    lines += ["", f"## {'面试问题' if zh else 'Interview questions'}"] + [f"{i}. {q}" for i, q in enumerate(questions, 1)]
    return Answer(text="\n".join(lines), citations=book.citations, intent="prep", candidate_ids=[ct.candidate.id],
                  evidence=evs)
