"""Run a test suite with the accelerator installed:
``pytest -p oslo_policy_rs.pytest_plugin``.

It installs the accelerator before every test (``install()`` is
idempotent) and, at the end, reports how many checks it decided and how
many it left to oslo.policy. The run fails if it decided none: a suite
that never reached the accelerator proves nothing about it.
"""

import pytest

import oslo_policy_rs
from oslo_policy import _checks


def pytest_configure(config):
    oslo_policy_rs.install()


def pytest_report_header(config):
    return f'oslo_policy_rs {oslo_policy_rs.VERSION}: installed'


@pytest.fixture(autouse=True)
def _oslo_policy_rs_installed():
    oslo_policy_rs.install()
    yield


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    hook = _checks._check
    if not isinstance(hook, oslo_policy_rs._native.Hook):
        terminalreporter.write_line(
            'oslo_policy_rs: NOT INSTALLED at the end of the run', red=True)
        return
    decided, left = hook.counts()
    terminalreporter.write_line(
        f'oslo_policy_rs: {decided} checks decided by oslo-rs, '
        f'{left} left to oslo.policy')


def pytest_sessionfinish(session, exitstatus):
    hook = _checks._check
    decided = hook.counts()[0] if isinstance(
        hook, oslo_policy_rs._native.Hook) else 0
    if decided == 0 and exitstatus == 0:
        session.exitstatus = 1
