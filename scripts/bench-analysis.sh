#!/usr/bin/env bash
# `oslo-policy diff` and `oslo-policy matrix` on the real combined policy
# (keystone + nova + neutron + cinder + glance defaults, 1,012 rules, from
# scripts/gen-service-policies.sh), whole processes with hyperfine, in one
# run with the reference's nearest counterpart: the real oslo.policy
# Enforcer deciding every cell of the same matrix on two targets
# (scripts/bench/matrix_reference.py; it decides 2 points per cell where
# the matrix decides every target, and it has no counterpart of `diff`).
# Ends with the issue's targets, MET or NOT MET.
#
#   scripts/bench-analysis.sh
#
# Needs the reference venv (.venv) and hyperfine (apt-get when root). Not
# part of the test suite; about a minute. Figures are noisy while
# something else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${OSLO_RS_REFERENCE_PYTHON:-$PWD/.venv/bin/python}
"$py" -c 'import oslo_policy' 2>/dev/null || scripts/setup-reference.sh >&2
svc=${OSLO_RS_SERVICE_POLICIES:-$PWD/target/service-policies}
[ -f "$svc/combined-defaults.json" ] || scripts/gen-service-policies.sh >&2
command -v hyperfine >/dev/null ||
  { [ "$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; }
out=target/bench-analysis
mkdir -p "$out"
cargo build -q --release -p oslo-policy --bin oslo-policy
bin=$PWD/target/release/oslo-policy
defaults=$svc/combined-defaults.json
none=$PWD/$out/no-policy-file.yaml
rm -f "$none"
diff_cmd="$bin diff --defaults $defaults --old-no-enforce-new-defaults $none $none"
matrix_cmd="$bin matrix --defaults $defaults $none --format json"
hyperfine -N -w 3 -r 20 --export-json "$out/hyperfine.json" \
  -i "$diff_cmd" "$matrix_cmd" >&2 2>/dev/null
$matrix_cmd >"$out/matrix.json" 2>/dev/null
read -r ref_s ref_n < <("$py" scripts/bench/matrix_reference.py "$defaults" "$out/matrix.json")
"$py" - "$out/hyperfine.json" "$ref_s" "$ref_n" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
diff_s, matrix_s = (r["median"] for r in runs)
ref_s, ref_n = float(sys.argv[2]), int(sys.argv[3])
def ms(s): return f"{s * 1000:.1f} ms"
print("| workload | reference | ours | ratio | target | |")
print("|---|---:|---:|---:|---|---|")
print(f"| #16 `diff` combined policy, enforce_new_defaults flip, whole process | — | {ms(diff_s)} | | < 1 s | {'MET' if diff_s < 1 else 'NOT MET'} |")
print(f"| #16 `matrix` combined policy, 16 default personas, JSON, whole process | {ref_s:.2f} s ({ref_n} decisions, 2 targets a cell) | {ms(matrix_s)} | {ref_s / matrix_s:.0f}x | < 100 ms | {'MET' if matrix_s < 0.1 else 'NOT MET'} |")
PY
