"""bench/latency.py --quick runs end to end with the small local model (it proves the script works; no timings
are asserted: speed is read from the printed report, not tested)."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.llm
def test_quick_latency_bench_runs_and_reports(tmp_path, small_model_path, shared_dir):
    out = tmp_path / "latency.json"
    run = subprocess.run([sys.executable, str(REPO / "bench" / "latency.py"), "--quick", "--no-doc",
                          "--model", "qwen2.5-coder-0.5b", "--json", str(out)],
                         capture_output=True, text=True, timeout=1500)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "naive / product, first model token p50" in run.stdout

    report = json.loads(out.read_text(encoding="utf-8"))
    rows = report["rows"]
    assert set(rows) == {"naive, first", "product, first", "product, follow-up"}
    assert rows["naive, first"]["turns"] == 3 and rows["product, first"]["turns"] == 3
    assert rows["product, follow-up"]["turns"] >= 1
    for row in rows.values():
        assert row["model_called"] >= 1
        assert all(math.isfinite(row[k]["p50"]) and row[k]["p50"] >= 0 for k in ("evidence_s", "total_s"))
    # Follow-ups share the system prompt with the turn before: llama.cpp must take it from its cache.
    follow = [t for t in report["turns"]["product"] if t["kind"] == "follow-up" and t["model_called"]]
    assert follow and all(t["cached_tokens"] > 0 for t in follow)

    assert {r["id"] for r in report["answers"]["product"]} == {"d003", "d013", "d015"}
    assert 0 <= report["scores"]["product"]["answer_accuracy"] <= 1
    assert report["scores"]["product"]["citation_support"] == 1.0

    cold = report["cold"]
    assert [c["mode"] for c in cold] == ["child", "shared", "shared"]
    assert [c["reused"] for c in cold[1:]] == [False, True]        # the second fresh process reused the server
    assert all(c.get("first_token_s", 0) > 0 and c["server_rss_mb"] > 0 for c in cold)
    assert report["rss"]["server_mb"] > 0
    # The bench stopped the servers it started.
    leftover = subprocess.run(["pgrep", "-f", "llmsupervisor.*bench-latency-"], capture_output=True, text=True)
    assert not leftover.stdout.strip()
