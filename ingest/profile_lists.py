"""Contact details, awards, skills, research areas and protected attributes: spans of the CV.

Contact values come from the contact block (the preamble before the first heading, or a Contact
section) or a labelled line ("Email: ..."); author-profile links (Google Scholar, Semantic Scholar,
DBLP, ORCID) are taken anywhere. Protected attributes reuse ``ingest.protected`` and are kept only
so rankings can leave them out.
"""
from __future__ import annotations

import re

from .profile_model import Award, Contact, Link, ProtectedAttr, Span
from .profile_text import DATE_RANGE, DATE_RX, MAX_CHARS, YEAR_RX, Line, mk, split_items, trim
from .protected import protected_spans

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:\(\+?\d{1,3}\)\s*|\+\d{1,3}[\s\-]?)?(?<![\d.])1[3-9]\d{9}(?![\d.])"
                   r"|(?:\+?\d{1,3}[\s.\-]?)?\(?(?<![\d.])\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}(?![\d.])")
URL = re.compile(r"https?://[^\s<>()\[\]\"'，。）]+|(?<![\w./@-])(?:www\.)?[\w\-]+(?:\.[\w\-]+)*\.github\.io(?:/[^\s<>()\]]*)?"
                 r"|(?<![\w./@-])(?:www\.)?(?:github\.com|linkedin\.com|scholar\.google\.[a-z.]+)/[^\s<>()\]，。]+")
_SCHOLAR = re.compile(r"scholar\.google|semanticscholar\.org/author|dblp\.(?:org|uni-trier\.de)/pid|orcid\.org", re.I)
_CONTACT_LABEL = re.compile(r"(?<![A-Za-z])(?:e-?mail|邮箱|电子邮件|phone|mobile|tel|电话|手机|homepage|主页|"
                            r"个人主页|blog|博客|"
                            r"website|github|linkedin)\s*[:：]", re.I)
_CONTACT_HEAD_CHARS = 600


def _contact_zone(lines: list[Line]) -> list[Line]:
    zone = [ln for ln in lines if ln.section == "contact"]
    if not zone:
        zone = [ln for ln in lines if ln.start < _CONTACT_HEAD_CHARS and ln.section in ("summary", "other")
                and not ln.heading]
    labelled = [ln for ln in lines if _CONTACT_LABEL.search(ln.text) and len(ln.text) <= 160]
    seen = {id(ln) for ln in zone}
    return zone + [ln for ln in labelled if id(ln) not in seen]


def _link_kind(url: str) -> str:
    low = url.lower()
    if _SCHOLAR.search(low):
        return "scholar"
    if "linkedin.com" in low:
        return "linkedin"
    if re.search(r"github\.com/[\w\-]+/?$", low):
        return "github"
    if "github.com/" in low:
        return "other"     # a repository, not a profile
    return "homepage"


def contact(doc: str, lines: list[Line]) -> Contact:
    c = Contact()
    seen: set[str] = set()

    def add(lst: list, value, key: str) -> None:
        if key not in seen:
            seen.add(key)
            lst.append(value)

    for ln in _contact_zone(lines):
        if ln.end - ln.start > 1000:     # a contact block line is short; read a long one's head only
            ln = Line(ln.start, ln.start + 1000, ln.text[:1000], ln.section, ln.heading, ln.index, ln.indent)
        for m in EMAIL.finditer(doc, ln.start, ln.end):
            sp = mk(doc, m.start(), m.end(), extra=".")
            if sp:
                add(c.emails, sp, "e:" + sp.value.lower())
        for m in PHONE.finditer(doc, ln.start, ln.end):
            if DATE_RANGE.search(m.group()) or not 7 <= sum(ch.isdigit() for ch in m.group()) <= 15:
                continue
            add(c.phones, Span(m.group(), m.start(), m.end()), "p:" + re.sub(r"\D", "", m.group()))
        for m in URL.finditer(doc, ln.start, ln.end):
            sp = mk(doc, m.start(), m.end(), extra=".,;:>")
            if sp and "@" not in sp.value:
                kind = _link_kind(sp.value)
                if kind != "other":
                    add(c.links, Link(kind, sp), "u:" + sp.value.lower().rstrip("/"))
    head = doc[:MAX_CHARS]
    low = head.lower()
    has_profile = any(k in low for k in ("scholar", "dblp", "orcid"))
    # author profiles anywhere ("Please see the full paper list in [Semantic Scholar](...)")
    for hit in _SCHOLAR.finditer(head) if has_profile else ():
        a = doc.rfind("\n", 0, hit.start()) + 1
        b = doc.find("\n", hit.end(), hit.end() + 2000)
        for m in URL.finditer(doc, max(a, hit.start() - 2000), hit.end() + 2000 if b < 0 else b):
            if m.start() <= hit.start() < m.end():
                sp = mk(doc, m.start(), m.end(), extra=".,;:>")
                if sp:
                    add(c.links, Link("scholar", sp), "u:" + sp.value.lower().rstrip("/"))
    return c


# ---- awards --------------------------------------------------------------------------------------
_SERVICE = re.compile(r"审稿|reviewer|program committee|\bPC\b|教学助理|助教|teaching|学术服务|service|志愿|"
                      r"volunteer|member|会员|社团|组织", re.I)
_AWARD_LABEL = re.compile(r"荣誉|奖|honou?rs?|awards?|prizes?|competitions?|竞赛", re.I)
_DESC = re.compile(r"^(?:背景|内容|效果|描述|职责|成果|Description|Details?)\s*[:：]", re.I)
_LOOSE_WHEN = re.compile(r"^(?:(?:19|20)\d{2}\s*年?|本科|硕士|博士|研究生)(?:期间|阶段)?$")
_RULE = re.compile(r"^[\s\-–—=_*|｜]+$")


def awards(doc: str, lines: list[Line]) -> list[Award]:
    out: list[Award] = []
    sec = [ln for ln in lines if ln.section == "awards" and not ln.is_heading]
    mode = "award"
    block: list[Award] = []          # items since the last label, for a column of dates printed apart
    loose: list[Span] = []

    def flush() -> None:
        if loose and len(loose) == len(block) and all(a.date is None for a in block):
            for a, d in zip(block, loose):
                a.date = d
                y = YEAR_RX.search(d.value)
                a.year = Span(y.group(), d.start + y.start(), d.start + y.end()) if y else None
        block.clear()
        loose.clear()

    for ln in sec:
        s, e = ln.body
        body = doc[s:e]
        if _RULE.match(ln.text) or not re.search(r"\w", body):
            continue
        if _LOOSE_WHEN.match(body):
            sp = mk(doc, s, e)
            if sp:
                loose.append(sp)
            continue
        if loose:
            flush()
        short_label = len(body) <= 12 and not re.search(r"\d", body)
        if short_label and _SERVICE.search(body):
            flush()
            mode = "skip"
            continue
        if short_label and _AWARD_LABEL.search(body) and len(body) <= 6:
            flush()
            mode = "award"
            continue
        if mode == "skip" or _DESC.match(body) or len(body) > 150 or (ln.indent >= 2 and ln.is_bullet):
            continue
        award = _award_item(doc, s, e)
        if award:
            out.append(award)
            block.append(award)
    flush()
    return out


def _award_item(doc: str, s: int, e: int) -> Award | None:
    num = re.match(r"\d{1,2}\s*[-.、]\s*", doc[s:e])
    if num:
        s += num.end()
    dm = DATE_RANGE.search(doc, s, e) or DATE_RX.search(doc, s, e)
    text_end = e
    date = None
    if dm and (dm.end() >= e - 2 or dm.start() == s):
        date = mk(doc, dm.start(), dm.end())
        text = mk(doc, s, dm.start()) if dm.start() > s else mk(doc, dm.end(), e)
    else:
        text = mk(doc, s, text_end)
    if text is None:
        return None
    year_src = date or text
    y = YEAR_RX.search(year_src.value)
    year = Span(y.group(), year_src.start + y.start(), year_src.start + y.end()) if y else None
    return Award(text=text, date=date, year=year)


# ---- skills and research areas -------------------------------------------------------------------
_LABEL = re.compile(r"^(?P<label>[^:：]{1,30}?)\s*[:：]\s*")


_SKILLS_END = re.compile(r"^(?:company|description|project|client|position|education)\s*(?:details\s*$|-\s)"
                         r"|^[A-Z][A-Za-z ]{2,30} Details\s*$", re.I)
_NOT_SKILL = re.compile(r"^(?:[\d\s.+%/-]+|skills?|years?|level|proficiency|技能|熟练度)$", re.I)


def skills(doc: str, lines: list[Line]) -> list[Span]:
    out: list[Span] = []
    stopped_at: int | None = None     # index of the heading line whose block turned into something else
    block = -1
    for ln in lines:
        if ln.is_heading:
            block = ln.index
        if ln.section != "skills" or ln.is_heading:
            continue
        if _SKILLS_END.search(ln.text):
            stopped_at = block
        if stopped_at == block:
            continue
        s, e = ln.body
        lab = _LABEL.match(doc[s:e])
        a = s + lab.end() if lab else s
        items = split_items(doc, a, e)
        if len(items) >= 2 or lab:
            for ia, ib in items:
                sp = mk(doc, ia, ib)
                if sp and len(sp.value) <= 80 and not _NOT_SKILL.match(sp.value):
                    out.append(sp)
        elif len(doc[s:e]) <= 200:
            sp = mk(doc, s, e)
            if sp and not _NOT_SKILL.match(sp.value):
                out.append(sp)
    return out


_INTEREST_HEAD = re.compile(r"研究方向|研究兴趣|研究领域|research interests?|research areas?|interests", re.I)
_ZH_INTEREST = re.compile(r"研究(?:方向|兴趣|领域)[^:：。\n]{0,8}?(?:为|是|包括|围绕|集中于|[:：])\s*(?P<v>[^。\n]+)")
_EN_INTEREST = re.compile(r"research interests?(?:\s+(?:focus(?:es)?|lie|lies|are|is|include|includes|center|"
                          r"centre)(?:\s+(?:on|in|around))?)?\s*[:：]?\s*(?P<v>[^.;\n]*)", re.I)
_TRAILER = re.compile(r",?\s*(?:including|such as|especially|e\.g\.)\s*:?\s*$", re.I)


def research_areas(doc: str, lines: list[Line]) -> list[Span]:
    out: list[Span] = []
    seen: set[str] = set()

    def add(a: int, b: int) -> None:
        a, b = trim(doc, a, b, extra=":：,，;；.。、在")
        sp = mk(doc, a, b)
        if sp and len(sp.value) <= 60 and sp.value.casefold() not in seen:
            seen.add(sp.value.casefold())
            out.append(sp)

    for i, ln in enumerate(lines):
        zh = _ZH_INTEREST.search(ln.text)
        en = _EN_INTEREST.search(ln.text) if not zh else None
        if zh or (en and en.group("v").strip()):
            m, off = (zh or en), ln.start
            va, vb = off + m.start("v"), off + m.end("v")
            t = _TRAILER.search(doc[va:vb])
            if t:
                vb = va + t.start()
            for a, b in split_items(doc, va, vb, seps=",;，；、|") if vb > va else []:
                for x, y in _split_and(doc, a, b):
                    add(x, y)
        if en or zh or (ln.section == "research" and ln.is_heading and _INTEREST_HEAD.search(ln.text)):
            # the bulleted or bold-labelled items that follow ("* complex reasoning: ...")
            for nxt in lines[i + 1:i + 12]:
                if nxt.is_heading or (not nxt.is_bullet and not nxt.text.startswith("**")):
                    if nxt.is_heading or out:
                        break
                    continue
                s, e = nxt.body
                bold = re.match(r"\*\*(?P<v>[^*]{1,40}?)[:：]?\*\*", doc[s:e])
                lab = bold or re.match(r"(?P<v>[^:：]{1,50}?)\s*[:：]", doc[s:e])
                if lab:
                    add(s + lab.start("v"), s + lab.end("v"))
                elif len(doc[s:e]) <= 50:
                    add(s, e)
    return out


def _split_and(doc: str, a: int, b: int) -> list[tuple[int, int]]:
    cuts = [m for m in re.finditer(r"\s+和\s+|\s+and\s+|\s*以及\s*|\s*及\s+", doc[a:b])]
    out, pos = [], a
    for m in cuts:
        out.append((pos, a + m.start()))
        pos = a + m.end()
    out.append((pos, b))
    return out


def protected(doc: str) -> list[ProtectedAttr]:
    out = []
    for kind, s, e in protected_spans(doc[:MAX_CHARS]):
        sp = Span(doc[s:e], s, e)
        if sp.value.strip():
            out.append(ProtectedAttr(kind, sp))
    return out
