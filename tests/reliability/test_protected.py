"""Protected attributes (age, birth date, gender, marital status, nationality, ethnicity, religion,
health, photo, political affiliation) are found in Chinese and English CVs, and nothing else is."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from recruiter.ingest.protected import KINDS, mask_protected, protected_flag, protected_kinds, protected_spans

REPO = Path(__file__).resolve().parents[2]
FIXTURES = (REPO / ".." / "shared" / "corpus" / "fixtures").resolve()
BIOS = FIXTURES / "zh_bios"
EXAMPLES = REPO / "examples" / "candidates"

# What each ResumeNER bio states (read by hand): 男/女 fields and 先生/女士 (gender), 出生 (birth date),
# 国籍/居留权/籍贯 (nationality), 汉族 (ethnicity), 中共党员 (political).
BIO_KINDS = {
    "zh_bio_0000.txt": {"gender", "nationality", "birth_date", "ethnicity", "political"},
    "zh_bio_0038.txt": {"gender", "birth_date", "ethnicity", "political"},
    "zh_bio_0041.txt": {"gender"},
    "zh_bio_0049.txt": {"gender", "birth_date", "ethnicity", "political"},
    "zh_bio_0059.txt": {"gender", "ethnicity", "political", "nationality", "birth_date"},
    "zh_bio_0065.txt": {"nationality", "birth_date"},
    "zh_bio_0074.txt": {"gender"},
    "zh_bio_0096.txt": {"gender", "birth_date", "nationality"},
    "zh_bio_0154.txt": {"gender", "birth_date"},
    "zh_bio_0219.txt": {"gender"},
    "zh_bio_0331.txt": {"gender", "birth_date"},
    "zh_bio_0374.txt": {"gender", "birth_date"},
    "zh_bio_0404.txt": {"gender", "birth_date", "political"},
    "zh_bio_0519.txt": {"gender", "nationality", "birth_date"},
    "zh_bio_0548.txt": {"gender", "birth_date", "political"},
    "zh_bio_0596.txt": {"gender", "birth_date"},
    "zh_bio_0638.txt": {"gender"},
    "zh_bio_0666.txt": {"gender", "birth_date", "political"},
    "zh_bio_0840.txt": {"gender", "nationality", "ethnicity", "birth_date"},
    "zh_bio_0869.txt": {"gender"},
}


def _found(text: str) -> set[tuple[str, str]]:
    return {(k, text[s:e]) for k, s, e in protected_spans(text)}


def _covered(text: str, kind: str, needle: str) -> bool:
    at = text.find(needle)
    return any(k == kind and s <= at and at + len(needle) <= e for k, s, e in protected_spans(text))


@pytest.mark.parametrize("name", sorted(BIO_KINDS))
def test_zh_bios(name):
    text = (BIOS / name).read_text(encoding="utf-8")
    assert set(protected_kinds(text)) == BIO_KINDS[name], _found(text)


def test_zh_bios_gold_entities():
    """ResumeNER's own labels: every RACE is an ethnicity span, every CONT (中国国籍) and origin LOC
    (广东龙川人, 中国台湾) a nationality span; no school, degree, major or employer is flagged."""
    gold = json.loads((BIOS / "entities.json").read_text(encoding="utf-8"))
    checked = 0
    for name, item in gold.items():
        text = (BIOS / name).read_text(encoding="utf-8")
        spans = protected_spans(text)
        for label, value in item["entities"]:
            kind = {"RACE": "ethnicity", "CONT": "nationality", "LOC": "nationality"}.get(label)
            if kind:
                assert _covered(text, kind, value), (name, label, value, _found(text))
                checked += 1
            elif label in ("ORG", "EDU", "PRO"):
                at = text.find(value)
                assert not any(s < at + len(value) and at < e for _, s, e in spans), (name, label, value, _found(text))
    assert checked >= 10


@pytest.mark.parametrize("text, expected", [
    ("苏红女士，出生于1979年7月，金融投资与管理硕士", {("gender", "女士"), ("birth_date", "出生于1979年7月")}),
    ("年龄 30", {("age", "年龄 30")}),
    ("年龄：30岁", {("age", "年龄：30岁")}),
    ("现年45岁，高级工程师", {("age", "现年45岁")}),
    ("性别：男", {("gender", "性别：男")}),
    ("张三 | 男 | 已婚 | 1990年出生", {("gender", "男"), ("marital_status", "已婚"), ("birth_date", "1990年出生")}),
    ("郑志华男，本科学历。", {("gender", "男")}),
    ("出生年月：1990.01", {("birth_date", "出生年月：1990.01")}),
    ("婚姻状况：未婚\n民族：汉\n政治面貌：共青团员", {("marital_status", "婚姻状况：未婚"), ("ethnicity", "民族：汉"),
                                          ("political", "政治面貌：共青团员")}),
    ("籍贯：湖南长沙  身高：175cm", {("nationality", "籍贯：湖南长沙"), ("health", "身高：175cm")}),
    ("宗教信仰：无", {("religion", "宗教信仰：无")}),
    ("（附近期免冠照片）", {("photo", "免冠照片")}),
    ("Age: 30", {("age", "Age: 30")}),
    ("DOB: 1990-01-02", {("birth_date", "DOB: 1990-01-02")}),
    ("Date of Birth: July 7, 1979", {("birth_date", "Date of Birth: July 7, 1979")}),
    ("Gender: female, Age: 29, Nationality: Chinese",
     {("gender", "Gender: female"), ("age", "Age: 29"), ("nationality", "Nationality: Chinese")}),
    ("Marital status: single", {("marital_status", "Marital status: single")}),
    ("Married with two children.", {("marital_status", "Married with two children")}),
    ("Jane Doe | Female | 34 years old", {("gender", "Female"), ("age", "34 years old")}),
    ("Born in Lagos in 1988.", {("birth_date", "Born in Lagos in 1988")}),
    ("Religion: Buddhist", {("religion", "Religion: Buddhist")}),
    ("Health: excellent", {("health", "Health: excellent")}),
    ("[Photo]", {("photo", "[Photo]")}),
    ("Photo: attached", {("photo", "Photo: attached")}),
    ("Pronouns: she/her", {("gender", "Pronouns: she/her")}),
    ("Ethnicity: Hispanic", {("ethnicity", "Ethnicity: Hispanic")}),
    ("Ms. Lee led the audit.", {("gender", "Ms.")}),
])
def test_small_strings(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "He built the ranking service; she reviewed it and his tests.",     # pronouns are not fields
    "他负责推荐系统，她负责对话系统。",
    "Zhiwei He, Xingyu Chen, Junxian He. SimpleRL-Zoo. 2025.",           # the surname He
    "Data engineer with 30 years of experience.",
    "The golden age of NLP; agents; stage 2 rollout.",
    "项目负责人，带领 5 人团队", "女性健康产品线增长 30%", "2019年3月生成式模型上线", "生产管理 2015年生产线改造",
    "Photo editing with Photoshop; photography club.",
    "Single-cell RNA analysis on a single GPU.",
    "教育经历\n北京大学 计算机科学 博士 2015 - 2020",
    "ms-swift; Mr-DPO baseline",
])
def test_no_false_alarms(text):
    assert protected_spans(text) == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_the_sample_cvs_state_no_protected_attribute(path):
    assert protected_spans(path.read_text(encoding="utf-8")) == []


def test_mask_keeps_offsets_and_hides_every_attribute():
    text = "王芳\n性别：女  年龄：29\n2019 - 2023 北京大学 博士\nGender: female | Married\n技能：PyTorch"
    masked = mask_protected(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert protected_spans(masked) == []
    assert "北京大学 博士" in masked and "PyTorch" in masked and "王芳" in masked
    for word in ("性别", "女", "29", "female", "Married"):
        assert word not in masked


def test_flag_names_the_kinds():
    assert protected_flag("Skills: Python") is None
    flag = protected_flag("性别：女\n出生于1990年1月\n中共党员")
    assert flag.startswith("protected attributes stated (birth date, gender, political)")
    assert set(KINDS) >= {"age", "birth_date", "gender", "marital_status", "nationality", "ethnicity",
                          "religion", "health", "photo"}
