"""The real `oslo_rootwrap.client.Client`, driven by oslo-rootwrap/tests/daemon.rs.

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
  inspect    stdin as for `calls`; prints one JSON object: the results and
             the owner and mode of the daemon's socket and its directory
  handshake312  ARGS = none: speaks the Python >= 3.12 challenge form
             ({sha256}, 40-byte nonce) by hand against the daemon the
             client spawned, then calls `dummy`; prints the reply
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


def run_inspect(client, calls):
    results = []
    for argv, stdin in calls:
        try:
            results.append(list(client.execute(argv, stdin)))
        except Exception as exc:
            results.append({"error": type(exc).__name__})
    sock = client._manager.address
    st_dir = os.stat(os.path.dirname(sock))
    st_sock = os.stat(sock)
    print(
        json.dumps(
            {
                "results": results,
                "dir_uid": st_dir.st_uid,
                "dir_mode": oct(st_dir.st_mode & 0o7777),
                "sock_uid": st_sock.st_uid,
                "sock_mode": oct(st_sock.st_mode & 0o777),
                "daemon_uid_is_us": st_dir.st_uid == os.getuid(),
            }
        )
    )


def handshake_312(client):
    """The Python 3.12 multiprocessing.connection handshake, written out
    from its documented wire format with hmac/sha256, so a daemon can be
    checked against it on a 3.11 interpreter."""
    import hmac
    import socket
    import struct

    client.execute(["echo", "spawn"])
    key = bytes(client._manager._authkey)
    s = socket.socket(socket.AF_UNIX)
    s.connect(client._manager.address)

    def recv():
        n = struct.unpack("!Q", s.recv(8, socket.MSG_WAITALL))[0]
        return s.recv(n, socket.MSG_WAITALL)

    def send(b):
        s.sendall(struct.pack("!Q", len(b)) + b)

    # The daemon challenges first; answer in the 3.12 form.
    challenge = recv()
    assert challenge.startswith(b"#CHALLENGE#{sha256}"), challenge[:20]
    message = challenge[len(b"#CHALLENGE#"):]
    send(b"{sha256}" + hmac.new(key, message, "sha256").digest())
    assert recv() == b"#WELCOME#"
    # Then challenge it the 3.12 way and check its answer.
    message = b"{sha256}" + os.urandom(40)
    send(b"#CHALLENGE#" + message)
    answer = recv()
    ok = answer == b"{sha256}" + hmac.new(key, message, "sha256").digest()
    send(b"#WELCOME#" if ok else b"#FAILURE#")
    send(b'[null, "dummy", [], {}]')
    print(json.dumps({"answer_ok": ok, "reply": recv().decode()}))


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
    elif mode == "inspect":
        run_inspect(client, json.load(sys.stdin))
    elif mode == "handshake312":
        handshake_312(client)
    elif mode == "timeout":
        run_timeout(client, float(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
