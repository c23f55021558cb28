"""The ten-line app of docs/launchdarkly-sdk.md, run as written (the mock's URL put in for
`http://127.0.0.1:8080`) with the official Python SDK: it prints the demo flags, then reports
about 40% of its users in the experiment once free-shipping-banner-test is started through the
REST API, and none once it is stopped, without a restart."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.vendors.launchdarkly.test_sdk import EXPERIMENTS, semantic_patch, writer

PAGE = Path(__file__).parents[3] / "docs" / "launchdarkly-sdk.md"
SHARE = re.compile(r"in the experiment: ([\d.]+)% of users")


def the_app() -> str:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    return next(block for block in blocks if "ldclient.set_config" in block)


def next_share(app: subprocess.Popen, wanted, seconds: float = 20.0) -> float:
    """The first share the app reports that `wanted(share)` accepts."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = SHARE.search(app.stdout.readline())
        if found and wanted(float(found.group(1))):
            return float(found.group(1))
    raise AssertionError("the app never reported it")


def test_the_documented_app_sees_an_experiment_started_and_stopped_through_the_rest_api(mock, tmp_path):
    assert len(the_app().strip().splitlines()) <= 16
    script = tmp_path / "app.py"
    script.write_text(the_app().replace("http://127.0.0.1:8080", mock.url))
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        flags = app.stdout.readline()
        assert "'free-shipping-banner': False" in flags and "'checkout-button': 0" in flags and "legacy-checkout" not in flags
        assert next_share(app, lambda share: True) == 0.0
        semantic_patch(mock, "free-shipping-banner-test", {"kind": "startIteration"})
        assert 35 <= next_share(app, lambda share: share > 0) <= 45
        treatments = httpx.get(mock.url + EXPERIMENTS.format(environment="production") + "/free-shipping-banner-test",
                               headers=writer(mock), params={"expand": "treatments"}).json()["currentIteration"]["treatments"]
        semantic_patch(mock, "free-shipping-banner-test", {"kind": "stopIteration", "winningTreatmentId": treatments[1]["_id"]})
        assert next_share(app, lambda share: share == 0) == 0.0
    finally:
        app.kill()
        app.wait()
