"""Wiring: one object that holds the store, the library, the assistant and the model for a data dir.

The CLI, the terminal chat, the web UI and the eval runner all open an App; none of them builds
these parts themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

from recruiter.assistant.audit import AuditLog
from recruiter.assistant.library import Library
from recruiter.assistant.phrasing import Phraser
from recruiter.assistant.service import Assistant
from recruiter.ingest.pipeline import IngestLimits
from recruiter.runtime import providers
from recruiter.runtime.settings import Settings
from recruiter.vectorstore.store import CandidateStore


def ingest_limits(settings: Settings) -> IngestLimits:
    return IngestLimits(max_bytes=int(settings.max_file_mb * 1024 * 1024), max_pages=settings.max_pages,
                        max_passages_per_file=settings.max_passages_per_file)


def outbound_notice(desc: dict) -> str:
    """What leaves the machine when the model is remote, in one sentence the CLI and UI both show."""
    contacts = ("contact details (e-mail, phone, ID numbers) are masked; RECRUITER_CONTACTS_TO_LLM=send "
                "includes them" if desc.get("contacts") == "masked"
                else "contact details are included (RECRUITER_CONTACTS_TO_LLM=send)")
    return f"Questions and the cited CV passages are sent to {desc.get('base_url')}; {contacts}."


@dataclass
class App:
    settings: Settings
    store: CandidateStore
    library: Library
    assistant: Assistant
    llm: object | None           # providers.LLMHandle, or None with --llm none

    @classmethod
    def open(cls, settings: Settings, *, read_only: bool = False, embeddings=None, llm=None,
             warm_llm: bool = False) -> "App":
        """``warm_llm``: a command about to ask starts the model (and its prompt cache) on a thread first, so
        the model loads while the store opens and the evidence is found."""
        settings.home.mkdir(parents=True, exist_ok=True)
        chat = llm if llm is not None else providers.make_chat(settings)
        phraser = Phraser(chat) if chat is not None else None
        if warm_llm and phraser is not None:
            phraser.warm_up()
        try:
            store = CandidateStore(settings.home, embeddings or providers.make_embeddings(settings),
                                   chroma_url=settings.chroma_url, read_only=read_only)
        except BaseException:
            if llm is None and chat is not None:
                chat.close()
            raise
        try:
            audit = AuditLog(settings.home)   # append-only file: fine beside a read-only store
            assistant = Assistant(store, phraser=phraser, audit=audit,
                                  describe_llm=(chat.describe if chat is not None else None))
            return cls(settings, store, Library(store, ingest_limits(settings), workers=settings.ingest_workers),
                       assistant, chat)
        except BaseException:
            store.close()
            raise

    def describe_llm(self) -> dict:
        if self.llm is None:
            return {"provider": "none", "model": None, "remote": False,
                    "summary": "No model: answers are composed from the CVs by the program."}
        d = dict(self.llm.describe())
        d["summary"] = outbound_notice(d) if d.get("remote") else "Everything stays on this machine."
        return d

    def close(self) -> None:
        if self.llm is not None and hasattr(self.llm, "close"):
            self.llm.close()
        self.store.close()

    def __enter__(self) -> "App":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
