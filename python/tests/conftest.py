import pytest

import oslo_policy_rs


@pytest.fixture(autouse=True)
def _plain_after_each_test():
    """Every test starts and ends with plain oslo.policy."""
    oslo_policy_rs.uninstall()
    yield
    oslo_policy_rs.uninstall()
