"""The `recruiter` command as a recruiter runs it: real subprocesses, a temporary data dir."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "candidates"
FIXTURES = (REPO / ".." / "shared" / "corpus" / "fixtures").resolve()


def run(home, *args, check=True):
    env = dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="none", ANONYMIZED_TELEMETRY="False")
    proc = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    h = tmp_path_factory.mktemp("cli-home")
    out = json.loads(run(h, "ingest", str(EXAMPLES), "--json").stdout)
    assert [r["status"] for r in out] == ["added"] * 5
    return h


def test_reingest_adds_nothing(home):
    out = json.loads(run(home, "ingest", str(EXAMPLES), "--json").stdout)
    assert [r["status"] for r in out] == ["unchanged"] * 5


def test_candidates_lists_names_and_aliases(home):
    cands = json.loads(run(home, "candidates", "--json").stdout)
    by_name = {c["name"]: c for c in cands}
    assert set(by_name) == {"冀轲", "韩槿一", "Luo Ji", "Keqing He", "杨子逸"}
    assert "Ke Ji" in by_name["冀轲"]["aliases"]
    assert "Haixia Han" in by_name["韩槿一"]["former_names"]


def test_ask_json_has_the_documented_shape(home):
    out = json.loads(run(home, "ask", "Where did Ke Ji do his PhD?", "--json").stdout)
    assert set(out) >= {"answer", "citations", "abstained"}
    assert not out["abstained"] and "香港中文大学" in out["answer"]
    for c in out["citations"]:
        assert set(c) >= {"source", "text", "start", "end", "candidate"}
        text = (EXAMPLES / c["source"]).read_text(encoding="utf-8")
        assert " ".join(c["text"].split()) in " ".join(text.split())   # verbatim in the file


def test_ask_cross_script_name(home):
    out = json.loads(run(home, "ask", "韩槿一在哪里实习过？", "--json").stdout)
    assert "字节跳动" in out["answer"] and all(c["source"].startswith("001") for c in out["citations"])


def test_ask_scoped_with_candidate_flag(home):
    out = json.loads(run(home, "ask", "What is the email address?", "--candidate", "Keqing He", "--json").stdout)
    assert "helicbupt@gmail.com" in out["answer"]


def test_bad_files_are_reported_and_nothing_is_stored(tmp_path):
    h = tmp_path / "home"
    files = [FIXTURES / "bad" / "encrypted_password_secret.pdf", FIXTURES / "bad" / "zero_bytes.txt",
             FIXTURES / "edge" / "image_only_no_text_layer.pdf", EXAMPLES / "004_ca307795620aa7c1.txt"]
    proc = run(h, "ingest", *map(str, files), "--json")
    out = {Path(r["path"]).name: r for r in json.loads(proc.stdout)}
    assert out["encrypted_password_secret.pdf"]["reason"] == "encrypted"
    assert "password" in out["encrypted_password_secret.pdf"]["message"].lower()
    assert out["zero_bytes.txt"]["reason"] == "empty"
    assert out["image_only_no_text_layer.pdf"]["reason"] == "no_text"
    assert out["004_ca307795620aa7c1.txt"]["status"] == "added"
    cands = json.loads(run(h, "candidates", "--json").stdout)
    assert [c["name"] for c in cands] == ["杨子逸"]


def test_remove_deletes_a_candidate(tmp_path):
    h = tmp_path / "home"
    run(h, "ingest", str(EXAMPLES / "002_9c04bb96c17275a3.txt"), str(EXAMPLES / "003_4c1767a483d2bab9.txt"))
    out = json.loads(run(h, "remove", "Luo Ji", "--json").stdout)
    assert out["removed"]["name"] == "Luo Ji"
    names = [c["name"] for c in json.loads(run(h, "candidates", "--json").stdout)]
    assert names == ["Keqing He"]
    missing = run(h, "remove", "Nobody Here", "--json", check=False)
    assert missing.returncode == 1 and "No candidate matches" in json.loads(missing.stdout)["error"]


def test_eval_writes_one_line_per_item_and_scores(tmp_path):
    questions = (REPO / ".." / "shared" / "eval" / "devset.jsonl").resolve()
    out = tmp_path / "answers.jsonl"
    run(tmp_path / "unused-home", "eval", "--questions", str(questions), "--corpus", str(EXAMPLES),
        "--out", str(out), "--llm", "none", "--json")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == sum(1 for line in questions.read_text(encoding="utf-8").splitlines() if line.strip())
    score = subprocess.run([sys.executable, str(questions.parent / "score.py"), "--questions", str(questions),
                            "--answers", str(out), "--json", str(tmp_path / "m.json")],
                           capture_output=True, text=True, timeout=120)
    metrics = json.loads((tmp_path / "m.json").read_text())["overall"]
    assert metrics["citation_support"] == 1.0, score.stdout
    assert metrics["answer_accuracy"] >= 0.8, score.stdout
    assert metrics["abstention_recall"] == 1.0, score.stdout


@pytest.mark.llm
def test_ask_prints_the_cited_answer_before_the_model_words_it(home, small_model_path):
    """Evidence first: the program's cited answer is on screen while the local model still streams."""
    env = dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="local", RECRUITER_LOCAL_MODEL="qwen2.5-coder-0.5b",
               RECRUITER_MODEL_CACHE=str(small_model_path.parent), RECRUITER_LLM_SERVER="child",
               ANONYMIZED_TELEMETRY="False", COLUMNS="200")
    proc = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", "ask", "What is Keqing He's email address?"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    cited = out.index("[1] Keqing He")            # the citation card, with its source span
    assert "helicbupt@gmail.com" in out[:cited]
    assert cited < out.index("rewording (unverified)")
    assert "verified wording:" in out or "the cited answer above stands" in out


def test_terminal_chat_keeps_the_candidate_in_focus(home):
    env = dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="none", ANONYMIZED_TELEMETRY="False",
               COLUMNS="200")
    turns = "韩槿一现在在哪里读博士？\n她的硕士是在哪所学校读的？\n:new\n:quit\n"
    proc = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", "chat"], input=turns, capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "华东师范大学" in proc.stdout and "东华大学" in proc.stdout
    assert "New conversation" in proc.stdout


def test_profile_json_has_cited_education(home):
    out = json.loads(run(home, "profile", "Ke Ji", "--json").stdout)
    edu = out["profile"]["education"]
    assert [e["degree_level"] for e in edu][:3] == ["phd", "master", "bachelor"]
    assert edu[0]["advisor"]["value"] == "王本友"


def test_compare_table_cells_are_cited(home):
    out = json.loads(run(home, "compare", "Ke Ji", "Jinyi Han", "--aspects", "education,experience", "--json").stdout)
    assert [c["name"] for c in out["candidates"]] == ["冀轲 (Ke Ji)", "韩槿一 (Jinyi Han)"]
    assert [r["aspect"] for r in out["rows"]] == ["education", "experience"]
    for row in out["rows"]:
        for cell in row["cells"]:
            assert cell["text"] and cell["citations"]
    for c in out["citations"]:
        text = (EXAMPLES / c["source"]).read_text(encoding="utf-8")
        assert " ".join(c["text"].split()) in " ".join(text.split())


def test_prep_pack_has_8_to_12_grounded_questions(home, tmp_path):
    md = tmp_path / "prep.md"
    out = json.loads(run(home, "prep", "Jinyi Han", "--md", str(md), "--json").stdout)
    questions = [ln for ln in out["answer"].splitlines() if ln[:3].rstrip(". ").isdigit()]
    assert 8 <= len(questions) <= 12
    assert all("[" in q for q in questions)
    assert "## Sources" in md.read_text(encoding="utf-8")


def test_match_ranks_for_a_jd(home):
    out = json.loads(run(home, "match", "--jd", "Dialogue systems: intent detection, slot filling", "--top", "2",
                         "--json").stdout)
    first = out["answer"].splitlines()[0]
    assert first.startswith("1. Keqing He") and "2. " in out["answer"]
