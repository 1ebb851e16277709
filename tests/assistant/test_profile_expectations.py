"""The hand-checked expectations bench/profiles.py computes its gold answers from (expected_profiles.json)
hold for the profiles stored at ingest, so the benchmark's gold and the product read the same CVs."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

EXPECTED = json.loads((Path(__file__).with_name("expected_profiles.json")).read_text(encoding="utf-8"))


def test_stored_profiles_match_the_hand_checked_expectations(seeded_app):
    seen = set()
    for cand in seeded_app.library.candidates():
        (source,) = cand.sources
        exp = EXPECTED[source]
        seen.add(source)
        prof = seeded_app.store.profile(cand.id)
        assert {exp["names"]["en"], exp["names"]["zh"]} <= set(cand.all_names())
        positions = Counter(p["author_position"] for p in prof["publications"])
        assert (len(prof["publications"]), positions["first"], positions["co-first"]) == \
            (exp["papers"], exp["first_author"], exp["co_first_author"]), source
        assert [(e["school"]["value"], e["degree_level"], e["start"]["value"], e["end"]["value"])
                for e in prof["education"]] == [(e["school"], e["level"], e["start"], e["end"])
                                                for e in exp["education"]], source
        assert [x["organisation"]["value"] for x in prof["experience"]] == exp["experience"], source
        assert len(prof["awards"]) == exp["awards"], source
        assert [s["value"] for s in prof["research_areas"]] == exp["research_areas"], source
    assert seen == {k for k in EXPECTED if not k.startswith("_")}
