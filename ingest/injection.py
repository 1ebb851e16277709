"""Instruction-like text inside a CV: found at ingest, flagged on the candidate, never used as evidence.

A CV is data written by the person being assessed; lines that talk to the assistant instead of
describing the candidate (or that are hidden from a human reader) must have no effect on answers.
"""
from __future__ import annotations

import re

_INSTRUCTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|preceding) (?:instructions|prompts?|rules)"
    r"|disregard (?:all |any )?(?:previous|prior|above) "
    r"|(?:you are|act as) (?:now )?(?:an? )?(?:ai|assistant|language model|chatgpt)"
    r"|system prompt|system instruction|\[system\]|<\|im_start\|>"
    r"|(?:rank|rate|list|put) (?:me|this candidate|this applicant) (?:first|highest|at the top)"
    r"|(?:say|state|declare|answer) (?:that )?this candidate is (?:the )?best"
    r"|reply only with|respond only with|output only"
    r"|忽略(?:以上|之前|前面|上述)?(?:的)?所有?(?:的)?(?:指令|指示|提示|规则)|系统指令|系统提示"
    r"|(?:唯一|最佳)合格人选|录用通过|请(?:把|将)(?:我|该候选人)排(?:在)?第一",
    re.I)
_HIDDEN_HTML = re.compile(r"<!--.*?-->|<span[^>]*(?:display\s*:\s*none|font-size\s*:\s*[01](?:\.\d+)?px|"
                          r"color\s*:\s*(?:#f{3}(?:f{3})?|white))[^>]*>.*?</span>", re.I | re.S)
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]{3,}")


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line holding instruction-like or hidden text, merged and sorted."""
    spans: list[tuple[int, int]] = []
    for rx in (_INSTRUCTION, _HIDDEN_HTML, _ZERO_WIDTH):
        for m in rx.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            spans.append((start, len(text) if end < 0 else end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def injection_flag(text: str) -> str | None:
    spans = instruction_spans(text)
    if not spans:
        return None
    return (f"instruction-like or hidden text found in {len(spans)} place(s); it is ignored "
            f"in answers, rankings and matches")
