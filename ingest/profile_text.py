"""Shared pieces for profile extraction: the CV's lines with offsets and sections, date patterns,
and helpers that cut verbatim spans (never rewritten text) out of the document."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .injection import instruction_spans
from .models import Document, Passage
from .profile_model import Span
from .sections import classify_heading, split_sections

# ---- dates ---------------------------------------------------------------------------------------
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
YEAR = r"(?<!\d)(?:19|20)\d{2}(?!\d)"
_NUM_DATE = rf"{YEAR}(?:\s*[./\-年]\s*(?:1[0-2]|0?[1-9])(?!\d)(?:\s*月)?)?(?:\s*年)?"
DATE = rf"(?:\b{MONTH}\s*(?:\d{{1,2}},?\s*)?{YEAR}|{_NUM_DATE})"
PRESENT = r"(?:至今|今|现在|目前|[Pp]resent|PRESENT|[Nn]ow|NOW|[Cc]urrent|[Tt]oday|[Oo]ngoing)"
DATE_RANGE = re.compile(
    rf"(?P<start>{DATE})\s*(?:(?P<now>至今)|(?:[-–—~～]+|\bto\b|\buntil\b|至|(?<=\s)\|(?=\s))\s*(?P<end>{DATE}|{PRESENT}))",
    re.I)
DATE_RX = re.compile(DATE, re.I)
YEAR_RX = re.compile(YEAR)

_BULLET = re.compile(r"^(?:[-*+•·▪●◦◆■]\s+|\d{1,3}[.)、]\s+|\[\d{1,3}\]\s*|#{1,6}\s+)+")
DECOR = " \t\u3000*_`#>~\\"
_TAG_END = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?>$")
PUNCT = ":：,，;；.。|｜、"
CJK = re.compile(r"[\u3400-\u9fff]")
MAX_CHARS = 120_000       # a CV is read up to here (real ones are < 60k); a 5 MB text stays fast
MAX_LINE = 4_000          # a longer line is read up to here (no entry header is that long)


def date_key(value: str) -> tuple[int, int]:
    """(year, month) of a date as written, for ordering: "2024.9" -> (2024, 9); "至今" sorts last."""
    if re.fullmatch(PRESENT, value.strip(), re.I):
        return (9999, 12)
    y = YEAR_RX.search(value)
    if not y:
        return (0, 0)
    rest = value[y.end():]
    m = re.match(r"\s*[./\-年]\s*(\d{1,2})", rest)
    if m:
        return (int(y.group()), int(m.group(1)))
    mon = re.search(MONTH, value, re.I)
    months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    return (int(y.group()), months.index(mon.group()[:3].lower()) + 1 if mon else 0)


# ---- spans ---------------------------------------------------------------------------------------
def trim(text: str, s: int, e: int, extra: str = PUNCT) -> tuple[int, int]:
    chars = DECOR + extra
    while s < e and (text[s] in chars or text[s].isspace()):
        s += 1
    while e > s and (text[e - 1] in chars or text[e - 1].isspace()):
        if text[e - 1] == ">" and _TAG_END.search(text, s, e):   # "University of <em>Testing</em>": the tag is text
            break
        e -= 1
    return s, e


def mk(text: str, s: int, e: int, extra: str = PUNCT) -> Span | None:
    """A trimmed span of ``text``; None when nothing visible is left."""
    s, e = trim(text, max(0, s), min(len(text), e), extra)
    while e > s and text[e - 1] in "(（[【" or e > s and text[s] in ")）]】":   # a bracket cut in half
        s, e = trim(text, s + (text[s] in ")）]】"), e - (text[e - 1] in "(（[【"), extra)
    if e <= s or not re.search(r"\w", text[s:e]):
        return None
    return Span(text[s:e], s, e)


def unwrap(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop one pair of enclosing brackets ("(工程师)", "[title]") when they wrap the whole span."""
    s, e = trim(text, s, e)
    pairs = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "《": "》"}
    if e - s >= 2 and text[s] in pairs and text[e - 1] == pairs[text[s]]:
        return trim(text, s + 1, e - 1)
    return s, e


def segments(text: str, s: int, e: int, sep: str = r"\t|\s{2,}|[,，;；|｜。]|\s[-–—·•]\s",
             mask: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Pieces of text[s:e] between separators; ``mask`` ranges (e.g. dates) are cut out as separators."""
    chunk = list(text[s:e])
    for a, b in mask:
        for i in range(max(a, s), min(b, e)):
            chunk[i - s] = "\t"
    masked = "".join(chunk)
    out, pos = [], 0
    for m in re.finditer(sep, masked):
        out.append((s + pos, s + m.start()))
        pos = m.end()
    out.append((s + pos, e))
    res = []
    for a, b in out:
        a, b = trim(text, a, b)
        if b > a:
            res.append((a, b))
    return res


def tokens(text: str, s: int, e: int, merge_parens: bool = True) -> list[tuple[int, int]]:
    """Whitespace tokens of text[s:e]; with ``merge_parens`` a "(...)" token joins the one before it."""
    out: list[list[int]] = []
    depth = 0
    for m in re.finditer(r"\S+", text[s:e]):
        a, b = s + m.start(), s + m.end()
        tok = text[a:b]
        if out and (depth > 0 or (merge_parens and tok[0] in "(（")):
            out[-1][1] = b
        else:
            out.append([a, b])
        depth = max(0, depth + tok.count("(") + tok.count("（") - tok.count(")") - tok.count("）"))
    return [(a, b) for a, b in out]


def split_items(text: str, s: int, e: int, seps: str = ",;，；、|｜") -> list[tuple[int, int]]:
    """Comma-separated items of text[s:e], not splitting inside brackets."""
    out, depth, start = [], 0, s
    for i in range(s, e):
        ch = text[i]
        if ch in "([（【":
            depth += 1
        elif ch in ")]）】":
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, e))
    return [t for t in (trim(text, a, b) for a, b in out) if t[1] > t[0]]


# ---- lines ---------------------------------------------------------------------------------------
@dataclass
class Line:
    start: int            # stripped line, offsets into the document text
    end: int
    text: str
    section: str
    heading: str
    index: int
    indent: int           # leading whitespace width
    is_heading: bool = False

    @property
    def body(self) -> tuple[int, int]:
        """(start, end) after a leading bullet / numbering / markdown heading marker."""
        m = _BULLET.match(self.text)
        return (self.start + (m.end() if m else 0), self.end)

    @property
    def is_bullet(self) -> bool:
        return bool(re.match(r"[-*+•·▪●◦◆■]\s", self.text) or self.text in ("-", "*", "•"))


def document_lines(document: Document, passages: list[Passage] | None = None) -> list[Line]:
    """The non-empty lines of the document, with the section they sit in; instruction-like or hidden
    lines (flagged at ingest) are left out, so no profile value comes from them."""
    text = document.text
    if passages:
        spans = sorted((p.start, p.end, p.section, p.heading) for p in passages)
    else:
        spans = [(sp.start, sp.end, sp.section, sp.heading) for sp in split_sections(text)]
    starts = [sp[0] for sp in spans]
    head = text[:MAX_CHARS]
    excluded = instruction_spans(head)
    lines: list[Line] = []
    pos = 0
    for raw in head.split("\n"):
        a, b = pos, pos + len(raw)
        pos = b + 1
        lead = len(raw) - len(raw.lstrip())
        s, e = a + lead, a + len(raw.rstrip())
        e = min(e, s + MAX_LINE)
        if e <= s or any(x < e and s < y for x, y in excluded):
            continue
        k = bisect.bisect_right(starts, s) - 1
        section, heading = (spans[k][2], spans[k][3]) if k >= 0 and s < spans[k][1] else ("other", "")
        t = text[s:e]
        is_head = len(t) <= 80 and classify_heading(t) is not None
        lines.append(Line(s, e, t, section, heading, len(lines), lead, is_head))
    return lines
