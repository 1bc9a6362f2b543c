#!/usr/bin/env bash
# Runs oslo-rootwrap on the bundled example (filters/example): a few
# decisions explained, one command executed for real, a lint report, and
# commands run through oslo-rootwrap-daemon with the Rust client.
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
