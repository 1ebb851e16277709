"""The five project seed CVs: exact passage spans, full coverage, sections, deterministic ids."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from recruiter.ingest.models import candidate_id_for, content_hash
from recruiter.ingest.normalize import normalize_text
from recruiter.ingest.pipeline import IngestLimits, parse_file

SEEDS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "seeds").resolve()
LIMITS = IngestLimits()

# Sections each seed must expose (000/001/004 are Chinese, 003 uses "## Education" etc.).
EXPECTED_SECTIONS = {
    "000": {"contact", "education", "research", "publications", "experience", "projects",
            "awards", "skills"},
    "001": {"contact", "education", "research", "experience", "projects", "publications",
            "awards"},
    "002": set(),
    "003": {"summary", "experience", "education", "publications", "contact"},
    "004": {"contact", "education", "experience", "research", "projects", "publications"},
}
EXPECTED_HEADINGS = {
    "000": {"教育经历", "学术论文", "实习经历", "所获主要荣誉和学术服务", "技能"},
    "001": {"教育经历", "论文列表", "获奖情况", "基金情况"},
    "003": {"News", "Experience", "Education", "Publication", "Contact"},
    "004": {"教育背景", "实习经历", "科研经历", "项目经历", "发表论文"},
}


def _seed(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert matches, f"seed {prefix} missing in {SEEDS}"
    return matches[0]


def _collapse(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.mark.parametrize("prefix", sorted(EXPECTED_SECTIONS))
def test_seed_passages_are_exact_and_cover_text(prefix, check_passages):
    path = _seed(prefix)
    parsed = parse_file(path, limits=LIMITS)
    doc = parsed.document
    check_passages(doc, parsed.passages)
    raw = path.read_text(encoding="utf-8")
    assert doc.text == normalize_text(raw)
    # Citations are verified against the original file after whitespace collapse.
    original = _collapse(raw)
    for p in parsed.passages:
        assert _collapse(p.text) in original
    assert doc.format == "txt" and doc.extractor == "text"
    assert doc.source == path.name and doc.candidate_id == candidate_id_for(path.name)
    assert doc.doc_id == content_hash(doc.text)
    assert doc.file_hash == content_hash(path.read_bytes())
    assert not doc.text.startswith("\n")   # the seeds' leading blank lines are gone


@pytest.mark.parametrize("prefix", sorted(EXPECTED_SECTIONS))
def test_seed_sections(prefix):
    parsed = parse_file(_seed(prefix), limits=LIMITS)
    found = {p.section for p in parsed.passages}
    assert EXPECTED_SECTIONS[prefix] <= found, found
    headings = {p.heading for p in parsed.passages}
    assert EXPECTED_HEADINGS.get(prefix, set()) <= headings, headings
    for p in parsed.passages:
        if p.heading:
            # The heading's own line sits at the start of the first passage of its section.
            assert p.heading in parsed.document.text


def test_seed_sections_specifics():
    p000 = parse_file(_seed("000"), limits=LIMITS).passages
    assert p000[0].section == "contact" and "keji@link.cuhk.edu.cn" in p000[0].text
    skills = [p for p in p000 if p.section == "skills"]
    assert any("pytorch" in p.text for p in skills)
    p003 = parse_file(_seed("003"), limits=LIMITS).passages
    assert p003[0].section == "summary" and p003[0].text.startswith("---")
    assert any(p.section == "contact" and "helicbupt@gmail.com" in p.text for p in p003)
    # "### 01 - ..." sub-headings inside 实习经历 stay in the experience section.
    p001 = parse_file(_seed("001"), limits=LIMITS).passages
    assert any(p.section == "experience" and "### 01" in p.text for p in p001)
    # 002 is a noisy scraped profile with no real headings: one preamble section.
    p002 = parse_file(_seed("002"), limits=LIMITS).passages
    assert {p.section for p in p002} == {"summary"}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_SECTIONS))
def test_seed_ids_are_deterministic(prefix):
    a = parse_file(_seed(prefix), limits=LIMITS)
    b = parse_file(_seed(prefix), limits=LIMITS)
    assert [p.id for p in a.passages] == [p.id for p in b.passages]
    assert [p.to_dict() for p in a.passages] == [p.to_dict() for p in b.passages]
    assert a.document.doc_id == b.document.doc_id


def test_seed_passage_sizes_are_reasonable():
    for prefix in EXPECTED_SECTIONS:
        passages = parse_file(_seed(prefix), limits=LIMITS).passages
        sizes = [p.end - p.start for p in passages]
        assert max(sizes) <= 600
        assert sum(sizes) / len(sizes) >= 150, (prefix, sizes)   # not shredded into lines
