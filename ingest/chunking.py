"""Section-aware chunking of a document's text into passages with exact character offsets.

Invariant kept here: ``passage.text == document.text[passage.start:passage.end]``. The langchain
splitter only proposes cut points; offsets come from scanning forward through the section text,
so a repeated sentence can never be mapped onto an earlier copy.
"""
from __future__ import annotations

from .models import Document, Passage, passage_id_for
from .sections import SectionSpan, split_sections

DEFAULT_CHUNK_CHARS = 400
HARD_MAX_CHARS = 600

# Blank lines, then line breaks, then sentence ends (Chinese and English), then clauses, then
# words, then anywhere. Sentence ends keep their punctuation (keep_separator="end").
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", " ", ""]


def _splitter(chunk_chars: int):
    # Imported here: langchain takes ~0.5 s to import and many CLI commands never chunk.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS, keep_separator="end", chunk_size=chunk_chars, chunk_overlap=0,
        strip_whitespace=False, is_separator_regex=False)


def _piece_offsets(segment: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Map splitter pieces back to [start, end) in ``segment`` by scanning forward only."""
    out, cursor = [], 0
    for piece in pieces:
        if not piece:
            continue
        at = segment.find(piece, cursor)
        if at < 0:
            # Should not happen (the splitter keeps every character); fail loudly in tests.
            raise AssertionError("text splitter returned a piece not found in order")
        out.append((at, at + len(piece)))
        cursor = at + len(piece)
    return out


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _hard_split(start: int, end: int, hard_max: int) -> list[tuple[int, int]]:
    """Last resort: fixed windows, only for a span the splitter left over ``hard_max``."""
    return [(s, min(s + hard_max, end)) for s in range(start, end, hard_max)]


def _merge_small(pieces: list[tuple[int, int]], small: int, hard_max: int) -> list[tuple[int, int]]:
    """Glue a tiny piece (a lone heading, a last short line) to its neighbour within ``hard_max``.

    The splitter merges only pieces of the same separator level, so a heading followed by a long
    paragraph would otherwise end up as a 4-character passage that retrieves nothing useful.
    """
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if out:
            ps, pe = out[-1]
            if (pe - ps < small or e - s < small) and e - ps <= hard_max:
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


def chunk_spans(text: str, spans: list[SectionSpan], *, chunk_chars: int = DEFAULT_CHUNK_CHARS,
                hard_max: int = HARD_MAX_CHARS) -> list[tuple[SectionSpan, int, int]]:
    """Cut each section span into (span, start, end) pieces of about ``chunk_chars`` characters.

    Pieces never cross a section boundary, are stripped of edge whitespace, are non-empty and
    are at most ``hard_max`` characters long.
    """
    if chunk_chars <= 0 or hard_max < chunk_chars:
        raise ValueError("need 0 < chunk_chars <= hard_max")
    splitter = _splitter(chunk_chars)
    out: list[tuple[SectionSpan, int, int]] = []
    for span in spans:
        segment = text[span.start:span.end]
        if not segment.strip():
            continue
        pieces = []
        for a, b in _piece_offsets(segment, splitter.split_text(segment)):
            s, e = _strip_span(text, span.start + a, span.start + b)
            if s < e:
                pieces.append((s, e))
        for s, e in _merge_small(pieces, max(1, chunk_chars // 4), hard_max):
            windows = [(s, e)] if e - s <= hard_max else _hard_split(s, e, hard_max)
            for ws, we in windows:
                ws, we = _strip_span(text, ws, we)
                if ws < we:
                    out.append((span, ws, we))
    return out


def chunk_document(document: Document, *, chunk_chars: int = DEFAULT_CHUNK_CHARS,
                   hard_max: int = HARD_MAX_CHARS,
                   spans: list[SectionSpan] | None = None) -> list[Passage]:
    """Split ``document.text`` into section-tagged Passages with deterministic ids."""
    text = document.text
    if spans is None:
        spans = split_sections(text)
    passages = []
    for span, start, end in chunk_spans(text, spans, chunk_chars=chunk_chars, hard_max=hard_max):
        passages.append(Passage(
            id=passage_id_for(document.doc_id, start, end), doc_id=document.doc_id,
            candidate_id=document.candidate_id, source=document.source, start=start, end=end,
            section=span.section, heading=span.heading, text=text[start:end]))
    return passages
