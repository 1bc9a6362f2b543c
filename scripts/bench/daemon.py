"""Python-side timings for scripts/bench-rootwrap.sh (run with the reference venv's python).

    daemon.py VENV_BIN CONF OURS_BIN OURS_DAEMON_BIN N OUT_JSON

* the reference daemon: oslo_rootwrap.client.Client([VENV_BIN/oslo-rootwrap-daemon, CONF]),
  first call (spawn + connect + execute) and N warm execute(["true"]) calls;
* the same Python client against our daemon (OURS_DAEMON_BIN), same calls; each daemon's
  peak RSS (VmHWM) after them;
* the same harness spawning ours and /bin/true with subprocess.run, N times each, so that
  "daemon per call" and "ours per call" are also compared from one Python caller;
* in-process load_filters / match_filter of the reference (compare with
  `cargo bench -p oslo-rootwrap --bench decide`).

Writes {name: {"median": s, "p10": s, "p90": s, "n": int}} to OUT_JSON (seconds).
"""

import json
import logging
import statistics
import subprocess
import sys
import time

# The reference's daemon-side error paths log through the root logger; keep it configured.
logging.basicConfig(level=logging.WARNING)

from oslo_rootwrap import client, wrapper  # noqa: E402


def summary(times):
    times = sorted(times)
    q = statistics.quantiles(times, n=10) if len(times) >= 2 else [times[0]] * 9
    return {"median": statistics.median(times), "p10": q[0], "p90": q[-1], "n": len(times)}


def timed(fn, n, warmup):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def time_daemon(daemon, conf, n):
    """First call (spawn + connect + execute) and n warm execute(["true"])."""
    c = client.Client([daemon, conf])
    t = time.perf_counter()
    rc, _out, err = c.execute(["true"])
    first = time.perf_counter() - t
    if rc != 0:
        sys.exit(f"{daemon}: execute(['true']) returned {rc}: {err!r}")

    def call():
        rc, _o, e = c.execute(["true"])
        if rc != 0:
            sys.exit(f"{daemon}: execute(['true']) returned {rc}: {e!r}")

    warm = timed(call, n, warmup=20)
    process = c._process
    rss_kb = _peak_rss_kb(process.pid) if process is not None else None
    if c._finalize is not None:
        c._finalize()  # asks the daemon to shut down
    if process is not None:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()  # the daemon we started above, by its Popen handle
            process.wait()
    return first, warm, rss_kb


def _peak_rss_kb(pid):
    """VmHWM (peak resident set) of a running process, in KiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    venv_bin, conf, ours, ours_daemon = sys.argv[1:5]
    n, out_json = int(sys.argv[5]), sys.argv[6]
    results = {}

    # --- the reference daemon, then ours, with the same Python client
    for prefix, daemon in (("daemon", f"{venv_bin}/oslo-rootwrap-daemon"), ("ours_daemon", ours_daemon)):
        first, warm, rss_kb = time_daemon(daemon, conf, n)
        results[f"{prefix}_first_call"] = summary([first])
        results[f"{prefix}_warm"] = summary(warm)
        if rss_kb is not None:
            results[f"{prefix}_peak_rss_kb"] = {"median": rss_kb, "p10": 0, "p90": 0, "n": 1}

    # --- the same Python caller spawning processes (what a non-daemon caller pays)
    def run(argv):
        def go():
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit(f"{argv!r} exited {r.returncode}: {r.stderr!r}")
        return go

    results["pyharness_direct"] = summary(timed(run(["/bin/true"]), n, warmup=10))
    results["pyharness_ours"] = summary(timed(run([ours, conf, "true"]), n, warmup=10))

    # --- in-process: the reference's own load_filters / match_filter
    cfg = wrapper.RootwrapConfig(_read_conf(conf))
    results["inproc_load_filters"] = summary(timed(lambda: wrapper.load_filters(cfg.filters_path), 30, warmup=3))
    filters = wrapper.load_filters(cfg.filters_path)
    cases = {
        "inproc_match_command_filter": ["ip", "a"],
        "inproc_match_regexp_late": ["sleep", "5"],
        "inproc_match_unauthorized": ["definitely-not-allowed", "--flag", "value"],
        "inproc_match_chaining": ["ionice", "-c2", "-n7", "ip", "a"],
    }
    for name, argv in cases.items():
        def match(argv=argv):
            try:
                wrapper.match_filter(filters, list(argv), exec_dirs=cfg.exec_dirs)
            except (wrapper.NoFilterMatched, wrapper.FilterMatchNotExecutable):
                pass
        results[name] = summary(timed(match, 300, warmup=20))
    results["inproc_filter_count"] = {"median": len(filters), "p10": 0, "p90": 0, "n": 1}

    with open(out_json, "w") as f:
        json.dump(results, f, indent=1)


def _read_conf(path):
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


if __name__ == "__main__":
    main()
