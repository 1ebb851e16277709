"""PDF text extraction: pypdf first, pdfminer.six and pypdfium2 when pypdf's text is empty or garbled.

Some XeLaTeX CJK PDFs have no usable ToUnicode map for pypdf, which then returns glyphs from random
scripts (Oriya, Hebrew, ...); pdfminer reads the same file correctly. We score each extractor by the
share of characters in expected scripts and keep the best.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .models import IngestError

GOOD_ENOUGH = 0.90      # below this share of expected characters, try the other extractors
GARBLED_BELOW = 0.50    # best extractor still below this: the text is unusable
MIN_CHARS_FOR_GARBLED = 20

# Scripts and symbols a CV in Latin/CJK (plus Greek/Cyrillic) script is made of.
_GOOD_RANGES = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x4FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
    (0x20A0, 0x20CF), (0x2100, 0x22FF), (0x2460, 0x27BF), (0x2E80, 0x2FDF), (0x3000, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF), (0x1F300, 0x1FAFF),
)
_PUA = ((0xE000, 0xF8FF), (0xF0000, 0x10FFFF))   # icon fonts (FontAwesome): neither good nor bad

CORRUPT_HINT = "The file is damaged or incomplete: open it and save/export it as PDF again, then re-upload."


@dataclass
class PdfText:
    text: str
    extractor: str
    warnings: list[str] = field(default_factory=list)


def _char_class(ranges) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


# Regexes instead of a per-character Python loop: a 50-page PDF has ~200k characters.
_SKIP_RE = re.compile(r"[\s" + _char_class(_PUA) + "]+")
_BAD_RE = re.compile(r"[^\s" + _char_class(_PUA + _GOOD_RANGES) + "]")


def text_quality(text: str) -> float:
    """Share of non-space, non-icon characters in expected scripts (1.0 for text with none)."""
    total = len(_SKIP_RE.sub("", text))
    if not total:
        return 1.0
    return 1.0 - len(_BAD_RE.findall(text)) / total


def _visible_chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _encrypted_error(name: str) -> IngestError:
    return IngestError("encrypted", f"{name} is password-protected.",
                       "Remove the password (e.g. print to PDF) and upload it again.")


def _open_pypdf(data: bytes, name: str):
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        # Owner-only encryption (print/copy restrictions) opens with the empty user password.
        try:
            ok = reader.decrypt("")
        except (DependencyError, FileNotDecryptedError, NotImplementedError):
            ok = 0   # pypdf raises NotImplementedError for encryption schemes it can't read: refused as encrypted
        if not ok:
            raise _encrypted_error(name)
    return reader


def _pypdf_pages(reader, warnings: list[str]) -> list[str]:
    pages = []
    for i, page in enumerate(reader.pages):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:  # one bad content stream should not lose the other pages
            warnings.append(f"pypdf could not read page {i + 1}: {type(exc).__name__}")
            pages.append("")
    return pages


def _pdfminer_text(data: bytes, max_pages: int) -> str:
    from pdfminer.high_level import extract_text as pm_extract

    raw = pm_extract(io.BytesIO(data), maxpages=max_pages)
    # pdfminer ends every page with \f; rejoin pages the same way as the other extractors.
    return "\n\n".join(p.strip("\n") for p in raw.split("\f")).strip()


def _pdfium_text(data: bytes, max_pages: int) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for i in range(min(len(pdf), max_pages)):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n\n".join(pages)
    finally:
        pdf.close()


def extract_pdf(path: Path, data: bytes, *, max_pages: int) -> PdfText:
    name = path.name
    warnings: list[str] = []
    try:
        reader = _open_pypdf(data, name)
        n_pages = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:
        # pypdf could not even read the structure. pdfminer is stricter, but if it does find text
        # we use it; otherwise the file is corrupt (pdfminer returns "" for some broken files).
        try:
            text = _pdfminer_text(data, max_pages)
        except Exception as exc2:
            if type(exc2).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
                raise _encrypted_error(name) from exc2
            text = ""
        if _visible_chars(text) and text_quality(text) >= GOOD_ENOUGH:
            return PdfText(text, "pdfminer", [f"PDF structure damaged ({type(exc).__name__}); "
                                              "text recovered with pdfminer"])
        raise IngestError("corrupt", f"{name} is not a readable PDF ({type(exc).__name__}).",
                          CORRUPT_HINT) from exc
    if n_pages > max_pages:
        raise IngestError("too_large", f"{name} has {n_pages} pages; the limit is {max_pages}.",
                          "Upload a shorter CV or raise RECRUITER_MAX_PAGES.")
    if n_pages == 0:
        raise IngestError("no_text", f"{name} has no pages.", CORRUPT_HINT)

    candidates = [("pypdf", "\n\n".join(_pypdf_pages(reader, warnings)))]
    if not _visible_chars(candidates[0][1]) or text_quality(candidates[0][1]) < GOOD_ENOUGH:
        for label, fn in (("pdfminer", _pdfminer_text), ("pypdfium2", _pdfium_text)):
            try:
                candidates.append((label, fn(data, max_pages)))
            except Exception as exc:
                warnings.append(f"{label} failed: {type(exc).__name__}")
    scored = [(label, text, text_quality(text)) for label, text in candidates
              if _visible_chars(text)]
    if not scored:
        raise IngestError("no_text", f"{name} contains no extractable text.",
                          "It looks scanned or blank: run OCR or upload a text-based version.")
    best_q = max(q for _, _, q in scored)
    # Earliest extractor within a hair of the best: pypdf keeps line breaks closest to layout.
    label, text, q = next(c for c in scored if c[2] >= best_q - 0.01)
    if q < GARBLED_BELOW and _visible_chars(text) >= MIN_CHARS_FOR_GARBLED:
        raise IngestError("garbled", f"{name}: the extracted text is unreadable (font without a "
                          "character map).", "Export the CV again as PDF from the original "
                          "editor, or upload it as DOCX or TXT.")
    if q < GOOD_ENOUGH:
        warnings.append(f"extracted text may be partly garbled ({q:.0%} readable characters)")
    if label != "pypdf":
        warnings.append(f"pypdf text was empty or garbled; used {label}")
    return PdfText(text, label, warnings)
