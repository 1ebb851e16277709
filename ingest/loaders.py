"""Turn a CV file into raw text: format sniffing, size limits and per-format extraction.

The format is decided by content first and extension second, so a DOCX without an extension
works, and a PNG or an HTML error page saved as ``.pdf`` is rejected as "not a PDF" rather than
reported as a corrupt PDF. Every failure is an IngestError with a recruiter-readable hint.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .models import IngestError

TEXT_EXTS = {".txt": "txt", ".md": "md", ".markdown": "md"}
HTML_EXTS = {".html", ".htm"}
SUPPORTED_EXTS = (".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm")
SUPPORTED_TYPES = "PDF, DOCX, TXT, Markdown (.md) or HTML"

_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                b"GIF87a": "a GIF image", b"GIF89a": "a GIF image", b"II*\x00": "a TIFF image",
                b"MM\x00*": "a TIFF image"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .doc / .xls (Compound File)


@dataclass
class ExtractedText:
    text: str                      # raw extracted text, not yet normalized
    format: str                    # pdf | docx | txt | md | html
    extractor: str                 # pypdf | pdfminer | pypdfium2 | python-docx | text | beautifulsoup4
    warnings: list[str] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    """Content type from magic bytes: pdf | pdf? | zip | docx | ole | image:<what> | html | None."""
    if data.lstrip(b"\x00\t\n\r \xef\xbb\xbf")[:5] == b"%PDF-":
        return "pdf"
    # Readers accept junk before the header within the first KB; weaker evidence, because a text
    # file may merely mention "%PDF-".
    if b"%PDF-" in data[:1024]:
        return "pdf?"
    if data.startswith(b"PK\x03\x04"):
        from .docx_loader import is_docx_zip
        return "docx" if is_docx_zip(data) else "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    for magic, what in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return "image:" + what
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image:a WebP image"
    if _HTML_START.match(data[:2048].lstrip(b"\xef\xbb\xbf")):
        return "html"
    return None


def _unsupported(name: str, what: str) -> IngestError:
    return IngestError("unsupported", f"{name} is {what}, which is not a supported CV format.",
                       f"Upload the CV as {SUPPORTED_TYPES}.")


def _decide_format(name: str, ext: str, data: bytes) -> str:
    """pdf | docx | txt | md | html, or raise 'unsupported' with what the file really is."""
    kind = sniff(data)
    if kind in ("pdf", "docx"):
        return kind
    if kind == "pdf?":
        if ext in (".pdf", ""):
            return "pdf"
        kind = None
    if kind == "zip":
        if ext == ".docx":
            raise IngestError("unsupported", f"{name} is a ZIP archive but not a Word document.",
                              "Open it in Word and save it as .docx, or export it to PDF.")
        raise _unsupported(name, "a ZIP archive")
    if kind == "ole":
        raise IngestError("unsupported", f"{name} is a legacy Word (.doc) or Office binary file.",
                          "Open it in Word and save it as .docx, or export it to PDF.")
    if kind and kind.startswith("image:"):
        raise IngestError("unsupported", f"{name} is {kind[6:]}, not a text document.",
                          "Run OCR on it, or upload the CV as PDF, DOCX or TXT.")
    # Text-like or unknown content: the extension decides, but a .pdf/.docx must sniff as one.
    if ext == ".pdf":
        what = "an HTML page" if kind == "html" else "not a PDF (no %PDF header)"
        raise IngestError("unsupported", f"{name} is {what}; it is not a PDF file.",
                          "Download or export the CV again as a real PDF.")
    if ext == ".docx":
        raise IngestError("unsupported", f"{name} is not a Word document (not a DOCX archive).",
                          "Open it in Word and save it as .docx, or upload it as PDF/TXT.")
    if ext in HTML_EXTS:
        return "html"
    if ext in TEXT_EXTS:
        return TEXT_EXTS[ext]
    raise _unsupported(name, f"of unknown type{' (' + ext + ')' if ext else ''}")


def extract_text(path: Path, *, max_bytes: int, max_pages: int) -> ExtractedText:
    """Extract raw text from a PDF, DOCX, TXT/MD or HTML file.

    Raises IngestError: not_found, empty, too_large (bytes or pages), unsupported, encrypted,
    corrupt, no_text, garbled. No other exception type escapes.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError("not_found", f"{name} is not a file.", "Pass a file or a folder of CVs.")
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise IngestError("not_found", f"{name} does not exist.", "Check the path.") from exc
    except OSError as exc:
        raise IngestError("not_found", f"{name} cannot be read ({exc.strerror}).",
                          "Check the path and its permissions.") from exc
    if size == 0:
        raise IngestError("empty", f"{name} is empty (0 bytes).",
                          "Upload the file again; the copy may have failed.")
    if size > max_bytes:
        raise IngestError("too_large", f"{name} is {size / 1e6:.1f} MB; the limit is "
                          f"{max_bytes / 1e6:.1f} MB.", "Upload a smaller file or raise "
                          "RECRUITER_MAX_FILE_MB.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("not_found", f"{name} cannot be read ({exc.strerror}).",
                          "Check the file's permissions.") from exc
    fmt = _decide_format(name, path.suffix.lower(), data)
    try:
        return _extract(path, data, fmt, max_pages=max_pages)
    except IngestError:
        raise
    except Exception as exc:  # a parser bug or odd file must become a clean, per-file error
        raise IngestError("corrupt", f"{name} could not be read as {fmt.upper()} "
                          f"({type(exc).__name__}).", "Save or export the file again and re-upload "
                          "it, or upload it as PDF or TXT.") from exc


def _extract(path: Path, data: bytes, fmt: str, *, max_pages: int) -> ExtractedText:
    if fmt == "pdf":
        from .pdf_loader import extract_pdf
        got = extract_pdf(path, data, max_pages=max_pages)
        return ExtractedText(got.text, "pdf", got.extractor, got.warnings)
    if fmt == "docx":
        from .docx_loader import extract_docx
        got = extract_docx(path, data)
        return ExtractedText(got.text, "docx", "python-docx", got.warnings)
    from .text_loader import decode_bytes, html_to_text, looks_like_text
    if not looks_like_text(data):
        raise _unsupported(path.name, "a binary file")
    decoded = decode_bytes(data)
    if fmt == "html":
        text, warnings = html_to_text(decoded.text)
        return ExtractedText(text, "html", "beautifulsoup4", decoded.warnings + warnings)
    return ExtractedText(decoded.text, fmt, "text", decoded.warnings)
