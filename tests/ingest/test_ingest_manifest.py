"""Every resume (and job description) fixture in MANIFEST.csv parses or fails as the manifest says."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from recruiter.ingest.models import IngestError
from recruiter.ingest.pipeline import IngestLimits, parse_file

FIXTURES = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "fixtures").resolve()
MANIFEST = FIXTURES / "MANIFEST.csv"

ERROR_KIND = {
    "error_encrypted": {"encrypted"},
    "error_corrupt": {"corrupt"},
    "error_not_pdf": {"unsupported"},
    "error_not_docx": {"unsupported", "corrupt"},
    "error_empty": {"empty"},
    "empty_text": {"no_text"},
}
OK = {"ok", "garbled_pypdf", "decode_error_utf8"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LIMITS = IngestLimits()

# Text each tricky file must contain once decoded/extracted correctly.
MUST_CONTAIN = {
    "edge/zh_resume_gbk.txt": ["张伟", "教育背景"],
    "edge/zh_resume_gb18030.txt": ["张伟", "教育背景"],
    "edge/zh_resume_utf16le_bom.txt": ["张伟", "教育背景"],
    "edge/zh_tw_resume_big5.txt": ["陳怡君", "國立臺灣大學"],
    "edge/resume_cp1252.txt": ["José Müller-Ñúñez", "São Paulo"],
    "edge/resume_with_tables_header_footer.docx": [
        "priya.raman@example.com", "Priya Raman - Confidential",
        "Thames Fintech Ltd | ML Engineer | 2021-04 | present", "PyTorch | 5", "NumPy"],
    "edge/prompt_injection_hidden_run.docx": ["Ignore all previous instructions"],
    "edge/prompt_injection_hidden_white_text.pdf": ["Ignore all previous instructions"],
    "edge/resume_markdown_with_html_comment_injection.md": ["# Alex Kim", "## Experience",
                                                            "| Evergreen Labs | Staff Engineer |"],
    "edge/docx_without_extension_soupboss_smbdelete": ["Ebony Moore"],
    "pdf_cjk/billryan_resume-zh_CN.pdf": ["你的大名", "教育背景", "上海交通大学"],
    "edge/long_30_pages.pdf": ["[p1]", "[p30]"],
}


def _rows():
    with MANIFEST.open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["kind"] in ("resume", "job_description")]


ROWS = _rows() if MANIFEST.is_file() else []


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_manifest_row(row, check_passages):
    path = FIXTURES / row["path"]
    expect = row["expect"]
    if expect in OK:
        parsed = parse_file(path, limits=LIMITS)
        doc = parsed.document
        assert len("".join(doc.text.split())) >= 8, "text is trivially short"
        assert parsed.passages
        check_passages(doc, parsed.passages)
        assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
        if row["lang"] == "zh":
            assert len(CJK.findall(doc.text)) >= 5, "Chinese file without Chinese text"
        for needle in MUST_CONTAIN.get(row["path"], []):
            assert needle in doc.text, needle
    else:
        with pytest.raises(IngestError) as info:
            parse_file(path, limits=LIMITS)
        assert info.value.kind in ERROR_KIND[expect], (info.value.kind, str(info.value))
        assert info.value.hint.strip() and info.value.message.strip()


def test_manifest_covers_every_expect_value():
    assert {r["expect"] for r in ROWS} <= OK | set(ERROR_KIND)
    assert len(ROWS) >= 90


def test_garbled_pypdf_falls_back_to_a_readable_extractor():
    parsed = parse_file(FIXTURES / "pdf_cjk/billryan_resume-zh_CN.pdf", limits=LIMITS)
    assert parsed.document.extractor in ("pdfminer", "pypdfium2")
    assert any("garbled" in w for w in parsed.document.warnings)
    assert {"education"} <= {p.section for p in parsed.passages}


def test_decoding_warnings_and_verbatim_text():
    bad = parse_file(FIXTURES / "edge/invalid_utf8_bytes_resume.txt", limits=LIMITS).document
    assert "\ufffd" in bad.text and "Naïve" in bad.text   # UTF-8 kept, bad bytes replaced
    assert any("invalid UTF-8" in w for w in bad.warnings)
    gbk = parse_file(FIXTURES / "edge/zh_resume_gbk.txt", limits=LIMITS).document
    assert any("gb18030" in w.lower() or "gbk" in w.lower() for w in gbk.warnings)
    bom = parse_file(FIXTURES / "edge/resume_utf8_bom_crlf.txt", limits=LIMITS).document
    assert bom.text.startswith("Dana Whitfield")


def test_docx_hidden_run_is_flagged():
    doc = parse_file(FIXTURES / "edge/prompt_injection_hidden_run.docx", limits=LIMITS).document
    assert any(w.startswith("hidden text") for w in doc.warnings)
    plain = parse_file(FIXTURES / "docx/soupboss_01-Accountant.docx", limits=LIMITS).document
    assert not any(w.startswith("hidden text") for w in plain.warnings)


def test_extensionless_docx_and_owner_only_encrypted_pdf():
    doc = parse_file(FIXTURES / "edge/docx_without_extension_soupboss_smbdelete", limits=LIMITS)
    assert doc.document.format == "docx" and doc.document.extractor == "python-docx"
    pdf = parse_file(FIXTURES / "edge/encrypted_owner_only_empty_user_password.pdf", limits=LIMITS)
    assert "Dana Whitfield" in pdf.document.text


def test_text_identical_pdfs_share_doc_id_but_not_file_hash():
    a = parse_file(FIXTURES / "pdf_en_kaggle/FINANCE/19147603.pdf", limits=LIMITS).document
    b = parse_file(FIXTURES / "pdf_en_kaggle/FINANCE/28398216.pdf", limits=LIMITS).document
    assert a.doc_id == b.doc_id and a.file_hash != b.file_hash
    assert a.candidate_id != b.candidate_id   # candidate follows the file name
