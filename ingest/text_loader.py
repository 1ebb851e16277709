"""Plain text / Markdown / HTML: byte decoding and HTML-to-text.

Text files are decoded and otherwise kept verbatim (Markdown syntax included), because citations
must match the file the recruiter can open. Strict UTF-8 wins whenever it decodes; legacy Chinese
and Western encodings come next; a mostly-UTF-8 file with a few bad bytes is decoded with
replacement characters and a warning rather than guessed as some other code page.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer is good at telling CJK multi-byte encodings apart; for single-byte code pages
# it often picks a Baltic/DOS page for plain Western text, so there we prefer cp1252.
_MULTIBYTE = ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936", "euc_jp",
              "shift_jis", "cp932", "euc_kr", "cp949", "utf_16", "utf_32", "hz", "iso2022")


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _utf8_stats(data: bytes) -> tuple[str, int, int]:
    """(text decoded with replacement, bad sequences, valid non-ASCII chars)."""
    text = data.decode("utf-8", errors="replace")
    genuine = data.count(b"\xef\xbf\xbd")   # U+FFFD that was really in the file
    bad = text.count("\ufffd") - genuine
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    return text, bad, valid


def decode_bytes(data: bytes) -> Decoded:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(enc), enc)
            except UnicodeDecodeError:
                return Decoded(data.decode(enc, errors="replace"), enc,
                               [f"invalid {enc} bytes replaced with U+FFFD"])
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    replaced, bad, valid = _utf8_stats(data)
    if valid >= bad:
        # Real UTF-8 sequences outnumber the broken ones: a damaged UTF-8 file, not a code page.
        return Decoded(replaced, "utf-8", [f"{bad} invalid UTF-8 byte sequence(s) replaced with "
                                           "U+FFFD"])
    guess = _charset_normalizer_guess(data)
    order = []
    if guess and guess.replace("-", "_").lower().startswith(_MULTIBYTE):
        order.append(guess)
    order += ["cp1252"] + ([guess] if guess and guess not in order else [])
    for enc in order:
        try:
            return Decoded(data.decode(enc), enc, [f"decoded as {enc} (not UTF-8)"])
        except (UnicodeDecodeError, LookupError):
            continue
    return Decoded(replaced, "utf-8", [f"unknown encoding; {bad} invalid UTF-8 byte sequence(s) "
                                       "replaced with U+FFFD"])


def _charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()   # a sample is enough and bounds the cost
    return best.encoding if best else None


def looks_like_text(data: bytes) -> bool:
    """Cheap check that bytes are text rather than some binary format (no NULs outside UTF-16/32)."""
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return True
    return b"\x00" not in head


# ---- HTML -------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "tr", "ul", "title",
}
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Visible text of an HTML page: no script/style/comments; block elements end lines."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "html.parser")
    warnings = []
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    comments = soup.find_all(string=lambda s: isinstance(s, Comment))
    if comments:
        warnings.append(f"{len(comments)} HTML comment(s) dropped")
    for c in comments:
        c.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(["br"]):
        tag.replace_with("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.insert_after(" | ")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = soup.get_text()
    # HTML collapses whitespace inside text; newlines we inserted for blocks survive as line breaks.
    lines = []
    for line in raw.split("\n"):
        line = " ".join(line.split()).strip(" |").strip()
        if line:
            lines.append(line)
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines), warnings
