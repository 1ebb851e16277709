"""Property tests: normalize_text is idempotent and chunking keeps exact offsets on any text."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruiter.ingest.chunking import chunk_document
from recruiter.ingest.models import Document, content_hash
from recruiter.ingest.normalize import normalize_text

# Characters that stress the pipeline: CJK and its punctuation, Latin, emoji, every line-ending
# style, tabs, NUL and other controls, BOM and zero-width characters, NBSP, sentence ends.
_ALPHABET = st.one_of(
    st.sampled_from(list("教育经历实习项目论文技能，。！？；：、（）")),
    st.sampled_from(list("abcXYZ019 .,;:!?-*#|")),
    st.sampled_from(["\n", "\r", "\t", " ", "\x00", "\x07", "\x0c", "\ufeff", "\u200b",
                     "\u00a0", "\u3000", "🎓", "☎", "\uf095"]),
    st.characters(codec="utf-8"),
)
_LINE = st.text(_ALPHABET, max_size=80)
_HEADING = st.sampled_from(["教育经历", "## Experience", "**Skills**:", "项目经历", "Publications",
                            "# 🎓 获奖情况", "Contact"])
_LONG_LINE = st.builds(lambda w, n: (w + " ") * n, st.text(_ALPHABET, min_size=1, max_size=12),
                       st.integers(50, 400))
# Lines joined with LF, CRLF or CR, so every line-ending style is exercised.
_DOC = st.builds(lambda lines, eol: eol.join(lines),
                 st.lists(st.one_of(_LINE, _HEADING, _LONG_LINE), max_size=40),
                 st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))

PROPS = settings(max_examples=150, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _doc(text: str) -> Document:
    return Document(doc_id=content_hash(text), source="p.txt", path="p.txt", file_hash="x",
                    text=text, format="txt", extractor="text", candidate_id="c_prop")


@PROPS
@given(_DOC)
def test_normalize_idempotent_and_clean(raw):
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert "\r" not in once and "\x00" not in once and not once.startswith("\ufeff")
    assert "\n\n\n\n" not in once
    assert all(line == line.rstrip(" \t") for line in once.split("\n"))


@PROPS
@given(_DOC, st.sampled_from([(400, 600), (120, 200), (50, 50)]))
def test_chunking_offsets_exact_and_bounded(check_passages, raw, sizes):
    chunk_chars, hard_max = sizes
    doc = _doc(normalize_text(raw))
    passages = chunk_document(doc, chunk_chars=chunk_chars, hard_max=hard_max)
    check_passages(doc, passages, hard_max=hard_max)
    again = chunk_document(doc, chunk_chars=chunk_chars, hard_max=hard_max)
    assert [p.id for p in again] == [p.id for p in passages]
