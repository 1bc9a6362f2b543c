#!/usr/bin/env bash
# Runs oslo-rootwrap on the bundled example (filters/example): a few
# decisions explained, one command executed for real, a lint report, and
# commands run through oslo-rootwrap-daemon with the Rust client; then
# oslo-policy eval, explain and lint, and the convert/upgrade tools, on
# oslo-policy/examples.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p oslo-rootwrap
rw=target/release/oslo-rootwrap
conf=filters/example/rootwrap.conf

show() {
  printf '\n$ oslo-rootwrap --dry-run %s -- %s\n' "$conf" "$*"
  "$rw" --dry-run "$conf" -- "$@" || true
}
show ip addr show
show ip netns exec ns0 ip link          # chained: "ip link" is re-checked
show ip netns exec ns0 sh -c id         # chained command not allowed
show env LC_ALL=C sort -u /etc/hosts    # EnvFilter sets LC_ALL, runs sort
show ls -l /etc/hostname
show ls -l /etc/../root                 # regex refuses the path
show id

printf '\n$ oslo-rootwrap --dry-run --json %s -- cat /etc/hosts\n' "$conf"
"$rw" --dry-run --json "$conf" -- cat /etc/hosts

printf '\n$ oslo-rootwrap %s echo hello from rootwrap   # really executed\n' "$conf"
"$rw" "$conf" echo hello from rootwrap

printf '\n$ oslo-rootwrap %s sh -c id   # refused: exit status 99\n' "$conf"
"$rw" "$conf" sh -c id || echo "exit status: $?"

printf '\n$ oslo-rootwrap lint filters/unsafe/rootwrap.conf\n'
"$rw" lint filters/unsafe/rootwrap.conf || true

printf '\n$ cargo run --example daemon_client -- oslo-rootwrap-daemon %s   # daemon mode\n' "$conf"
cargo run -q --release -p oslo-rootwrap --example daemon_client -- target/release/oslo-rootwrap-daemon "$conf"

# oslo-policy on its bundled example.
cargo build -q --release -p oslo-policy
pol=target/release/oslo-policy
ex=oslo-policy/examples
printf '\n$ oslo-policy eval --policy %s/policy.json --cases %s/cases.jsonl\n' "$ex" "$ex"
"$pol" eval --policy "$ex/policy.json" --cases "$ex/cases.jsonl"
printf '\n$ oslo-policy explain --policy %s/policy.json --rule os_compute_api:servers:start ...\n' "$ex"
"$pol" explain --policy "$ex/policy.json" --rule os_compute_api:servers:start \
  --target '{"project_id": "p1"}' --creds '{"roles": ["member"], "project_id": "p1", "is_locked": false}'
printf '\n$ oslo-policy lint %s/policy.json\n' "$ex"
"$pol" lint "$ex/policy.json" || true
printf '\n$ oslopolicy-convert-json-to-yaml --defaults %s/nova-defaults.json --policy-file %s/legacy-policy.json\n' "$ex" "$ex"
target/release/oslopolicy-convert-json-to-yaml --defaults "$ex/nova-defaults.json" \
  --policy-file "$ex/legacy-policy.json" 2>/dev/null
printf '\n$ oslopolicy-policy-upgrade --defaults %s/nova-defaults.json --policy %s/legacy-policy.json\n' "$ex" "$ex"
target/release/oslopolicy-policy-upgrade --defaults "$ex/nova-defaults.json" --policy "$ex/legacy-policy.json"

# oslo-config on its bundled example service.
cargo build -q --release -p oslo-config --bins --example service
ex=oslo-config/examples
args=(--config-file "$ex/etc/demo.conf" --config-dir "$ex/etc/demo.conf.d")
printf '\n$ oslo-config dump --opt-data %s/demo-opts.yaml --config-file ... --config-dir ... --debug\n' "$ex"
target/release/oslo-config dump --opt-data "$ex/demo-opts.yaml" "${args[@]}" --debug
printf '\n$ OS_DATABASE__MAX_RETRIES=5 oslo-config explain --opt-data %s/demo-opts.yaml --config-file ... --config-dir ...\n' "$ex"
OS_DATABASE__MAX_RETRIES=5 target/release/oslo-config explain --opt-data "$ex/demo-opts.yaml" "${args[@]}"
printf '\n$ oslo-config-generator --opt-data %s/demo-opts.yaml\n' "$ex"
target/release/oslo-config-generator --opt-data "$ex/demo-opts.yaml"
printf '\n$ oslo-config-validator --opt-data %s/demo-opts.yaml --input-file %s/etc/typo.conf\n' "$ex" "$ex"
target/release/oslo-config-validator --opt-data "$ex/demo-opts.yaml" --input-file "$ex/etc/typo.conf" ||
  echo "exit status: $?"
printf '\n$ cargo run --example service -- --config-file ... --config-dir ... --once   # a Rust service\n'
target/release/examples/service "${args[@]}" --once
