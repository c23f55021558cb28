"""LaunchDarkly's official server-side Python SDK (PyPI `launchdarkly-server-sdk`), unmodified,
given the mock's URL as its base, stream and events URIs and a demo environment's SDK key:
it evaluates the demo flags as LaunchDarkly's rules give (polling and streaming), follows an
experiment started and stopped through the REST API without a new client, and its events land
in the request journal. Plus the SDK endpoints' answers to bad input, over plain HTTP."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import Callable, Iterator

import httpx
import pytest
from ldclient import Context
from ldclient.client import LDClient
from ldclient.config import Config

from mockexp.control.journal import Filter
from tests.vendors.launchdarkly.sdk_cases import Case, demo_cases, experiment_members, mobile_cases, rule_country, sdk_key, user, writer

SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch"
EXPERIMENTS = "/api/v2/projects/demo-shop/environments/{environment}/experiments"


@contextlib.contextmanager
def client(mock, environment: str = "production", *, stream: bool, project: str = "demo-shop", events: bool = False) -> Iterator[LDClient]:
    config = Config(sdk_key(mock, environment, project), base_uri=mock.url, stream_uri=mock.url, events_uri=mock.url, stream=stream,
                    send_events=events, diagnostic_opt_out=True)
    sdk = LDClient(config, start_wait=10)
    try:
        assert sdk.is_initialized()
        yield sdk
    finally:
        sdk.close()


def evaluated(sdk: LDClient, case: Case) -> tuple:
    detail = sdk.variation_detail(case.flag, Context.from_dict(case.context), case.default)
    return detail.value, detail.reason["kind"], bool(detail.reason.get("inExperiment"))


def expected(case: Case) -> tuple:
    return case.value, case.reason, case.in_experiment


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> float:
    """Seconds until `check()` held (fails after `seconds`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not seen in time"
        time.sleep(0.02)
    return time.monotonic() - started


def semantic_patch(mock, key: str, *instructions: dict, environment: str = "production") -> dict:
    response = httpx.patch(mock.url + EXPERIMENTS.format(environment=environment) + f"/{key}", headers={**writer(mock), "Content-Type": SEMANTIC_PATCH},
                           content=json.dumps({"instructions": list(instructions)}))
    assert response.status_code == 200, response.text
    return response.json()


def in_experiment_share(sdk: LDClient, flag: str, contexts: list[Context]) -> tuple[float, dict]:
    """The share of contexts in the experiment, and of each value among those in it."""
    inside: dict = {}
    for context in contexts:
        detail = sdk.variation_detail(flag, context, None)
        if detail.reason.get("inExperiment"):
            inside[detail.value] = inside.get(detail.value, 0) + 1
    count = sum(inside.values())
    return count / len(contexts), {value: n / len(contexts) for value, n in inside.items()}


# -- evaluation --------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
def test_the_python_sdk_evaluates_every_demo_flag_as_launchdarklys_rules_give(mock, stream):
    cases = demo_cases(mock)
    for environment in ("production", "test"):
        with client(mock, environment, stream=stream) as sdk:
            for case in (c for c in cases if c.environment == environment):
                assert evaluated(sdk, case) == expected(case), case.label()


def test_an_experiment_randomized_by_device_buckets_by_the_device(mock):
    with client(mock, project="mobile-app", stream=False) as sdk:
        for case in mobile_cases(mock):
            assert evaluated(sdk, case) == expected(case), case.label()


def test_polling_sends_the_etag_back_and_gets_304_while_nothing_changed(mock):
    key = sdk_key(mock, "production")
    first = httpx.get(mock.url + "/sdk/latest-all", headers={"Authorization": key})
    assert first.status_code == 200 and first.headers["etag"]
    again = httpx.get(mock.url + "/sdk/latest-all", headers={"Authorization": key, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    semantic_patch(mock, "free-shipping-banner-test", {"kind": "startIteration"})
    changed = httpx.get(mock.url + "/sdk/latest-all", headers={"Authorization": key, "If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert changed.json()["flags"]["free-shipping-banner"]["version"] == first.json()["flags"]["free-shipping-banner"]["version"] + 1


# -- experiments -------------------------------------------------------------------------------


def test_an_experiment_started_through_the_rest_api_puts_its_share_of_an_open_clients_contexts_in_it_and_stopping_takes_them_out(mock):
    keys = [f"visitor-{n}" for n in range(1000)]
    contexts = [Context.from_dict(user(key)) for key in keys]
    with client(mock, stream=True) as sdk:
        assert in_experiment_share(sdk, "free-shipping-banner", contexts)[0] == 0
        semantic_patch(mock, "free-shipping-banner-test", {"kind": "startIteration"})
        probe = Context.from_dict(user(experiment_members(mock, "free-shipping-banner", "production", keys)[0]))
        wait_for(lambda: sdk.variation_detail("free-shipping-banner", probe, None).reason.get("inExperiment"))
        share, values = in_experiment_share(sdk, "free-shipping-banner", contexts)
        # the iteration splits its traffic 50/50, and the experiment has 40% of the traffic (its reservation in the checkout-flow layer)
        assert share == pytest.approx(0.4, abs=0.05)
        assert values[False] == pytest.approx(0.2, abs=0.04) and values[True] == pytest.approx(0.2, abs=0.04)
        treatments = httpx.get(mock.url + EXPERIMENTS.format(environment="production") + "/free-shipping-banner-test",
                               headers=writer(mock), params={"expand": "treatments"}).json()["currentIteration"]["treatments"]
        shown = next(t["_id"] for t in treatments if not t["baseline"])
        semantic_patch(mock, "free-shipping-banner-test", {"kind": "stopIteration", "winningTreatmentId": shown})
        wait_for(lambda: not sdk.variation_detail("free-shipping-banner", probe, None).reason.get("inExperiment"))
        assert in_experiment_share(sdk, "free-shipping-banner", contexts)[0] == 0
        assert {sdk.variation("free-shipping-banner", context, None) for context in contexts} == {True}  # the winner, for everyone


def test_an_experiment_allocating_part_of_the_traffic_puts_that_share_of_contexts_in_it(mock):
    flag = mock.runtime.models["launchdarkly"].flag("demo-shop", "free-shipping-banner")
    hidden, shown = (v["_id"] for v in flag["variations"])
    body = {"key": "banner-on-everyone", "name": "Banner for everyone", "iteration": {
        "hypothesis": "The banner lifts orders", "metrics": [{"key": "order-value"}], "randomizationUnit": "user",
        "treatments": [{"name": "Hidden", "baseline": True, "allocationPercent": "20", "parameters": [{"flagKey": "free-shipping-banner", "variationId": hidden}]},
                       {"name": "Shown", "baseline": False, "allocationPercent": "30", "parameters": [{"flagKey": "free-shipping-banner", "variationId": shown}]}],
        "flags": {"free-shipping-banner": {"ruleId": "fallthrough", "flagConfigVersion": 1}}}}
    created = httpx.post(mock.url + EXPERIMENTS.format(environment="test"), headers=writer(mock), json=body)
    assert created.status_code == 201, created.text
    contexts = [Context.from_dict(user(f"visitor-{n}")) for n in range(1000)]
    with client(mock, "test", stream=True) as sdk:
        semantic_patch(mock, "banner-on-everyone", {"kind": "startIteration"}, environment="test")
        wait_for(lambda: in_experiment_share(sdk, "free-shipping-banner", contexts[:100])[0] > 0)
        share, values = in_experiment_share(sdk, "free-shipping-banner", contexts)
    assert share == pytest.approx(0.5, abs=0.05)
    assert values[False] == pytest.approx(0.2, abs=0.04) and values[True] == pytest.approx(0.3, abs=0.04)


# -- events ------------------------------------------------------------------------------------


def test_track_and_flush_land_in_the_journal(mock):
    with client(mock, stream=False, events=True) as sdk:
        sdk.track("checkout-completed", Context.from_dict(user("buyer-1")), metric_value=42.5)
        sdk.flush()
        posted = lambda: mock.runtime.journal.entries(Filter.of({"operationId": "ldSdkPostEvents", "status": 202}))  # noqa: E731
        mine = lambda: [(entry, e) for entry in posted() for e in entry["request"]["body"] if e.get("kind") == "custom" and e["context"]["key"] == "buyer-1"]  # noqa: E731
        wait_for(lambda: bool(mine()))
    entry, custom = mine()[0]
    assert custom["key"] == "checkout-completed" and custom["metricValue"] == 42.5
    assert entry["status"] == 202


# -- bad input ---------------------------------------------------------------------------------


def assert_launchdarkly_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"} and body["message"]
    return body["message"]


@pytest.mark.parametrize("path", ["/sdk/latest-all", "/all"])
def test_a_missing_unknown_or_mobile_key_is_refused_with_401(mock, path):
    environment = mock.runtime.models["launchdarkly"].get_environment("demo-shop", "production")
    assert "Authorization" in assert_launchdarkly_error(httpx.get(mock.url + path), 401)
    assert_launchdarkly_error(httpx.get(mock.url + path, headers={"Authorization": "sdk-00000000-0000-0000-0000-000000000000"}), 401)
    assert "mobile key" in assert_launchdarkly_error(httpx.get(mock.url + path, headers={"Authorization": environment["mobileKey"]}), 401)
    assert_launchdarkly_error(httpx.get(mock.url + path, headers={"Authorization": "api-mockexp-demo-writer"}), 401)  # a REST API token


def test_events_that_are_not_json_or_not_events_are_refused_with_400(mock):
    key = sdk_key(mock, "production")
    headers = {"Authorization": key, "Content-Type": "application/json"}
    assert_launchdarkly_error(httpx.post(mock.url + "/bulk", headers=headers, content=b"[{not json"), 400)
    assert_launchdarkly_error(httpx.post(mock.url + "/bulk", headers=headers, json={"kind": "custom"}), 400)  # not an array
    assert_launchdarkly_error(httpx.post(mock.url + "/diagnostic", headers=headers, content=b"nope"), 400)
    assert httpx.post(mock.url + "/diagnostic", headers=headers, json={"kind": "diagnostic", "creationDate": 1}).status_code == 202


def test_an_sdk_key_is_refused_by_the_rest_api(mock):
    response = httpx.get(mock.url + "/api/v2/projects/demo-shop", headers={"Authorization": sdk_key(mock, "production")})
    assert_launchdarkly_error(response, 401)


def test_a_stream_whose_client_stops_reading_does_not_hold_up_the_others(mock):
    key = sdk_key(mock, "production")
    stalled = socket.create_connection(("127.0.0.1", mock.port))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.sendall(f"GET /all HTTP/1.1\r\nHost: mock\r\nAuthorization: {key}\r\n\r\n".encode())
    try:
        with client(mock, stream=True) as sdk:
            for _ in range(3):
                semantic_patch(mock, "free-shipping-banner-test", {"kind": "startIteration", "changeJustification": "Again"})
                probe = Context.from_dict(user(experiment_members(mock, "free-shipping-banner", "production", [f"v{n}" for n in range(20)])[0]))
                wait_for(lambda: sdk.variation_detail("free-shipping-banner", probe, None).reason.get("inExperiment"))
                mock.runtime.reset(["launchdarkly"])
                wait_for(lambda: not sdk.variation_detail("free-shipping-banner", probe, None).reason.get("inExperiment"))
    finally:
        stalled.close()
