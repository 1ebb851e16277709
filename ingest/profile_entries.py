"""Education and experience entries, read from the layout of their sections.

Education: a line naming a school starts an entry; degree, major, advisor and dates on it or on the
lines after it join that entry. Dates printed on lines of their own are paired with the entries by
position when that is unambiguous, else by order (latest start <-> highest degree), which is how
two-column CVs come out of PDF extraction (000: every date block after the last school).

Experience: a line with a date range (or the line before a date-only line) is an entry header; the
organisation and role are cut from the rest of it; the lines after it, up to the next header, are
what the candidate did there.
"""
from __future__ import annotations

import re

from .profile_model import EducationEntry, ExperienceEntry, Span
from .profile_text import DATE_RANGE, DATE_RX, CJK, Line, date_key, mk, segments, tokens, trim, unwrap

SCHOOL = re.compile(r"大学|学院|学校|中学|研究院|研究所|大學|學院|學校|University|College|Institute|School\b|"
                    r"Academy|Polytechnic|Universit[éàä]|Hochschule|\bIIT\b|\bMIT\b", re.I)
_LEVELS = [
    ("other", re.compile(r"博士后|博士後|post-?doc", re.I)),
    ("phd", re.compile(r"博士|Ph\.?\s?D\b|Ph\.D|D\.Phil|\bDoctor(?:ate|al)?\b", re.I)),
    ("master", re.compile(r"硕士|碩士|研究生|\bMasters?\b|\bM\.?S\.?c?\b\.?|\bM\.Eng\b|\bM\.?Tech\b|\bMBA\b|"
                          r"\bM\.A\.|\bM\.?Phil\b", re.I)),
    ("bachelor", re.compile(r"本科|学士|學士|\bBachelors?\b|\bB\.?S\.?c?\b\.?|\bB\.?Eng\b|\bB\.?Tech\b|"
                            r"\bB\.E\.|\bB\.A\.|\bUndergraduate\b", re.I)),
    ("other", re.compile(r"大专|大專|专科|專科|高中|\bAssociate(?:'s)? degree\b|\bDiploma\b|\bHigh School\b", re.I)),
]
_EN_DEGREE = re.compile(
    r"\b(?:(?:Bachelor|Master|Doctor)(?:'s|s)?(?:\s+of\s+(?:Science|Arts|Engineering|Philosophy|Technology|"
    r"Business Administration|Laws|Fine Arts|Education|Commerce|Computer Applications))?(?:\s+degree)?|"
    r"Ph\.?\s?D\.?|B\.?\s?Tech\.?|M\.?\s?Tech\.?|B\.?\s?Eng\.?|M\.?\s?Eng\.?|B\.?S\.?c?\.?|M\.?S\.?c?\.?|"
    r"B\.A\.|M\.A\.|MBA|M\.?Phil\.?|Undergraduate|Post-?doc(?:toral)?(?:\s+(?:Fellow|Researcher))?)(?![A-Za-z])",
    re.I)
_RANK = {"phd": 3, "master": 2, "bachelor": 1, "other": 0, None: 0}
_ADVISOR = re.compile(
    r"(?:导师|指导(?:老师|教师)|合作导师)\s*[:：]?\s*(?P<zh>[\u4e00-\u9fff]{2,4}?)(?=教授|副教授|研究员|老师|博士|院士|$|[\s,，。;；、)）])"
    r"|(?:advis(?:or|er)|supervisor|advised by|supervised by)\s*[:：]?\s*(?:Prof(?:essor)?\.?\s+|Dr\.?\s+)?"
    r"(?P<en>[A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){1,2})", re.I)
_SKIP_SEG = re.compile(r"曾获|获得|荣获|奖|GPA|绩点|排名|\brank|课程|courses?\b|thesis|论文|研究方向|荣誉|"
                       r"honou?rs?\b|awards?\b|scholarship|dissertation", re.I)
_FIELDISH = re.compile(r"学|工程|科学|技术|管理|专业|数学|物理|化学|经济|金融|法|医|文|艺术|设计|信息|计算机|"
                       r"软件|通信|电子|"
                       r"自动化|机械|生物|材料|环境|统计|会计|智能|系$")
_FIELD_LABEL = re.compile(r"(?:专业|主修|major|field|方向)\s*[:：]\s*", re.I)


def degree_level(text: str) -> str | None:
    for level, rx in _LEVELS:
        if rx.search(text):
            return level
    return None


def _date_only(doc: str, line: Line, m: re.Match) -> bool:
    """The line holds nothing but the date range ``m`` (matched on ``doc``)."""
    rest = doc[line.start:m.start()] + doc[m.end():line.end]
    return not re.search(r"\w", re.sub(r"[\s\-–—|｜*_:：,，()（）]", "", rest))


def _set_dates(doc: str, entry, m: re.Match, offset: int) -> None:
    entry.start = mk(doc, offset + m.start("start"), offset + m.end("start"))
    which = "now" if m.group("now") else "end"
    entry.end = mk(doc, offset + m.start(which), offset + m.end(which))


# ---- education -----------------------------------------------------------------------------------
def _read_edu_line(doc: str, line: Line, entry: EducationEntry, dept: dict) -> None:
    """Fill ``entry`` from one line: dates, degree (+ major after it), school, advisor."""
    s, e = line.body
    dm = DATE_RANGE.search(doc, s, e)
    mask = [(dm.start(), dm.end())] if dm else []
    if dm and entry.start is None and entry.end is None:
        _set_dates(doc, entry, dm, 0)
    elif SCHOOL.search(doc, s, e) or degree_level(doc[s:e]):
        single = DATE_RX.search(doc, s, e)      # "January 2019 B.Tech ...": one date, the end
        if single and entry.end is None and entry.start is None:
            entry.end = mk(doc, single.start(), single.end())
            mask = [(single.start(), single.end())]
    prev = ""      # what the piece before this one was: "degree" / "school" / ""
    for a, b in segments(doc, s, e, mask=mask):
        seg = doc[a:b]
        if _SKIP_SEG.search(seg) and not SCHOOL.match(seg):
            prev = ""
            continue
        for pa, pb in (tokens(doc, a, b) if CJK.search(seg) else [(a, b)]):
            prev = _read_piece(doc, pa, pb, e, entry, dept, prev)


def _read_piece(doc: str, pa: int, pb: int, line_end: int, entry: EducationEntry, dept: dict,
                prev: str) -> str:
    piece = doc[pa:pb]
    adv = _ADVISOR.search(piece)
    if adv:
        g = "zh" if adv.group("zh") else "en"
        entry.advisor = entry.advisor or mk(doc, pa + adv.start(g), pa + adv.end(g))
        return ""
    fl = _FIELD_LABEL.match(piece)
    if fl:
        entry.field = entry.field or mk(doc, pa + fl.end(), pb)
        return ""
    level = degree_level(piece)
    en = _EN_DEGREE.search(piece) if level and not CJK.search(piece) else None
    if level and (en or not SCHOOL.search(piece)):
        if entry.degree_text is None:
            entry.degree_level = level
            if en:
                entry.degree_text = mk(doc, pa + en.start(), pa + en.end(), extra=",，:：;；")
                _en_tail(doc, entry, pa + en.end(), pb)
            else:
                entry.degree_text = mk(doc, pa, pb)
        return "" if en else "degree"
    if SCHOOL.search(piece):
        if entry.school is None:
            # "University of California, Berkeley": a short capitalised place after a comma
            ext = re.match(r",\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=\s*(?:[|｜\t]|\s{2}|$))", doc[pb:line_end])
            pb2 = pb + ext.end() if ext and not CJK.search(piece) else pb
            entry.school = mk(doc, pa, pb2, extra=",，:：;；|｜")
        elif id(entry) not in dept and CJK.search(piece):
            dept[id(entry)] = mk(doc, pa, pb)     # "计算机科学与技术学院": the department
        return "school"
    short = len(piece) <= 40 and not re.search(r"\d", piece)
    if prev == "degree" and entry.field is None and short:
        entry.field = mk(doc, pa, pb)
    elif prev == "school" and short and CJK.search(piece) and _FIELDISH.search(piece):
        dept.setdefault((id(entry), "major"), mk(doc, pa, pb))   # "北京大学 计算机科学 本科"
    return ""


def _en_tail(doc: str, entry: EducationEntry, a: int, b: int) -> None:
    """What follows an English degree: "in Communication Engineering[, at School]"."""
    rest = re.match(r"[\s.]*(?:\(|[-–,:]|\bin\b|\bof\b)?\s*", doc[a:b], re.I)
    a += rest.end()
    tail = doc[a:b]
    cut = re.search(r",\s*|\s+(?:at|from)\s+", tail)
    if cut and SCHOOL.search(tail[cut.end():]):
        if entry.school is None:
            entry.school = mk(doc, a + cut.end(), b)
        b = a + cut.start()
        tail = doc[a:b]
    if tail and not SCHOOL.search(tail) and entry.field is None and len(tail) <= 60:
        entry.field = mk(doc, a, b, extra=",，:：;；()（）")
    elif SCHOOL.search(tail) and entry.school is None:
        entry.school = mk(doc, a, b)


_EDU_LABEL = re.compile(r"^(?:学历|學歷|教育(?:背景|经历|經歷)?|Education)\s*[:：]\s*", re.I)
_EXP_LABEL = re.compile(r"^(?:经历|經歷|工作(?:经历|經歷|经验|經驗)|实习经历|實習經歷|(?:Work )?Experience)\s*[:：]\s*",
                        re.I)


def _section_lines(lines: list[Line], section: str, label: re.Pattern) -> list[Line]:
    """The section's lines, plus labelled lines elsewhere ("學歷：國立臺灣大學 ...", value part only)."""
    out = []
    for ln in lines:
        if ln.is_heading:
            continue
        if ln.section == section:
            out.append(ln)
            continue
        m = label.match(ln.text)
        if m and m.end() < len(ln.text):
            out.append(Line(ln.start + m.end(), ln.end, ln.text[m.end():], section, ln.heading, ln.index,
                            ln.indent))
    return out


def education(doc: str, lines: list[Line]) -> list[EducationEntry]:
    edu = _section_lines(lines, "education", _EDU_LABEL)
    entries: list[EducationEntry] = []
    dept: dict = {}     # id(entry) -> department; (id(entry), "major") -> a major written before the degree
    loose: list[tuple[int, re.Match]] = []   # (entries seen so far, date match)
    for ln in edu:
        s, e = ln.body
        dm = DATE_RANGE.search(doc, s, e)
        if dm and _date_only(doc, ln, dm):
            loose.append((len(entries), dm))
            continue
        kept = [doc[a:b] for a, b in segments(doc, s, e) if not _SKIP_SEG.search(doc[a:b])]
        has_school = any(SCHOOL.search(x) for x in kept)
        has_degree = any(degree_level(x) for x in kept)
        if not (has_school or has_degree or entries):
            continue
        cur = entries[-1] if entries else None
        new = cur is None
        if cur is not None and has_school and cur.school is not None and not _only_department(doc, ln, cur):
            new = True
        if cur is not None and not has_school and has_degree and cur.degree_text is not None:
            new = True
        if cur is not None and has_school and cur.school is None and cur.degree_text is not None:
            new = False
        if new:
            if not (has_school or has_degree):
                continue
            inherit = cur.school if (cur is not None and not has_school) else None
            entries.append(EducationEntry(school=inherit))
            cur = entries[-1]
        _read_edu_line(doc, ln, cur, dept)
    _pair_loose_dates(doc, entries, loose)
    for en in entries:
        if en.field is None:
            en.field = dept.get((id(en), "major")) or dept.get(id(en))
        if en.degree_level is None and en.degree_text is not None:
            en.degree_level = degree_level(en.degree_text.value) or "other"
    return [en for en in entries if en.school is not None or en.degree_text is not None]


def _only_department(doc: str, ln: Line, cur: EducationEntry) -> bool:
    """A degree line that names a college ("本科 计算机学院") continues the entry above it."""
    s, e = ln.body
    body = doc[s:e]
    return cur.degree_text is None and degree_level(body) is not None and bool(
        re.search(r"学院|系|School of|Department|Faculty", body)) and not re.search(r"大学|University", body)


def _pair_loose_dates(doc: str, entries: list[EducationEntry], loose: list[tuple[int, re.Match]]) -> None:
    undated = [i for i, en in enumerate(entries) if en.start is None and en.end is None]
    if not loose or not undated:
        return
    # Position: a date line belongs to the entry above it (or the first, before any entry).
    by_pos: dict[int, list[re.Match]] = {}
    for seen, m in loose:
        by_pos.setdefault(max(0, seen - 1), []).append(m)
    positional = all(len(v) == 1 and k in undated for k, v in by_pos.items()) and \
        all(i in by_pos for i in undated)
    if positional:
        for i, (m,) in by_pos.items():
            _set_dates(doc, entries[i], m, 0)
        return
    # Order: the latest start goes with the highest degree.
    dates = sorted((m for _, m in loose), key=lambda m: date_key(m.group("start")), reverse=True)
    targets = sorted(undated, key=lambda i: -_RANK.get(entries[i].degree_level, 0))
    for i, m in zip(targets, dates):
        _set_dates(doc, entries[i], m, 0)


# ---- experience ----------------------------------------------------------------------------------
ROLE = re.compile(
    r"实习生|实习|實習|工程师|工程師|研究员|研究員|科学家|科學家|经理|經理|总监|總監|主管|专员|專員|顾问|顧問|助理|"
    r"助教|架构师|架構師|设计师|設計師|分析师|分析師|负责人|負責人|主任|"
    r"总裁|董事|教授|讲师|博士后|开发者?|研究(?:型)?岗|算法岗|\bIntern(?:ship)?\b|Engineer|Developer|Scientist|"
    r"Researcher|Manager|Director|Analyst|Consultant|Architect|Designer|\bLead\b|Assistant|Associate|"
    r"Specialist|Officer|employee|\bStaff\b|Fellow|\bHead\b|President|\bCEO\b|\bCTO\b|Founder|Programmer|"
    r"Administrator|Coordinator|Technician|Teacher|Professor|Lecturer|Advocate|Accountant|Executive|"
    r"Trainee|Apprentice|Volunteer", re.I)
_ORG = re.compile(r"公司|集团|集團|实验室|實驗室|研究院|团队|團隊|Inc\b|LLC|Ltd|Corp|Company|GmbH|Group|Lab\b|Labs\b|"
                  r"Technologies|University|大学|Bank|Institute", re.I)
_INTERN = re.compile(r"实习|實習|intern", re.I)
_FULL = re.compile(r"全职|正式员工|full[- ]?time|full employee|permanent", re.I)
_EMPLOY_HEADING = re.compile(r"工作|任职|work|employment|professional|career", re.I)
_RULE = re.compile(r"^[\s\-–—=_*|｜]+$")


def _header_parts(doc: str, a: int, b: int) -> tuple[Span | None, Span | None]:
    """(organisation, role) from the part of a header line that is not its dates."""
    a, b = trim(doc, a, b, extra=":：,，;；|｜")
    text = doc[a:b]
    m = re.match(r"^(?:\d{1,2}[.)、]\s*)?(?P<role>[A-Za-z][\w .,&/'-]*?)\s+(?:in|at|@)\s+(?P<org>.+)$", text)
    if m and ROLE.search(m.group("role")):
        return (mk(doc, a + m.start("org"), a + m.end("org"), extra=":：,，;；|｜()"),
                mk(doc, a + m.start("role"), a + m.end("role")))
    parts = segments(doc, a, b, sep=r"\t|\s{2,}|[|｜]|\s[-–—·•@]\s|[,，]\s*")
    if len(parts) >= 2:
        roles = [p for p in parts if ROLE.search(doc[p[0]:p[1]]) and not _ORG.search(doc[p[0]:p[1]])]
        role = roles[0] if roles else None
        others = [p for p in parts if p != role]
        org = next((p for p in others if _ORG.search(doc[p[0]:p[1]])), others[0] if others else None)
        return (mk(doc, *org) if org else None, mk(doc, *unwrap(doc, *role)) if role else None)
    toks = tokens(doc, a, b, merge_parens=False)
    if len(toks) >= 2:
        last = unwrap(doc, *toks[-1])
        if ROLE.search(doc[last[0]:last[1]]) and not _ORG.search(doc[last[0]:last[1]]):
            return mk(doc, toks[0][0], toks[-2][1]), mk(doc, *last)
    return mk(doc, a, b), None


def experience(doc: str, lines: list[Line]) -> list[ExperienceEntry]:
    exp = _section_lines(lines, "experience", _EXP_LABEL)
    out: list[ExperienceEntry] = []
    headers: set[int] = set()
    for i, ln in enumerate(exp):
        s, e = ln.body
        dm = DATE_RANGE.search(doc, s, e)
        if not dm or len(ln.text) > 200:
            continue
        if ln.is_bullet and not _date_only(doc, ln, dm) and not (
                e - s <= 80 and (dm.start() - s <= 2 or e - dm.end() <= 2)):
            continue     # a dated sentence inside an entry; "- 2019.07-2021.06 字节跳动 算法工程师" is a header
        if _date_only(doc, ln, dm):
            j = i - 1
            while j >= 0 and _RULE.match(exp[j].text):
                j -= 1
            if j < 0 or j in headers or exp[j].is_bullet or DATE_RANGE.search(doc, exp[j].start, exp[j].end):
                continue
            hs, he = exp[j].body
            org, role = _header_parts(doc, hs, he)
            header, first = mk(doc, exp[j].start, exp[j].end), j
        else:
            org_a = _header_parts(doc, s, dm.start())
            org_b = _header_parts(doc, dm.end(), e) if not org_a[0] else (None, None)
            org, role = org_a if org_a[0] else org_b
            header, first = mk(doc, ln.start, ln.end), i
        headers.update({first, i})
        entry = ExperienceEntry(organisation=org, role=role, header=header)
        _set_dates(doc, entry, dm, 0)
        entry.details = _details(doc, exp, i + 1)
        entry.kind = _kind(doc[header.start:header.end] if header else "", role, ln.heading)
        out.append(entry)
    return out


def _details(doc: str, exp: list[Line], k: int, limit: int = 12) -> list[Span]:
    out: list[Span] = []
    while k < len(exp) and len(out) < limit:
        ln = exp[k]
        dm = DATE_RANGE.search(doc, ln.start, ln.end)
        if dm and (not ln.is_bullet or _date_only(doc, ln, dm)):
            break
        if k + 1 < len(exp) and not ln.is_bullet and not ln.text.startswith("#"):
            nxt = DATE_RANGE.search(doc, exp[k + 1].start, exp[k + 1].end)
            if nxt and _date_only(doc, exp[k + 1], nxt):
                break
        if not _RULE.match(ln.text):
            sp = mk(doc, *ln.body)
            if sp:
                out.append(sp)
        k += 1
    return out


def _kind(header: str, role: Span | None, heading: str) -> str:
    said = " ".join([header, role.value if role else ""])
    if _INTERN.search(said):
        return "internship"
    if _FULL.search(said):
        return "full-time"
    if _INTERN.search(heading):
        return "internship"
    if _EMPLOY_HEADING.search(heading):
        return "full-time"
    return "other"
