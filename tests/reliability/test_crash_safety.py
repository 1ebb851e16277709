"""Ingest is crash-safe: a real `recruiter ingest` of 300 CVs is SIGKILLed at random points, the store
opens after every kill, and one more run completes it with every file stored exactly once, whole, and
the catalog, Chroma and BM25 holding the same passage ids."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

N_FILES = 300
MIN_KILLS = 10
SEED = 20240607

SURNAMES_ZH = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN_ZH = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平",
            "浩然", "子轩", "梓涵", "一诺", "欣怡", "思远", "晨曦", "嘉怡", "俊杰", "雨桐", "博文", "天佑"]
FIRST_EN = ["Alice", "Brian", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kavya", "Liam",
            "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Yara", "Zane"]
LAST_EN = ["Anders", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen",
           "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"]
SCHOOLS = ["MIT", "Stanford University", "ETH Zurich", "University of Toronto", "KAIST", "EPFL", "清华大学", "北京大学",
           "浙江大学", "复旦大学", "上海交通大学", "南京大学"]
COMPANIES = ["Acme Robotics", "Northwind Labs", "Blue Harbor AI", "Cedar Analytics", "字节跳动", "阿里巴巴", "腾讯",
             "百度", "美团", "华为"]
SKILLS = ["Python", "PyTorch", "SQL", "Spark", "Kafka", "Kubernetes", "Go", "Rust", "C++", "React", "RLHF",
          "LLM fine-tuning", "information retrieval", "recommender systems", "dialogue systems", "computer vision"]
TOPICS = ["retrieval-augmented generation", "click-through-rate prediction", "query understanding",
          "multi-turn dialogue", "code generation", "graph neural networks", "anomaly detection", "machine translation"]


def make_cv(i: int, rng: random.Random) -> str:
    """A small CV (~3 passages) in zh or en; the contact line makes every text distinct."""
    year = rng.randint(2008, 2018)
    jobs = sorted(rng.sample(range(year + 4, 2025), rng.randint(1, 2)))
    skills = rng.sample(SKILLS, rng.randint(3, 6))
    if i % 2:
        name = rng.choice(SURNAMES_ZH) + rng.choice(GIVEN_ZH)
        lines = [name, f"邮箱：cand{i:04d}@example.com  电话：138{i:08d}",
                 f"{rng.choice(SCHOOLS)} {rng.choice(['本科', '硕士', '博士'])} {year} - {year + 4}", "", "工作经历"]
        for y in jobs:
            lines += [f"{rng.choice(COMPANIES)}  算法工程师  {y} - {y + rng.randint(1, 3)}",
                      f"- 负责{rng.choice(TOPICS)}项目，效果提升 {rng.randint(2, 40)}%（编号 {i}-{y}）"]
        lines += ["", "专业技能", "、".join(skills)]
    else:
        name = f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"
        lines = [name, f"cand{i:04d}@example.com | +1 555 {i:04d}",
                 f"{rng.choice(['BSc', 'MSc', 'PhD'])}, {rng.choice(SCHOOLS)}, {year} - {year + 4}", "", "Experience"]
        for y in jobs:
            lines += [f"{rng.choice(['ML Engineer', 'Data Scientist'])}, {rng.choice(COMPANIES)} ({y} - {y + 2})",
                      f"  - Built {rng.choice(TOPICS)} models; +{rng.randint(2, 40)}% on the key metric (ref {i}-{y})."]
        lines += ["", "Skills", ", ".join(skills)]
    return "\n".join(lines) + "\n"


def make_corpus(folder: Path, rng: random.Random) -> list[Path]:
    folder.mkdir(parents=True)
    files = []
    for i in range(N_FILES):
        p = folder / f"cv_{i:03d}.{'md' if i % 7 == 0 else 'txt'}"
        p.write_text(make_cv(i, rng), encoding="utf-8")
        files.append(p)
    return files


def _env(home: Path) -> dict:
    return dict(os.environ, RECRUITER_HOME=str(home), RECRUITER_LLM="none", ANONYMIZED_TELEMETRY="False",
                HF_HUB_OFFLINE="1")


def _start_ingest(folder: Path, home: Path, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "recruiter.ui.cli", "ingest", str(folder), "--home", str(home),
                             "--json"], stdout=subprocess.PIPE, stderr=log, env=_env(home), start_new_session=True)


def _documents(home: Path) -> int:
    db = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:   # tables not created yet
        return 0
    finally:
        db.close()


def _generation(home: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        finally:
            db.close()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return -1   # not created yet, or mid-creation


def _wait_for_a_commit(home: Path, proc: subprocess.Popen, since: int, timeout: float = 60) -> None:
    """Until the running ingest has committed something (its start-up takes a few seconds)."""
    deadline = time.monotonic() + timeout
    while _generation(home) <= since and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def _read_only_stats(home: Path, embeddings) -> dict | None:
    """Open the store as a reader would after the crash; None while no catalog exists yet. A catalog whose
    Chroma collection was never created opens empty (test_a_store_killed_before_its_collection_existed…)."""
    from recruiter.vectorstore.store import CandidateStore
    if not (home / "catalog.sqlite3").exists():
        return None
    store = CandidateStore(home, embeddings, read_only=True)
    with store:
        stats = store.stats()
        ids = store.index_ids()
        stats["orphans"] = len(ids["chroma"] - ids["catalog"])
        stats["gaps"] = len(ids["catalog"] - ids["chroma"])
        return stats


@pytest.mark.slow
def test_sigkilled_ingest_loses_nothing_and_duplicates_nothing(tmp_path, embeddings, report_figure):
    from recruiter.assistant.app import ingest_limits
    from recruiter.ingest.models import candidate_id_for
    from recruiter.ingest.pipeline import parse_file
    from recruiter.runtime.settings import Settings
    from recruiter.vectorstore.store import CandidateStore

    rng = random.Random(SEED)
    folder, home = tmp_path / "cvs", tmp_path / "home"
    files = make_corpus(folder, rng)
    names = {p.name for p in files}
    kills, runs, history = 0, 0, []
    started = time.monotonic()
    with open(tmp_path / "stderr.log", "ab") as log:
        while kills < MIN_KILLS:
            assert runs < 3 * MIN_KILLS, f"ingest kept finishing before the kill: {history}"
            runs += 1
            delay = rng.uniform(0.5, 6.0)
            # Odd runs count the delay from the start (kills land in start-up: imports, open,
            # reconcile), even runs from the first commit (kills land among the writes).
            mode = "start" if runs % 2 else "writing"
            since = _generation(home)
            proc = _start_ingest(folder, home, log)
            if mode == "writing":
                _wait_for_a_commit(home, proc, since)
            try:
                proc.communicate(timeout=delay)
                outcome = f"exit {proc.returncode}"   # finished before the kill (only near the end)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)   # the process group we started: the CLI and any child
                proc.communicate(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                kills += 1
                outcome = "killed"
            stats = _read_only_stats(home, embeddings)   # must open after every kill
            history.append((mode, round(delay, 2), outcome, stats and stats["documents"], stats and stats["orphans"]))
            if stats is not None and len(history) > 1 and history[-2][3] is not None:
                assert stats["documents"] >= history[-2][3], f"committed CVs disappeared: {history}"
        # one more run, to completion
        proc = _start_ingest(folder, home, log)
        out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, (tmp_path / "stderr.log").read_text(errors="replace")[-3000:]
    final = json.loads(out)
    assert len(final) == N_FILES and {Path(r["path"]).name for r in final} == names
    assert all(r["status"] in ("added", "unchanged") for r in final), [r for r in final if r["status"] == "failed"]
    resumed = Counter(r["status"] for r in final)

    settings = Settings.from_env(env={}, home=home, llm="none")
    limits = ingest_limits(settings)
    with CandidateStore(home, embeddings, read_only=True) as store:
        docs = store.catalog.documents()
        sources = Counter(d.source for d in docs)
        ids = store.index_ids()
        passages = store.passages()
        cands = store.candidates()
        chroma_count = store.dense.count()
    db = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True)
    profile_owners = {r[0] for r in db.execute("SELECT candidate_id FROM profiles")}
    db.close()

    duplicates = sum(n - 1 for n in sources.values() if n > 1) + (chroma_count - len(ids["chroma"])) \
        + (len(passages) - len({p.id for p in passages}))
    by_source: dict[str, set[str]] = {}
    for p in passages:
        by_source.setdefault(p.source, set()).add(p.id)
    lost = []
    for f in files:   # every file stored whole: exactly the passages a clean parse gives
        want = {p.id for p in parse_file(f, source=f.name, limits=limits).passages}
        if by_source.get(f.name) != want:
            lost.append(f.name)
    elapsed = time.monotonic() - started
    orphaned = sum(1 for h in history if h[4])
    figures = (f"crash safety: {runs} runs, {kills} SIGKILLs (seed {SEED}), {len(lost)} losses, {duplicates} "
               f"duplicates; {orphaned} kills left Chroma orphans (repaired on open); resume run: {dict(resumed)}; "
               f"{elapsed:.0f} s")
    print("\n" + figures + "\n  (delay counted from, delay s, outcome, documents after, chroma orphans after): "
          + repr(history))
    report_figure("crash safety", figures)

    assert kills >= MIN_KILLS
    assert not lost, f"files lost or stored partially: {lost[:10]}"
    assert duplicates == 0
    assert set(sources) == names and len(docs) == N_FILES
    assert ids["catalog"] == ids["chroma"] == ids["bm25"], {k: len(v) for k, v in ids.items()}
    assert ids["catalog"] == {p.id for p in passages}
    # candidates match sources: one candidate per file, named by its file, nothing else
    assert len(cands) == N_FILES
    assert {c.id for c in cands} == {candidate_id_for(n) for n in names}
    assert Counter(s for c in cands for s in c.sources) == Counter(names)
    assert all(c.id == candidate_id_for(c.sources[0]) and c.name.strip() for c in cands)
    assert profile_owners <= {c.id for c in cands}, "a profile outlived its candidate"


def test_a_store_killed_before_its_collection_existed_opens_read_only(tmp_path, run_cli):
    from recruiter.vectorstore.catalog import Catalog
    home = tmp_path / "home"
    Catalog(home / "catalog.sqlite3").close()   # exactly what CandidateStore.__init__ leaves at that point
    proc = run_cli(home, "candidates", "--json", check=False)
    assert "Traceback" not in proc.stderr and proc.returncode == 0, proc.stderr[-600:]
    assert json.loads(proc.stdout) == []
