# The rootwrap.conf the benchmarks time, sourced by scripts/bench-*.sh.
#
# bench_conf: with $repo, $tmp (a fresh directory), $rw (our oslo-rootwrap)
# and the say/die helpers defined, writes $tmp/rootwrap.conf listing every
# corpus rootwrap.d (../shared/corpus/rootwrap, 523 filters; override with
# OSLO_RS_ROOTWRAP_CORPUS; filters/example without it) plus, if no corpus
# filter allows it, one `true` filter loaded last. Sets $conf and $nfiles.
bench_conf() {
  local corpus dirs decision
  local -a dir_list
  corpus=${OSLO_RS_ROOTWRAP_CORPUS:-$repo/../shared/corpus/rootwrap}
  [ -d "$corpus" ] && corpus=$(cd "$corpus" && pwd)
  chmod 755 "$tmp"
  dirs=$(find "$corpus" -mindepth 3 -maxdepth 3 -type d -name rootwrap.d 2>/dev/null | sort | paste -sd, -) || true
  if [ -z "$dirs" ]; then
    say "WARNING: no corpus under $corpus; using filters/example/rootwrap.d (figures are NOT the corpus figures)"
    dirs=$repo/filters/example/rootwrap.d
  fi
  conf=$tmp/rootwrap.conf
  _bench_write_conf "$dirs"
  IFS=, read -ra dir_list <<<"$dirs"
  nfiles=$(find "${dir_list[@]}" -maxdepth 1 -type f ! -name '.*' | wc -l)
  if ! "$rw" --dry-run --json "$conf" -- true 2>/dev/null | grep -q '"allowed": true'; then
    # No corpus filter allows `true`: one extra filter, last, for both implementations.
    mkdir "$tmp/extra.d"
    printf '[Filters]\ntrue: CommandFilter, true, root\n' >"$tmp/extra.d/true.filters"
    _bench_write_conf "$dirs,$tmp/extra.d"
    say "no corpus filter allows 'true': added $tmp/extra.d/true.filters (true: CommandFilter, true, root), loaded last"
  fi
  decision=$("$rw" --dry-run --json "$conf" -- true) || die "ours refuses 'true' with $conf: $decision"
  say "config: $nfiles corpus filter files; ours decides 'true' -> $decision"
}

_bench_write_conf() {
  printf '[DEFAULT]\nfilters_path=%s\nexec_dirs=/sbin,/usr/sbin,/bin,/usr/bin\nuse_syslog=False\n' "$1" >"$conf"
}
