"""Contact details never leave the machine unless the user opts in.

A remote model only re-words answers; it has no need for a candidate's e-mail, phone or ID number.
``MaskingChat`` wraps any ChatModel: before a request it replaces those values with placeholders
(``EMAIL_1``, ``PHONE_1``, ``ID_1``), and it puts the real values back into what the model returns,
so the recruiter still reads them. The wrapper is chosen in ``providers`` from
``Settings.contacts_to_llm``: ``auto`` masks for every non-loopback URL, ``mask`` always, ``send`` never.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence

CONTACT_POLICIES = ("auto", "mask", "send")

_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# Chinese resident ID: 17 digits and a digit or X, not part of a longer number.
_CN_ID = r"(?<!\d)\d{17}[\dXx](?!\d)"
# A Chinese mobile (1[3-9]x, 11 digits, optional 3-4-4 separators, optional +86), or an international
# number that starts with "+". Bare digit runs are left alone: dates, paper ids and grant numbers look alike.
_PHONE = (r"(?<![\w+])(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)"
          r"|(?<![\w+])\+\d{1,3}(?:[\s\-]?(?:\(\d{1,4}\)|\d{1,4})){2,5}(?!\d)")
_CONTACT_RE = re.compile(rf"(?P<email>{_EMAIL})|(?P<id>{_CN_ID})|(?P<phone>{_PHONE})")
_PLACEHOLDER_RE = re.compile(r"\b(EMAIL|PHONE|ID)_(\d+)\b")
_KINDS = {"email": "EMAIL", "phone": "PHONE", "id": "ID"}


class ContactMasker:
    """Replaces contact details with numbered placeholders and restores them; one per request, so the
    same value gets the same placeholder across all messages of that request."""

    def __init__(self) -> None:
        self._by_value: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}

    @property
    def masked(self) -> int:
        return len(self._by_value)

    def mask(self, text: str) -> str:
        return _CONTACT_RE.sub(self._placeholder, text)

    def _placeholder(self, m: re.Match) -> str:
        value = m.group(0)
        if value not in self._by_value:
            kind = _KINDS[m.lastgroup]
            n = sum(p.startswith(kind + "_") for p in self._by_placeholder) + 1
            self._by_value[value] = f"{kind}_{n}"
            self._by_placeholder[f"{kind}_{n}"] = value
        return self._by_value[value]

    def unmask(self, text: str) -> str:
        # A placeholder the model invented (EMAIL_9) stays as it is; verification then rejects it.
        return _PLACEHOLDER_RE.sub(lambda m: self._by_placeholder.get(m.group(0), m.group(0)), text)

    def mask_messages(self, messages: Sequence[dict]) -> list[dict]:
        out = []
        for msg in messages:
            msg = dict(msg)
            if isinstance(msg.get("content"), str):
                msg["content"] = self.mask(msg["content"])
            out.append(msg)
        return out

    def unmask_obj(self, obj):
        if isinstance(obj, str):
            return self.unmask(obj)
        if isinstance(obj, list):
            return [self.unmask_obj(v) for v in obj]
        if isinstance(obj, dict):
            return {k: self.unmask_obj(v) for k, v in obj.items()}
        return copy.copy(obj)


def find_contacts(text: str) -> list[str]:
    """The contact details in a text (what masking would hide); tests and the UI use it."""
    return [m.group(0) for m in _CONTACT_RE.finditer(text)]


class MaskingChat:
    """A ChatModel whose requests carry no contact details; its replies get them back."""

    def __init__(self, chat) -> None:
        self.chat = chat

    def stream(self, messages: Sequence[dict], *, max_tokens: int, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        masker = ContactMasker()
        held = ""   # a placeholder can arrive split over pieces ("EMA", "IL_1"): hold a possible prefix
        for piece in self.chat.stream(masker.mask_messages(messages), max_tokens=max_tokens,
                                      temperature=temperature, stop=stop):
            held += piece
            cut = _safe_cut(held)
            if cut:
                yield masker.unmask(held[:cut])
                held = held[cut:]
        if held:
            yield masker.unmask(held)

    def complete(self, messages: Sequence[dict], *, max_tokens: int, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        masker = ContactMasker()
        return masker.unmask(self.chat.complete(masker.mask_messages(messages), max_tokens=max_tokens,
                                                temperature=temperature, stop=stop))

    def complete_json(self, messages: Sequence[dict], schema: dict, *, max_tokens: int = 512,
                      temperature: float = 0.0) -> dict:
        masker = ContactMasker()
        return masker.unmask_obj(self.chat.complete_json(masker.mask_messages(messages), schema,
                                                         max_tokens=max_tokens, temperature=temperature))

    def describe(self) -> dict:
        return {**self.chat.describe(), "contacts": "masked"}

    def close(self) -> None:
        if hasattr(self.chat, "close"):
            self.chat.close()


_TAIL_RE = re.compile(r"(?:E(?:M(?:A(?:I(?:L(?:_\d*)?)?)?)?)?|P(?:H(?:O(?:N(?:E(?:_\d*)?)?)?)?)?|I(?:D(?:_\d*)?)?)$")


def _safe_cut(text: str) -> int:
    """How much of ``text`` can be released: all but a trailing possible start of a placeholder."""
    m = _TAIL_RE.search(text)
    return m.start() if m else len(text)


def should_mask(policy: str, remote: bool) -> bool:
    if policy not in CONTACT_POLICIES:
        raise ValueError(f"unknown contacts policy {policy!r}; choose one of {', '.join(CONTACT_POLICIES)}")
    return policy == "mask" or (policy == "auto" and remote)
