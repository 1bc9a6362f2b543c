#!/usr/bin/env bash
# Installs the Python references (oslo.rootwrap 7.10.0, oslo.policy 6.0.1
# with oslo.config 10.7.0, from PyPI) into .venv, for the differential
# tests, and what oslo.rootwrap's own functional tests need to run against
# our binaries (tests/conformance/oslo-rootwrap/reference_functional.rs): its test
# requirements fixtures, testtools and eventlet (the test modules themselves
# ship in the oslo.rootwrap wheel). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
want=("oslo.rootwrap==7.10.0" "oslo.policy==6.0.1" "oslo.config==10.7.0"
  "fixtures==4.3.2" "testtools==2.9.1" "eventlet==0.41.3")
have() {
  .venv/bin/python - "$@" <<'PY' 2>/dev/null
import importlib.metadata as m, sys
for spec in sys.argv[1:]:
    name, version = spec.split("==")
    if m.version(name) != version:
        sys.exit(1)
PY
}
if [ -x .venv/bin/python ] && have "${want[@]}"; then
  echo "references already installed in .venv: ${want[*]}"
  exit 0
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check "${want[@]}"
echo "installed ${want[*]} into .venv ($(.venv/bin/python --version))"
