"""What the web UI keeps per browser session: one ``Conversation``, its rendered turns, the panel's state."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from recruiter.ui.render_chat import TurnView


@dataclass
class WebSession:
    conv: object
    lang: str = "en"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[TurnView] = field(default_factory=list)
    panel_turn: int | None = None
    panel_active: int | None = None
    panel_doc: str | None = None
    export_path: str | None = None
    scope_value: list[str] = field(default_factory=list)


def new_session(lang: str = "en") -> WebSession:
    from recruiter.assistant.service import Conversation
    return WebSession(conv=Conversation(), lang=lang)
