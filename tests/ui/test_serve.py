"""`recruiter serve` binding rules: loopback by default; any other address only with RECRUITER_AUTH."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_non_loopback_without_auth_refuses_with_a_clear_message(tmp_path):
    env = dict(os.environ, RECRUITER_HOME=str(tmp_path / "home"), RECRUITER_LLM="none",
               GRADIO_ANALYTICS_ENABLED="False")
    env.pop("RECRUITER_AUTH", None)
    proc = subprocess.run([sys.executable, "-m", "recruiter.ui.cli", "serve", "--host", "0.0.0.0", "--port", "9",
                           "--llm", "none"], check=False, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert proc.returncode != 0
    out = " ".join((proc.stdout + proc.stderr).split())
    assert "Refusing to listen on 0.0.0.0" in out and "RECRUITER_AUTH=user:password" in out
    assert "Traceback" not in out
    assert not (tmp_path / "home").exists()          # refused before opening the store


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_auth(host):
    from recruiter.ui.web_bind import check_bind
    assert check_bind(host, {}) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_other_hosts_need_auth(host):
    from recruiter.ui.web_bind import BindRefused, check_bind
    with pytest.raises(BindRefused, match="RECRUITER_AUTH"):
        check_bind(host, {})
    assert check_bind(host, {"RECRUITER_AUTH": "alice:s3cr:et"}) == [("alice", "s3cr:et")]


def test_auth_file_and_bad_values(tmp_path):
    from recruiter.ui.web_bind import BindRefused, parse_auth
    f = tmp_path / "users"
    f.write_text("# recruiters\nalice:one\nbob:two\n", encoding="utf-8")
    assert parse_auth(str(f)) == [("alice", "one"), ("bob", "two")]
    for bad in ("nocolon", ":pw", "user:"):
        with pytest.raises(BindRefused):
            parse_auth(bad)
