"""The one code path for every model call: an OpenAI-compatible chat client, and a fake for tests.

The local llama.cpp server, OpenAI itself and any OpenAI-compatible server (vLLM, Ollama, LM Studio)
speak the same protocol, so the app has exactly one client implementation to test.
"""
from __future__ import annotations

import ipaddress
import json
import re
import threading
from typing import Callable, Iterator, Protocol, Sequence, runtime_checkable
from urllib.parse import urlsplit

Message = dict            # {"role": "system" | "user" | "assistant", "content": str}
OPENAI_BASE_URL = "https://api.openai.com/v1"


class LLMError(RuntimeError):
    """A model call failed (after retries), or its output was not what was asked for."""


class LLMUnavailable(LLMError):
    """The model server could not be reached at all (or timed out)."""


class LLMRequestRejected(LLMError):
    """The server refused the request as malformed (400/422), e.g. an unsupported response_format."""


@runtime_checkable
class ChatModel(Protocol):
    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]: ...

    def complete(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str: ...

    def complete_json(self, messages: Sequence[Message], schema: dict, *, max_tokens: int = 512,
                      temperature: float = 0.0) -> dict: ...

    def describe(self) -> dict: ...


def is_loopback_url(url: str | None) -> bool:
    """True only when the host is this machine (localhost, 127.0.0.0/8, ::1); anything else may leave it."""
    if not url:
        return False
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def extract_json_object(text: str) -> dict:
    """The first JSON object in ``text`` (tolerates prose and ```json fences around it)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    raise LLMError(f"no JSON object in model output: {text[:200]!r}")


def _check_required(obj: dict, schema: dict) -> dict:
    # A light check, not full JSON Schema validation: the grammar already constrains the local
    # model; this catches the fallback path and servers that ignore response_format.
    missing = [k for k in schema.get("required", []) if k not in obj]
    if missing:
        raise LLMError(f"model JSON lacks required keys {missing}: {json.dumps(obj)[:200]}")
    return obj


def _apply_stop(text: str, stop: Sequence[str] | None) -> str:
    for s in stop or ():
        i = text.find(s)
        if i >= 0:
            text = text[:i]
    return text


class OpenAICompatibleChat:
    """Chat over the OpenAI protocol. Connection errors, 429 and 5xx are retried with backoff
    by the openai client itself (max_retries); a stream that breaks midway is not retried, since
    part of it has already been shown."""

    provider = "openai-compatible"

    def __init__(self, base_url: str | None, model: str, api_key: str | None = None,
                 timeout: float = 120.0, *, max_retries: int = 2, provider: str | None = None):
        from openai import OpenAI

        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.model = model
        self.timeout = timeout
        if provider:
            self.provider = provider
        if not api_key:
            if not is_loopback_url(self.base_url) and self.base_url == OPENAI_BASE_URL:
                raise LLMError("no API key for OpenAI: set RECRUITER_LLM_API_KEY or OPENAI_API_KEY")
            api_key = "not-needed"    # most self-hosted servers ignore the key, the client wants one
        http_client = None
        if is_loopback_url(self.base_url):
            # Our own local server: an http_proxy from the environment must not capture (or see) it.
            from openai import DefaultHttpxClient
            http_client = DefaultHttpxClient(trust_env=False)
        self._client = OpenAI(base_url=self.base_url, api_key=api_key, timeout=timeout,
                              max_retries=max_retries, http_client=http_client)

    def _create(self, messages, *, stream: bool, **kw):
        import openai

        kw = {k: v for k, v in kw.items() if v is not None}
        try:
            return self._client.chat.completions.create(model=self.model, messages=list(messages),
                                                        stream=stream, **kw)
        except openai.APITimeoutError as e:
            raise LLMUnavailable(f"model server at {self.base_url} timed out after {self.timeout:.0f}s") from e
        except openai.APIConnectionError as e:
            raise LLMUnavailable(f"cannot reach model server at {self.base_url}: {e}") from e
        except openai.APIStatusError as e:
            if e.status_code in (400, 422):
                raise LLMRequestRejected(f"model server at {self.base_url} rejected the request "
                                         f"({e.status_code}): {e.message}") from e
            raise LLMError(f"model server at {self.base_url} answered {e.status_code}: {e.message}") from e

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        import openai

        chunks = self._create(messages, stream=True, max_tokens=max_tokens, temperature=temperature,
                              stop=list(stop) if stop else None)
        try:
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APIError as e:
            raise LLMError(f"stream from {self.base_url} broke: {e}") from e
        finally:
            chunks.close()    # closing the connection makes llama.cpp stop generating

    def complete(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        resp = self._create(messages, stream=False, max_tokens=max_tokens, temperature=temperature,
                            stop=list(stop) if stop else None)
        return resp.choices[0].message.content or ""

    def complete_json(self, messages: Sequence[Message], schema: dict, *, max_tokens: int = 512,
                      temperature: float = 0.0) -> dict:
        """A dict following ``schema``: constrained decoding where the server supports
        response_format json_schema (llama.cpp, OpenAI), else the first JSON object in the text."""
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "answer"))[:64]   # OpenAI's name rule
        fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
        try:
            text = self.complete_with(messages, max_tokens=max_tokens, temperature=temperature,
                                      response_format=fmt)
        except LLMRequestRejected:
            # The server rejected response_format (older servers, some proxies): ask plainly.
            hint = {"role": "system", "content": "Answer with one JSON object matching this schema, "
                                                 "and nothing else:\n" + json.dumps(schema)}
            text = self.complete([*messages, hint], max_tokens=max_tokens, temperature=temperature)
        try:
            obj = json.loads(text)
            if not isinstance(obj, dict):
                raise ValueError
        except ValueError:
            obj = extract_json_object(text)
        return _check_required(obj, schema)

    def complete_with(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
                      **extra) -> str:
        """complete() with extra request fields (response_format, seed, ...)."""
        resp = self._create(messages, stream=False, max_tokens=max_tokens, temperature=temperature, **extra)
        return resp.choices[0].message.content or ""

    def describe(self) -> dict:
        return {"provider": self.provider, "model": self.model, "base_url": self.base_url,
                "remote": not is_loopback_url(self.base_url)}

    def close(self) -> None:
        self._client.close()


class FakeChat:
    """A real, deterministic ChatModel for tests: replies come from a function or a list.

    ``FakeChat(lambda messages: "...")`` or ``FakeChat(["first reply", "second reply"])``;
    list replies are used in order and running out is an error (a test asked more than it meant to).
    Every call's messages are recorded in ``.calls``.
    """

    provider = "fake"

    def __init__(self, replies: Callable[[list[Message]], str] | Sequence[str], *, model: str = "fake"):
        self._fn = replies if callable(replies) else None
        self._replies = None if callable(replies) else list(replies)
        self.model = model
        self.calls: list[list[Message]] = []
        self._lock = threading.Lock()

    def _reply(self, messages: Sequence[Message]) -> str:
        with self._lock:
            msgs = [dict(m) for m in messages]
            self.calls.append(msgs)
            if self._fn is not None:
                return self._fn(msgs)
            n = len(self.calls)
            if n > len(self._replies):
                raise LLMError(f"FakeChat has {len(self._replies)} canned replies, call #{n} asked for one more")
            return self._replies[n - 1]

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 0, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        text = _apply_stop(self._reply(messages), stop)
        # Word by word, whitespace kept with the word before it, so "".join(...) == the reply.
        yield from re.findall(r"\s*\S+\s*|\s+", text)

    def complete(self, messages: Sequence[Message], *, max_tokens: int = 0, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        return _apply_stop(self._reply(messages), stop)

    def complete_json(self, messages: Sequence[Message], schema: dict, *, max_tokens: int = 512,
                      temperature: float = 0.0) -> dict:
        return _check_required(extract_json_object(self._reply(messages)), schema)

    def describe(self) -> dict:
        return {"provider": self.provider, "model": self.model, "base_url": None, "remote": False}

    def close(self) -> None:
        pass
