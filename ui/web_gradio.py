"""Gradio, imported with its analytics switched off.

Every web module takes ``gr`` from here, so the setting is always made before Gradio first loads:
nothing leaves the machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # nothing leaves the machine

import gradio as gr  # noqa: E402 -- must come after the setting above

__all__ = ["gr"]
