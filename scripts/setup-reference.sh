#!/usr/bin/env bash
# Installs the Python reference (oslo.rootwrap 7.10.0 from PyPI) into .venv,
# for the differential tests. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import oslo_rootwrap' 2>/dev/null; then
  echo "reference already installed: $(.venv/bin/python -c 'import importlib.metadata as m; print("oslo.rootwrap", m.version("oslo.rootwrap"))') in .venv"
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check 'oslo.rootwrap==7.10.0'
echo "installed oslo.rootwrap 7.10.0 into .venv ($(.venv/bin/python --version))"
