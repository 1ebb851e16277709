"""`recruiter remove NAME` forgets a candidate everywhere (catalog documents, passages, profile, Chroma,
BM25, the assistant's caches) and leaves every other candidate exactly as it was."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "candidates"
TARGET = "Luo Ji"
TARGET_SOURCE = "002_9c04bb96c17275a3.txt"
DISTINCT = "MuPaS"          # a word only the target's CV has


def _snapshot(store) -> dict:
    return {c.id: {"candidate": c.to_dict(),
                   "documents": sorted((d.doc_id, d.source, d.file_hash) for d in store.documents_for(c.id)),
                   "passages": sorted(p.id for p in store.passages(c.id)),
                   "profile": store.profile(c.id)}
            for c in store.candidates()}


def _catalog_rows_mentioning(home: Path, needles: list[str]) -> list[tuple]:
    db = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True)
    try:
        hits = []
        for table in ("candidates", "documents", "passages", "profiles"):
            cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            for row in db.execute(f"SELECT * FROM {table}"):
                text = json.dumps(dict(zip(cols, row)), ensure_ascii=False)
                hits += [(table, n) for n in needles if n in text]
        return hits
    finally:
        db.close()


@pytest.fixture(scope="module")
def template_home(tmp_path_factory, embeddings):
    """The five sample CVs ingested once (a closed store); each test works on its own copy."""
    from recruiter.assistant.app import App
    from recruiter.runtime.settings import Settings

    home = tmp_path_factory.mktemp("removal") / "home"
    with App.open(Settings.from_env(env={}, home=home, llm="none"), embeddings=embeddings) as app:
        assert [r.status for r in app.library.ingest([EXAMPLES])] == ["added"] * 5
        for c in app.store.candidates():   # every candidate has a profile, whoever builds them
            if app.store.profile(c.id) is None:
                app.store.put_profile(c.id, {"name": c.name, "skills": ["test"]})
        before = _snapshot(app.store)
    return home, before


@pytest.fixture
def loaded_home(template_home, tmp_path):
    src, before = template_home
    home = tmp_path / "home"
    shutil.copytree(src, home)
    return home, before


def test_cli_remove_leaves_nothing_of_the_candidate(loaded_home, run_cli, open_app, indexes_agree):
    home, before = loaded_home
    (target_id,) = [cid for cid, s in before.items() if s["candidate"]["name"] == TARGET]
    gone = set(before[target_id]["passages"])
    assert gone and before[target_id]["profile"] is not None

    out = json.loads(run_cli(home, "remove", TARGET, "--json").stdout)
    assert out["removed"]["id"] == target_id

    app = open_app(home)
    store = app.store
    assert store.candidate(target_id) is None
    assert store.documents_for(target_id) == [] and store.document_for_source(TARGET_SOURCE) is None
    assert store.passages(target_id) == [] and store.profile(target_id) is None
    ids = indexes_agree(store)
    assert not gone & ids
    assert not gone & store.index_ids()["chroma"] and not gone & store.index_ids()["bm25"]
    assert store.dense._vs.get(where={"candidate_id": target_id}, include=[])["ids"] == []
    assert all(h.passage.candidate_id != target_id for h in store.search(DISTINCT, k=20, mode="bm25"))
    assert all(h.passage.candidate_id != target_id for h in store.search(DISTINCT, k=20, mode="dense"))
    assert _catalog_rows_mentioning(home, [target_id, TARGET_SOURCE, DISTINCT]) == []
    # everyone else untouched
    after = _snapshot(store)
    assert set(after) == set(before) - {target_id}
    for cid, snap in after.items():
        assert snap == before[cid], f"{snap['candidate']['name']} changed"
    assert len(ids) == sum(len(s["passages"]) for s in after.values())
    # the answers no longer know them
    ans = app.assistant.ask(f"Where did {TARGET} work?", use_model=False)
    assert target_id not in ans.candidate_ids and all(c.source != TARGET_SOURCE for c in ans.citations)
    ranked = app.assistant.ask("Who has the most publications?", use_model=False)
    assert target_id not in ranked.candidate_ids


def test_cli_remove_of_an_unknown_name_changes_nothing(loaded_home, run_cli, open_app):
    home, before = loaded_home
    proc = run_cli(home, "remove", "Nobody Here", "--json", check=False)
    assert proc.returncode == 1 and "No candidate matches" in json.loads(proc.stdout)["error"]
    assert _snapshot(open_app(home).store) == before


def test_remove_in_a_running_app_drops_the_assistants_cache(loaded_home, open_app):
    home, before = loaded_home
    app = open_app(home)
    ans = app.assistant.ask(f"Where did {TARGET} do his PhD?", use_model=False)
    (target_id,) = [cid for cid, s in before.items() if s["candidate"]["name"] == TARGET]
    assert target_id in ans.candidate_ids
    app.library.remove(TARGET)
    again = app.assistant.ask("Rank the candidates by number of publications.", use_model=False)
    assert target_id not in again.candidate_ids
    assert target_id not in app.assistant._texts, "the removed CV's text is still cached"


def test_remove_leaves_no_cv_text_in_the_data_dir(loaded_home, run_cli):
    home, _ = loaded_home
    run_cli(home, "remove", TARGET, "--json")
    needle = DISTINCT.encode()
    holders = {str(f.relative_to(home)): f.read_bytes().count(needle) for f in home.rglob("*") if f.is_file()}
    assert {k: v for k, v in holders.items() if v} == {}, "the removed CV's text is still on disk"
