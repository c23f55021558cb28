"""The SDK endpoints, called by PostHog's official Node.js SDK (npm `posthog-node`, installed by
the project's package.json) under node: it gives every distinct id the variant the server
gives it, remotely and from the polled definitions (events gzip-compressed),
and what it captures lands in the journal. Skipped only when `node` is absent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.node import node_for
from tests.vendors.posthog.test_sdk import IDS, SECRET, assert_shares, project_key, shares_of

JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def node() -> str:
    return node_for("posthog-node", "PostHog's Node.js SDK")


def run_js(node: str, request: dict) -> dict:
    done = subprocess.run([node, "evaluate.mjs"], cwd=JS, input=json.dumps(request), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_node_sdk_gives_each_distinct_id_the_same_variant_remotely_and_locally_and_its_events_land(node, mock, http):
    http.delete("/__mockexp/requests")
    event = {"name": "node_checkout", "distinct_id": "node-buyer"}
    found = run_js(node, {"host": mock.url, "token": project_key(mock), "secret": SECRET, "flag": "pricing-page-cta", "ids": IDS, "event": event})
    assert found["remote"] == found["local"]
    assert_shares(found["remote"], shares_of(http, "pricing-page-cta"))
    flags = http.get("/__mockexp/requests", params={"vendor": "posthog", "operationId": "posthogFlags"}).json()["requests"]
    assert flags and all(entry["query"] == {"v": "4"} for entry in flags)  # posthog-node 5.x asks for v4, as the Python SDK does
    batches = http.get("/__mockexp/requests", params={"vendor": "posthog", "operationId": "posthogBatch"}).json()["requests"]
    assert any((e["event"], e["distinct_id"]) == ("node_checkout", "node-buyer") for entry in batches for e in entry["request"]["body"]["batch"])
    assert any(entry["request"]["headers"].get("content-encoding") == "gzip" for entry in batches)
