"""oslo.rootwrap 7.10.0's own functional tests, run against our binaries.

usage: run_reference_functional.py SUITE (--cli PATH --daemon PATH | --reference)
                                   [--timeout S] [--strict] [--source WHERE]
                                   [-k PATTERN]...

SUITE
  plain     oslo_rootwrap/tests/test_functional.py: RootwrapTest (the CLI)
            and RootwrapDaemonTest (the real client and the daemon)
  eventlet  oslo_rootwrap/tests/test_functional_eventlet.py (TEST_EVENTLET=1,
            eventlet.monkey_patch()): RootwrapDaemonTest under eventlet, as
            nova, neutron and cinder run the client

Their test code is used as released, never copied: from the installed
oslo.rootwrap 7.10.0 (its wheel ships oslo_rootwrap/tests; every file is
checked against the wheel's RECORD hashes) or, failing that, from the
7.10.0 sdist (sha256 pinned), downloaded once into <venv>/oslo-rs-cache.

What is changed, and nothing else: the two launch commands, in setUp.
  RootwrapTest        self.cmd = [sys.executable, '-c', 'from oslo_rootwrap
                      import cmd; cmd.main()', CONFIG]  ->  [CLI, CONFIG]
  RootwrapDaemonTest  client.Client([sys.executable, run_daemon.py, CONFIG])
                      ->  client.Client([DAEMON, CONFIG])
Each replacement first checks that upstream's command is exactly the one
expected (else the test errors out). The daemon-log forwarding
(run_daemon.forwarding_popen, a wrapper around Popen) stays in place; our
daemon is a binary, so there is no run_daemon.py logging to forward.
--reference changes nothing: the Python CLI and daemon, to show the harness
itself is sound.

One addition under eventlet (not with --strict): the eventlet variant of
test_graceful_death deadlocks with ANY daemon, the Python one included. Its
main greenlet opens a FIFO with the builtin open(), which blocks the only OS
thread before the green thread that must get the daemon to write into that
FIFO has finished its handshake; the daemon then idles out and the open()
never returns. Here open() of a FIFO from test_functional.py goes through
eventlet.tpool (a real thread), as eventlet code must do blocking calls;
every other open() and every assertion is untouched.

Every test runs under a watchdog (--timeout, default 120 s): a hung test
dumps all threads' stacks and ends the run with status 1.

Exit status: 0 all passed; 1 a test failed, errored or hung; 2 harness
error; 77 skipped (a requirement is missing; the reason is printed as
"SKIPPED: ...").
"""

import argparse
import base64
import hashlib
import importlib.metadata
import importlib.util
import os
import stat
import subprocess
import sys
import tarfile
import time

VERSION = "7.10.0"
SDIST = f"oslo_rootwrap-{VERSION}.tar.gz"
SDIST_SHA256 = "99c24f763c3f1f0be96652e416a099b486115d9709dcfa73310f48168cf89a44"
TEST_FILES = [
    "__init__.py",
    "functional_base.py",
    "run_daemon.py",
    "test_functional.py",
    "test_functional_eventlet.py",
]
SKIP = 77


def skip(reason):
    print(f"SKIPPED: {reason}", flush=True)
    sys.exit(SKIP)


def harness_error(reason):
    print(f"HARNESS ERROR: {reason}", flush=True)
    sys.exit(2)


class LaunchCommandChanged(AssertionError):
    """Upstream's launch command is not the one this harness replaces."""


def check_requirements(suite):
    try:
        version = importlib.metadata.version("oslo.rootwrap")
    except importlib.metadata.PackageNotFoundError:
        skip("oslo.rootwrap is not installed (run scripts/setup-reference.sh)")
    if version != VERSION:
        skip(f"oslo.rootwrap {version} installed, these tests are {VERSION}'s")
    needed = ["fixtures", "testtools"] + (["eventlet"] if suite == "eventlet" else [])
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        skip(
            f"test requirements missing from {sys.prefix}: {', '.join(missing)} "
            "(run scripts/setup-reference.sh)"
        )


def record_hash(path):
    digest = hashlib.sha256(open(path, "rb").read()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def installed_tests():
    """The installed wheel's tests directory, if every file matches RECORD."""
    dist = importlib.metadata.distribution("oslo.rootwrap")
    recorded = {
        str(f): f for f in (dist.files or []) if str(f).startswith("oslo_rootwrap/tests/")
    }
    tests_dir = None
    for name in TEST_FILES:
        f = recorded.get(f"oslo_rootwrap/tests/{name}")
        if f is None or f.hash is None:
            return None, f"{name} not in the wheel's RECORD"
        path = dist.locate_file(f)
        if not os.path.isfile(path) or record_hash(path) != f.hash.value:
            return None, f"{path} differs from the wheel's RECORD"
        tests_dir = os.path.dirname(path)
    return tests_dir, None


def sdist_tests():
    """The sdist's tests directory, from the cache (downloaded once)."""
    cache = os.environ.get("OSLO_RS_SDIST_CACHE") or os.path.join(sys.prefix, "oslo-rs-cache")
    os.makedirs(cache, exist_ok=True)
    archive = os.path.join(cache, SDIST)
    if not os.path.exists(archive):
        try:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                 "--no-binary", ":all:", f"oslo.rootwrap=={VERSION}", "-d", cache],
                check=True, timeout=300, stdout=subprocess.DEVNULL,
            )
        except (subprocess.SubprocessError, OSError) as e:
            skip(f"cannot download the oslo.rootwrap {VERSION} sdist: {e}")
    if hashlib.sha256(open(archive, "rb").read()).hexdigest() != SDIST_SHA256:
        harness_error(f"{archive} does not have the pinned sha256 {SDIST_SHA256}")
    target = os.path.join(cache, f"oslo_rootwrap-{VERSION}")
    tests_dir = os.path.join(target, "oslo_rootwrap", "tests")
    with tarfile.open(archive) as tar:
        prefix = f"oslo_rootwrap-{VERSION}/oslo_rootwrap/tests/"
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        tar.extractall(cache, members=members, filter="data")
    return tests_dir


def use_tests_from(tests_dir):
    """Makes `oslo_rootwrap.tests` the package in tests_dir."""
    import oslo_rootwrap

    spec = importlib.util.spec_from_file_location(
        "oslo_rootwrap.tests",
        os.path.join(tests_dir, "__init__.py"),
        submodule_search_locations=[tests_dir],
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["oslo_rootwrap.tests"] = package
    spec.loader.exec_module(package)
    oslo_rootwrap.tests = package


def locate_tests(source):
    if source in ("auto", "installed"):
        tests_dir, why = installed_tests()
        if tests_dir is not None:
            use_tests_from(tests_dir)
            return f"installed wheel, checked against RECORD: {tests_dir}"
        if source == "installed":
            harness_error(f"installed oslo_rootwrap/tests unusable: {why}")
    tests_dir = sdist_tests()
    use_tests_from(tests_dir)
    return f"sdist {SDIST} (sha256 {SDIST_SHA256[:12]}...): {tests_dir}"


class Replaced:
    cli = 0
    daemon = 0


def replace_launch_commands(test_functional, cli, daemon):
    from unittest import mock

    run_daemon = test_functional.run_daemon
    client_module = test_functional.client
    RealClient = client_module.Client

    cli_setup = test_functional.RootwrapTest.setUp

    def cli_test_setup(self):
        cli_setup(self)
        upstream = [
            sys.executable,
            "-c",
            "from oslo_rootwrap import cmd; cmd.main()",
            self.config_file,
        ]
        if self.cmd != upstream:
            raise LaunchCommandChanged(f"RootwrapTest.cmd is {self.cmd!r}, expected {upstream!r}")
        self.cmd = [cli, self.config_file]
        Replaced.cli += 1

    test_functional.RootwrapTest.setUp = cli_test_setup

    daemon_setup = test_functional.RootwrapDaemonTest.setUp

    def daemon_test_setup(self):
        def client_for_our_daemon(rootwrap_daemon_cmd):
            upstream = [sys.executable, run_daemon.__file__, self.config_file]
            if list(rootwrap_daemon_cmd) != upstream:
                raise LaunchCommandChanged(
                    f"the daemon command is {rootwrap_daemon_cmd!r}, expected {upstream!r}"
                )
            Replaced.daemon += 1
            return RealClient([daemon, self.config_file])

        with mock.patch.object(client_module, "Client", client_for_our_daemon):
            daemon_setup(self)
        if not isinstance(self.client, RealClient):
            raise LaunchCommandChanged("setUp did not create its client through client.Client")

    test_functional.RootwrapDaemonTest.setUp = daemon_test_setup


def open_fifos_off_the_hub(test_functional):
    import builtins

    from eventlet import tpool

    def open_(file, *args, **kwargs):
        try:
            fifo = stat.S_ISFIFO(os.stat(file).st_mode)
        except (TypeError, ValueError, OSError):
            fifo = False
        if fifo:
            return tpool.execute(builtins.open, file, *args, **kwargs)
        return builtins.open(file, *args, **kwargs)

    # A module global shadows the builtin for test_functional.py's code only.
    test_functional.open = open_


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("suite", choices=["plain", "eventlet"])
    parser.add_argument("--cli")
    parser.add_argument("--daemon")
    parser.add_argument("--reference", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--source", choices=["auto", "installed", "sdist"], default="auto")
    parser.add_argument("-k", dest="patterns", action="append")
    args = parser.parse_args()
    if args.reference == bool(args.cli or args.daemon):
        parser.error("give either --reference or both --cli and --daemon")
    if not args.reference and not (args.cli and args.daemon):
        parser.error("give both --cli and --daemon")
    for path in filter(None, [args.cli, args.daemon]):
        if not os.access(path, os.X_OK):
            harness_error(f"{path} is not executable")

    check_requirements(args.suite)
    if args.suite == "eventlet":
        os.environ["TEST_EVENTLET"] = "1"  # read when the module is imported
    else:
        os.environ.pop("TEST_EVENTLET", None)

    import faulthandler
    import unittest
    import warnings

    import fixtures  # noqa: F401  (imported early, as stestr would)
    import testtools  # noqa: F401

    source = locate_tests(args.source)
    if args.suite == "eventlet":
        # Monkey-patches on import, before test_functional is imported.
        from oslo_rootwrap.tests import test_functional_eventlet as module

        test_functional = sys.modules["oslo_rootwrap.tests.test_functional"]
        if not hasattr(module, "RootwrapDaemonTest"):
            harness_error("test_functional_eventlet defined no tests (TEST_EVENTLET unseen)")
    else:
        from oslo_rootwrap.tests import test_functional as module

        test_functional = module

    if args.reference:
        against = "the Python reference (launch commands unchanged)"
    else:
        replace_launch_commands(test_functional, args.cli, args.daemon)
        against = f"cli={args.cli} daemon={args.daemon}"
    if args.suite == "eventlet" and not args.strict:
        open_fifos_off_the_hub(test_functional)

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in args.patterns]
    suite = loader.loadTestsFromModule(module)

    outcomes = {}
    durations = {}

    class Result(unittest.TextTestResult):
        def startTest(self, test):
            faulthandler.dump_traceback_later(args.timeout, exit=True, file=sys.stderr)
            self._started = time.monotonic()
            super().startTest(test)
            self.stream.flush()

        def stopTest(self, test):
            faulthandler.cancel_dump_traceback_later()
            durations[test.id()] = time.monotonic() - self._started
            outcomes.setdefault(test.id(), "pass")
            super().stopTest(test)

        def addFailure(self, test, err):
            outcomes[test.id()] = "FAIL"
            super().addFailure(test, err)

        def addError(self, test, err):
            outcomes[test.id()] = "ERROR"
            super().addError(test, err)

        def addSkip(self, test, reason):
            outcomes[test.id()] = f"skip ({reason})"
            super().addSkip(test, reason)

        def addUnexpectedSuccess(self, test):
            outcomes[test.id()] = "unexpected success"
            super().addUnexpectedSuccess(test)

    print(f"== oslo.rootwrap {VERSION} functional tests ({args.suite}) against {against}")
    print(f"== tests from the {source}")
    sys.stdout.flush()
    warnings.simplefilter("ignore")
    runner = unittest.TextTestRunner(
        stream=sys.stdout, verbosity=2, resultclass=Result, warnings="ignore"
    )
    start = time.monotonic()
    result = runner.run(suite)
    elapsed = time.monotonic() - start

    short = {t: t.replace("oslo_rootwrap.tests.", "") for t in outcomes}
    print(f"\n== per test ({args.suite}):")
    for t, o in outcomes.items():
        print(f"   {o:5} {durations.get(t, 0):6.2f}s  {short[t]}")
    if not args.reference:
        print(f"== launch commands replaced: cli {Replaced.cli}, daemon {Replaced.daemon}")
    bad = [t for t, o in outcomes.items() if o in ("FAIL", "ERROR")]
    passed = sum(1 for o in outcomes.values() if o == "pass")
    skipped = sum(1 for o in outcomes.values() if o.startswith("skip"))
    print(
        f"RESULT {args.suite}: ran {result.testsRun}, passed {passed}, "
        f"failed {len(result.failures)}, errors {len(result.errors)}, "
        f"skipped {skipped} ({elapsed:.1f} s)"
    )
    for t in bad:
        print(f"FAILED TEST {short[t]}")
    sys.stdout.flush()
    if result.testsRun == 0:
        harness_error("no tests ran")
    return 0 if result.wasSuccessful() and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
