"""Minimal, deterministic text normalisation.

Citations are checked verbatim against ``Document.text`` (after whitespace collapse), so this module
only fixes things that carry no meaning: BOMs, line-ending style, control characters, trailing
spaces and runs of blank lines. It never folds Unicode (no NFKC), punctuation, emoji or Markdown.
Every step is linear-time so a 5 MB single-line file is cheap.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

# C0 controls except \t and \n; \r is handled before (line endings). \f and \v become line breaks
# rather than vanishing, because PDF extractors use \f between pages and gluing words is worse.
_DROP = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)}
_DROP[0x7F] = None
_DROP[0x0B] = "\n"
_DROP[0x0C] = "\n"

# 4+ newlines = 3+ blank lines -> keep two blank lines. A plain run match: no backtracking blow-up.
_BLANK_RUN = re.compile(r"\n{4,}")

# Invisible characters worth a warning: they can hide or smuggle text (prompt injection) or break
# exact matching. They are kept in the text; callers decide what to do with the warning.
_HIDDEN_RANGES = (
    (0x00AD, 0x00AD),   # soft hyphen
    (0x180E, 0x180E),   # Mongolian vowel separator
    (0x200B, 0x200F),   # zero-width space/joiners, LRM/RLM
    (0x202A, 0x202E),   # bidi embeddings/overrides
    (0x2060, 0x2064),   # word joiner, invisible operators
    (0x2066, 0x2069),   # bidi isolates
    (0xFEFF, 0xFEFF),   # BOM / zero-width no-break space (inside text)
    (0xE0000, 0xE007F),  # Unicode tag characters ("ASCII smuggling")
)
_HIDDEN_RE = re.compile("[" + "".join(
    f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _HIDDEN_RANGES) + "]")


def normalize_text(text: str) -> str:
    """Return ``text`` with BOM, CR/CRLF, control chars, trailing spaces and blank-line runs fixed.

    Idempotent: ``normalize_text(normalize_text(t)) == normalize_text(t)``.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_DROP)
    # rstrip per line instead of a `[ \t]+$` regex, which is quadratic on long runs of spaces.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    text = _BLANK_RUN.sub("\n\n\n", text)
    # Leading blank lines and any BOM(s) go together, so a BOM after a blank line cannot survive
    # one pass and be stripped by the next (idempotence).
    text = text.lstrip("\n\ufeff")
    return text.rstrip("\n")


def find_hidden_text_markers(text: str) -> list[str]:
    """Describe invisible/zero-width characters found in ``text``, e.g. ``"3 x U+200B ZERO WIDTH SPACE"``.

    Empty list when there are none. Used for document warnings, never to alter the text.
    """
    counts = Counter(_HIDDEN_RE.findall(text))
    out = []
    for ch, n in sorted(counts.items()):
        name = unicodedata.name(ch, "TAG CHARACTER" if ord(ch) >= 0xE0000 else "UNNAMED")
        out.append(f"{n} x U+{ord(ch):04X} {name}")
    return out
