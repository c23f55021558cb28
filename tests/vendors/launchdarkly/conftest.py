"""The LaunchDarkly demo credentials, read from the running mock (as `/__mockexp/credentials`
lists them)."""

from __future__ import annotations

import pytest

from tests.conftest import credential


@pytest.fixture
def ld_writer(mock) -> dict:
    """Writer token reaching every project; its tenant is the demo-shop project's production environment."""
    return credential(mock.runtime, "launchdarkly", role="writer")


@pytest.fixture
def ld_reader(mock) -> dict:
    """Reader token (read-only), same tenant as `ld_writer`."""
    return credential(mock.runtime, "launchdarkly", role="reader")


@pytest.fixture
def ld_mobile(mock) -> dict:
    """Writer token whose custom role reaches only the mobile-app project."""
    return credential(mock.runtime, "launchdarkly", role="writer in project mobile-app only (custom role)")
