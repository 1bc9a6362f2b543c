#!/usr/bin/env bash
# Instruction counts of the hot paths, against committed baselines: the
# regression guard of the speed work. Instruction counts (valgrind's
# callgrind) are the same from run to run for the same binary and input,
# whatever else the machine is doing, so a slowdown shows up in review
# instead of in the next noisy timing.
#
#   scripts/bench-instructions.sh            compare with the baselines
#   scripts/bench-instructions.sh --bless    write the current counts as the baselines
#   scripts/bench-instructions.sh CRATE...   only these crates (oslo-policy, ...)
#
# Each crate that has one provides a `benches/instructions.rs` bench target
# (harness = false): run with `--list` it prints its workload names, one per
# line; run with a name it runs that workload once. The counts are compared
# with `<crate dir>/benches/instructions.baseline` (lines `NAME COUNT`); the
# script fails when a workload costs more than 3% more instructions than
# its baseline (or has none), and says which got cheaper.
#
# Needs valgrind (Debian package `valgrind`; installed with apt-get when
# root). Not part of scripts/test.sh (a few minutes); run it before
# committing a change to a hot path, and commit the blessed baselines with
# the change that moves them, saying why in the commit message.
set -euo pipefail
cd "$(dirname "$0")/.."

bless=false
crates=()
for arg in "$@"; do
  case $arg in
    --bless) bless=true ;;
    *) crates+=("$arg") ;;
  esac
done
if [ ${#crates[@]} = 0 ]; then
  crates=(pycompat oslo-policy oslo-config oslo-rootwrap)
fi

if ! command -v valgrind >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing valgrind" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  else
    echo "bench-instructions: valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for crate in "${crates[@]}"; do
  dir=$crate  # each crate lives in the folder of its name
  [ -f "$dir/benches/instructions.rs" ] || continue
  # The bench target's own artifact (cargo also reports the package's
  # binaries, in no fixed order).
  exe=$(cargo bench -q -p "$crate" --bench instructions --no-run --message-format=json 2>/dev/null |
    grep '"kind":\["bench"\]' | grep '"name":"instructions"' |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  [ -x "$exe" ] || {
    echo "bench-instructions: cannot build $crate's instructions bench" >&2
    exit 1
  }
  baseline=$dir/benches/instructions.baseline
  current=$tmp/$crate.counts
  : >"$current"
  echo "== $crate"
  while read -r workload; do
    [ -n "$workload" ] || continue
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" -q "$exe" "$workload" >/dev/null
    count=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.out" | head -n 1)
    echo "$workload $count" >>"$current"
    old=$(awk -v w="$workload" '$1 == w { print $2 }' "$baseline" 2>/dev/null || true)
    if [ -z "$old" ]; then
      printf '  %-44s %14s  (no baseline)\n' "$workload" "$count"
      $bless || failed=1
    else
      pct=$(awk -v a="$count" -v b="$old" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }')
      verdict=
      if awk -v a="$count" -v b="$old" 'BEGIN { exit !(a > b * 1.03) }'; then
        verdict="  SLOWER than the baseline ($old)"
        $bless || failed=1
      elif awk -v a="$count" -v b="$old" 'BEGIN { exit !(a < b * 0.97) }'; then
        verdict="  faster than the baseline ($old): bless it"
      fi
      printf '  %-44s %14s  %6s%%%s\n' "$workload" "$count" "$pct" "$verdict"
    fi
  done < <("$exe" --list)
  if $bless; then
    cp "$current" "$baseline"
    echo "  wrote $baseline"
  fi
done
if [ "$failed" = 1 ]; then
  echo "bench-instructions: a workload costs more than 3% above its baseline, or has none (bless it if that is intended)" >&2
  exit 1
fi
