"""Differential oracle for the oslo-config-validator port.

Reads a JSONL manifest written by validator_differential.rs; each
line is one scenario: a directory (the working directory, and $HOME), the
arguments, extra environment variables, and what our binary printed
(`ours`: stdout, stderr, exit code). Runs the reference tool on the same
scenario and compares.

The reference runs in-process (validator.main() with sys.argv, os.environ
and the working directory set, logging re-initialised, stdout/stderr
captured); an uncaught exception is reduced to the last line of the
traceback the interpreter would print, which is what our binary prints
instead of a traceback. The first SUBPROCESS scenarios are also run through
the real `oslo-config-validator` script, to check that the in-process runs
are faithful.

Stderr must agree exactly, except where the reference's exception text
cannot be reproduced (PyYAML's and re's messages): then the log lines
before it must agree and both must end with an exception line.

Prints mismatches and `N scenarios, M mismatches`; exits 1 on any.
"""

import collections
import contextlib
import functools
import importlib.metadata
import io
import json
import logging
import os
import subprocess
import sys
import traceback

if not sys.flags.utf8_mode:
    os.execv(sys.executable, [sys.executable, '-X', 'utf8', *sys.argv])

from oslo_config import validator  # noqa: E402

# PyYAML's and re's messages are not reproduced; RecursionError's text
# depends on where the stack overflows.
LOOSE_PREFIXES = ('yaml.', 're.error', 'RecursionError')

# main() looks its version up on every call; that scan of sys.path is
# most of an in-process run's time. Same value, looked up once.
_version = functools.cache(importlib.metadata.version)
importlib.metadata.version = _version


KINDS = (
    'Deprecated opt',
    'is not part of the sample config',
    'Ignoring missing option',
    'sample value is empty',
    'is not in',
    'times',
    'Ignoring option because',
    'from the sample config is not defined',
    'oslo_config.cfg:could not load',
    'argument --',
)


def run_inprocess(case):
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_argv = sys.argv
    os.environ.clear()
    os.environ.update(case['env'])
    os.chdir(case['dir'])
    sys.argv = ['oslo-config-validator', *case['args']]
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    out, err = io.StringIO(), io.StringIO()
    exception = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = validator.main()
            except SystemExit as e:
                if e.code is None:
                    code = 0
                elif isinstance(e.code, int):
                    code = e.code
                else:
                    print(e.code, file=sys.stderr)
                    code = 1
            except Exception as e:  # noqa: BLE001 - what the interpreter would print
                exception = ''.join(
                    traceback.format_exception_only(type(e), e)
                ).rstrip('\n')
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        for handler in root.handlers[:]:
            root.removeHandler(handler)
    return {
        'stdout': out.getvalue(),
        'log': err.getvalue(),
        'exception': exception,
        'code': code,
    }


def run_subprocess(tool, case):
    env = dict(case['env'])
    proc = subprocess.run(
        [tool, *case['args']],
        cwd=case['dir'],
        env=env,
        capture_output=True,
        text=True,
    )
    return proc.stdout, proc.stderr, proc.returncode


def compare(case, ref):
    ours = case['ours']
    problems = []
    if ours['code'] != ref['code']:
        problems.append(f'exit code: reference {ref["code"]}, ours {ours["code"]}')
    if ours['stdout'] != ref['stdout']:
        problems.append(
            f'stdout:\n  reference {ref["stdout"]!r}\n  ours      {ours["stdout"]!r}'
        )
    want = ref['log']
    exc = ref['exception']
    loose = exc is not None and exc.startswith(LOOSE_PREFIXES)
    if exc is not None and not loose:
        want += exc + '\n'
    got = ours['stderr']
    if loose:
        # Our last line stands for the exception; the rest must agree.
        head, _, last = got.rstrip('\n').rpartition('\n')
        got = head + '\n' if head else ''
        if not last:
            problems.append('no exception line where the reference raised')
    if got != want:
        problems.append(f'stderr:\n  reference {want!r}\n  ours      {got!r}')
    return problems


def main():
    manifest, tool, subprocess_count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cases = [json.loads(line) for line in open(manifest, encoding='utf-8')]
    mismatches = 0
    faithful_problems = 0
    tally = collections.Counter()
    for n, case in enumerate(cases):
        ref = run_inprocess(case)
        for kind in KINDS:
            if kind in ref['log']:
                tally[kind] += 1
        if ref['exception'] is not None:
            tally[ref['exception'].split(':')[0]] += 1
        if 'usage:' in ref['log']:
            tally['usage error'] += 1
        if ref['stdout'].startswith('usage:'):
            tally['help printed'] += 1
        if n < subprocess_count and os.path.exists(tool):
            out, err, code = run_subprocess(tool, case)
            ok = out == ref['stdout'] and code == ref['code']
            ok = ok and err.startswith(ref['log'])
            if ref['exception'] is not None:
                ok = ok and err.rstrip('\n').endswith(ref['exception'])
            else:
                ok = ok and err == ref['log']
            if not ok:
                faithful_problems += 1
                print(f'IN-PROCESS != SUBPROCESS for scenario {n}: {case["args"]}')
                print(f'  subprocess: {code} {out!r} {err!r}')
                print(f'  in-process: {ref!r}')
        problems = compare(case, ref)
        if problems:
            mismatches += 1
            if mismatches <= 15:
                print(f'MISMATCH scenario {n} in {case["dir"]}: args {case["args"]} '
                      f'env {case["env"]}')
                for p in problems:
                    print('  ' + p)
    print('reference outcomes:', dict(sorted(tally.items())))
    print(f'{len(cases)} scenarios ({min(subprocess_count, len(cases))} also as '
          f'subprocesses, {faithful_problems} unfaithful), {mismatches} mismatches')
    sys.exit(1 if mismatches or faithful_problems else 0)


if __name__ == '__main__':
    main()
