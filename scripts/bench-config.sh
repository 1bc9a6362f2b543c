#!/usr/bin/env bash
# oslo-config against the Python reference (oslo.config 10.7.0), side by
# side in one run, on the same 300 options (10 groups, six types) and the
# same 300-option config file:
#
# * whole process: start, register, parse the file, read every value
#   (hyperfine: oslo-config/examples/bench_service.rs against
#   scripts/bench/config_service.py);
# * in process: the same without process start, and reading the 300
#   values with the memo cleared (criterion, oslo-config/benches/resolve.rs,
#   against timeit).
#
#   scripts/bench-config.sh
#
# Needs the reference venv (scripts/setup-reference.sh) and hyperfine
# (installed with apt-get when root). Not part of the test suite; about a
# minute.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${OSLO_RS_REFERENCE_PYTHON:-$PWD/.venv/bin/python}
"$py" -c 'import oslo_config' 2>/dev/null || scripts/setup-reference.sh >&2
out=target/bench-config
mkdir -p "$out"
conf=$PWD/$out/bench.conf
"$py" scripts/bench/config_service.py --write-conf "$conf"
if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
cargo build -q --release -p oslo-config --example bench_service
ours=$PWD/target/release/examples/bench_service
[ "$("$ours" --config-file "$conf")" = 300 ] && [ "$("$py" scripts/bench/config_service.py --config-file "$conf")" = 300 ] || {
  echo "bench-config: a service did not read 300 values" >&2
  exit 1
}
echo "== hyperfine: whole process" >&2
hyperfine -N --warmup 3 --min-runs 20 --style none --export-json "$out/process.json" \
  "$ours --config-file $conf" "$py scripts/bench/config_service.py --config-file $conf" >/dev/null
echo "== criterion: ours" >&2
cargo bench -q -p oslo-config --bench resolve -- --warm-up-time 1 --measurement-time 3 \
  --output-format bencher 2>/dev/null | "$py" scripts/bench/bencher.py rust_ config >"$out/rust.json"
echo "== timeit: Python" >&2
"$py" scripts/bench/config_service.py --timeit "$conf" >"$out/python.json"
"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
proc = json.load(open(f'{out}/process.json'))['results']
rust = json.load(open(f'{out}/rust.json'))
py = json.load(open(f'{out}/python.json'))
def ms(s): return f'{s * 1e3:.2f} ms' if s >= 1e-3 else f'{s * 1e6:.1f} µs'
rows = [('whole process: start + register 300 + parse + read all', proc[1]['median'], proc[0]['median'])]
for key, label in [('register_parse_resolve_300', 'in process: register 300 + parse + read all'),
                   ('resolve_300', 'in process: read 300 values (memo cleared)')]:
    rows.append((label, py[key], rust['rust_' + key]['median']))
print('| operation | Python | ours | ratio |\n|---|---:|---:|---:|')
for label, p, r in rows:
    print(f'| {label} | {ms(p)} | {ms(r)} | {p / r:.0f}x |')
PY
