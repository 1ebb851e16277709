"""Line-level evidence: the lines of a candidate's CV that answer a question, as exact spans.

A passage (~400 chars) is the retrieval unit; the line is the citation unit, so an answer cites the
line that says it, and a long line is narrowed to the sentences that carry the question's terms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from recruiter.assistant.lexicon import TermGroup, line_stems, matches
from recruiter.ingest.models import Candidate, Document, Passage
from recruiter.ingest.sections import classify_heading

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
URL = re.compile(r"https?://[^\s<>()\]]+|\b[\w\-]+\.github\.io\b|\bgithub\.com/[\w\-/]+|\bwww\.[\w\-.]+")
PHONE = re.compile(r"(?:\(\+?\d{1,3}\)\s*|\+\d{1,3}[\s\-]?)?(?<!\d)1\d{10}(?!\d)|(?<!\d)\d{3}[\s\-]\d{3,4}[\s\-]\d{4}(?!\d)")
DATE = re.compile(r"(?:19|20)\d\d(?:\s*[./\-年]\s*\d{1,2}月?)?|至今|present|now", re.I)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|k|K|\+)?")

SLOTS = {
    "email": (re.compile(r"e-?mail|邮箱|mail address|电子邮件", re.I), EMAIL),
    "url": (re.compile(r"homepage|home page|blog|website|web ?site|github (?:page|link|url|address|account)|"
                       r"主页|博客|网站|个人网页|github ?(?:主页|地址|链接|账号)", re.I), URL),
    "phone": (re.compile(r"phone|telephone|mobile|电话|手机|联系方式", re.I), PHONE),
    # spoken languages, not "natural language processing" or "language models"
    "languages": (re.compile(r"\bspeaks?\b|\bspoken\b|\b(?:what|which) languages\b|\blanguage (?:skills?|proficiency)\b|"
                             r"语言能力|语言技能|外语|会说|哪些语言|什么语言|几种语言", re.I),
                  re.compile(r"语言技能|语言能力|外语|母语|普通话|英语|日语|\bEnglish\b|\bMandarin\b|TOEFL|IELTS|"
                             r"CET-?[46]|\bnative\b|\bfluent\b", re.I)),
}
WHEN = re.compile(r"\bwhen\b|\b(?:start|end|begin|finish)(?:ed|s)?\b|结束|开始|\bwhat years?\b|\bdates?\b|\bperiod\b|\bhow long\b|什么时候|何时|起止|哪年|时间|毕业", re.I)
HOW_MANY = re.compile(r"how many|how much|number of|多少|几[篇个项次位门]", re.I)

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? ?\d{1,2}(?:, ?\d{4})?"
TAGGED = re.compile(rf"^([A-Z]{{2,4}})({_MONTHS})(Code)?\s*$")   # "LGSep 11, 2024": a scraped paper list
AUTHORS = re.compile(r"^\s*[-*]?\s*(?:作者|Authors?)\s*[:：]|et al\.|(?:[A-Z][a-z]+ [A-Z][a-z]+(?:\*|†)?, ){3,}")
_NUMBERED = re.compile(r"^(?:\d{1,3}[.)、]\s|[-*]?\s*\[\d{1,3}\]\s|#{2,4}\s*\[\d{1,3}\]|#{2,4}\s*\d{1,2}\s*-\s)")
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d+[.)、]|\[\d+\]|#+)\s+")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|(?<=\.)\s+(?=[A-Z\[(])")


@dataclass
class Line:
    candidate_id: str
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    section: str
    index: int                      # position among the document's lines
    low: str = ""
    stems: set = field(default_factory=set)
    is_heading: bool = False        # a section heading names a category; it answers nothing itself
    passage_id: str = ""            # the retrieval passage holding this line

    def __post_init__(self):
        self.low = self.text.lower()
        self.stems = line_stems(self.text)
        self.is_heading = len(self.text) <= 40 and classify_heading(self.text) is not None

    @property
    def is_label(self) -> bool:
        """A short line that introduces the lines after it ("- 教学助理", "## Education")."""
        core = _BULLET.sub("", self.text).strip(" *:：#")
        return (0 < len(core) <= 24 and not any(ch.isdigit() for ch in core) and not EMAIL.search(core)
                and not re.search(r"[，,、。；;!?！？]|\.\s*$", core))   # a clause or sentence is content

    @property
    def is_item(self) -> bool:
        return bool(_BULLET.match(self.text))


@dataclass
class Evidence:
    candidate_id: str
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    section: str
    score: float = 0.0
    matched: tuple = ()

    def key(self) -> tuple:
        return (self.doc_id, self.start, self.end)


@dataclass
class CandidateText:
    candidate: Candidate
    documents: list[Document]
    lines: list[Line]

    def doc(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.doc_id == doc_id)


def span_evidence(ct: CandidateText, doc_id: str, start: int, end: int, default_section: str = "other") -> Evidence:
    """A stored span of one of the candidate's documents (e.g. a profile value) as citable evidence."""
    doc = ct.doc(doc_id)
    section = next((ln.section for ln in ct.lines if ln.doc_id == doc_id and ln.start <= start <= ln.end),
                   default_section)
    return Evidence(ct.candidate.id, doc_id, doc.source, start, end, doc.text[start:end], section)


def build_candidate_text(candidate: Candidate, documents: list[Document], passages: list[Passage],
                         excluded: list[tuple[str, int, int]] = (),
                         masked: list[tuple[str, int, int]] = ()) -> CandidateText:
    """Split each document into non-empty lines with offsets and the section of the passage holding them.
    ``excluded`` spans (e.g. instruction-like text found at ingest) never become evidence; ``masked``
    spans (protected attributes: age, gender, marital status …) stay citable but are never scored."""
    lines: list[Line] = []
    for doc in documents:
        secs = sorted((p.start, p.end, p.section, p.id) for p in passages if p.doc_id == doc.doc_id)
        pos, idx = 0, 0
        for raw in doc.text.split("\n"):
            start, end = pos, pos + len(raw)
            pos = end + 1
            lstrip = len(raw) - len(raw.lstrip())
            s, e = start + lstrip, start + len(raw.rstrip())
            if e <= s:
                continue
            if any(d == doc.doc_id and s < xe and xs < e for d, xs, xe in excluded):
                continue
            section, pid = next(((sec, i) for ps, pe, sec, i in secs if ps <= s < pe), ("other", ""))
            line = Line(candidate.id, doc.doc_id, doc.source, s, e, doc.text[s:e], section, idx, passage_id=pid)
            hidden = [(ms, me) for d, ms, me in masked if d == doc.doc_id and ms < e and s < me]
            if hidden:
                chars = list(line.text)
                for ms, me in hidden:
                    for k in range(max(ms, s) - s, min(me, e) - s):
                        chars[k] = " "
                blank = "".join(chars)
                line.low, line.stems = blank.lower(), line_stems(blank)
            lines.append(line)
            idx += 1
    return CandidateText(candidate, documents, lines)


def group_hits(groups: list[TermGroup], line: Line) -> list[int]:
    return [i for i, g in enumerate(groups) if any(matches(a, line.low, line.stems) for a in g.alternatives)]


def score_lines(ct: CandidateText, groups: list[TermGroup], slot: str | None = None,
                context: int = 8, boost: dict[str, float] | None = None) -> list[tuple[float, Line, set]]:
    """Each line scored by the weight of the question groups it (or, at half weight, the few lines
    before it in the same section: an entry's title) contains."""
    hits = [set(group_hits(groups, ln)) for ln in ct.lines]
    slot_re = SLOTS[slot][1] if slot else None
    out = []
    heading_hits: set = set()
    for i, ln in enumerate(ct.lines):
        own = hits[i]
        if ln.is_heading:
            heading_hits = own
        elif i and (ct.lines[i - 1].doc_id != ln.doc_id or ct.lines[i - 1].section != ln.section):
            heading_hits = set()
        ctx: set = set(heading_hits) if context else set()   # a section heading speaks for its whole section
        for j in range(max(0, i - context), i):
            if ct.lines[j].section == ln.section and ct.lines[j].doc_id == ln.doc_id:
                ctx |= hits[j]
        ctx -= own
        score = sum(groups[g].weight for g in own) + 0.5 * sum(groups[g].weight for g in ctx)
        if ln.is_heading:
            score *= 0.3
        if boost and score > 0:
            # hybrid retrieval (dense + BM25) breaks ties toward passages that mean the same thing
            score += boost.get(ln.passage_id, 0.0)
        if slot_re is not None and slot_re.search(ln.text):
            score += 2.0 + sum(g.weight for g in groups)
        out.append((score, ln, own | ctx))
    out.sort(key=lambda t: (-t[0], t[1].doc_id, t[1].start))
    return out


def heading_of(ct: CandidateText, line: Line) -> Line | None:
    """The section heading line above a line, if the CV has one."""
    i = ct.lines.index(line)
    for j in range(i - 1, -1, -1):
        prev = ct.lines[j]
        if prev.doc_id != line.doc_id or prev.section != line.section:
            return None
        if prev.is_heading:
            return prev
    return None


def coverage(groups: list[TermGroup], matched: set) -> float:
    total = sum(g.weight for g in groups)
    return sum(groups[i].weight for i in matched) / total if total else 0.0


def focus_span(line: Line, groups: list[TermGroup], max_chars: int = 260,
               extra: re.Pattern | None = None) -> tuple[int, int]:
    """The sentences of a long line that carry the question's terms (offsets into the document)."""
    if len(line.text) <= max_chars:
        return line.start, line.end
    cuts = [0] + [m.start() for m in _SENTENCE_END.finditer(line.text) if 0 < m.start() < len(line.text)]
    cuts = sorted(set(cuts)) + [len(line.text)]
    pieces = [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1) if line.text[cuts[k]:cuts[k + 1]].strip()]

    def piece_score(a: int, b: int) -> float:
        seg = line.text[a:b]
        low, st = seg.lower(), line_stems(seg)
        sc = sum(g.weight for g in groups if any(matches(x, low, st) for x in g.alternatives))
        return sc + (1.0 if extra is not None and extra.search(seg) else 0.0)

    best = max(range(len(pieces)), key=lambda k: (piece_score(*pieces[k]), -k)) if pieces else 0
    a, b = pieces[best] if pieces else (0, min(len(line.text), max_chars))
    # grow with neighbours that also score, while short enough
    lo, hi = best, best
    while pieces:
        grown = False
        for k in (hi + 1, lo - 1):
            if 0 <= k < len(pieces) and piece_score(*pieces[k]) > 0:
                na, nb = min(a, pieces[k][0]), max(b, pieces[k][1])
                if nb - na <= max_chars:
                    a, b, grown = na, nb, True
                    lo, hi = min(lo, k), max(hi, k)
        if not grown:
            break
    if b - a > max_chars:
        b = a + max_chars
    seg = line.text[a:b]
    a += len(seg) - len(seg.lstrip())
    b -= len(seg) - len(seg.rstrip())
    return line.start + a, line.start + b


def to_evidence(ct: CandidateText, line: Line, groups: list[TermGroup], score: float = 0.0,
                matched: set = frozenset(), extra: re.Pattern | None = None, max_chars: int = 260) -> Evidence:
    s, e = focus_span(line, groups, max_chars=max_chars, extra=extra)
    doc = ct.doc(line.doc_id)
    return Evidence(line.candidate_id, line.doc_id, line.source, s, e, doc.text[s:e], line.section,
                    score, tuple(sorted(matched)))


def entry_title_before(ct: CandidateText, line: Line) -> Line | None:
    """For a venue or author line ("ACL2023 一作", "作者: …"), the title printed just above it."""
    if not (len(line.text) <= 30 or AUTHORS.search(line.text)):
        return None
    i = ct.lines.index(line)
    for j in range(i - 1, max(-1, i - 3), -1):
        prev = ct.lines[j]
        if prev.section != line.section or prev.doc_id != line.doc_id or prev.is_heading:
            return None
        if not prev.is_item and not AUTHORS.search(prev.text) and len(prev.text) > 30:
            return prev
    return None


def following_items(ct: CandidateText, label: Line, limit: int = 12) -> list[Line]:
    """The list items after a label line, up to the next label or section change."""
    out: list[Line] = []
    i = ct.lines.index(label) + 1
    while i < len(ct.lines) and len(out) < limit:
        ln = ct.lines[i]
        if ln.section != label.section or ln.doc_id != label.doc_id:
            break
        if ln.is_label and out:
            break
        if not ln.is_label:
            out.append(ln)
        i += 1
    return out


def entry_block(ct: CandidateText, line: Line, limit: int = 10) -> list[Line]:
    """The entry a line belongs to: back to the nearest heading-like line, forward to the next one."""
    i = ct.lines.index(line)

    def is_head(ln: Line) -> bool:
        return (ln.text.lstrip().startswith("#") or (not ln.is_item and ln.is_label)
                or bool(TAGGED.match(ln.text)) or bool(_NUMBERED.match(ln.text)))

    lo = i
    while lo > 0 and i - lo < limit and not is_head(ct.lines[lo]) and ct.lines[lo - 1].section == line.section:
        lo -= 1
        if _NUMBERED.match(ct.lines[lo].text):   # "1. **Title**": the entry starts here
            break
    hi = i + 1
    while hi < len(ct.lines) and hi - lo < limit and not is_head(ct.lines[hi]) \
            and ct.lines[hi].section == line.section:
        hi += 1
    return ct.lines[lo:hi]
