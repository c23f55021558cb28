"""The control plane over HTTP, as a test suite or a demo operator uses it: the journal says
exactly which calls were made, fault rules break the next calls on purpose (in the vendor's
own error shape) and then stop, and snapshots put the whole state back."""

from __future__ import annotations

import time
from typing import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.contract.runner import PHASES, run
from mockexp.control.ratelimits import Limit, RateLimits, TooManyRequests
from mockexp.store import Store
from mockexp.vendors import ALL
from tests.conftest import LiveServer, credential

JSON = {"Content-Type": "application/json"}
pytestmark = pytest.mark.vendors("giosg")


@pytest.fixture
def giosg(mock) -> dict:
    found = credential(mock.runtime, "giosg", can_write=True)
    return {"headers": {found["header"]: found["value"]}, "base": f"/api/v5/orgs/{found['tenant']['organization_id']}/experiments"}


@pytest.fixture
def journal(http: httpx.Client) -> httpx.Client:
    assert http.delete("/__mockexp/requests", headers=JSON).status_code == 200
    return http


@pytest.fixture
def raw(mock) -> Iterator[httpx.Client]:
    """A client that does not check answers against the spec: injected faults are, on purpose, answers the spec does not document."""
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        yield client


def create(http: httpx.Client, giosg: dict, name: str = "Banner") -> httpx.Response:
    return http.post(giosg["base"], headers=giosg["headers"], json={"is_draft": True, "name": name})


def put_faults(http: httpx.Client, *rules: dict) -> httpx.Response:
    return http.put("/__mockexp/faults", headers=JSON, json={"rules": list(rules)})


# -- the journal ------------------------------------------------------------------------------


def test_the_journal_shows_each_call_with_its_operation_masked_credential_and_body(journal, giosg):
    create(journal, giosg)
    journal.get(giosg["base"], headers=giosg["headers"], params={"page_size": 2})

    entries = journal.get("/__mockexp/requests", params={"vendor": "giosg"}).json()["requests"]

    assert [(e["operationId"], e["method"], e["status"]) for e in entries] == [("createExperiment", "POST", 201), ("listExperiments", "GET", 200)]
    first = entries[0]
    assert first["request"]["body"] == {"is_draft": True, "name": "Banner"} and first["request"]["headers"]["authorization"] == "Token ****"
    assert entries[1]["query"] == {"page_size": "2"} and entries[1]["response"]["body_size"] > 0
    assert all(e["path"].startswith("/api/v5/orgs/") for e in entries)


def test_counting_calls_lets_a_test_assert_its_code_created_exactly_once(journal, giosg):
    create(journal, giosg)
    create(journal, giosg, name="Second")

    count = journal.post("/__mockexp/requests/count", headers=JSON, json={"vendor": "giosg", "operationId": "createExperiment", "status": 201})

    assert count.json() == {"count": 2}
    assert journal.post("/__mockexp/requests/count", headers=JSON, json={"method": "delete"}).json() == {"count": 0}


def test_journal_filters_by_path_prefix_status_and_time(journal, giosg, mock):
    create(journal, giosg)
    journal.get(giosg["base"] + "/not-an-id", headers=giosg["headers"])
    later = (mock.runtime.clock.now() + timedelta(seconds=1)).isoformat()

    assert [e["status"] for e in journal.get("/__mockexp/requests", params={"path": giosg["base"] + "/"}).json()["requests"]] == [404]
    assert len(journal.get("/__mockexp/requests", params={"status": 201}).json()["requests"]) == 1
    assert journal.get("/__mockexp/requests", params={"since": later}).json()["requests"] == []
    assert journal.get("/__mockexp/requests", params={"since": "yesterday"}).status_code == 400


def test_clearing_the_journal_empties_it(journal, giosg):
    create(journal, giosg)
    assert journal.delete("/__mockexp/requests", headers=JSON).json() == {"cleared": 1}
    assert journal.get("/__mockexp/requests").json()["requests"] == []


def test_a_full_journal_drops_the_oldest_and_counts_them():
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]], journal_size=3)
    runtime.seed()
    who = next(c for c in runtime.credentials() if c.can_write)
    with LiveServer(runtime) as server, httpx.Client(base_url=server.url) as http:
        for page_size in range(1, 6):
            http.get(f"/api/v5/orgs/{who.tenant['organization_id']}/experiments", headers={who.header: who.value}, params={"page_size": page_size})
        listed = http.get("/__mockexp/requests").json()

    assert [e["query"]["page_size"] for e in listed["requests"]] == ["3", "4", "5"]
    assert (listed["dropped"], listed["capacity"]) == (2, 3)


# -- faults -----------------------------------------------------------------------------------


def test_an_injected_503_on_the_next_create_then_the_retry_succeeds(http, raw, giosg, mock):
    installed = put_faults(http, {"vendor": "giosg", "operationId": "createExperiment", "status": 503, "headers": {"Retry-After": "1"}, "times": 1})
    assert installed.status_code == 200, installed.text
    before = mock.runtime.store.vendor("giosg").dump()

    failed = create(raw, giosg)
    assert (failed.status_code, failed.headers["retry-after"]) == (503, "1")
    assert set(failed.json()) == {"detail"}                          # Giosg's own error shape
    assert mock.runtime.store.vendor("giosg").dump() == before      # nothing was made

    assert create(http, giosg).status_code == 201
    assert http.get("/__mockexp/faults").json()["rules"][0]["hits"] == 1


def test_a_dropped_connection_gets_no_answer_and_the_next_call_works(http, giosg):
    put_faults(http, {"vendor": "giosg", "method": "GET", "drop": True, "times": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(giosg["base"], headers=giosg["headers"])
    assert http.get(giosg["base"], headers=giosg["headers"]).status_code == 200


def test_latency_delays_the_answer_by_at_least_its_minimum(http, giosg):
    put_faults(http, {"path": giosg["base"], "latency_ms": [150, 200]})
    started = time.monotonic()
    assert http.get(giosg["base"], headers=giosg["headers"]).status_code == 200
    assert time.monotonic() - started >= 0.15


def test_a_seeded_probability_fails_the_same_requests_every_run(http, raw, giosg):
    def statuses() -> list[int]:
        put_faults(http, {"vendor": "giosg", "method": "GET", "status": 500, "probability": 0.5, "seed": 7})
        return [raw.get(giosg["base"], headers=giosg["headers"]).status_code for _ in range(12)]

    first = statuses()
    assert set(first) == {200, 500} and statuses() == first


def test_a_patch_changes_the_answer_as_a_deviating_real_api_would_and_nothing_stored(http, raw, giosg, mock):
    put_faults(http, {"vendor": "giosg", "operationId": "createExperiment", "patch": {"name": 42, "is_draft": None}, "times": 1})
    patched = create(raw, giosg, name="Patched on the way out")
    assert patched.status_code == 201 and patched.json()["name"] == 42 and "is_draft" not in patched.json()
    assert int(patched.headers["content-length"]) == len(patched.content)
    stored = raw.get(f"{giosg['base']}/{patched.json()['id']}", headers=giosg["headers"]).json()
    assert stored["name"] == "Patched on the way out" and stored["is_draft"] is True


@pytest.mark.parametrize("rule, field", [({"vendor": "giosg"}, "rules[0]"), ({"latency_ms": [300, 100]}, "rules[0].latency_ms"),
                                         ({"status": 503, "drop": True}, "rules[0]"), ({"status": 500, "patch": {"a": 1}}, "rules[0].patch")])
def test_a_rule_that_does_nothing_or_contradicts_itself_is_400(http, rule, field):
    response = put_faults(http, rule)
    assert response.status_code == 400 and field in response.text, response.text
    assert http.get("/__mockexp/faults").json()["rules"] == []


def test_faults_can_be_removed(http, giosg):
    put_faults(http, {"vendor": "giosg", "status": 500})
    assert http.delete("/__mockexp/faults", headers=JSON).json() == {"rules": []}
    assert http.get(giosg["base"], headers=giosg["headers"]).status_code == 200


# -- snapshots --------------------------------------------------------------------------------


def test_a_snapshot_puts_back_the_state_it_saved(http, giosg, mock):
    saved = http.post("/__mockexp/snapshots", headers=JSON, json={"name": "before-the-demo"})
    assert saved.status_code == 200 and saved.json()["objects"] > 0 and "giosg" in saved.json()["vendors"]
    before = mock.runtime.store.vendor("giosg").dump()
    create(http, giosg, name="Made during the demo")
    assert mock.runtime.store.vendor("giosg").dump() != before

    restored = http.post("/__mockexp/snapshots/before-the-demo/restore", headers=JSON, json={})

    assert restored.status_code == 200 and mock.runtime.store.vendor("giosg").dump() == before
    assert "before-the-demo" in [s["name"] for s in http.get("/__mockexp/snapshots").json()["snapshots"]]
    assert http.delete("/__mockexp/snapshots/before-the-demo").json() == {"deleted": "before-the-demo"}
    assert http.post("/__mockexp/snapshots/before-the-demo/restore", headers=JSON, json={}).status_code == 404


def test_a_snapshot_is_kept_in_the_data_directory_across_restarts(tmp_path):
    for attempt in range(2):
        store = Store(tmp_path)
        runtime = Runtime(store, Clock(), [ALL["giosg"]])
        runtime.seed()
        with LiveServer(runtime) as server, httpx.Client(base_url=server.url) as http:
            if attempt == 0:
                assert http.post("/__mockexp/snapshots", headers=JSON, json={"name": "show"}).status_code == 200
            else:
                assert [s["name"] for s in http.get("/__mockexp/snapshots").json()["snapshots"]] == ["show"]
                assert http.post("/__mockexp/snapshots/show/restore", headers=JSON, json={}).status_code == 200
        store.close()
    assert (tmp_path / "snapshots" / "show.json").is_file()


def test_a_snapshot_name_of_the_wrong_shape_is_400(http):
    assert http.post("/__mockexp/snapshots", headers=JSON, json={"name": "../etc/passwd"}).status_code == 400


# -- the admin API honours its spec -----------------------------------------------------------


def test_schemathesis_passes_on_the_admin_api():
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    with LiveServer(runtime) as server:
        report = run(runtime.admin_spec, server.url + runtime.admin_spec.base_path, headers={}, max_examples=3, seed=20261123)
    assert report.ok, report.table()
    assert report.phases_run() == set(PHASES), report.phases



def test_the_root_lists_every_vendor_with_its_swagger_ui_and_the_admin_api_and_a_browser_gets_the_console(http, mock):
    found = http.get("/").json()
    assert [v["name"] for v in found["vendors"]] == list(mock.runtime.vendors)
    for vendor in found["vendors"]:
        assert http.get(vendor["ui"]).status_code == 200
        spec = http.get(vendor["ui"].rstrip("/").removesuffix("/ui") + "/openapi.json")
        assert spec.status_code == 200 and spec.json()["paths"], vendor["ui"]
    assert http.get(found["admin"]["credentials"]).status_code == 200
    page = http.get("/", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "<title>mockexp console</title>" in page.text


# -- rate limits ------------------------------------------------------------------------------


@pytest.mark.vendors("posthog")
def test_past_posthogs_rate_limit_a_key_gets_429_with_retry_after_until_the_window_passes(http, raw, mock):
    key = {"Authorization": credential(mock.runtime, "posthog", role="all scopes")["value"]}
    switched = http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["posthog"], "enabled": True})
    assert switched.status_code == 200
    assert {"vendor": "posthog", "enabled": True, "limit": 480, "window_seconds": 60.0,
            "limits": [{"limit": 480, "window_seconds": 60.0, "per": "key"}, {"limit": 4800, "window_seconds": 3600.0, "per": "key"}]} in switched.json()["vendors"]
    try:
        mock.runtime.clock.freeze(mock.runtime.clock.now())
        statuses = [raw.get("/api/projects/1/experiments/", headers=key).status_code for _ in range(481)]
        refused = raw.get("/api/projects/1/experiments/", headers=key)
        other_key = raw.get("/api/projects/1/experiments/", headers={"Authorization": credential(mock.runtime, "posthog", role="experiment:read only")["value"]})

        assert statuses[:480] == [200] * 480 and statuses[480] == 429
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert refused.json()["type"] == "throttled_error" and "throttled" in refused.json()["detail"]
        assert other_key.status_code == 200                     # counted per key

        mock.runtime.clock.advance(60)
        assert raw.get("/api/projects/1/experiments/", headers=key).status_code == 200
    finally:
        http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["posthog"], "enabled": False})


@pytest.mark.vendors("posthog")
def test_posthogs_rate_limit_does_not_count_its_sdk_endpoints(http, raw, mock):
    """The limit PostHog's API declares is its API's: an app's SDK evaluating flags is not throttled by it."""
    token = next(c.value for c in mock.runtime.credentials() if c.vendor == "posthog" and c.role == "project-api-key")
    assert http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["posthog"], "enabled": True}).status_code == 200
    try:
        mock.runtime.clock.freeze(mock.runtime.clock.now())
        statuses = {raw.post("/flags/?v=4", json={"token": token, "distinct_id": f"u{n}"}).status_code for n in range(481)}
        assert statuses == {200}
    finally:
        http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["posthog"], "enabled": False})
        mock.runtime.clock.run_real()


def test_a_vendor_without_a_declared_rate_limit_cannot_be_switched_on(http):
    response = http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["giosg"], "enabled": True})
    assert response.status_code == 400 and "giosg" in response.text


@pytest.mark.vendors("launchdarkly")
def test_launchdarklys_rate_limit_per_route_sends_its_remaining_and_reset_headers(http, raw, mock):
    found = credential(mock.runtime, "launchdarkly", can_write=True)
    url = f"/api/v2/projects/{found['tenant']['projectKey']}/environments/{found['tenant']['environmentKey']}/experiments"
    http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["launchdarkly"], "enabled": True})
    try:
        mock.runtime.clock.freeze(mock.runtime.clock.now())
        first = raw.get(url, headers={found["header"]: found["value"]})
        answers = [raw.get(url, headers={found["header"]: found["value"]}) for _ in range(100)]
        other_route = raw.get(f"/api/v2/flags/{found['tenant']['projectKey']}", headers={found["header"]: found["value"]})
    finally:
        http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["launchdarkly"], "enabled": False})

    assert first.status_code == 200 and first.headers["x-ratelimit-route-remaining"] == "99"
    assert int(first.headers["x-ratelimit-reset"]) > 1_000_000_000_000  # Unix milliseconds
    refused = answers[-1]
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_requests" and "retry-after" in refused.headers
    assert other_route.status_code == 200 and other_route.headers["x-ratelimit-route-remaining"] == "99"  # counted per route


@pytest.mark.vendors("growthbook")
def test_growthbooks_sixty_a_minute_gives_the_61st_request_a_429_and_the_next_minute_a_200(http, raw, mock):
    key = {"Authorization": "Bearer secret_mockexp_demo_admin"}
    http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["growthbook"], "enabled": True})
    try:
        mock.runtime.clock.freeze(mock.runtime.clock.now())
        statuses = [raw.get("/api/v1/projects", headers=key).status_code for _ in range(61)]
        refused = raw.get("/api/v1/projects", headers=key)
        mock.runtime.clock.advance(60)
        later = raw.get("/api/v1/projects", headers=key)
    finally:
        http.put("/__mockexp/rate-limits", headers=JSON, json={"vendors": ["growthbook"], "enabled": False})

    assert statuses == [200] * 60 + [429]
    assert set(refused.json()) == {"message"} and 1 <= int(refused.headers["retry-after"]) <= 60
    assert later.status_code == 200


def test_posthogs_hourly_limit_refuses_a_key_that_kept_under_the_minute_limit():

    clock = Clock()
    clock.freeze(datetime(2026, 6, 1, tzinfo=timezone.utc))
    limits = RateLimits(clock, {"posthog": Limit.all_of([{"limit": 480, "window": 60}, {"limit": 4800, "window": 3600}])})
    limits.switch(["posthog"], True)
    for _minute in range(10):
        for _ in range(480):
            limits.take("posthog", "phx_key")
        clock.advance(60)
    with pytest.raises(TooManyRequests) as refused:
        limits.take("posthog", "phx_key")
    assert "4800 per hour" in refused.value.message and 2900 <= int(refused.value.headers["Retry-After"]) <= 3000
    assert limits.take("posthog", "another_key") == {}  # other keys have their own hour
    clock.advance(3000)
    assert limits.take("posthog", "phx_key") == {}



def _changes_that_need_no_input() -> list:
    """Each admin change (POST / PUT / PATCH) whose body, if it has one, requires no field."""
    from mockexp.specs import load_named  # noqa: PLC0415 (read at collection, once)

    found = []
    for operation in load_named("mockexp-admin.yaml").operations:
        body = operation.definition.get("requestBody")
        schema = ((body or {}).get("content", {}).get("application/json") or {}).get("schema") or {}
        if operation.method.upper() in ("POST", "PUT", "PATCH") and not schema.get("required") and not schema.get("minProperties"):
            found.append(pytest.param(operation, id=operation.operation_id))
    return found


@pytest.mark.parametrize("operation", _changes_that_need_no_input())
def test_every_admin_change_that_needs_no_input_takes_an_empty_body(http, operation):
    assert operation.definition.get("requestBody", {}).get("required") is not True, "the spec must not require a body it needs nothing from"
    if operation.operation_id == "restoreSnapshot":
        assert http.post("/__mockexp/snapshots", headers=JSON, json={"name": "empty-body"}).status_code == 200
    path = operation.path.replace("{name}", "empty-body")

    response = http.request(operation.method.upper(), f"/__mockexp{path}", headers=JSON)  # no body at all

    assert response.status_code == 200, response.text


def test_restoring_an_unknown_snapshot_without_a_body_is_404(http):
    response = http.post("/__mockexp/snapshots/never-saved/restore", headers=JSON)
    assert response.status_code == 404, response.text
