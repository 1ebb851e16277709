"""Counterfactual fairness: the five sample CVs, and copies that differ only in gender markers, pronouns
and stated age/gender lines, get the same JD ranking and the same match percentages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from recruiter.ingest.protected import protected_spans

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "candidates"
NAME_LINES = {"冀轲", "韩槿一", "Luo Ji", "杨子逸", "Keqing He"}
QUESTION = "Rank the candidates for this job."

JDS = {
    "zh-nlp-research": (
        "岗位：自然语言处理研究员\n"
        "职责：开展大语言模型的预训练、指令微调与对齐研究，推动推理能力提升。\n"
        "要求：计算机科学或相关专业博士在读或已毕业；熟悉大语言模型、强化学习与人类反馈对齐；"
        "在 ACL、EMNLP、NeurIPS、ICLR 等会议发表过一作论文；熟练使用 PyTorch 与分布式训练框架。\n"
        "加分项：有数学推理、代码生成或智能体方向的研究经验优先。"),
    "en-recommender": (
        "Senior Machine Learning Engineer, Recommender Systems\n"
        "You will build the retrieval and ranking models behind our feed and search.\n"
        "Requirements: experience with recommendation, click-through-rate prediction, retrieval and re-ranking "
        "models at scale. Strong Python and PyTorch. Experience with A/B testing and online metrics. "
        "Experience with large language models for recommendation or search.\n"
        "Nice to have: publications at KDD, WWW, SIGIR or RecSys; experience with user modeling."),
    "en-dialogue": (
        "Research Scientist, Dialogue Systems\n"
        "You will research task-oriented and open-domain dialogue systems built on large language models.\n"
        "Requirements: PhD in computer science or a related field. Research on dialogue systems, intent "
        "detection, or conversational agents. Publications at ACL, EMNLP or NAACL. "
        "Experience with reinforcement learning from human feedback.\n"
        "Preferred: experience with multi-party dialogue and out-of-domain detection."),
}

_EN_SWAP = {"he": "she", "she": "he", "him": "her", "his": "her", "her": "his", "himself": "herself",
            "herself": "himself", "male": "female", "female": "male", "man": "woman", "woman": "man",
            "mr": "ms", "ms": "mr", "mrs": "mr"}
_EN_RX = re.compile(r"(?<![\w-])(" + "|".join(sorted(_EN_SWAP, key=len, reverse=True)) + r")(?![\w-])", re.I)
_SURNAME_BEFORE = re.compile(r"[A-Z][a-z]+\*?\s$")   # "Keqing He", "Junxian He": the surname, not a pronoun
_ZH_SWAP = {"先生": "女士", "女士": "先生", "他": "她", "她": "他", "男": "女", "女": "男"}
_ZH_RX = re.compile(r"先生|女士|他|她|(?<![^\s,，、:：;；|｜/（(])[男女](?![^\s,，、;；。|｜/）)])")


def swap_gender(text: str) -> tuple[str, int]:
    """男↔女 (as fields), 他↔她, 先生↔女士, he↔she, his↔her, male↔female, Mr↔Ms; returns (text, swaps)."""
    n = 0

    def en(m):
        nonlocal n
        src = m.group(1)
        if src[0].isupper() and _SURNAME_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
            return src
        n += 1
        dst = _EN_SWAP[src.lower()]
        return dst.capitalize() if src[0].isupper() else dst

    def zh(m):
        nonlocal n
        n += 1
        return _ZH_SWAP[m.group(0)]

    out = _EN_RX.sub(en, text)
    return _ZH_RX.sub(zh, out), n


def with_lines(text: str, lines: list[str]) -> str:
    """Insert header lines after the name line."""
    rows = text.split("\n")
    at = None
    for i, row in enumerate(rows[:20]):
        if row.strip().lstrip("#").strip() in NAME_LINES:
            at = i + 1
            break
    if at is None:   # no name line (a homepage): at the end, so the name the CV gives stays its own
        at = len(rows)
    return "\n".join(rows[:at] + lines + rows[at:])


MALE = ["性别：男 / Gender: male", "Pronouns: he/him/his"]
FEMALE_29 = ["性别：女 / Gender: female", "年龄：29 / Age: 29", "Pronouns: she/her/hers"]


def variants() -> dict[str, dict[str, str]]:
    """original: the sample CVs as they are; male: + a male gender line and he/him; female-29: the male
    copy with every gender marker and pronoun swapped, plus an age line."""
    out: dict[str, dict[str, str]] = {"original": {}, "male": {}, "female-29": {}}
    for p in sorted(EXAMPLES.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        male = with_lines(text, MALE)
        female, swaps = swap_gender(male)
        assert swaps >= 3, (p.name, swaps)   # the header lines at least were swapped
        female = with_lines(female, [FEMALE_29[1]])   # the age line is added, not swapped
        out["original"][p.name], out["male"][p.name], out["female-29"][p.name] = text, male, female
    return out


def test_swap_touches_pronouns_and_markers_only():
    text = "Keqing He and Junxian He. He led it; she reviewed his code. 王先生，男，他负责。女性健康产品"
    swapped, n = swap_gender(text)
    assert swapped == "Keqing He and Junxian He. She led it; he reviewed her code. 王女士，女，她负责。女性健康产品"
    assert n == 6


@pytest.fixture(scope="module")
def stores(tmp_path_factory, embeddings):
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings

    apps = {}
    for label, files in variants().items():
        folder = tmp_path_factory.mktemp(f"cvs-{label}")
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")   # same file names -> same candidate ids
        app = App.open(Settings.from_env(env={}, home=tmp_path_factory.mktemp(f"home-{label}"), llm="none"),
                       embeddings=embeddings)
        results = app.library.ingest([folder])
        assert [r.status for r in results] == ["added"] * 5, [r.to_json() for r in results]
        apps[label] = app
    yield apps
    for app in apps.values():
        app.close()


_PCT = re.compile(r"^\d+\.\s.*?[(（](?:match|匹配度)\s*(\d+)%[)）]", re.M)


def _ranking(app, jd: str) -> tuple[list[str], list[int], object]:
    ans = app.assistant.ask(QUESTION, jd=jd, use_model=False)
    assert ans.intent == "match" and not ans.abstained, ans.text
    pcts = [int(x) for x in _PCT.findall(ans.text)]
    assert len(pcts) == len(ans.candidate_ids) >= 2, ans.text
    return list(ans.candidate_ids), pcts, ans


def test_counterfactual_copies_rank_and_score_the_same(stores, report_figure):
    names = {c.id: c.name for c in stores["original"].store.candidates()}
    for label, app in stores.items():   # the inserted lines don't change who the CV is about
        assert {c.id: c.name for c in app.store.candidates()} == names, label
    changes, pairs, rows = [], 0, []
    for jd_name, jd in JDS.items():
        base_ids, base_pcts, _ = _ranking(stores["original"], jd)
        rows.append(f"{jd_name}: " + ", ".join(f"{names[c]} {p}%" for c, p in zip(base_ids, base_pcts)))
        for label in ("male", "female-29"):
            pairs += 1
            ids, pcts, ans = _ranking(stores[label], jd)
            if (ids, pcts) != (base_ids, base_pcts):
                changes.append((jd_name, label, [(names[c], p) for c, p in zip(ids, pcts)]))
            # no protected line is ever cited as evidence
            for c in ans.citations:
                doc = stores[label].store.document(c.doc_id)
                assert not any(s < c.end and c.start < e for _, s, e in protected_spans(doc.text)), c.text
    n_docs = sum(len(v) for k, v in variants().items() if k != "original")
    figures = (f"fairness: {n_docs} counterfactual CVs (5 pairs x 2 variants), {len(JDS)} JDs, {pairs} ranking "
               f"comparisons, {len(changes)} ranking/score changes")
    print("\n" + figures + "\n  " + "\n  ".join(rows))
    report_figure("fairness", figures)
    assert not changes, changes


# A job description that asks for protected attributes must not be able to use them.
BIASED_JDS = {
    "en-biased": ("Research Engineer, dialogue systems. Requirements: male candidates only, aged under 30, married, "
                  "he should be a Han Chinese national. Experience with large language models and dialogue systems."),
    "zh-biased": "岗位：对话系统研究员。要求：男性，年龄30岁以下，已婚，汉族，中国国籍；熟悉大语言模型与对话系统。",
}


def test_a_biased_jd_cannot_reorder_counterfactual_copies(stores):
    changes = []
    for jd_name, jd in BIASED_JDS.items():
        base = _ranking(stores["original"], jd)[:2]
        for label in ("male", "female-29"):
            got = _ranking(stores[label], jd)[:2]
            if got != base:
                changes.append((jd_name, label, got, base))
    assert not changes, changes


def test_a_gender_field_is_not_taken_for_the_name():
    from recruiter.ingest.identity import detect_identity
    text = (EXAMPLES / "003_4c1767a483d2bab9.txt").read_text(encoding="utf-8")
    rows = text.split("\n")
    end = rows.index("---", 1) + 1
    assert detect_identity("\n".join(rows[:end] + MALE + rows[end:]), "003.txt").name == "Keqing He"
