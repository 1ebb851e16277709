"""Rule-based candidate profiles (issue 5, part 1).

Expected values below were written by reading the five sample CVs in examples/candidates. Every value
of a profile is a span of the document text; that invariant is checked on the seeds and on the shared
text fixtures (English resumes, Chinese bios).
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruiter.ingest.models import Document
from recruiter.ingest.pipeline import parse_file
from recruiter.ingest.profile import Profile, Span, extract_profile

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "candidates"
FIXTURES = (REPO / ".." / "shared" / "corpus" / "fixtures").resolve()

NAMES = {
    "000": ["冀轲", "Ke Ji"],
    "001": ["韩槿一", "Jinyi Han", "Haixia Han"],     # Haixia Han: her former name (曾用名)
    "002": ["Luo Ji"],
    "003": ["Keqing He"],
    "004": ["杨子逸", "Ziyi Yang"],
}


def _seed_path(prefix: str) -> Path:
    return next(EXAMPLES.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def parsed():
    return {k: parse_file(_seed_path(k)) for k in NAMES}


@pytest.fixture(scope="module")
def prof(parsed):
    return {k: extract_profile(pd.document, pd.passages, names=NAMES[k]) for k, pd in parsed.items()}


def v(span: Span | None) -> str | None:
    return None if span is None else span.value


def _pub(profile: Profile, title_start: str):
    hits = [p for p in profile.publications if p.title.value.startswith(title_start)]
    assert len(hits) == 1, (title_start, [p.title.value for p in profile.publications])
    return hits[0]


def _assert_spans(profile: Profile, text: str) -> None:
    spans = profile.all_spans()
    for sp in spans:
        assert isinstance(sp, Span)
        assert 0 <= sp.start < sp.end <= len(text), sp
        assert sp.value and sp.value in text[sp.start:sp.end], sp
        assert text[sp.start:sp.end] == sp.value, sp     # tight: the span is exactly the value


# ---- education -----------------------------------------------------------------------------------
def test_000_education_dates_printed_away_from_schools(prof):
    edu = [(v(e.school), e.degree_level, v(e.degree_text), v(e.field), v(e.start), v(e.end), v(e.advisor))
           for e in prof["000"].education]
    assert edu == [
        ("香港中文大学 (深圳)", "phd", "博士", "计算机科学", "2024.9", "至今", "王本友"),
        ("东南大学", "master", "硕士", "软件工程", "2021.9", "2024.6", "汪鹏"),
        ("郑州大学", "bachelor", "本科", "软件工程", "2017.9", "2021.6", None),
    ]


def test_001_education_one_line_entries(prof):
    edu = [(v(e.school), e.degree_level, v(e.degree_text), v(e.start), v(e.end)) for e in prof["001"].education]
    assert edu == [
        ("华东师范大学 (复旦大学联合培养)", "phd", "学术博士", "2023.09", "至今"),
        ("东华大学", "master", "学术硕士", "2020.09", "2023.03"),
        ("河南财经政法大学", "bachelor", "本科", "2016.09", "2020.06"),
    ]
    # no major is written: the college stands in for the field
    assert {v(e.field) for e in prof["001"].education} == {"计算机科学与技术学院"}


def test_003_education_dates_degree_school_on_one_line(prof):
    edu = [(v(e.school), e.degree_level, v(e.degree_text), v(e.field), v(e.start), v(e.end))
           for e in prof["003"].education]
    bupt = "BEIJING UNIVERSITY OF POSTS AND TELECOMMUNICATIONS"
    assert edu == [
        (bupt, "master", "Master", "Artificial Intelligence", "2018", "2021"),
        (bupt, "bachelor", "Bachelor", "Communication Engineering", "2014", "2018"),
    ]


def test_004_education_school_line_then_degree_line_with_advisor(prof):
    edu = [(v(e.school), e.degree_level, v(e.degree_text), v(e.field), v(e.start), v(e.end), v(e.advisor))
           for e in prof["004"].education]
    assert edu == [
        ("中山大学", "master", "硕士研究生", "计算机技术", "2023.09", "2026.06", "权小军"),
        ("中山大学", "bachelor", "本科", "计算机科学与技术", "2019.09", "2023.06", None),
    ]


def test_002_has_no_education_section(prof):
    assert prof["002"].education == [] and prof["002"].experience == []


# ---- experience ----------------------------------------------------------------------------------
def test_000_experience_company_line_and_date_line(prof):
    exp = [(v(x.organisation), v(x.role), v(x.start), v(x.end), x.kind) for x in prof["000"].experience]
    assert exp == [
        ("MiniMax", "大模型研究实习生", "2025.6", "至今", "internship"),
        ("腾讯科技(深圳)有限公司 AI Lab", "语言智能研究实习生", "2024.10", "2025.5", "internship"),
        ("北京红棉小冰股份有限公司(原微软小冰)", "自然语言处理研究实习生", "2022.1", "2023.2", "internship"),
    ]
    assert any("Interleaved Agent" in d.value for d in prof["000"].experience[0].details)


def test_001_experience(prof):
    (x,) = prof["001"].experience
    assert v(x.organisation).startswith("字节跳动")
    assert (v(x.role), v(x.start), v(x.end), x.kind) == ("多模态大模型算法工程师", "2025.07", "至今", "internship")


def test_003_experience_numbered_role_in_org(prof):
    exp = [(v(x.organisation), v(x.role), v(x.start), v(x.end), x.kind) for x in prof["003"].experience]
    assert exp == [
        ("Meituan LLM Group", "Full employee", "Mar 2023", "Now", "full-time"),
        ("Meituan NLP Group", "Full employee", "Jun 2021", "Mar 2023", "full-time"),
        ("Alibaba DAMO", "Research Intern", "Jun 2020", "Oct 2020", "internship"),
        ("Tencent Wechat AI Lab", "Research Intern", "Mar 2020", "Jun 2020", "internship"),
        ("Meituan NLP Group", "Research Intern", "Oct 2019", "Mar 2020", "internship"),
    ]


def test_004_experience(prof):
    (x,) = prof["004"].experience
    assert (v(x.organisation), v(x.start), v(x.end), x.kind) == ("通义实验室 NLP 文档智能团队", "2025.05", "2025.12",
                                                                 "internship")
    assert len(x.details) == 3 and "QwenLong-L1.5" in x.details[1].value


# ---- publications --------------------------------------------------------------------------------
def test_000_publications_markers(prof):
    pubs = prof["000"].publications
    assert len(pubs) == 10       # 8 under 学术论文 + 2 papers listed under 项目经历 (HuatuoGPT-II, -o1)
    firsts = {p.title.value.split(":")[0] for p in pubs if p.author_position == "first"}
    assert firsts == {"The First Few Tokens Are All You Need",
                      "Unlocking LLMs' Self-Improvement Capacity with Autonomous Learning for Domain Adaptation",
                      "Hierarchical Verbalizer for Few-shot Hierarchical Text Classification",
                      "Domain-Hierarchy Adaptation via Chain of Iterative Reasoning for Few-shot Hierarchical "
                      "Text Classification",
                      "Enhancing Persona Consistency for LLMs' Role-Playing using Persona-Aware Contrastive Learning"}
    upft = _pub(prof["000"], "The First Few Tokens")
    assert (v(upft.venue), v(upft.year), v(upft.position_evidence)) == ("Neurips2025", "2025", "一作")
    smart = _pub(prof["000"], "SmartRAG")
    assert (smart.author_position, v(smart.venue), v(smart.position_evidence), smart.author_index) == \
        ("other", "ICLR2025", "三作", 2)
    web = _pub(prof["000"], "WebExplorer")     # no marker: position from the author list
    assert (web.author_position, v(web.venue), web.author_index) == ("other", "Technical Report", 5)
    huatuo = _pub(prof["000"], "HuatuoGPT-II")
    assert (huatuo.author_position, v(huatuo.venue), v(huatuo.year)) == ("other", "COLM2024", "2024")


def test_001_publications_former_name_counts_as_her(prof):
    pubs = prof["001"].publications
    assert len(pubs) == 18
    assert Counter(p.author_position for p in pubs) == {"first": 5, "co-first": 1, "other": 12}
    small = _pub(prof["001"], "Small Language Model Can Self-correct")
    assert (small.author_position, v(small.position_evidence), v(small.year), v(small.venue)) == \
        ("first", "Haixia Han", "2024", "AAAI")
    thompson = _pub(prof["001"], "Thompson Sampling")
    assert (thompson.author_position, thompson.author_index) == ("other", 2)
    # '*' here is defined by the CV's legend (导师第一作者, 学生为第二作者), not equal contribution
    bandit = _pub(prof["001"], "Dynamic Clustering Based")
    assert (bandit.author_position, bandit.marks, bandit.author_index) == ("other", "*", 1)
    assert v(bandit.note) == "导师第一作者, 学生为第二作者"
    neg = _pub(prof["001"], "Not All Negative Samples")     # "(Under review, Equal Contribution, ...)"
    assert (neg.author_position, v(neg.year), v(neg.venue)) == ("co-first", "2026", "ICML")
    cocob = _pub(prof["001"], "CoCoB")
    assert (cocob.author_position, cocob.marks) == ("other", "†")


def test_002_tagged_scholar_list(prof):
    pubs = prof["002"].publications
    assert len(pubs) == 22
    tags = Counter(p.category_tag.value for p in pubs)
    assert tags == {"CL": 11, "IR": 7, "LG": 3, "AI": 1}
    odm = _pub(prof["002"], "Online Decision MetaMorphFormer")
    assert (v(odm.category_tag), v(odm.year), odm.author_position) == ("LG", "2024", "first")
    qwen = _pub(prof["002"], "Qwen Technical Report")
    assert (v(qwen.category_tag), v(qwen.year), qwen.author_position) == ("CL", "2023", "unknown")
    learn = _pub(prof["002"], "Learn-to-learn on Arbitrary")    # "CLMay 3Code": no year written
    assert (v(learn.category_tag), learn.year) == ("CL", None)
    assert v(_pub(prof["002"], "From Descriptive to Prescriptive").category_tag) == "AI"
    firsts = [p for p in pubs if p.author_position == "first"]
    assert len(firsts) == 7 and all(v(p.position_evidence) == "Luo Ji" for p in firsts)


def test_003_first_and_equal_contribution(prof):
    pubs = prof["003"].publications
    assert len(pubs) == 37
    assert Counter(p.author_position for p in pubs) == {"first": 4, "co-first": 18, "other": 15}
    agent = _pub(prof["003"], "AgentRefine")
    assert (agent.author_position, v(agent.position_evidence), v(agent.venue), v(agent.year)) == \
        ("co-first", r"\textbf{Keqing He*}", "ICLR2025", "2025")
    ood = _pub(prof["003"], "Large Language Models Meet Open-World Intent")
    assert (ood.author_position, v(ood.position_evidence)) == ("co-first", r"**Keqing He**\*")
    deita = _pub(prof["003"], "What Makes Good Data for Alignment?")   # others starred, not him
    assert deita.author_position == "other"
    simple = _pub(prof["003"], "SimpleRL-Zoo")
    assert (v(simple.venue), simple.year, simple.author_position) == ("Arxiv", None, "other")
    assert _pub(prof["003"], "Unified Knowledge Prompt Pretraining").author_position == "first"


def test_004_co_first_author_marker(prof):
    pubs = prof["004"].publications
    assert len(pubs) == 9
    qwen = _pub(prof["004"], "QwenLong-L1.5")
    assert (qwen.author_position, v(qwen.position_evidence), v(qwen.venue)) == \
        ("co-first", "**Ziyi Yang (co-first author)**", "Tech report")
    wrpo = _pub(prof["004"], "Weighted-reward preference optimization")
    assert (wrpo.author_position, v(wrpo.venue), v(wrpo.year)) == ("first", "ICLR 2025", "2025")
    spell = _pub(prof["004"], "SPELL")
    assert (spell.author_position, v(spell.note)) == ("first", "under review")
    assert Counter(p.author_position for p in pubs) == {"first": 3, "co-first": 1, "other": 5}


# ---- contact, awards, skills, research areas, protected -------------------------------------------
def test_contact(prof):
    def c(k):
        p = prof[k].contact
        return [v(e) for e in p.emails], [v(x) for x in p.phones], [(ln.kind, v(ln.url)) for ln in p.links]
    assert c("000") == (["keji@link.cuhk.edu.cn"], ["(+86) 18338991628"], [("homepage", "1ke-ji.github.io")])
    assert c("001") == (["jinyihan099@gmail.com"], ["15224975562"], [("homepage", "https://jinyihan99.github.io")])
    assert c("002") == ([], [], [])
    assert c("003") == (["helicbupt@gmail.com"], [], [
        ("homepage", "https://helicqin.github.io"),
        ("scholar", "https://www.semanticscholar.org/author/Keqing-He/2058349088")])
    assert c("004") == (["yangzy39@mail2.sysu.edu.cn"], ["19924680829"], [("homepage", "https://yangzy39.github.io")])


def test_000_awards_years_printed_in_a_column(prof):
    aw = [(v(a.text), v(a.date), v(a.year)) for a in prof["000"].awards]
    assert aw == [
        ("AIMO2 金牌 (HUAWEI-CUHK SZ)", "2025 年", "2025"),
        ("东南大学优秀毕业生、东南大学优秀硕士学位论文", "2024 年", "2024"),
        ("国家奖学金 (1/130)、研究生优秀奖学金、三好学生标兵 (1/130)", "2023 年", "2023"),
        ("一等奖学金、优秀毕业生", "本科", None),
    ]   # reviewer and teaching-assistant items of the same section are service, not awards


def test_001_awards(prof):
    aw = [(v(a.text), v(a.year)) for a in prof["001"].awards]
    assert ("上海市优秀毕业生", "2023") in aw and ("河南省优秀学位论文", "2021") in aw
    assert ("快慢思考混合模型训练方法 华为火花奖 技术负责人", "2025") in aw
    assert len(aw) == 6 and not any(t.startswith(("背景", "内容", "效果")) for t, _ in aw)


def test_skills_and_research_areas(prof):
    assert [v(s) for s in prof["000"].skills] == ["普通话 (母语)", "英语 (TOEFL-95)", "pytorch", "linux", "vllm",
                                                  "verl", "ms-swift", "huggingface", "deepspeed"]
    assert [v(s) for s in prof["000"].research_areas] == ["NLP", "LLM", "Reasoning Alignment",
                                                          "数据高效学习与大模型自主对齐"]
    assert [v(s) for s in prof["001"].research_areas] == ["大模型深度推理与效率优化", "Agentic RL"]
    assert [v(s) for s in prof["003"].research_areas] == [
        "LLM", "complex reasoning", "reinforcement learning in real-world settings", "LLM alignment"]
    assert [v(s) for s in prof["004"].research_areas][:2] == ["模型融合", "自进化强化学习"]


def test_protected_attributes_found_for_exclusion(prof):
    assert all(p.protected == [] for p in prof.values())      # the seeds state none
    pd = parse_file(FIXTURES / "zh_bios" / "zh_bio_0000.txt")
    got = {(x.kind, x.value.value) for x in extract_profile(pd.document, pd.passages).protected}
    assert {("gender", "男"), ("ethnicity", "汉族"), ("birth_date", "1966年出生"),
            ("political", "中共党员")} <= got


# ---- invariants ----------------------------------------------------------------------------------
def test_seed_spans_verbatim_and_json_round_trip(parsed, prof):
    for k, p in prof.items():
        _assert_spans(p, parsed[k].document.text)
        d = json.loads(json.dumps(p.to_dict(), ensure_ascii=False))
        assert Profile.from_dict(d) == p


def test_deterministic_and_default_names(parsed, prof):
    for k, pd in parsed.items():
        assert extract_profile(pd.document, pd.passages, names=NAMES[k]).to_dict() == prof[k].to_dict()
        assert extract_profile(pd.document, names=NAMES[k]).to_dict() == prof[k].to_dict()   # no passages
    # without names, the identity rules supply them (001's former name included)
    pd = parsed["001"]
    auto = extract_profile(pd.document, pd.passages)
    assert "Haixia Han" in auto.names
    assert [p.author_position for p in auto.publications] == [p.author_position for p in prof["001"].publications]


def _fixture_files() -> list[Path]:
    return sorted((FIXTURES / "txt").glob("*.txt")) + sorted((FIXTURES / "zh_bios").glob("*.txt"))


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_spans_verbatim(path):
    pd = parse_file(path)
    p = extract_profile(pd.document, pd.passages)
    _assert_spans(p, pd.document.text)
    assert Profile.from_dict(json.loads(json.dumps(p.to_dict()))) == p


def test_fixture_english_resume_reads_entries():
    pd = parse_file(FIXTURES / "txt" / "soupboss_sample_resume.txt")
    p = extract_profile(pd.document, pd.passages)
    assert [(v(x.organisation), v(x.role), v(x.start), v(x.end)) for x in p.experience][0] == \
        ("TechCorp Inc", "Senior Software Engineer", "2020", "Present")
    assert [v(e) for e in p.contact.emails] == ["john.smith@email.com"]
    assert [(v(e.school), e.degree_level) for e in p.education] == [("University of California, Berkeley", "bachelor")]


@pytest.mark.parametrize("path", sorted(p for p in (FIXTURES / "edge").iterdir() if p.is_file()),
                         ids=lambda p: p.name)
def test_edge_fixtures_robust(path):
    from recruiter.ingest.models import IngestError
    try:
        pd = parse_file(path)
    except IngestError:
        pytest.skip("not ingestible (rejected with a clear error at ingest)")
    p = extract_profile(pd.document, pd.passages)
    _assert_spans(p, pd.document.text)


def test_edge_layouts_labelled_lines_and_tables():
    p = extract_profile(parse_file(FIXTURES / "edge" / "zh_tw_resume_big5.txt").document)
    assert [(v(e.school), e.degree_level) for e in p.education] == [("國立臺灣大學", "bachelor")]
    assert [(v(x.organisation), v(x.role), v(x.start), v(x.end)) for x in p.experience] == \
        [("台積電", "軟體工程師", "2018", "至今")]
    pd = parse_file(FIXTURES / "edge" / "resume_with_tables_header_footer.docx")
    p = extract_profile(pd.document, pd.passages)
    assert [(v(x.organisation), v(x.role), v(x.start), v(x.end)) for x in p.experience][0] == \
        ("Thames Fintech Ltd", "ML Engineer", "2021-04", "present")
    assert "Skill" not in [v(s) for s in p.skills] and "PyTorch" in [v(s) for s in p.skills]


def test_bulleted_headers_and_major_before_degree():
    text = ("张三\n\n工作经历\n- 2019.07-2021.06 字节跳动 算法工程师\n  - 负责推荐系统, 2020 年上线\n"
            "- 2021.07 - 至今 阿里巴巴 高级算法工程师\n\n教育经历\n- 2015.09-2019.06 北京大学 计算机科学 本科\n")
    p = extract_profile(_doc(text), names=["张三"])
    assert [(v(x.organisation), v(x.role), v(x.start), v(x.end)) for x in p.experience] == [
        ("字节跳动", "算法工程师", "2019.07", "2021.06"), ("阿里巴巴", "高级算法工程师", "2021.07", "至今")]
    assert [(v(e.school), e.degree_level, v(e.field)) for e in p.education] == [("北京大学", "bachelor", "计算机科学")]
    _assert_spans(p, text)


def _doc(text: str) -> Document:
    return Document(doc_id="d", source="x.txt", path="x.txt", file_hash="h", text=text, format="txt",
                    extractor="test", candidate_id="c")


_PIECES = ["教育经历", "实习经历", "论文列表", "## Publications", "Education", "作者: ", "一作", "**", "\\*", "*",
           "[1] ", "[x](#)", "2024.9 - 至今", "Mar 2023 - Now", "大学", "University", "博士", "Master in ", ", ",
           "\t", "\n", "\n\n", "- ", "导师", "LGSep 11, 2024", "Ke Ji", "(co-first author)", "研究方向：", "男",
           "a@b.cn", "13812345678", "https://x.github.io", "(", ")", "：", " ", "Intern", "公司"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=40))
def test_fuzz_no_exceptions_spans_valid(parts):
    text = "".join(parts)
    p = extract_profile(_doc(text), names=["Ke Ji", "冀轲"])
    _assert_spans(p, text)


def test_speed(parsed):
    for k, pd in parsed.items():
        best = min(_timed(lambda: extract_profile(pd.document, pd.passages, names=NAMES[k])) for _ in range(3))
        assert best < 0.25, (k, best)     # ~15-60 ms on an idle 2-core machine; generous for a loaded one


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
