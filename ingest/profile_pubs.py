"""Publications: title, venue, year and the candidate's author position, as the CV states them.

Layouts read (each claims its lines, so one paper is read once):
- tagged lists scraped from a paper site: "LGSep 11, 2024" / title / authors (002);
- title / [venue + 一作 line] / "作者: ..." line (000, also under 项目经历);
- "[n] [Title](url)" / authors / "2026, ICLR. (note)" (001);
- "1. **Title**, VENUE" / "* authors" (003);
- "[n] authors. Title. **VENUE**, note" on one line (004);
- otherwise, in a publications section with none of the above, each dated item line.

Author position: an explicit marker wins (一作 / 三作 / "(co-first author)" / "Equal Contribution");
else the candidate's name first in the author list is "first", a '*' on it further down is
"co-first" (unless the CV's legend gives '*' another meaning, kept as the note), any other place
is "other", and a truncated list without the name ("et al.") is "unknown".
"""
from __future__ import annotations

import re

from .profile_model import Publication, Span
from .profile_text import MAX_CHARS, YEAR_RX, Line, mk

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? ?\d{1,2}(?:, ?\d{4})?"
TAGGED = re.compile(rf"^(?P<tag>[A-Z]{{2,4}})(?P<date>{_MONTHS})(?:Code)?\s*$")
_AUTHORS_LABEL = re.compile(r"^\s*(?:[-*]\s*)?(?:作者|Authors?)\s*[:：]\s*", re.I)
_ZH_MARKER = re.compile(r"(?:共同一作|共一|[一二三四五六七八九十]作|第[一二三四五六七八九十\d]+作者|通讯作者?)\s*$")
_LINK_TITLE = re.compile(r"^(?:#{1,6}\s*|[-*]\s*)?\[\d{1,3}\]\s*\[(?P<title>[^\]]+)\]\([^)]*\)\s*$")
_BOLD_TITLE = re.compile(r"^(?:\d{1,3}[.)]\s+|[-*]\s+)?\*\*(?P<title>.+?)\*\*\s*[,，]\s*(?P<venue>\S.*?)\s*$")
_NUMBERED_REF = re.compile(r"^[-*]?\s*\[\d{1,3}\]\s*(?P<rest>[^\[].*)$")
_YEAR_VENUE = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*[,，]\s*(?P<venue>[^(（]+?)\s*\.?\s*"
                         r"(?:[(（](?P<note>[^)）]*)[)）])?\s*$")
_EQUAL = re.compile(r"equal contribution|co-?first|共同一作|共一|同等贡献", re.I)
_MARKUP = re.compile(r"\\textbf\{|\}|\*\*|__|</?b>|</?strong>|<u>|</u>")
_NAME_MARKS = re.compile(r"\\?[*†‡§#✉]|\\dag|\(co-?first author\)|（共同一作）", re.I)
_LEGEND_STAR = re.compile(r"\\?\*\s*[:：]\s*(?P<text>[^;；\]】\n]+)")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z\u3400-\u9fff]", "", name.casefold())


class _Names:
    def __init__(self, names: list[str]):
        keys = set()
        for n in names:
            if not n:
                continue
            keys.add(_norm(n))
            parts = n.split()
            if len(parts) >= 2:
                keys.add(_norm(" ".join([parts[-1], *parts[:-1]])))
        self.keys = {k for k in keys if len(k) >= 2}

    def match(self, token: str) -> bool:
        core = _NAME_MARKS.sub("", _MARKUP.sub("", token))
        return _norm(core) in self.keys


def _author_tokens(doc: str, a: int, b: int) -> list[tuple[int, int]]:
    """Author names in doc[a:b] split on commas / "and" (a "\\textbf{X}" or "**X**\\*" stays whole)."""
    out, start = [], a
    for m in re.finditer(r",|，|;|；|、|\s+and\s+|\s+&\s+", doc[a:b]):
        out.append((start, a + m.start()))
        start = a + m.end()
    out.append((start, b))
    res = []
    for s, e in out:
        while s < e and doc[s].isspace():
            s += 1
        while e > s and doc[e - 1].isspace():
            e -= 1
        if e > s:
            res.append((s, e))
    return res


def _position(doc: str, pub: Publication, names: _Names, a: int, b: int, equal_note: bool,
              star_legend: Span | None) -> None:
    """Fill author_index / marks / author_position from the author list doc[a:b]."""
    toks = _author_tokens(doc, a, b)
    pub.authors = mk(doc, a, b, extra=",，;；")
    explicit = pub.author_position != "unknown"      # a marker (一作, 三作) already said it
    for i, (s, e) in enumerate(toks):
        tok = doc[s:e]
        if not names.match(tok):
            continue
        pub.author_index = i
        pub.marks = "".join(ch for ch in "*†‡" if ch in _MARKUP.sub("", tok))
        if explicit:
            return
        pub.position_evidence = Span(tok, s, e)      # verbatim, marks and markup included
        if re.search(r"co-?first|共同一作", tok, re.I):
            pub.author_position = "co-first"
        elif i == 0:
            pub.author_position = "first"
        elif "*" in pub.marks and (star_legend is None or _EQUAL.search(star_legend.value)):
            pub.author_position = "co-first"
        elif equal_note and i == 1:
            pub.author_position = "co-first"
        else:
            pub.author_position = "other"
        if "*" in pub.marks and star_legend is not None and not _EQUAL.search(star_legend.value):
            pub.note = star_legend       # e.g. "*: 导师第一作者, 学生为第二作者"
        return


def _marker_position(marker: str) -> str:
    if re.search(r"共同一作|共一", marker):
        return "co-first"
    if re.match(r"一作|第一作者|第1作者", marker):
        return "first"
    return "other"


def _year(doc: str, span: Span | None) -> Span | None:
    if span is None:
        return None
    m = YEAR_RX.search(span.value)
    return Span(m.group(), span.start + m.start(), span.start + m.end()) if m else None


def publications(doc: str, lines: list[Line], names: list[str]) -> list[Publication]:
    nm = _Names(names)
    legend = None
    for m in _LEGEND_STAR.finditer(doc, 0, MAX_CHARS):
        around = doc[max(0, m.start() - 5):m.end()]
        if re.search(r"作者|author|contribution|贡献", around, re.I):
            legend = mk(doc, m.start("text"), m.end("text"))
            break
    claimed: set[int] = set()
    out: list[tuple[int, Publication]] = []
    for reader in (_tagged, _zh_author_label, _link_titled, _bold_titled, _one_line_refs):
        for first, pub in reader(doc, lines, nm, legend, claimed):
            out.append((first, pub))
    if not out:
        out = _fallback(doc, lines, claimed)
    out.sort(key=lambda t: t[0])
    return [p for _, p in out if p.title is not None]


# ---- layouts -------------------------------------------------------------------------------------
def _tagged(doc, lines, nm, legend, claimed):
    for i, ln in enumerate(lines[:-1]):
        m = TAGGED.match(ln.text)
        if not m:
            continue
        title_ln = lines[i + 1]
        pub = Publication(title=mk(doc, title_ln.start, title_ln.end, extra=""),
                          category_tag=mk(doc, ln.start + m.start("tag"), ln.start + m.end("tag")))
        pub.year = _year(doc, Span(m.group("date"), ln.start + m.start("date"), ln.start + m.end("date")))
        claimed.update({i, i + 1})
        if i + 2 < len(lines) and _looks_like_authors(lines[i + 2].text):
            au = lines[i + 2]
            end = au.start + au.text.find(" · ") if " · " in au.text else au.end
            _position(doc, pub, nm, au.start, end, False, legend)
            claimed.add(i + 2)
        yield i, pub


def _looks_like_authors(text: str) -> bool:
    head = text.split(" · ")[0]
    parts = [p.strip() for p in re.split(r",|\band\b", head) if p.strip()]
    return (len(text) <= 400 and len(parts) >= 1 and not re.search(r"[.!?。]\s+[A-Z]", head)
            and all(len(p.split()) <= 5 for p in parts))


def _zh_author_label(doc, lines, nm, legend, claimed):
    for i, ln in enumerate(lines):
        lab = _AUTHORS_LABEL.match(ln.text)
        if not lab or i in claimed:
            continue
        a, b = ln.start + lab.end(), ln.end
        pub = Publication()
        # "作者: A, B, C *Neurips2025* 一作": venue and marker after the list
        tail = re.search(r"\*(?P<venue>[^*]+)\*\s*(?P<marker>\S*作)?\s*$", doc[a:b])
        if tail:
            pub.venue = mk(doc, a + tail.start("venue"), a + tail.end("venue"))
            if tail.group("marker"):
                pub.position_evidence = mk(doc, a + tail.start("marker"), a + tail.end("marker"))
                pub.author_position = _marker_position(tail.group("marker"))
            b = a + tail.start()
        before = []
        for j in range(i - 1, max(-1, i - 3), -1):
            p = lines[j]
            if (j in claimed or p.is_heading or p.is_bullet or p.section != ln.section
                    or _AUTHORS_LABEL.match(p.text) or re.match(r"(?:背景|内容|效果)\s*[:：]", p.text)):
                break
            before.insert(0, j)
        if not before:
            continue
        title_j = before[0]
        for j in before[1:]:     # a short line between title and authors: venue (+ marker)
            v = lines[j]
            mm = _ZH_MARKER.search(v.text)
            if mm:
                pub.position_evidence = mk(doc, v.start + mm.start(), v.start + mm.end())
                pub.author_position = _marker_position(mm.group())
                pub.venue = pub.venue or mk(doc, v.start, v.start + mm.start())
            else:
                pub.venue = pub.venue or mk(doc, v.start, v.end)
        if len(before) == 2 and len(lines[before[0]].text) <= 40 < len(lines[before[1]].text):
            title_j = before[1]
        pub.title = mk(doc, lines[title_j].start, lines[title_j].end, extra="")
        pub.year = _year(doc, pub.venue)
        _position(doc, pub, nm, a, b, False, legend)
        claimed.update(before + [i])
        yield title_j, pub


def _link_titled(doc, lines, nm, legend, claimed):
    for i, ln in enumerate(lines):
        m = _LINK_TITLE.match(ln.text)
        if not m or i in claimed:
            continue
        pub = Publication(title=mk(doc, ln.start + m.start("title"), ln.start + m.end("title"), extra=""))
        claimed.add(i)
        au = lines[i + 1] if i + 1 < len(lines) else None
        yv = lines[i + 2] if i + 2 < len(lines) else None
        note_equal = False
        if yv is not None and (ym := _YEAR_VENUE.match(yv.text)):
            pub.year = mk(doc, yv.start + ym.start("year"), yv.start + ym.end("year"))
            pub.venue = mk(doc, yv.start + ym.start("venue"), yv.start + ym.end("venue"))
            if ym.group("note"):
                note_equal = bool(_EQUAL.search(ym.group("note")))
                if note_equal:
                    pub.note = mk(doc, yv.start + ym.start("note"), yv.start + ym.end("note"))
            claimed.add(i + 2)
        if au is not None and _looks_like_authors(au.text):
            _position(doc, pub, nm, au.start, au.end, note_equal, legend)
            claimed.add(i + 1)
        yield i, pub


def _bold_titled(doc, lines, nm, legend, claimed):
    for i, ln in enumerate(lines):
        if ln.section != "publications" or i in claimed:
            continue
        m = _BOLD_TITLE.match(ln.text)
        if not m:
            continue
        pub = Publication(title=mk(doc, ln.start + m.start("title"), ln.start + m.end("title"), extra=""),
                          venue=mk(doc, ln.start + m.start("venue"), ln.start + m.end("venue")))
        pub.year = _year(doc, pub.venue)
        claimed.add(i)
        if i + 1 < len(lines) and lines[i + 1].is_bullet:
            au = lines[i + 1]
            s, e = au.body
            if _looks_like_authors(doc[s:e]) and "](" not in doc[s:e]:
                _position(doc, pub, nm, s, e, False, legend)
                claimed.add(i + 1)
        yield i, pub


def _one_line_refs(doc, lines, nm, legend, claimed):
    for i, ln in enumerate(lines):
        if ln.section != "publications" or i in claimed:
            continue
        m = _NUMBERED_REF.match(ln.text)
        if not m:
            continue
        a, b = ln.start + m.start("rest"), ln.end
        rest = doc[a:b]
        # the author list ends at the first ". " after a name that is not an initial ("J. Smith")
        cut = next((c for c in re.finditer(r"\.\s+(?=[A-Z\[\"“*])", rest)
                    if not re.search(r"(?:^|[\s,])[A-Z]$", rest[:c.start()])), None)
        if cut is None:
            continue
        pub = Publication()
        ta = a + cut.end()
        bold = re.search(r"\*\*(?P<venue>[^*]+)\*\*", doc[ta:b])
        if bold:
            pub.venue = mk(doc, ta + bold.start("venue"), ta + bold.end("venue"))
            te = ta + bold.start()
            note = mk(doc, ta + bold.end(), b)
            if note is not None:
                pub.note = note
        else:
            last = list(re.finditer(r"\.\s+", doc[ta:b].rstrip(". ")))
            te = ta + last[-1].start() if last else b
            pub.venue = mk(doc, ta + last[-1].end(), b) if last else None
        pub.title = mk(doc, ta, te, extra=".,，")
        pub.year = _year(doc, pub.venue)
        _position(doc, pub, nm, a, a + cut.start(), False, legend)
        claimed.add(i)
        yield i, pub


def _fallback(doc, lines, claimed):
    out = []
    for i, ln in enumerate(lines):
        if ln.section != "publications" or ln.is_heading or i in claimed or len(ln.text) < 30:
            continue
        y = YEAR_RX.search(ln.text)
        if not y:
            continue
        s, e = ln.body
        pub = Publication(title=mk(doc, s, e, extra=""), year=mk(doc, ln.start + y.start(), ln.start + y.end()))
        out.append((i, pub))
    return out
