"""oslo.policy's own test suite, without and then with the accelerator.

Usage: python run_reference_suite.py SDIST_DIR

Runs ``pytest oslo_policy/tests`` from the sdist twice — plainly, then with
``-p oslo_policy_rs.pytest_plugin`` — and compares the outcome of every
test. Exit status 0 only when both runs have the same tests with the same
outcomes and the accelerator decided checks in the second run. A test that
fails in both runs (running as root makes oslo.policy's permission-denied
cache test fail) is listed, not hidden.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def outcomes(sdist, extra, report):
    cmd = [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
           '--junitxml', report, *extra, 'oslo_policy/tests']
    run = subprocess.run(cmd, cwd=sdist, capture_output=True, text=True)
    tail = '\n'.join(run.stdout.splitlines()[-4:])
    results = {}
    for case in ET.parse(report).getroot().iter('testcase'):
        name = f"{case.get('classname')}.{case.get('name')}"
        kinds = {child.tag for child in case}
        if kinds & {'failure', 'error'}:
            results[name] = 'failed'
        elif 'skipped' in kinds:
            results[name] = 'skipped'
        else:
            results[name] = 'passed'
    return results, tail, run.stdout


def main():
    sdist = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        plain, plain_tail, _ = outcomes(sdist, [], os.path.join(tmp, 'a.xml'))
        fast, fast_tail, fast_out = outcomes(
            sdist, ['-p', 'oslo_policy_rs.pytest_plugin'],
            os.path.join(tmp, 'b.xml'))
    print('without oslo_policy_rs:', plain_tail.splitlines()[-1])
    print('with oslo_policy_rs:   ', fast_tail.splitlines()[-1])
    for line in fast_out.splitlines():
        if line.startswith('oslo_policy_rs'):
            print(line)
    differ = sorted(n for n in set(plain) | set(fast)
                    if plain.get(n) != fast.get(n))
    for name in differ:
        print(f'DIFFERENT: {name}: {plain.get(name, "absent")} without, '
              f'{fast.get(name, "absent")} with oslo_policy_rs')
    both = sorted(n for n in plain if plain[n] == 'failed' == fast.get(n))
    for name in both:
        print(f'fails in both runs (not the accelerator): {name}')
    counted = len(plain)
    if differ or counted < 300 or 'decided by oslo-rs' not in fast_out \
            or ' 0 checks decided' in fast_out:
        print(f'FAILED: {len(differ)} of {counted} tests differ', file=sys.stderr)
        return 1
    print(f'ok: all {counted} tests have the same outcome with and without '
          f'oslo_policy_rs')
    return 0


if __name__ == '__main__':
    sys.exit(main())
