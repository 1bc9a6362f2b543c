#!/usr/bin/env bash
# The full test suite, as CI runs it (.ci/run calls this script).
#  1. installs what the real-sudo tests need (Debian's sudo) when run as root;
#  2. installs the Python reference (oslo.rootwrap from PyPI) into .venv;
#  3. checks formatting and lints, then runs every test of the workspace.
# Differential tests compare every decision with the reference; without it
# (plain `cargo test`) they skip and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "== installing sudo (for the real-sudo tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null
fi

echo "== Python reference"
scripts/setup-reference.sh
export OSLO_RS_REFERENCE_PYTHON="$PWD/.venv/bin/python"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -q -- -D warnings
echo "== cargo test"
cargo test --workspace -- --test-threads=2
