"""Prints the comparison table of scripts/bench-rootwrap.sh.

    report.py PY_JSON JSON...

Hyperfine results are keyed by command name (`-n`): direct, floor, read_floor, ours, python, ours_deny,
python_deny, sudo_direct, sudo_ours, sudo_python (the sudo ones may be absent).
Other JSON files (bencher.py's criterion figures) are merged as they are.
"""

import json
import sys

LABELS = {
    "direct": "direct /bin/true",
    "floor": "floor: minimal Rust spawner /bin/true",
    "read_floor": "read floor: + read conf and filter files",
    "ours": "ours: oslo-rootwrap CONF true",
    "python": "python: oslo-rootwrap CONF true",
    "ours_deny": "ours: unauthorized (exit 99)",
    "python_deny": "python: unauthorized (exit 99)",
    "sudo_direct": "sudo -n /bin/true",
    "sudo_ours": "sudo -n ours CONF true",
    "sudo_python": "sudo -n python CONF true",
    "daemon_warm": "python daemon: Client.execute(['true']), warm",
    "daemon_first_call": "python daemon: first call (spawn+connect)",
    "ours_daemon_warm": "ours daemon, Python client: execute(['true']), warm",
    "ours_daemon_first_call": "ours daemon, Python client: first call",
    "rust_client_execute_true": "ours daemon, Rust client: execute(['true'])",
    "rust_client_execute_denied": "ours daemon, Rust client: unauthorized (99)",
    "rust_client_first_call": "ours daemon, Rust client: first call",
    "rust_client_baseline_run_captured_true": "our spawn+pipes+wait of /usr/bin/true in process",
    "rust_client_baseline_std_spawn_true": "std Command spawn+pipes+wait, in process (floor)",
    "rust_client_pinned_execute_true": "  the same, all on CPU 0: execute(['true'])",
    "rust_client_pinned_execute_denied": "  the same, all on CPU 0: unauthorized (99)",
    "rust_client_pinned_baseline_std_spawn_true": "  the same, all on CPU 0: std spawn (floor)",
    "pyharness_direct": "py subprocess.run(['/bin/true'])",
    "pyharness_ours": "py subprocess.run([ours, CONF, 'true'])",
}
# Python row -> the row of ours it is compared with.
PAIRS = {
    "python": "ours",
    "python_deny": "ours_deny",
    "sudo_python": "sudo_ours",
    "daemon_warm": "ours",
    "daemon_first_call": "ours",
}


def ms(s):
    return s * 1000.0


def main():
    py = json.load(open(sys.argv[1]))
    rows = {}
    for path in sys.argv[2:]:
        doc = json.load(open(path))
        if "results" not in doc:
            rows.update(doc)
            continue
        for r in doc["results"]:
            times = sorted(r["times"])
            n = len(times)
            rows[r["command"]] = {
                "median": r["median"],
                "p10": times[int(0.1 * (n - 1))],
                "p90": times[int(0.9 * (n - 1))],
                "n": n,
            }
    for k, v in py.items():
        if k in LABELS:
            rows[k] = v

    direct = rows["direct"]["median"]
    order = [k for k in LABELS if k in rows]
    w = max(len(LABELS[k]) for k in order)
    # Peak RSS (KiB) of a row's process, where measured.
    rss_of = {
        "direct": "direct_peak_rss_kb",
        "floor": "floor_peak_rss_kb",
        "read_floor": "read_floor_peak_rss_kb",
        "ours": "ours_peak_rss_kb",
        "python": "python_peak_rss_kb",
        "daemon_warm": "daemon_peak_rss_kb",
        "ours_daemon_warm": "ours_daemon_peak_rss_kb",
    }

    def rss(k):
        kb = rows.get(rss_of.get(k, ""), {}).get("median")
        return f"{kb / 1024:.1f} MiB" if kb else ""

    head = f"{'variant':<{w}}  {'runs':>5}  {'median ms':>9}  {'p10-p90 ms':>13}  {'over /bin/true':>14}  {'Python/ours':>11}  {'peak RSS':>9}"
    print(head)
    print("-" * len(head))
    for k in order:
        r = rows[k]
        over = "" if k in ("direct", "pyharness_direct") else f"{ms(r['median'] - direct):+.2f} ms"
        if k == "pyharness_ours":
            over = f"{ms(r['median'] - rows['pyharness_direct']['median']):+.2f} ms*"
        ratio = ""
        if k in PAIRS and PAIRS[k] in rows:
            x = r["median"] / rows[PAIRS[k]]["median"]
            ratio = f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"
        spread = f"{ms(r['p10']):.2f}-{ms(r['p90']):.2f}" if r["n"] != 1 else ""
        runs = r["n"] if r["n"] else "crit"
        print(f"{LABELS[k]:<{w}}  {runs:>5}  {ms(r['median']):>9.2f}  {spread:>13}  {over:>14}  {ratio:>11}  {rss(k):>9}")
    print("(* over the same harness's subprocess.run(['/bin/true']); python daemon rows: ratio = daemon / ours without daemon;")
    print(" crit = criterion estimate +/- spread, Rust client rows run in a clean environment;")
    print(" peak RSS: the largest of 5 runs (/usr/bin/time), daemons: VmHWM after the warm calls)")

    ours = rows["ours"]["median"]
    python = rows["python"]["median"]
    overhead = ours - direct
    ratio = python / ours
    print()
    print(
        f"ours overhead over direct exec: {ms(overhead):.2f} ms (target < 1 ms) "
        f"-> {'MET' if overhead < 0.001 else 'NOT MET'}"
    )
    if "floor" in rows:
        fl = rows["floor"]["median"]
        print(
            f"  floor (a minimal Rust program spawning /bin/true): {ms(fl - direct):+.2f} ms over direct exec; "
            f"ours over the floor: {ms(ours - fl):+.2f} ms (reading, verifying and parsing the filter files, "
            f"deciding); Python / floor = {python / fl:.0f}x"
        )
    if "read_floor" in rows:
        rf = rows["read_floor"]["median"]
        print(
            f"  read floor (the same, reading rootwrap.conf and every filter file first): {ms(rf - direct):+.2f} ms "
            f"over direct exec; ours over it: {ms(ours - rf):+.2f} ms (parsing, verifying on descriptors, deciding); "
            f"Python / read floor = {python / rf:.0f}x"
        )
    print(
        f"Python per-call / ours: {ratio:.0f}x (target >= 50x) -> {'MET' if ratio >= 50 else 'NOT MET'}"
        f"   [overheads over /bin/true: Python {ms(python - direct):.1f} ms / ours {ms(overhead):.2f} ms"
        f" = {(python - direct) / overhead if overhead > 0 else float('inf'):.0f}x]"
    )
    if "sudo_ours" in rows and "sudo_python" in rows:
        print(
            f"under sudo: Python {ms(rows['sudo_python']['median']):.1f} ms / ours "
            f"{ms(rows['sudo_ours']['median']):.2f} ms = {rows['sudo_python']['median'] / rows['sudo_ours']['median']:.0f}x"
            f"   (ours over sudo /bin/true: {ms(rows['sudo_ours']['median'] - rows['sudo_direct']['median']):+.2f} ms)"
        )
    d = rows["daemon_warm"]["median"]
    verdict = "ours is faster" if ours < d else "the daemon is faster"
    print(
        f"Python daemon per call vs ours without daemon: {ms(d):.2f} ms vs {ms(ours):.2f} ms "
        f"({max(d, ours) / min(d, ours):.1f}x, {verdict}); same Python caller: daemon {ms(d):.2f} ms vs "
        f"subprocess.run(ours) {ms(rows['pyharness_ours']['median']):.2f} ms"
    )
    if "ours_daemon_warm" in rows:
        pyd, ourd = rows["daemon_warm"]["median"], rows["ours_daemon_warm"]["median"]
        print()
        print(
            f"daemon, same Python client: Python daemon {ms(pyd):.2f} ms / ours {ms(ourd):.2f} ms per call "
            f"= {pyd / ourd:.1f}x"
        )
        if "rust_client_execute_true" in rows:
            rc = rows["rust_client_execute_true"]["median"]
            floor = rows.get("rust_client_baseline_run_captured_true", {}).get("median")
            den = rows.get("rust_client_execute_denied", {}).get("median")
            print(
                f"daemon, Rust client: {ms(rc):.3f} ms per call (first wave's target < 0.5 ms, below the spawn floor) "
                f"-> {'MET' if rc < 0.0005 else 'NOT MET'}"
                f"; Python daemon / ours = {pyd / rc:.1f}x"
            )
            if floor is not None and den is not None:
                print(
                    f"  of which spawning /usr/bin/true with pipes and waiting costs {ms(floor):.3f} ms in process; "
                    f"a call with no command to run (unauthorized) costs {den * 1e6:.0f} us"
                )
            std_floor = rows.get("rust_client_baseline_std_spawn_true", {}).get("median")
            if std_floor is not None:
                above = (rc - std_floor) * 1e6
                print(
                    f"daemon, Rust client, above an in-process std spawn of the same command: {above:+.0f} us "
                    f"(target <= 50 us) -> {'MET' if above <= 50 else 'NOT MET'}"
                )
            pinned = rows.get("rust_client_pinned_execute_true", {}).get("median")
            pinned_floor = rows.get("rust_client_pinned_baseline_std_spawn_true", {}).get("median")
            if pinned is not None and pinned_floor is not None:
                above = (pinned - pinned_floor) * 1e6
                print(
                    f"  on one CPU (client, daemon, command pinned to CPU 0): {ms(pinned):.3f} ms, {above:+.0f} us "
                    f"above the std spawn on that CPU ({ms(pinned_floor):.3f} ms) -> "
                    f"{'MET' if above <= 50 else 'NOT MET'}; the rest above is waking the other, idle CPU"
                )
    if "inproc_load_filters" in py:
        nf = py.get("inproc_filter_count", {}).get("median", "?")
        print()
        print(f"Python in-process ({nf} filters; compare with `cargo bench -p oslo-rootwrap --bench decide`):")
        for k, label in [
            ("inproc_load_filters", "load_filters (all files)"),
            ("inproc_match_command_filter", "match_filter `ip a` (CommandFilter)"),
            ("inproc_match_regexp_late", "match_filter `sleep 5` (late RegExpFilter)"),
            ("inproc_match_unauthorized", "match_filter unauthorized (full scan)"),
            ("inproc_match_chaining", "match_filter `ionice -c2 -n7 ip a` (chaining)"),
        ]:
            if k in py:
                v = py[k]["median"]
                shown = f"{ms(v):.2f} ms" if v >= 1e-3 else f"{v * 1e6:.1f} us"
                print(f"  {label:<48} {shown:>10}")


if __name__ == "__main__":
    main()
