"""Find CV section headings (Chinese and English) and split a document into section spans.

A heading is a short line whose label, once decoration is removed (markdown ``#``, ``**``, emoji,
icon glyphs, numbering, a trailing colon), names a known section. Long sentences that merely
mention "experience" are not headings. Spans are contiguous and cover the whole text.
"""
from __future__ import annotations

import re
from typing import NamedTuple

MAX_HEADING_CHARS = 30   # a label longer than this is a sentence, not a heading

# (keyword, section). Chinese: the longest keyword found wins ("科研经历" over "经历"). English:
# the earliest, then longest, keyword wins; English keywords match on word boundaries.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    # education
    ("教育经历", "education"), ("教育背景", "education"), ("学历", "education"), ("學歷", "education"),
    ("教育", "education"), ("education", "education"), ("academic background", "education"),
    ("coursework", "education"),
    # experience
    ("实习经历", "experience"), ("工作经历", "experience"), ("工作经验", "experience"),
    ("实习经验", "experience"), ("任职经历", "experience"), ("经历", "experience"),
    ("經歷", "experience"), ("experience", "experience"), ("experiences", "experience"),
    ("employment", "experience"), ("work history", "experience"), ("employment history", "experience"),
    ("internships", "experience"), ("internship", "experience"), ("career history", "experience"),
    # projects
    ("项目经历", "projects"), ("项目经验", "projects"), ("项目", "projects"), ("projects", "projects"),
    ("project experience", "projects"),
    # publications
    ("学术论文", "publications"), ("发表论文", "publications"), ("论文列表", "publications"),
    ("论文发表", "publications"), ("论文", "publications"), ("publications", "publications"),
    ("publication", "publications"), ("papers", "publications"), ("preprints", "publications"),
    ("patents", "publications"), ("talks", "publications"), ("presentations", "publications"),
    # awards
    ("获奖情况", "awards"), ("获奖经历", "awards"), ("荣誉", "awards"), ("奖项", "awards"),
    ("竞赛经历", "awards"), ("竞赛", "awards"), ("学术服务", "awards"), ("证书", "awards"),
    ("awards", "awards"), ("award", "awards"), ("honors", "awards"), ("honours", "awards"),
    ("accomplishments", "awards"), ("achievements", "awards"), ("certifications", "awards"),
    ("certification", "awards"), ("certificates", "awards"), ("licenses", "awards"),
    ("competitions", "awards"), ("academic service", "awards"), ("professional service", "awards"),
    # skills
    ("专业技能", "skills"), ("技能", "skills"), ("skills", "skills"), ("skill", "skills"),
    ("skill highlights", "skills"), ("technical skills", "skills"), ("languages", "skills"),
    ("competencies", "skills"), ("qualifications", "skills"), ("expertise", "skills"),
    ("technologies", "skills"),
    # research
    ("研究兴趣", "research"), ("研究方向", "research"), ("科研经历", "research"),
    ("科研经验", "research"), ("基金情况", "research"), ("research interests", "research"),
    ("research interest", "research"), ("research experience", "research"),
    ("research", "research"), ("grants", "research"), ("funding", "research"),
    # contact
    ("联系方式", "contact"), ("个人信息", "contact"), ("基本信息", "contact"), ("contact", "contact"),
    ("contact information", "contact"), ("personal information", "contact"),
    ("personal details", "contact"),
    # summary
    ("个人简介", "summary"), ("自我评价", "summary"), ("个人总结", "summary"), ("求职意向", "summary"),
    ("简介", "summary"), ("news", "summary"), ("about me", "summary"), ("about", "summary"),
    ("summary", "summary"), ("profile", "summary"), ("objective", "summary"),
    ("highlights", "summary"), ("overview", "summary"), ("career focus", "summary"),
    # other
    ("references", "other"), ("additional information", "other"), ("hobbies", "other"),
    ("interests", "other"), ("affiliations", "other"), ("activities", "other"),
    ("兴趣爱好", "other"), ("其他", "other"),
)

# A plain (non-markdown) English heading may only contain these words besides its keyword, so
# "Strong interpersonal skills" or "Research Assistant" (a bullet, a job title) are not headings.
_QUALIFIERS = frozenset("""
    and of the my in for professional work technical selected relevant academic key core other
    additional career personal history information details training recent main major areas area
    volunteer leadership teaching military computer language industry community extracurricular
    honors awards invited select summary profile executive me background tools
""".split())
_VOCAB = _QUALIFIERS | {w for k, _ in _KEYWORDS if k.isascii() for w in k.split()}
_CJK_GENERIC_MAX = 8    # a 2-3 character keyword (教育, 经历) must start/end a label this short
_CJK_SPECIFIC_MAX = 14  # a 4+ character keyword (教育经历) may sit inside a label this long

# Longest first, so the first hit is the most specific keyword.
_ORDERED = sorted(_KEYWORDS, key=lambda kv: -len(kv[0]))
_ASCII_KW = [(re.compile(r"(?<![a-z])" + re.escape(k) + r"(?![a-z])"), k, s)
             for k, s in _ORDERED if k.isascii()]
_CJK_KW = [(k, s) for k, s in _ORDERED if not k.isascii()]

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•·▪●◦]\s|\d+[.)]\s+\S.*[.,;，。；]$)")
_NUMBERING = re.compile(r"^(?:\d{1,2}[.、)]\s*|[一二三四五六七八九十]+[、.．]\s*|[ivx]+\.\s+)", re.I)
_CONTACT_RE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+"                       # email
    r"|(?:https?://|www\.)\S+|\b[\w-]+\.github\.io\b"  # url
    r"|(?:\+?\d[\d ()-]{7,}\d)"                       # phone-ish digit run (checked below)
)
_PREAMBLE_SCAN = 1000   # contact details sit at the top; URLs deep in a long preamble don't count
_SENTENCE_END = ("。", ".", "；", ";", "，", ",", "！", "!", "？", "?")


class SectionSpan(NamedTuple):
    section: str
    heading: str   # the heading as written, decoration removed ("" for the preamble)
    start: int
    end: int


def _clean_label(line: str) -> tuple[str, bool]:
    """Strip decoration from a candidate heading line. Returns (label, is_markdown_heading)."""
    s = line.strip()
    md = _MD_HEADING.match(s)
    if md:
        s = md.group(2)
    s = s.replace("**", "").replace("__", "").strip()
    # Leading/trailing icons, emoji, PUA glyphs, dashes, underscores: anything not a letter/digit.
    start, end = 0, len(s)
    while start < end and not s[start].isalnum():
        start += 1
    while end > start and not (s[end - 1].isalnum() or s[end - 1] in ")）"):
        end -= 1
    s = _NUMBERING.sub("", s[start:end]).strip()
    return s, bool(md)


def classify_heading(line: str) -> tuple[str, str] | None:
    """Return (section, heading_label) when ``line`` is a section heading, else None."""
    raw = line.strip()
    if not raw or len(raw) > 80 or _BULLET.match(raw):
        return None
    label, is_md = _clean_label(raw)
    if not label or len(label) > MAX_HEADING_CHARS:
        return None
    # "Skills: Python, Go" or "研究方向：模型融合" is a labelled value, not a heading.
    if ":" in label or "：" in label or "@" in label or "http" in label.casefold():
        return None
    if not is_md and raw.rstrip(":：").endswith(_SENTENCE_END):
        return None
    folded = " ".join(label.casefold().replace("&", " and ").split())
    if any(ch.isdigit() for ch in folded) and not is_md:
        return None
    section = _match_cjk(folded) if _has_cjk(folded) else _match_english(folded, strict=not is_md)
    return (section, label) if section else None


def _has_cjk(s: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in s)


def _match_cjk(folded: str) -> str | None:
    compact = "".join(ch for ch in folded if "\u3400" <= ch <= "\u9fff")
    for k, s in _CJK_KW:
        if len(k) >= 4:
            if k in compact and len(compact) <= _CJK_SPECIFIC_MAX:
                return s
        elif (compact.startswith(k) or compact.endswith(k)) and len(compact) <= _CJK_GENERIC_MAX:
            return s
    return None


def _match_english(folded: str, *, strict: bool) -> str | None:
    words = re.findall(r"[a-z]+", folded)
    if not words or len(words) > 6:
        return None
    if strict and any(w not in _VOCAB for w in words):
        return None
    # The earliest keyword names the section ("Education and Certification" is education),
    # the longest one at that position wins ("Research Experience" is research).
    joined = " ".join(words)
    best = None
    for rx, k, s in _ASCII_KW:
        m = rx.search(joined)
        if m and (best is None or (m.start(), -len(k)) < best[0]):
            best = ((m.start(), -len(k)), s)
    return best[1] if best else None


def _looks_like_contact(m: re.Match) -> bool:
    s = m.group()
    if s[0].isdigit() or s[0] == "+":
        # A phone has 9-15 digits; "2019 - 2023" (a date range) has 8.
        return 9 <= sum(ch.isdigit() for ch in s) <= 15
    return True


def _preamble_section(text: str) -> str:
    head = text[:_PREAMBLE_SCAN]
    return "contact" if any(_looks_like_contact(m) for m in _CONTACT_RE.finditer(head)) else "summary"


def split_sections(text: str) -> list[SectionSpan]:
    """Split ``text`` into contiguous section spans covering ``[0, len(text))``.

    Text before the first heading is "contact" if it holds an email/phone/url, else "summary".
    Markdown headings that name no known section (e.g. "### 01 - Project X") stay inside the
    current section instead of starting a new one.
    """
    if not text:
        return []
    heads: list[tuple[int, str, str]] = []   # (line start, section, label)
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        # Only short lines can be headings: skip long ones without slicing (cheap on 5 MB lines).
        if line_end - pos <= 80:
            hit = classify_heading(text[pos:line_end])
            if hit:
                heads.append((pos, hit[0], hit[1]))
        pos = line_end + 1
    spans: list[SectionSpan] = []
    first = heads[0][0] if heads else n
    if first > 0:
        spans.append(SectionSpan(_preamble_section(text[:first]), "", 0, first))
    for i, (start, section, label) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else n
        spans.append(SectionSpan(section, label, start, end))
    return spans
