#!/usr/bin/env bash
# Whole-call timings of oslo-rootwrap: ours (Rust) against the Python
# reference (oslo.rootwrap 7.10.0), side by side, on a rootwrap.conf that
# loads every filter file of the corpus (../shared/corpus/rootwrap, 523
# filters; override with OSLO_RS_ROOTWRAP_CORPUS).
#
#   scripts/bench-rootwrap.sh
#
# Measures with hyperfine (-N, warmup, JSON in target/bench-rootwrap/):
# direct /bin/true; `oslo-rootwrap CONF true` for ours and the reference; an
# unauthorized command (exit 99) for both; the same under `sudo -n` when
# sudo is installed and we are root; then, from Python, the reference
# daemon's warm Client.execute(["true"]) and the reference's in-process
# load_filters/match_filter. Prints one table plus the headline ratios.
#
# Reference: $OSLO_RS_REFERENCE_PYTHON's venv, else .venv (created by
# scripts/setup-reference.sh, or here with pip). Best run as root (the real
# deployment: rootwrap runs as root); needs hyperfine (installed with apt-get
# when root). Not part of the test suite. Takes about a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$repo/target/bench-rootwrap
mkdir -p "$out"

say() { printf '== %s\n' "$*" >&2; }
die() {
  printf 'bench-rootwrap: %s\n' "$*" >&2
  exit 1
}
# Quotes one word for hyperfine -N (which splits commands like a POSIX shell).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

is_root=false
[ "$(id -u)" = 0 ] && is_root=true

# --- tools --------------------------------------------------------------------
if ! command -v hyperfine >/dev/null 2>&1; then
  if $is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing hyperfine"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
  else
    die "hyperfine is not installed: run 'apt-get install -y hyperfine' (as root) or 'cargo install hyperfine', then re-run"
  fi
fi

if ! [ -x /usr/bin/time ]; then
  if $is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing time (GNU time, for peak RSS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  else
    die "/usr/bin/time is not installed: run 'apt-get install -y time' (as root), then re-run"
  fi
fi

# --- the Python reference ----------------------------------------------------------
if [ -n "${OSLO_RS_REFERENCE_PYTHON:-}" ]; then
  py=$OSLO_RS_REFERENCE_PYTHON
elif [ -x .venv/bin/python ] && .venv/bin/python -c 'import oslo_rootwrap' 2>/dev/null; then
  py=$repo/.venv/bin/python
elif [ -x scripts/setup-reference.sh ]; then
  say "setting up the Python reference (scripts/setup-reference.sh)"
  scripts/setup-reference.sh >&2
  py=$repo/.venv/bin/python
else
  say "setting up the Python reference in .venv (pip install oslo.rootwrap==7.10.0)"
  python3 -m venv .venv
  .venv/bin/pip install -q oslo.rootwrap==7.10.0 >&2
  py=$repo/.venv/bin/python
fi
venv_bin=$(dirname "$py")
"$py" -c 'import oslo_rootwrap' 2>/dev/null || die "$py cannot import oslo_rootwrap"
for tool in oslo-rootwrap oslo-rootwrap-daemon; do
  [ -x "$venv_bin/$tool" ] || die "$venv_bin/$tool not found (is $py a venv with oslo.rootwrap?)"
done
ref_version=$("$py" -c 'import importlib.metadata as m; print(m.version("oslo.rootwrap"))')
[ "$ref_version" = 7.10.0 ] || say "WARNING: the reference is oslo.rootwrap $ref_version, not 7.10.0"
pyrw=$venv_bin/oslo-rootwrap

# --- ours -------------------------------------------------------------------------
say "cargo build --release -p oslo-rootwrap (and the spawn_floor, read_floor examples)"
cargo build -q --release -p oslo-rootwrap --bins --example spawn_floor --example read_floor
rw=$repo/target/release/oslo-rootwrap
rwd=$repo/target/release/oslo-rootwrap-daemon
# The floors: a minimal Rust program that starts and spawns the command;
# one that also reads rootwrap.conf and every filter file first (no
# parsing, no checks), as any rootwrap must.
floor=$repo/target/release/examples/spawn_floor
read_floor=$repo/target/release/examples/read_floor

# --- rootwrap.conf ------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=scripts/bench/conf.sh
. scripts/bench/conf.sh
bench_conf

deny=definitely-not-allowed
# One untimed run of each variant, checking its exit status.
check() {
  local want=$1
  shift
  local rc=0
  "$@" >/dev/null 2>"$tmp/err" || rc=$?
  [ "$rc" = "$want" ] || die "'$*' exited $rc, expected $want: $(head -c 600 "$tmp/err")"
}
check 0 /bin/true
check 0 "$floor" /bin/true
check 0 "$read_floor" "$conf" /bin/true
check 0 "$rw" "$conf" true
check 0 "$pyrw" "$conf" true
check 99 "$rw" "$conf" "$deny"
check 99 "$pyrw" "$conf" "$deny"
$is_root || say "WARNING: not root: both implementations run unprivileged (rootwrap normally runs as root)"

hf=(hyperfine -N --warmup 5 --min-runs 30 --style basic)
say "hyperfine: allowed command"
"${hf[@]}" --export-json "$out/allowed.json" \
  -n direct "$(q /bin/true)" \
  -n floor "$(q "$floor") /bin/true" \
  -n read_floor "$(q "$read_floor") $(q "$conf") /bin/true" \
  -n ours "$(q "$rw") $(q "$conf") true" \
  -n python "$(q "$pyrw") $(q "$conf") true" >&2
say "hyperfine: unauthorized command (exit 99, -i)"
"${hf[@]}" -i --export-json "$out/denied.json" \
  -n ours_deny "$(q "$rw") $(q "$conf") $deny" \
  -n python_deny "$(q "$pyrw") $(q "$conf") $deny" >&2
jsons=("$out/allowed.json" "$out/denied.json")
if $is_root && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  check 0 sudo -n "$rw" "$conf" true
  check 0 sudo -n "$pyrw" "$conf" true
  say "hyperfine: under sudo -n"
  "${hf[@]}" --export-json "$out/sudo.json" \
    -n sudo_direct "sudo -n /bin/true" \
    -n sudo_ours "sudo -n $(q "$rw") $(q "$conf") true" \
    -n sudo_python "sudo -n $(q "$pyrw") $(q "$conf") true" >&2
  jsons+=("$out/sudo.json")
else
  say "SKIPPED the sudo variants (need root and an installed sudo)"
fi

say "peak RSS (/usr/bin/time -f %M, largest of 5 runs)"
rss() {
  local name=$1 max=0 kb i
  shift
  for i in 1 2 3 4 5; do
    kb=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1)
    [[ $kb =~ ^[0-9]+$ ]] || die "/usr/bin/time gave no RSS for '$*': $kb"
    [ "$kb" -gt "$max" ] && max=$kb
  done
  printf '"%s": {"median": %s, "p10": 0, "p90": 0, "n": 1}' "$name" "$max"
}
{
  printf '{'
  rss direct_peak_rss_kb /bin/true
  printf ', '
  rss floor_peak_rss_kb "$floor" /bin/true
  printf ', '
  rss read_floor_peak_rss_kb "$read_floor" "$conf" /bin/true
  printf ', '
  rss ours_peak_rss_kb "$rw" "$conf" true
  printf ', '
  rss python_peak_rss_kb "$pyrw" "$conf" true
  printf '}\n'
} >"$out/rss.json"
jsons+=("$out/rss.json")

say "Python: reference daemon, same-harness subprocess runs, in-process load/match"
"$py" scripts/bench/daemon.py "$venv_bin" "$conf" "$rw" "$rwd" "${BENCH_DAEMON_CALLS:-300}" "$out/python.json"

say "criterion: our Rust client against our daemon (benches/daemon.rs), clean environment"
bench_bin=$(cargo bench -q -p oslo-rootwrap --bench daemon --no-run --message-format=json 2>/dev/null |
  "$py" -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "daemon" and m.get("executable"):
        print(m["executable"])')
[ -x "$bench_bin" ] || die "cannot build benches/daemon.rs"
# cargo's environment (LD_LIBRARY_PATH into target/) would slow every exec
# the daemon makes: run the bench binary with a clean one, like sudo's.
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin OSLO_RS_BENCH_CONF="$conf" "$bench_bin" --bench \
  --warm-up-time 2 --measurement-time 5 --output-format bencher "daemon/" 2>/dev/null |
  "$py" scripts/bench/bencher.py >"$out/rust_client.json"
# The same on one CPU (client, daemon and command pinned to CPU 0): what is
# left when no call has to wake a halted CPU of this VM (that wake-up, not
# the daemon's work, is most of the difference on an idle 2-core VM).
jsons+=("$out/rust_client_pinned.json")
if command -v taskset >/dev/null 2>&1; then
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin OSLO_RS_BENCH_CONF="$conf" taskset -c 0 "$bench_bin" --bench \
    --warm-up-time 2 --measurement-time 5 --output-format bencher "daemon/(execute|baseline)" 2>/dev/null |
    "$py" scripts/bench/bencher.py rust_client_pinned_ >"$out/rust_client_pinned.json"
else
  say "SKIPPED the pinned daemon run (no taskset)"
  echo '{}' >"$out/rust_client_pinned.json"
fi

printf '\noslo-rootwrap: ours (%s) vs Python oslo.rootwrap %s — %s, %s cores, %s\n' \
  "$("$rw" --version)" "$ref_version" "$(uname -m)" "$(nproc)" "$($is_root && echo root || echo 'NOT root')"
printf 'config: %s filter files (all corpus rootwrap.d), exec_dirs=/sbin,/usr/sbin,/bin,/usr/bin; medians\n\n' "$nfiles"
"$py" scripts/bench/report.py "$out/python.json" "$out/rust_client.json" "${jsons[@]}"
printf '\nraw results: %s/*.json\n' "$out"
