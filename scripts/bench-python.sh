#!/usr/bin/env bash
# The Python accelerator (python/, oslo_policy_rs.install()) against plain
# oslo.policy 6.0.1, side by side in one process and one run
# (scripts/bench/python_accel.py): the same Enforcer — the combined
# keystone+nova+neutron+cinder+glance registered defaults (1,012 rules)
# and combined-policy.yaml as its policy file, use_conf=True — with
# install() and uninstall() alternating between timing blocks:
#
# * enforce() of six nova and keystone rules for a project member, creds
#   as the dict RequestContext.to_policy_values() holds and as the
#   RequestContext itself; one rule with the to_policy_values() mapping
#   passed as is, and one with policy_dirs left at oslo.policy's default;
# * a neutron list of 1,000 ports as neutron's policy engine filters it
#   (per port: get_port as a RuleCheck built per call, then every
#   attribute's get_port:<attr> rule), per list and per enforce() call.
#
# Every timed block must decide exactly as plain oslo.policy does. Prints a
# Markdown table (per call, or per list: oslo.policy | accelerated |
# speed-up), then where the accelerated enforce() spends its time; also
# written to target/bench-python/results.md.
#
#   scripts/bench-python.sh [python_accel.py options, e.g. --reps 9]
#
# Needs target/pyext-venv with the wheel installed (scripts/test-python.sh)
# and the real service policies (scripts/gen-service-policies.sh, or
# $OSLO_RS_SERVICE_POLICIES naming their directory). Not part of the test
# suite; about a minute and a half, most of it plain oslo.policy's port
# lists. Figures are noisy while something else runs (2 cores: anything).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pyext-venv
py=$venv/bin/python
if [ ! -x "$py" ]; then
  echo "bench-python: no venv at $venv: run scripts/test-python.sh first (it creates it and installs the wheel)" >&2
  exit 1
fi
if ! "$py" -c 'import oslo_policy_rs, oslo_policy, oslo_context' 2>/dev/null; then
  echo "bench-python: oslo_policy_rs (the wheel) or oslo.policy is not installed in $venv:" \
    "run scripts/test-python.sh first" >&2
  exit 1
fi
svc=${OSLO_RS_SERVICE_POLICIES:-$PWD/target/service-policies}
for f in combined-defaults.json combined-policy.yaml; do
  if [ ! -f "$svc/$f" ]; then
    echo "bench-python: $svc/$f is missing: generate the service policies with" \
      "scripts/gen-service-policies.sh, or point OSLO_RS_SERVICE_POLICIES at their directory" >&2
    exit 1
  fi
done
out=target/bench-python
mkdir -p "$out"
"$py" scripts/bench/python_accel.py "$svc" --json "$out/results.json" "$@" | tee "$out/results.md.tmp"
mv "$out/results.md.tmp" "$out/results.md"
echo "bench-python: written to $out/results.md" >&2
