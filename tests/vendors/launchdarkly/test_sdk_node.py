"""LaunchDarkly's official Node.js server-side SDK (npm `@launchdarkly/node-server-sdk`, from the
project's package.json) run with node against the mock: the same demo cases as the Python SDK
(polling and streaming), an experiment's share of contexts, a stop seen by an open streaming
client, and tracked events in the journal. Skipped only where node is not installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from mockexp.control.journal import Filter
from tests.vendors.launchdarkly.sdk_cases import Case, demo_cases, experiment_members, sdk_key, user
from tests.vendors.launchdarkly.test_sdk import semantic_patch, wait_for, writer

SCRIPT = Path(__file__).parent / "js" / "evaluate.mjs"
ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed: LaunchDarkly's Node.js SDK cannot run")
    assert (ROOT / "node_modules" / "@launchdarkly" / "node-server-sdk").is_dir(), "the Node.js SDKs are not installed: run `python3 dev.py test` once (npm ci)"
    return found


def request(mock, environment: str, cases: list[Case], *, stream: bool, **more) -> dict:
    return {"url": mock.url, "sdkKey": sdk_key(mock, environment), "stream": stream,
            "cases": [{"flag": c.flag, "context": c.context, "default": c.default} for c in cases], **more}


def run(node: str, payload: dict) -> list[dict]:
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0])


def outcome(result: dict) -> tuple:
    return result["value"], result["reason"]["kind"], bool(result["reason"].get("inExperiment"))


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
def test_the_node_sdk_evaluates_every_demo_flag_as_launchdarklys_rules_give(node, mock, stream):
    cases = demo_cases(mock)
    for environment in ("production", "test"):
        mine = [c for c in cases if c.environment == environment]
        got = [outcome(result) for result in run(node, request(mock, environment, mine, stream=stream))]
        assert got == [(c.value, c.reason, c.in_experiment) for c in mine], [c.label() for c in mine]


def test_an_experiment_started_through_the_rest_api_puts_its_share_in_it_and_an_open_node_client_sees_the_stop(node, mock):
    keys = [f"visitor-{n}" for n in range(1000)]
    contexts = [Case("production", "free-shipping-banner", user(key), None, "") for key in keys]
    semantic_patch(mock, "free-shipping-banner-test", {"kind": "startIteration"})
    probe = user(experiment_members(mock, "free-shipping-banner", "production", keys)[0])
    process = subprocess.Popen([node, str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        process.stdin.write(json.dumps(request(mock, "production", contexts, stream=True, until={"flag": "free-shipping-banner", "context": probe, "inExperiment": False})))
        process.stdin.close()
        results = json.loads(process.stdout.readline())
        inside = [r["value"] for r in results if r["reason"].get("inExperiment")]
        assert len(inside) / 1000 == pytest.approx(0.4, abs=0.05)  # the experiment's 40% of the traffic (its layer reservation)
        assert sum(inside) / 1000 == pytest.approx(0.2, abs=0.04)  # half of them shown the banner, as the 50/50 allocation says
        treatments = httpx.get(mock.url + "/api/v2/projects/demo-shop/environments/production/experiments/free-shipping-banner-test",
                               headers=writer(mock), params={"expand": "treatments"}).json()["currentIteration"]["treatments"]
        semantic_patch(mock, "free-shipping-banner-test", {"kind": "stopIteration", "winningTreatmentId": treatments[1]["_id"]})
        assert json.loads(process.stdout.readline()) == {"seen": True}
        assert process.wait(20) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()


def test_the_node_sdks_tracked_events_land_in_the_journal(node, mock):
    run(node, request(mock, "production", [], stream=False, track={"key": "order-value", "context": user("buyer-2"), "value": 19.9}))
    posted = lambda: mock.runtime.journal.entries(Filter.of({"operationId": "ldSdkPostEvents", "status": 202}))  # noqa: E731
    mine = lambda: [e for entry in posted() for e in entry["request"]["body"] if e.get("kind") == "custom" and e["context"]["key"] == "buyer-2"]  # noqa: E731
    wait_for(lambda: bool(mine()))
    assert mine()[0]["key"] == "order-value" and mine()[0]["metricValue"] == 19.9
