#!/usr/bin/env bash
# Install everything (incl. the small 0.5B model the LLM-path tests drive) and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh qwen2.5-coder-0.5b
# The web UI tests drive Debian's chromium with Playwright (Playwright can't download its own browsers here);
# fonts-noto-cjk so the screenshots render Chinese instead of empty boxes.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ "$(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null)" = "install ok installed" ] || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} for the browser tests (apt-get)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
set +e
.venv/bin/python -m pytest -q "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi
exit "$rc"
