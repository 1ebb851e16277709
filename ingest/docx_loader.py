"""DOCX text extraction with python-docx: body paragraphs and tables in document order (nested
tables too), text boxes, and header/footer text, where CVs often keep the only contact details.

Hidden runs (``w:vanish``) are kept in the text but reported: a 1-pt hidden instruction is a
classic prompt-injection trick and the assistant flags it later.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .models import IngestError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_OFF = {"0", "false", "off"}
DOCX_HINT = "Open it in Word (or LibreOffice) and save it as .docx, or export it to PDF."


@dataclass
class DocxText:
    text: str
    warnings: list[str] = field(default_factory=list)


def is_docx_zip(data: bytes) -> bool:
    """A ZIP holding word/document.xml: the content check behind 'DOCX without extension works'."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _paragraph_text(p) -> str:
    from docx.text.paragraph import Paragraph

    # python-docx renders runs, hyperlinks, tabs and breaks; text boxes are handled separately.
    return Paragraph(p, None).text


def _textbox_paragraphs(p) -> list:
    """Paragraphs inside text boxes anchored in ``p`` (skipping mc:Fallback duplicates)."""
    out = []
    for box in p.iter(f"{W}txbxContent"):
        if any(anc.tag == MC_FALLBACK for anc in box.iterancestors()):
            continue
        out.append(box)
    return out


def _block_lines(container, lines: list[str]) -> None:
    """Append the text of the block-level children of ``container`` (body, cell, header) in order."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{W}p":
            text = _paragraph_text(child)
            if text.strip():
                lines.append(text)
            for box in _textbox_paragraphs(child):
                _block_lines(box, lines)
        elif tag == f"{W}tbl":
            _table_lines(child, lines)
        elif tag in _WRAPPERS:
            # Content controls and custom XML wrap ordinary blocks.
            _block_lines(child, lines)


def _cell_text(tc) -> str:
    parts: list[str] = []
    _block_lines(tc, parts)
    return "\n".join(p.strip() for p in parts if p.strip())


_WRAPPERS = (f"{W}sdt", f"{W}sdtContent", f"{W}customXml")


def _children(el, tag: str):
    """Direct children with ``tag``, looking through content-control/custom-XML wrappers."""
    for child in el.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _table_lines(tbl, lines: list[str]) -> None:
    # One line per row, cells joined by " | ". A nested table's rows appear inside its cell text.
    for tr in _children(tbl, f"{W}tr"):
        texts = [_cell_text(tc) for tc in _children(tr, f"{W}tc")]
        texts = [t for t in texts if t]   # vertically merged continuation cells are empty
        if texts:
            lines.append(" | ".join(texts))


def _hidden_runs(root) -> list[str]:
    hidden = []
    for r in root.iter(f"{W}r"):
        rpr = r.find(f"{W}rPr")
        if rpr is None:
            continue
        vanish = rpr.find(f"{W}vanish")
        if vanish is None or (vanish.get(f"{W}val") or "true").lower() in _OFF:
            continue
        text = "".join(t.text or "" for t in r.iter(f"{W}t"))
        if text.strip():
            hidden.append(text)
    return hidden


def _header_footer_parts(doc) -> tuple[list, list]:
    headers, footers, seen = [], [], set()
    for section in doc.sections:
        for attr, bucket in (("first_page_header", headers), ("header", headers),
                             ("even_page_header", headers), ("first_page_footer", footers),
                             ("footer", footers), ("even_page_footer", footers)):
            try:
                hf = getattr(section, attr)
                if hf.is_linked_to_previous:
                    continue
                el = hf._element
            except Exception:   # a broken header part should not lose the body text
                continue
            if id(el) not in seen:
                seen.add(id(el))
                bucket.append(el)
    return headers, footers


def extract_docx(path: Path, data: bytes) -> DocxText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    name = path.name
    if not is_docx_zip(data):
        raise IngestError("unsupported", f"{name} is not a Word document (no word/document.xml).",
                          DOCX_HINT)
    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        # e.g. a .docm/.dotx or a package whose main part is not a Word document
        raise IngestError("unsupported", f"{name} is not a supported Word document "
                          f"({type(exc).__name__}).", DOCX_HINT) from exc
    except Exception as exc:
        raise IngestError("corrupt", f"{name} is a damaged Word document ({type(exc).__name__}).",
                          DOCX_HINT) from exc

    warnings: list[str] = []
    body_lines: list[str] = []
    _block_lines(doc.element.body, body_lines)
    headers, footers = _header_footer_parts(doc)
    head_lines: list[str] = []
    foot_lines: list[str] = []
    for el in headers:
        _block_lines(el, head_lines)
    for el in footers:
        _block_lines(el, foot_lines)
    # Repeated header/footer text (first page + default) would duplicate contact lines.
    head_lines = list(dict.fromkeys(head_lines))
    foot_lines = [ln for ln in dict.fromkeys(foot_lines) if ln not in head_lines]
    if head_lines or foot_lines:
        warnings.append("header/footer text included")

    hidden = _hidden_runs(doc.element.body)
    for el in headers + footers:
        hidden += _hidden_runs(el)
    if hidden:
        sample = " ".join(hidden)[:80]
        warnings.append(f"hidden text: {len(hidden)} hidden run(s) kept in the text, "
                        f"e.g. {sample!r}")

    blocks = ["\n".join(x) for x in (head_lines, body_lines, foot_lines) if x]
    text = "\n\n".join(blocks)
    if not text.strip():
        raise IngestError("no_text", f"{name} contains no text.",
                          "It looks scanned or blank: run OCR or upload a text-based version.")
    return DocxText(text, warnings)
