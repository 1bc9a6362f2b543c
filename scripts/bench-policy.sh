#!/usr/bin/env bash
# oslo-policy against the Python reference (oslo.policy 6.0.1), side by side
# in one run: criterion (oslo-policy/benches/enforce.rs) for ours, timeit
# for Python, on the same 1,000-rule nova-like policy and the same cases.
#
#   scripts/bench-policy.sh
#
# Needs the reference venv (.venv, created by scripts/setup-reference.sh).
# Not part of the test suite. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${OSLO_RS_REFERENCE_PYTHON:-$PWD/.venv/bin/python}
"$py" -c 'import oslo_policy' 2>/dev/null || scripts/setup-reference.sh >&2
out=target/bench-policy
mkdir -p "$out"
echo "== criterion: ours" >&2
OSLO_RS_BENCH_POLICY_OUT="$PWD/$out/policy.json" cargo bench -q -p oslo-policy --bench enforce -- \
  --warm-up-time 1 --measurement-time 3 --output-format bencher 2>/dev/null |
  "$py" scripts/bench/bencher.py rust_ load enforce >"$out/rust.json"
echo "== timeit: Python" >&2
printf 'oslo-policy vs oslo.policy %s, %s, %s cores; per call\n\n' \
  "$("$py" -c 'import importlib.metadata as m; print(m.version("oslo.policy"))')" "$(uname -m)" "$(nproc)"
"$py" scripts/bench/policy.py "$out/policy.json" "$out/rust.json"
