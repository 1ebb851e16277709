"""Versioned prompt templates (``name.vN.md``), read with importlib.resources."""
from __future__ import annotations

from importlib import resources


def load(name: str) -> str:
    """``load("answer.v1")`` → the template text. Versions are files, so a change is a new file."""
    return resources.files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")
