"""Model runtime: local model fetch, llama.cpp server, the chat client, embeddings, tokens.

Import the submodules directly (recruiter.runtime.providers, .llm, ...): this package file
imports nothing, so ``import recruiter.runtime.settings`` stays cheap.
"""
