#!/usr/bin/env bash
# oslo-policy against the Python reference (oslo.policy 6.0.1), side by side
# in one run: criterion (oslo-policy/benches/enforce.rs) for ours, timeit
# for Python, on the same 1,000-rule nova-like policy and the same cases.
#
#   scripts/bench-policy.sh
#
# When the real service policies exist (scripts/gen-service-policies.sh;
# $OSLO_RS_SERVICE_POLICIES names another directory), also on the combined
# keystone+nova+neutron+cinder+glance policy (1,012 rules): load with the
# registered defaults, enforce of nova's and keystone's rules, and
# `oslopolicy-checker --policy nova-policy.json --access TOKEN` over all
# nova rules as a whole process with hyperfine (ours against the
# reference's); and `oslo-policy eval` of 30,000 real-world case lines
# (scripts/bench/policy_eval_cases.py, ~18 MB) over the combined policy as
# a whole process with hyperfine, against the reference's counterpart
# (tests/conformance/oslo-policy/oracle/policy_oracle.py --policy --cases, which the
# differential tests compare it with), with both peak RSS (GNU time's
# "Maximum resident set size"). Ends with one table of the issues'
# targets, MET or NOT MET.
#
# Needs the reference venv (.venv, created by scripts/setup-reference.sh)
# and, for the checker, hyperfine (installed with apt-get when root). Not
# part of the test suite. Takes about two minutes (eight with the service
# policies). Figures are noisy while something else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${OSLO_RS_REFERENCE_PYTHON:-$PWD/.venv/bin/python}
"$py" -c 'import oslo_policy' 2>/dev/null || scripts/setup-reference.sh >&2
out=target/bench-policy
mkdir -p "$out"
svc=${OSLO_RS_SERVICE_POLICIES:-$PWD/target/service-policies}
rm -f "$out/service-cases.json" "$out/checker.json" "$out/eval.json"
echo "== criterion: ours" >&2
OSLO_RS_BENCH_POLICY_OUT="$PWD/$out/policy.json" OSLO_RS_SERVICE_POLICIES="$svc" \
  OSLO_RS_BENCH_SERVICE_CASES_OUT="$PWD/$out/service-cases.json" \
  cargo bench -q -p oslo-policy --bench enforce -- \
  --warm-up-time 1 --measurement-time 3 --output-format bencher 2>/dev/null |
  "$py" scripts/bench/bencher.py rust_ load enforce service >"$out/rust.json"
service_args=()
if [ -f "$out/service-cases.json" ]; then
  service_args=("$out/service-cases.json")
  checker=${py%/python}/oslopolicy-checker
  if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing hyperfine" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
  fi
  if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench-policy: hyperfine is not installed: the checker is not timed" >&2
  elif [ ! -x "$checker" ]; then
    echo "bench-policy: no $checker: the checker is not timed" >&2
  else
    echo "== hyperfine: oslopolicy-checker over all nova rules" >&2
    cargo build -q --release -p oslo-policy --bin oslopolicy-checker
    # A project-scoped member's token, as `openstack token issue` returns it.
    cat >"$out/access.json" <<'JSON'
{"token": {"methods": ["password"], "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
 "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
 "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
 "is_domain": false, "expires_at": "2030-01-01T00:00:00.000000Z", "issued_at": "2029-12-31T23:00:00.000000Z"}}
JSON
    args=(--policy "$svc/nova-policy.json" --access "$out/access.json")
    ours=$PWD/target/release/oslopolicy-checker
    if ! cmp -s <("$ours" "${args[@]}") <("$checker" "${args[@]}"); then
      echo "bench-policy: the two checkers' outputs differ on nova-policy.json" >&2
      exit 1
    fi
    q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
    line() { local w=() a; for a in "$@"; do w+=("$(q "$a")"); done; echo "${w[*]}"; }
    hyperfine -N --warmup 3 --min-runs 20 --style none --export-json "$out/checker.json" \
      "$(line "$ours" "${args[@]}")" "$(line "$checker" "${args[@]}")" >/dev/null
    service_args+=("$out/checker.json")
    echo "== hyperfine: oslo-policy eval, 30,000 case lines over the combined policy" >&2
    cargo build -q --release -p oslo-policy --bin oslo-policy
    "$py" scripts/bench/policy_eval_cases.py "$svc/combined-policy.yaml" 30000 "$out/eval-cases.jsonl"
    args=(eval --policy "$svc/combined-policy.yaml" --cases "$out/eval-cases.jsonl")
    ours=$PWD/target/release/oslo-policy
    theirs=("$py" "$PWD/tests/conformance/oslo-policy/oracle/policy_oracle.py")
    if ! cmp -s <("$ours" "${args[@]}") <("${theirs[@]}" "${args[@]:1}"); then
      echo "bench-policy: oslo-policy eval and the reference answer differently" >&2
      exit 1
    fi
    rss() {
      if [ -x /usr/bin/time ]; then /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; else echo null; fi
    }
    # Ours takes a tenth of a second a run, the reference five seconds: ours
    # gets 20 runs (a VM's slow moments weigh less in the median), the
    # reference 5, in one file as one hyperfine run would write it.
    hyperfine -N --warmup 3 --runs 20 --style none --export-json "$out/eval-runs-ours.json" \
      "$(line "$ours" "${args[@]}")" >/dev/null
    hyperfine -N --warmup 1 --runs 5 --style none --export-json "$out/eval-runs-python.json" \
      "$(line "${theirs[@]}" "${args[@]:1}")" >/dev/null
    "$py" -c 'import json, sys
ours, python = (json.load(open(p))["results"] for p in sys.argv[1:3])
json.dump({"results": ours + python}, open(sys.argv[3], "w"))' \
      "$out/eval-runs-ours.json" "$out/eval-runs-python.json" "$out/eval-runs.json"
    printf '{"runs": "%s", "rss_ours_kb": %s, "rss_python_kb": %s, "bytes": %s}\n' \
      "$out/eval-runs.json" "$(rss "$ours" "${args[@]}")" "$(rss "${theirs[@]}" "${args[@]:1}")" \
      "$(wc -c <"$out/eval-cases.jsonl")" >"$out/eval.json"
    service_args+=("$out/eval.json")
  fi
fi
echo "== timeit: Python" >&2
printf 'oslo-policy vs oslo.policy %s, %s, %s cores; per call\n\n' \
  "$("$py" -c 'import importlib.metadata as m; print(m.version("oslo.policy"))')" "$(uname -m)" "$(nproc)"
"$py" scripts/bench/policy.py "$out/policy.json" "$out/rust.json" "${service_args[@]}"
