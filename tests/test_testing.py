"""mockexp inside a user's own tests: `run_mock()` and the pytest plugin's `mockexp_server`
fixture, and the runnable example in `examples/` that uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockexp.testing import run_mock

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_run_mock_serves_a_fresh_world_and_stops_afterwards():
    with run_mock(["giosg"]) as mock:
        headers = mock.credential("giosg", can_write=True)
        listed = httpx.get(f"{mock.base_url('giosg')}/orgs/{mock.tenant('giosg')['organization_id']}/experiments", headers=headers)
        assert listed.status_code == 200 and listed.json()["results"]
        assert mock.count(vendor="giosg", method="GET") == 1
        url = mock.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/__mockexp/health", timeout=2)


def test_run_mock_refuses_a_vendor_it_does_not_know():
    with pytest.raises(ValueError, match="unknown vendor nope"):
        with run_mock(["nope"]):
            pass


def test_the_example_suite_passes_with_the_plugins_fixture():
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES)],
                            capture_output=True, text=True, timeout=300, cwd=EXAMPLES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
