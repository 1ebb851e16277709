"""File -> Document + Passages: extract, normalize, split into sections, chunk.

Ids are deterministic: the candidate follows the file name, the document follows its normalized
text and each passage its (doc_id, start, end), so re-ingesting an unchanged file is a no-op.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import DEFAULT_CHUNK_CHARS, HARD_MAX_CHARS, chunk_document
from .loaders import SUPPORTED_EXTS, extract_text, sniff
from .models import Document, IngestError, Passage, candidate_id_for, content_hash
from .normalize import find_hidden_text_markers, normalize_text
from .sections import split_sections

MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(float(raw))
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


@dataclass(frozen=True)
class IngestLimits:
    """Per-file limits. Defaults fit real CVs with room to spare (the 5 MB test file included)."""
    max_bytes: int = 20 * MB
    max_pages: int = 50
    max_passages_per_file: int = 20_000
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    hard_max_chars: int = HARD_MAX_CHARS

    @classmethod
    def from_env(cls) -> "IngestLimits":
        """Read RECRUITER_MAX_FILE_MB / RECRUITER_MAX_PAGES / RECRUITER_MAX_PASSAGES_PER_FILE."""
        d = cls()
        return cls(
            max_bytes=_env_int("RECRUITER_MAX_FILE_MB", d.max_bytes // MB) * MB,
            max_pages=_env_int("RECRUITER_MAX_PAGES", d.max_pages),
            max_passages_per_file=_env_int("RECRUITER_MAX_PASSAGES_PER_FILE",
                                           d.max_passages_per_file),
        )


@dataclass
class ParsedDocument:
    document: Document
    passages: list[Passage] = field(default_factory=list)


def parse_file(path: Path, *, source: str | None = None,
               limits: IngestLimits | None = None) -> ParsedDocument:
    """Parse one CV file into a Document and its Passages.

    ``source`` is the name used in citations (default: the file's basename). ``limits`` defaults
    to ``IngestLimits.from_env()``. Raises IngestError only.
    """
    path = Path(path)
    limits = limits or IngestLimits.from_env()
    source = source or path.name
    extracted = extract_text(path, max_bytes=limits.max_bytes, max_pages=limits.max_pages)
    text = normalize_text(extracted.text)
    if not text.strip():
        hint = ("It looks scanned or blank: run OCR or upload a text-based version."
                if extracted.format in ("pdf", "docx") else "The file holds only whitespace or "
                "control characters; upload the CV with its text.")
        raise IngestError("no_text", f"{path.name} contains no text.", hint)
    try:
        raw_hash = content_hash(path.read_bytes())
    except OSError as exc:
        raise IngestError("not_found", f"{path.name} cannot be read ({exc.strerror}).",
                          "Check the file's permissions.") from exc
    warnings = list(extracted.warnings)
    hidden = find_hidden_text_markers(text)
    if hidden:
        warnings.append("invisible characters: " + ", ".join(hidden))
    document = Document(
        doc_id=content_hash(text), source=source, path=str(path), file_hash=raw_hash, text=text,
        format=extracted.format, extractor=extracted.extractor,
        candidate_id=candidate_id_for(source), warnings=warnings)
    passages = chunk_document(document, chunk_chars=limits.chunk_chars,
                              hard_max=limits.hard_max_chars, spans=split_sections(text))
    if len(passages) > limits.max_passages_per_file:
        raise IngestError("too_large", f"{path.name} produces {len(passages)} passages; the limit "
                          f"is {limits.max_passages_per_file}.", "Upload a shorter file or raise "
                          "RECRUITER_MAX_PASSAGES_PER_FILE.")
    return ParsedDocument(document, passages)


def _is_hidden(rel: Path) -> bool:
    # Dot files, and "~$cv.docx" owner files Word leaves next to an open document.
    return any(part.startswith((".", "~$")) for part in rel.parts)


def _is_candidate_file(path: Path) -> bool:
    ext = path.suffix.lower()
    if ext in SUPPORTED_EXTS:
        return True
    if ext:
        return False
    try:   # extension-less: only real PDFs/DOCX (sniffed), not READMEs and lock files
        with path.open("rb") as fh:
            head = fh.read(1024)
        if head.startswith(b"PK\x03\x04"):
            return sniff(path.read_bytes()) == "docx"
        return sniff(head) in ("pdf", "pdf?")
    except OSError:
        return False


def iter_input_files(paths) -> list[Path]:
    """Expand files and folders (recursively, skipping hidden entries) into a sorted file list.

    Files named explicitly are kept whatever their type, so the caller reports a clear error for
    each; inside folders only supported types (and extension-less PDF/DOCX) are picked up.
    """
    found: set[Path] = set()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in files:
                    fp = Path(root) / f
                    if not _is_hidden(fp.relative_to(p)) and _is_candidate_file(fp):
                        found.add(fp)
        else:
            found.add(p)
    return sorted(found)
