#!/usr/bin/env bash
# oslo-config and its YAML loader against the Python reference (oslo.config
# 10.7.0, PyYAML), side by side in one run, on the same inputs:
#
# * YAML loading (the loader of pycompat/src/yaml.rs, criterion,
#   pycompat/benches/yaml.rs, against PyYAML's `yaml.safe_load` loader,
#   the pure-Python SafeLoader that oslo-config-validator and oslo.policy
#   use; libyaml's CSafeLoader is shown for comparison, no reference uses
#   it) on the generated inputs of pycompat/benches/inputs.rs: opt-data of
#   300 options in 10 groups (~170 KB), an operator's commented
#   policy.yaml (~110 KB), a catalogue of block scalars (~55 KB);
# * `oslo-config dump --opt-data SCHEMA --config-file F`, whole process,
#   on that opt-data and a 300-option config file, against
#   tests/conformance/oslo-config/oracle/dump_oracle.py (the reference the dump
#   differential test runs; same output demanded first), with peak RSS
#   (/usr/bin/time -v);
# * the 300-option service, whole process: start, register, parse the
#   file, read every value (hyperfine: oslo-config/examples/bench_service.rs
#   against scripts/bench/config_service.py), with peak RSS;
# * in process: the same without process start, and reading the 300
#   values with the memo cleared (criterion, oslo-config/benches/resolve.rs,
#   against timeit).
#
# Prints one table: workload | Python | ours | ratio | target | verdict.
# The process floor row (a Rust binary that only prints its version) is
# what no whole-process figure of ours can go below.
#
#   scripts/bench-config.sh
#
# Needs the reference venv (scripts/setup-reference.sh), hyperfine and
# /usr/bin/time (installed with apt-get when root). Not part of the test
# suite; about three minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${OSLO_RS_REFERENCE_PYTHON:-$PWD/.venv/bin/python}
"$py" -c 'import oslo_config, yaml' 2>/dev/null || scripts/setup-reference.sh >&2
out=target/bench-config
mkdir -p "$out"
conf=$PWD/$out/bench.conf
"$py" scripts/bench/config_service.py --write-conf "$conf"
for tool in hyperfine time; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x /usr/bin/$tool ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done
cargo build -q --release -p oslo-config --example bench_service --bin oslo-config
cargo build -q --release -p pycompat --example bench_inputs
target/release/examples/bench_inputs "$out"
ours=$PWD/target/release/examples/bench_service
oc=$PWD/target/release/oslo-config
oracle=$PWD/tests/conformance/oslo-config/oracle/dump_oracle.py
dump_ours="$oc dump --opt-data $PWD/$out/optdata.yaml --config-file $PWD/$out/dump.conf"
dump_py="$py $oracle --opt-data $PWD/$out/optdata.yaml --config-file $PWD/$out/dump.conf"
[ "$("$ours" --config-file "$conf")" = 300 ] && [ "$("$py" scripts/bench/config_service.py --config-file "$conf")" = 300 ] || {
  echo "bench-config: a service did not read 300 values" >&2
  exit 1
}
$dump_ours >"$out/dump.ours"
$dump_py >"$out/dump.py"
cmp -s "$out/dump.ours" "$out/dump.py" || {
  echo "bench-config: oslo-config dump and dump_oracle.py disagree on $out/optdata.yaml" >&2
  exit 1
}
echo "== hyperfine: whole process" >&2
hyperfine -N --warmup 3 --min-runs 20 --style none --export-json "$out/process.json" \
  "$ours --config-file $conf" "$py scripts/bench/config_service.py --config-file $conf" >/dev/null
hyperfine -N --warmup 3 --min-runs 20 --style none --export-json "$out/dump-ours.json" \
  "$dump_ours" "$oc --version" >/dev/null
hyperfine -N --warmup 1 --runs 5 --style none --export-json "$out/dump-py.json" "$dump_py" >/dev/null
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
{
  echo "{\"service_ours\": $(rss "$ours" --config-file "$conf"),"
  echo " \"service_py\": $(rss "$py" scripts/bench/config_service.py --config-file "$conf"),"
  echo " \"dump_ours\": $(rss $dump_ours),"
  echo " \"dump_py\": $(rss $dump_py),"
  echo " \"floor\": $(rss "$oc" --version)}"
} >"$out/rss.json"
echo "== criterion: ours" >&2
cargo bench -q -p oslo-config --bench resolve -- --warm-up-time 1 --measurement-time 3 \
  --output-format bencher 2>/dev/null | "$py" scripts/bench/bencher.py rust_ config >"$out/rust.json"
cargo bench -q -p pycompat --bench yaml -- --warm-up-time 1 --measurement-time 3 \
  --output-format bencher '^yaml/(optdata|policy|blocks)$' 2>/dev/null |
  "$py" scripts/bench/bencher.py rust_ yaml >"$out/rust-yaml.json"
echo "== timeit: Python" >&2
"$py" scripts/bench/config_service.py --timeit "$conf" >"$out/python.json"
"$py" scripts/bench/config_yaml.py "$out/optdata.yaml" "$out/policy.yaml" "$out/blocks.yaml" >"$out/python-yaml.json"
"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
load = lambda name: json.load(open(f'{out}/{name}.json'))
proc = load('process')['results']
dump_ours, floor = load('dump-ours')['results']
dump_py = load('dump-py')['results'][0]
rust, py, rss = load('rust'), load('python'), load('rss')
ry, pyy = load('rust-yaml'), load('python-yaml')

def t(s): return f'{s * 1e3:.2f} ms' if s >= 1e-3 else f'{s * 1e6:.1f} µs'
def mb(n, s): return f'{n / s / 1e6:.1f} MB/s'
def mib(kb): return f'{kb / 1024:.1f} MiB'

rows = []  # workload, Python, ours, ratio, target, verdict
for name, label in [('optdata', 'YAML load: opt-data, 300 options (block style)'),
                    ('policy', "YAML load: operator's commented policy.yaml"),
                    ('blocks', 'YAML load: block scalars catalogue')]:
    n, p, c = pyy[name]['bytes'], pyy[name]['safe'], pyy[name].get('csafe')
    r = ry['rust_' + name]['median']
    kb = f'{n / 1000:.0f} KB'
    rows.append((f'{label}, {kb}', f'{mb(n, p)} (SafeLoader)' + (f'; {mb(n, c)} (CSafeLoader)' if c else ''),
                 mb(n, r), f'{p / r:.0f}x', '≥ 100 MB/s', 'MET' if n / r >= 100e6 else 'NOT MET'))
dp, do = dump_py['median'], dump_ours['median']
rows.append(('`oslo-config dump --opt-data` whole process (peak RSS)',
             f"{t(dp)} ({mib(rss['dump_py'])})", f"{t(do)} ({mib(rss['dump_ours'])})",
             f'{dp / do:.0f}x', '≥ 30x', 'MET' if dp / do >= 30 else 'NOT MET'))
rows.append(('process floor: `oslo-config --version` (peak RSS)', '', f"{t(floor['median'])} ({mib(rss['floor'])})",
             f"dump = {do / floor['median']:.1f}x floor", '', ''))
sp, so = proc[1]['median'], proc[0]['median']
rows.append(('service whole process: start + register 300 + parse + read all (peak RSS)',
             f"{t(sp)} ({mib(rss['service_py'])})", f"{t(so)} ({mib(rss['service_ours'])})", f'{sp / so:.0f}x',
             '', ''))
p, r = py['register_parse_resolve_300'], rust['rust_register_parse_resolve_300']['median']
rows.append(('in process: register 300 + parse + read all', t(p), t(r), f'{p / r:.0f}x', '', ''))
p, r = py['resolve_300'], rust['rust_resolve_300']['median']
rows.append(('in process: read 300 values (memo cleared)', t(p), t(r), f'{p / r:.0f}x', '≥ 50x',
             'MET' if p / r >= 50 else 'NOT MET'))
print(f"PyYAML {pyy['pyyaml']} (libyaml: {'yes' if pyy['libyaml'] else 'no'})\n")
print('| workload | Python | ours | ratio | target | verdict |\n|---|---:|---:|---:|---|---|')
for row in rows:
    print('| ' + ' | '.join(row) + ' |')
PY
