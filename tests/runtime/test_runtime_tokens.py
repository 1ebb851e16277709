"""Token counting works with no network and no tiktoken cache."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from recruiter.runtime.tokens import count_tokens, get_encoding, truncate_to_tokens


def test_count_tokens_in_process_with_network_blocked():
    # The autouse no_remote_calls guard is active here: a download attempt would raise.
    get_encoding.cache_clear()
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("候选人拥有博士学位") > 3


def test_count_tokens_offline_fresh_process(tmp_path):
    # A fresh interpreter with an empty tiktoken cache and every socket refused: proves the
    # encoding ships with the package rather than coming from a cache a previous run downloaded.
    code = textwrap.dedent("""
        import socket
        def refuse(*a, **k):
            raise OSError("network disabled in this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from recruiter.runtime.tokens import count_tokens
        print(count_tokens("Senior engineer, 8 years of Python."))
    """)
    env = dict(os.environ, TIKTOKEN_CACHE_DIR=str(tmp_path / "tk"), DATA_GYM_CACHE_DIR=str(tmp_path / "dg"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) > 5


def test_special_token_text_is_plain_text():
    assert count_tokens("see <|endoftext|> here") > 3


def test_truncate_to_tokens():
    text = "one two three four five six seven eight"
    assert truncate_to_tokens(text, 100) == text
    cut = truncate_to_tokens(text, 3)
    assert text.startswith(cut) and count_tokens(cut) <= 3 and cut
    assert truncate_to_tokens(text, 0) == ""


def test_truncate_never_splits_a_character():
    text = "博士学位" * 20
    for n in range(1, 15):
        cut = truncate_to_tokens(text, n)
        assert text.startswith(cut)
        assert count_tokens(cut) <= n
