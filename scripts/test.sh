#!/usr/bin/env bash
# The full test suite, as CI runs it (.ci/run calls this script).
#  1. installs what the real-sudo tests need (Debian's sudo) and what the
#     HTML policy matrix test needs (Debian's chromium) when run as root;
#  2. installs the Python reference (oslo.rootwrap, oslo.policy, oslo.config
#     from PyPI) into .venv;
#  3. generates the real OpenStack service policies (keystone, nova, neutron,
#     cinder, glance from PyPI into .venv-services; ~3-4 minutes the first
#     time, a second afterwards) for tests/conformance/oslo-policy/service_policies.rs;
#     if that fails (PyPI slow or down) the suite goes on, those tests say
#     SKIPPED and a WARNING is printed at the start and at the end;
#  4. checks the dependencies against the declared rust-version, formatting,
#     lints, module cycles (xtask cycles), the docs (rustdoc warnings
#     are errors), the fuzz targets (built as plain binaries), the dependency
#     tree's licenses and sources (cargo deny, installed when missing), then
#     runs every test of the workspace;
#  5. builds the Python accelerator's wheel (python/, maturin) into a venv of
#     its own and runs its tests and oslo.policy 6.0.1's own test suite with
#     it installed (scripts/test-python.sh);
#  6. runs scripts/demo.sh (the README's first command) in a target
#     directory of its own, checking every step's exit status.
# Differential tests compare every decision with the reference; without it
# (plain `cargo test`) they skip and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "== installing sudo (for the real-sudo tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null
fi

browser_warning=
if [ "$(id -u)" = 0 ] && [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium (for the HTML policy matrix test)"
  if ! { apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null; }; then
    browser_warning="WARNING: chromium could not be installed (see above): \
the HTML matrix test (tests/conformance/oslo-policy/analysis_matrix.rs) is SKIPPED"
    echo "$browser_warning" >&2
  fi
fi

echo "== Python reference"
scripts/setup-reference.sh
export OSLO_RS_REFERENCE_PYTHON="$PWD/.venv/bin/python"

echo "== real service policies (scripts/gen-service-policies.sh)"
service_policies_warning=
if ! timeout 1200 scripts/gen-service-policies.sh; then
  service_policies_warning="WARNING: scripts/gen-service-policies.sh failed (see above): \
the real-service-policy tests (tests/conformance/oslo-policy/service_policies.rs) are SKIPPED"
  echo "$service_policies_warning" >&2
fi

# rust-version in Cargo.toml (the oldest Rust claimed) is checked as far as
# this machine allows: only a newer toolchain is installed and no other can
# be fetched. No package of Cargo.lock may need a newer Rust; clippy's
# incompatible_msrv lint (below) rejects newer standard-library APIs; newer
# language features are not checked.
echo "== rust-version"
cargo metadata -q --locked --format-version 1 | scripts/check-rust-version.py

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -q -- -D warnings
# oslo-policy without its default `http` feature (no HTTP client) too.
cargo clippy -p oslo-policy --no-default-features --all-targets -q -- -D warnings
echo "== module cycles (xtask cycles)"
cargo run -q --locked -p xtask -- cycles
echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps --locked
# The fuzz targets (fuzz/, outside the workspace: cargo-fuzz adds its
# sanitizer flags on nightly) must at least build, as plain binaries on
# this stable toolchain, in their own target directory. --locked: a change
# to the crates' dependencies must bring fuzz/Cargo.lock along.
echo "== fuzz targets (cargo build --manifest-path fuzz/Cargo.toml)"
cargo build -q --locked --manifest-path fuzz/Cargo.toml --target-dir target/fuzz --bins
echo "== cargo deny check licenses bans sources (deny.toml)"
if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "installing cargo-deny 0.20.2 (cargo install --locked, a few minutes once)"
  cargo install -q --locked cargo-deny@0.20.2
fi
cargo deny --offline check --hide-inclusion-graph licenses bans sources
echo "== cargo test"
cargo test --workspace -- --test-threads=2
# The Python accelerator (python/): its wheel, its tests, and oslo.policy's
# own test suite with it installed.
echo "== Python accelerator (scripts/test-python.sh)"
scripts/test-python.sh
# The README's first command, for real, in a target directory of its own
# (a release build: it also proves CARGO_TARGET_DIR is honoured).
echo "== scripts/demo.sh (CARGO_TARGET_DIR=target/demo)"
mkdir -p target
if ! CARGO_TARGET_DIR="$PWD/target/demo" scripts/demo.sh >target/demo.log 2>&1; then
  tail -n 40 target/demo.log >&2
  echo "scripts/demo.sh FAILED (whole log: target/demo.log)" >&2
  exit 1
fi
echo "scripts/demo.sh: ok, $(grep -c '^\$ ' target/demo.log) commands checked (log: target/demo.log)"
# The README's install steps, into target/install (reusing the demo's
# release build where cargo can).
echo "== README install steps (cargo install --locked, xtask docs) into target/install"
rm -rf target/install
for crate in oslo-rootwrap oslo-policy oslo-config; do
  CARGO_TARGET_DIR="$PWD/target/demo" cargo install -q --locked --path "$crate" --root target/install
done
CARGO_TARGET_DIR="$PWD/target/demo" cargo run -q --locked --release -p xtask -- docs --out target/install/share
for bin in target/install/bin/*; do
  name=$(basename "$bin")
  "$bin" --version >/dev/null || { echo "$name --version failed" >&2; exit 1; }
  [ -s "target/install/share/man/man1/$name.1" ] || { echo "no man page for $name" >&2; exit 1; }
done
echo "install: ok, $(ls target/install/bin | wc -l) binaries, each with --version and a man page"
if [ -n "$service_policies_warning" ]; then
  echo "$service_policies_warning" >&2
fi
if [ -n "$browser_warning" ]; then
  echo "$browser_warning" >&2
fi
