#!/usr/bin/env bash
# The Python accelerator (python/, issue 17), as CI runs it:
#  1. a venv in target/pyext-venv with maturin and oslo.policy 6.0.1's test
#     requirements (PyPI);
#  2. the wheel: `maturin build` (profile python-release), `pip install` it;
#  3. python/tests (our own: behaviour, the real service policies' decisions
#     against plain oslo.policy, memory over a million calls);
#  4. oslo.policy 6.0.1's own test suite (from its sdist) twice, without and
#     with the accelerator (-p oslo_policy_rs.pytest_plugin): the results must
#     be the same test by test.
# Needs python3.11 (or newer) and network access to PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pyext-venv
py="${PYTHON:-python3}"
want=("maturin==1.16.0" "oslo.policy==6.0.1" "oslo.config==10.7.0" "oslotest" "requests-mock"
  "stestr" "sphinx" "pytest")
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "${want[@]}"

echo "== maturin build (python/, profile python-release)"
rm -rf target/wheels
"$venv/bin/maturin" build -q --locked -m python/Cargo.toml -i "$venv/bin/python" --out target/wheels
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels/oslo_policy_rs-*.whl
"$venv/bin/python" -c 'import oslo_policy_rs; print("installed", oslo_policy_rs.VERSION)'

echo "== python/tests"
# The real service policies (scripts/gen-service-policies.sh); without them
# test_services.py says SKIPPED.
export OSLO_RS_SERVICE_POLICIES="${OSLO_RS_SERVICE_POLICIES:-$PWD/target/service-policies}"
"$venv/bin/python" -m pytest -q -rs -p no:cacheprovider python/tests

echo "== oslo.policy 6.0.1's own test suite, without and with oslo_policy_rs"
sdist=target/pyext-sdist
if [ ! -d "$sdist/oslo_policy-6.0.1" ]; then
  rm -rf "$sdist" && mkdir -p "$sdist"
  "$venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
    oslo.policy==6.0.1 -d "$sdist"
  tar -xzf "$sdist"/oslo_policy-6.0.1.tar.gz -C "$sdist"
fi
"$venv/bin/python" python/tests/run_reference_suite.py "$sdist/oslo_policy-6.0.1"
