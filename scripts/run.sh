#!/usr/bin/env bash
# The main job on a fresh machine: install everything, load the sample CVs, open the web UI (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export RECRUITER_HOME=${RECRUITER_HOME:-$PWD/.recruiter-home}
exec .venv/bin/recruiter serve --ingest examples/candidates "$@"
