"""The LaunchDarkly demo credentials, read from the running mock's model (as
`/__mockexp/credentials` lists them)."""

from __future__ import annotations

import pytest

from mockexp.app import Runtime


def launchdarkly_credential(runtime: Runtime, role: str, scoped: bool = False) -> dict:
    for credential in runtime.models["launchdarkly"].credentials():
        if credential["role"].split(" ")[0] == role and ("custom role" in credential["role"]) == scoped:
            return credential
    raise LookupError(role)


@pytest.fixture
def ld_writer(mock) -> dict:
    """Writer token reaching every project; its tenant is the demo-shop project's production environment."""
    return launchdarkly_credential(mock.runtime, "writer")


@pytest.fixture
def ld_reader(mock) -> dict:
    """Reader token (read-only), same tenant as `ld_writer`."""
    return launchdarkly_credential(mock.runtime, "reader")


@pytest.fixture
def ld_mobile(mock) -> dict:
    """Writer token whose custom role reaches only the mobile-app project."""
    return launchdarkly_credential(mock.runtime, "writer", scoped=True)
