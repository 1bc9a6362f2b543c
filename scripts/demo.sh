#!/usr/bin/env bash
# Runs oslo-rootwrap on the bundled example (filters/example): a few
# decisions explained, one command executed for real, a lint report, and
# commands run through oslo-rootwrap-daemon with the Rust client; then
# oslo-policy eval, explain, lint, matrix and diff, and the convert/upgrade tools, on
# oslo-policy/examples; then the oslo-config tools and an example service
# on oslo-config/examples.
#
# Every command is printed exactly as it runs (the built tools are put
# first on PATH), and every step's exit status is checked: a step that
# should succeed and fails, or a refusal with another status than the one
# shown, stops the demo with an error. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
die() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}

# Where cargo puts what it builds (CARGO_TARGET_DIR, a config file, or
# ./target): asked of cargo itself.
target_dir=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target_dir" ] || die "cannot find cargo's target directory (cargo metadata)"
bin=$target_dir/release

say "building the tools (release; the first build takes a few minutes)"
cargo build --release -p oslo-rootwrap -p oslo-policy -p oslo-config \
  --bins --example daemon_client --example service
for tool in oslo-rootwrap oslo-rootwrap-daemon oslo-policy oslo-config examples/service examples/daemon_client; do
  [ -x "$bin/$tool" ] || die "the build did not produce $bin/$tool"
done
export PATH="$bin:$bin/examples:$PATH"

# run STATUS CMD...: prints CMD as it runs, runs it, and checks that it
# exits with STATUS (0, or the refusal status the step demonstrates).
run() {
  local want=$1 rc=0
  shift
  printf '\n$'
  printf ' %q' "$@"
  printf '\n'
  "$@" || rc=$?
  if [ "$rc" != 0 ]; then
    printf '(exit status %s)\n' "$rc"
  fi
  [ "$rc" = "$want" ] || die "'$*' exited $rc, expected $want"
}

say "oslo-rootwrap on filters/example"
conf=filters/example/rootwrap.conf
run 0 oslo-rootwrap --dry-run "$conf" -- ip addr show
run 0 oslo-rootwrap --dry-run "$conf" -- ip netns exec ns0 ip link # chained: "ip link" is re-checked
run 99 oslo-rootwrap --dry-run "$conf" -- ip netns exec ns0 sh -c id # chained command not allowed
run 0 oslo-rootwrap --dry-run "$conf" -- env LC_ALL=C sort -u /etc/hosts # EnvFilter sets LC_ALL, runs sort
run 0 oslo-rootwrap --dry-run "$conf" -- ls -l /etc/hostname
run 99 oslo-rootwrap --dry-run "$conf" -- ls -l /etc/../root # the regex refuses the path
run 0 oslo-rootwrap --dry-run "$conf" -- id # allowed, but as nobody
run 0 oslo-rootwrap --dry-run --json "$conf" -- cat /etc/hosts
run 0 oslo-rootwrap "$conf" echo hello from rootwrap # really executed
run 99 oslo-rootwrap "$conf" sh -c id                # refused
run 1 oslo-rootwrap lint filters/unsafe/rootwrap.conf

say "oslo-rootwrap-daemon, driven by the Rust client (oslo-rootwrap/examples/daemon_client.rs)"
run 0 daemon_client oslo-rootwrap-daemon "$conf"

say "oslo-policy on oslo-policy/examples"
ex=oslo-policy/examples
run 0 oslo-policy eval --policy "$ex/policy.json" --cases "$ex/cases.jsonl"
run 0 oslo-policy explain --policy "$ex/policy.json" --rule os_compute_api:servers:start \
  --target '{"project_id": "p1"}' --creds '{"roles": ["member"], "project_id": "p1", "is_locked": false}'
run 1 oslo-policy lint "$ex/policy.json"
run 0 oslo-policy matrix --defaults "$ex/nova-defaults.json" "$ex/policy.json" --rule 'os_compute_api:*'
run 1 oslo-policy diff --defaults "$ex/nova-defaults.json" "$ex/legacy-policy.json" "$ex/policy.json"
run 0 oslopolicy-convert-json-to-yaml --defaults "$ex/nova-defaults.json" \
  --policy-file "$ex/legacy-policy.json"
run 0 oslopolicy-policy-upgrade --defaults "$ex/nova-defaults.json" --policy "$ex/legacy-policy.json"

say "oslo-config on oslo-config/examples"
ex=oslo-config/examples
args=(--config-file "$ex/etc/demo.conf" --config-dir "$ex/etc/demo.conf.d")
run 0 oslo-config dump --opt-data "$ex/demo-opts.yaml" "${args[@]}" --debug
run 0 env OS_DATABASE__MAX_RETRIES=5 oslo-config explain --opt-data "$ex/demo-opts.yaml" "${args[@]}"
run 0 oslo-config-generator --opt-data "$ex/demo-opts.yaml"
run 1 oslo-config-validator --opt-data "$ex/demo-opts.yaml" --input-file "$ex/etc/typo.conf"
run 0 service "${args[@]}" --once # a Rust service using the library (oslo-config/examples/service.rs)

say "done"
