"""The real `oslo_rootwrap.client.Client`, driven by rootwrap/tests/daemon.rs.

usage: daemon_client.py MODE DAEMON_COMMAND_JSON [ARGS...]

MODE
  calls      stdin holds a JSON list of [argv, stdin-or-null]; prints one
             JSON line per call: [returncode, stdout, stderr] or
             {"error": "<exception class>"}
  threads    ARGS = THREADS CALLS: every thread runs CALLS distinct echo
             commands and checks each answer; prints {"ok": N, "bad": [...]}
  timeout    ARGS = SECONDS: a call, SECONDS of sleep, a call; prints the
             two results, both daemon pids and whether the first daemon and
             its socket directory were gone before the second call
  reference  runs the Python daemon itself (logging configured, as
             oslo.rootwrap's functional tests do, so denials do not crash
             it): daemon_client.py reference CONFIG

Strings travel as Python str with surrogateescape, exactly what the client
sends and receives; json.dumps escapes lone surrogates, so outputs compare
byte for byte.
"""
import json
import os
import sys
import threading
import time


def reference_daemon(config):
    import logging

    logging.getLogger().addHandler(logging.NullHandler())
    from oslo_rootwrap import cmd

    sys.argv = ["oslo-rootwrap-daemon", config]
    cmd.daemon()


def run_calls(client, calls):
    for argv, stdin in calls:
        try:
            result = list(client.execute(argv, stdin))
        except Exception as exc:  # RemoteError, EOFError, ...
            result = {"error": type(exc).__name__}
        print(json.dumps(result), flush=True)


def run_threads(client, threads, calls):
    bad = []
    ok = [0]
    lock = threading.Lock()

    def worker(n):
        for i in range(calls):
            word = "t%d-%d-\udcff\u00e9" % (n, i)
            res = client.execute(["echo", word])
            with lock:
                if list(res) == [0, word + "\n", ""]:
                    ok[0] += 1
                else:
                    bad.append(repr(res))

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(json.dumps({"ok": ok[0], "bad": bad[:5]}))


def run_timeout(client, seconds):
    first = list(client.execute(["echo", "one"]))
    pid1 = client._process.pid
    sockdir = os.path.dirname(client._manager.address)
    time.sleep(seconds)
    gone = client._process.poll() is not None
    dir_gone = not os.path.exists(sockdir)
    second = list(client.execute(["echo", "two"]))
    pid2 = client._process.pid
    print(
        json.dumps(
            {
                "first": first,
                "second": second,
                "restarted": pid1 != pid2,
                "first_daemon_exited": gone,
                "socket_dir_removed": dir_gone,
            }
        )
    )


def main():
    mode = sys.argv[1]
    if mode == "reference":
        reference_daemon(sys.argv[2])
        return
    from oslo_rootwrap import client as client_mod

    client = client_mod.Client(json.loads(sys.argv[2]))
    if mode == "calls":
        run_calls(client, json.load(sys.stdin))
    elif mode == "threads":
        run_threads(client, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "timeout":
        run_timeout(client, float(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
