#!/usr/bin/env bash
# The apps as a plugin: build the wheel, install it into a fresh virtualenv with a new
# `wagtail start` site, follow the README's install steps literally, migrate, seed_demo, then
# sign in as every role, render dashboards, the public feedback page, an API list and an ARCP
# pack, and prove lockout (details in .ci/fresh_host.py). Non-zero on any failure.
# pip installs the wheel's dependencies from the package index as configured on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${FRESH_HOST_PYTHON:-python3.11}"
command -v "$python" >/dev/null || { echo "fresh host: $python not found" >&2; exit 1; }
exec "$python" .ci/fresh_host.py
