"""Every LaunchDarkly rule, over plain HTTP through the running mock, with the demo credentials.

The demo project `demo-shop` has, in its `production` environment, one experiment in each
state: a draft (free-shipping-banner-test), running (checkout-button-test, in the
checkout-flow layer), stopped (search-ranking-test), running its second iteration
(basket-size-test) and archived (holiday-banner-test).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import httpx
import pytest

from mockexp.vendors.launchdarkly.models import EXPERIMENTS

SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch"
FROZEN = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=timezone.utc)
FROZEN_MS = 1772443815123

DRAFT, RUNNING, STOPPED, SECOND, ARCHIVED = "free-shipping-banner-test", "checkout-button-test", "search-ranking-test", "basket-size-test", "holiday-banner-test"


# -- helpers ---------------------------------------------------------------------------------------


def auth(credential: dict) -> dict:
    return {credential["header"]: credential["value"]}


def base(credential: dict, project: str | None = None, environment: str | None = None) -> str:
    project = project or credential["tenant"]["projectKey"]
    environment = environment or credential["tenant"]["environmentKey"]
    return f"/api/v2/projects/{project}/environments/{environment}/experiments"


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """A 4xx in LaunchDarkly's shape: JSON `{"code", "message"}` and nothing else."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    body = response.json()
    assert set(body) == {"code", "message"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body["message"]


@pytest.fixture
def url(ld_writer: dict) -> str:
    return base(ld_writer)


@pytest.fixture
def writer(ld_writer: dict) -> dict:
    return auth(ld_writer)


@pytest.fixture
def frozen(mock):
    mock.runtime.clock.freeze(FROZEN)
    yield
    mock.runtime.clock.run_real()


def stored(mock, key: str, project: str = "demo-shop", environment: str = "production") -> dict | None:
    return mock.runtime.models["launchdarkly"].environment(project, environment).get(EXPERIMENTS, key)


def all_stored(mock) -> dict:
    """Everything LaunchDarkly holds."""
    return mock.runtime.store.vendor("launchdarkly").dump()


def flag(mock, key: str) -> dict:
    return mock.runtime.models["launchdarkly"].flag("demo-shop", key)


def iteration_body(mock, flag_key: str = "checkout-button", **changes) -> dict:
    """A valid iteration for one of the demo flags: its first variation (baseline) against its
    second, 50/50, measured by checkout-completed (primary) and order-value."""
    variations = flag(mock, flag_key)["variations"]
    body = {
        "hypothesis": "The change lifts completed checkouts",
        "metrics": [{"key": "checkout-completed"}, {"key": "order-value"}],
        "primarySingleMetricKey": "checkout-completed",
        "randomizationUnit": "user",
        "treatments": [
            {"name": variations[0]["name"], "baseline": True, "allocationPercent": "50", "parameters": [{"flagKey": flag_key, "variationId": variations[0]["_id"]}]},
            {"name": variations[1]["name"], "baseline": False, "allocationPercent": "50", "parameters": [{"flagKey": flag_key, "variationId": variations[1]["_id"]}]},
        ],
        "flags": {flag_key: {"ruleId": "fallthrough", "flagConfigVersion": 1}},
    }
    body.update(changes)
    return body


def experiment_body(mock, key: str = "new-test", **changes) -> dict:
    body = {"key": key, "name": "New test", "iteration": iteration_body(mock)}
    body.update(changes)
    return body


def get(http: httpx.Client, url: str, headers: dict, key: str, expand: str | None = None) -> dict:
    response = http.get(f"{url}/{key}", headers=headers, params={"expand": expand} if expand else None)
    assert response.status_code == 200, response.text
    return response.json()


def patch(http: httpx.Client, url: str, headers: dict, key: str, *instructions: dict, content_type: str = SEMANTIC_PATCH) -> httpx.Response:
    return http.patch(f"{url}/{key}", headers={**headers, "Content-Type": content_type}, content=json.dumps({"instructions": list(instructions)}))


def patched(http: httpx.Client, url: str, headers: dict, key: str, *instructions: dict) -> dict:
    response = patch(http, url, headers, key, *instructions)
    assert response.status_code == 200, response.text
    return response.json()


def treatments(http: httpx.Client, url: str, headers: dict, key: str) -> list[str]:
    return [t["_id"] for t in get(http, url, headers, key, "treatments")["currentIteration"]["treatments"]]


# -- the demo world --------------------------------------------------------------------------------


def test_the_demo_environment_has_experiments_in_draft_running_stopped_and_archived_states(http, url, writer):
    response = http.get(url, headers=writer, params={"lifecycleState": "active,archived"})
    assert response.status_code == 200
    states = {}
    for item in response.json()["items"]:
        current = item.get("currentIteration")
        states[item["key"]] = "archived" if "archivedDate" in item else (current["status"] if current else "not_started")
    assert states == {DRAFT: "not_started", RUNNING: "running", STOPPED: "stopped", SECOND: "running", ARCHIVED: "archived"}


def test_the_credentials_endpoint_lists_the_launchdarkly_tokens(http):
    listed = [c for c in http.get("/__mockexp/credentials").json() if c["vendor"] == "launchdarkly" and c["spec"] is None]  # the SDK keys: test_sdk_models
    assert {c["value"] for c in listed} == {"api-mockexp-demo-writer", "api-mockexp-demo-reader", "api-mockexp-demo-mobile-writer"}
    for credential in listed:
        assert credential["header"] == "Authorization"
        assert not credential["value"].startswith(("Bearer", "Token"))
        assert credential["tenant"]["projectKey"] and credential["tenant"]["environmentKey"]
        response = http.get(base(credential), headers=auth(credential))
        assert response.status_code == 200, response.text
        assert response.json()["total_count"] > 0


# -- list ------------------------------------------------------------------------------------------


def test_list_is_an_items_envelope_newest_first_without_archived_experiments(http, url, writer):
    response = http.get(url, headers=writer)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"items", "total_count", "_links"}
    assert [item["key"] for item in body["items"]] == [DRAFT, RUNNING, SECOND, STOPPED]
    assert body["total_count"] == 4
    dates = [item["_creationDate"] for item in body["items"]]
    assert dates == sorted(dates, reverse=True)
    assert body["_links"]["self"]["href"] == f"{url}?limit=20&offset=0"


def test_archived_experiments_are_listed_only_when_lifecycle_state_asks(http, url, writer):
    archived = http.get(url, headers=writer, params={"lifecycleState": "archived"}).json()
    assert [item["key"] for item in archived["items"]] == [ARCHIVED]
    assert "archivedDate" in archived["items"][0]
    both = http.get(url, headers=writer, params={"lifecycleState": "archived,active"}).json()
    assert both["total_count"] == 5


def test_list_pages_with_limit_and_offset(http, url, writer):
    first = http.get(url, headers=writer, params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["total_count"] == 4
    assert first["_links"]["next"]["href"] == f"{url}?limit=3&offset=3"
    second = http.get(first["_links"]["next"]["href"], headers=writer).json()
    assert [item["key"] for item in second["items"]] == [STOPPED]
    assert "next" not in second["_links"] and second["_links"]["prev"]["href"] == f"{url}?limit=3&offset=0"


def test_list_filters_by_status_flag_and_metric(http, url, writer):
    def keys(filter: str) -> list[str]:
        response = http.get(url, headers=writer, params={"filter": filter})
        assert response.status_code == 200, response.text
        return sorted(item["key"] for item in response.json()["items"])

    assert keys("status:running") == [SECOND, RUNNING]
    assert keys("status:not_started") == [DRAFT]
    assert keys("status:stopped") == [STOPPED]
    assert keys("flagKey:search-ranking") == [SECOND, STOPPED]
    assert keys("metricKey:purchase-funnel") == [RUNNING]
    assert keys("flagKey:search-ranking,status:stopped") == [STOPPED]


@pytest.mark.parametrize("params", [
    {"filter": "status:paused"},
    {"filter": "owner:me"},
    {"expand": "owners"},
    {"lifecycleState": "deleted"},
    {"limit": "0"},
    {"limit": "many"},
    {"offset": "-1"},
    {"sort": "name"},
])
def test_list_refuses_bad_query_parameters(http, url, writer, params):
    message = assert_error(http.get(url, headers=writer, params=params), 400, "invalid_request")
    assert list(params)[0] in message


def test_list_items_are_the_default_representation_and_expand_adds_to_them(http, url, writer):
    plain = {item["key"]: item for item in http.get(url, headers=writer).json()["items"]}
    assert "treatments" not in plain[RUNNING]["currentIteration"]
    assert "draftIteration" not in plain[DRAFT] and "previousIterations" not in plain[SECOND]
    expanded = {item["key"]: item for item in http.get(url, headers=writer, params={"expand": "treatments,draftIteration,previousIterations,analysisConfig"}).json()["items"]}
    assert len(expanded[RUNNING]["currentIteration"]["treatments"]) == 3
    assert expanded[DRAFT]["draftIteration"]["status"] == "not_started"
    assert len(expanded[SECOND]["previousIterations"]) == 1
    assert expanded[RUNNING]["analysisConfig"] == {"bayesianThreshold": "90"}


def test_listing_an_unknown_project_or_environment_is_404(http, writer):
    assert "project" in assert_error(http.get("/api/v2/projects/nope/environments/production/experiments", headers=writer), 404, "not_found")
    assert "environment" in assert_error(http.get("/api/v2/projects/demo-shop/environments/nope/experiments", headers=writer), 404, "not_found")


# -- get -------------------------------------------------------------------------------------------


def test_get_returns_the_experiment_as_listed(http, url, writer):
    items = http.get(url, headers=writer).json()["items"]
    assert items
    for item in items:
        assert get(http, url, writer, item["key"]) == item


def test_get_expands_what_it_is_asked_for(http, url, writer):
    plain = get(http, url, writer, SECOND)
    assert "previousIterations" not in plain and "treatments" not in plain["currentIteration"] and "secondaryMetrics" not in plain["currentIteration"]
    full = get(http, url, writer, SECOND, "previousIterations,treatments,secondaryMetrics")
    assert full["previousIterations"][0]["status"] == "stopped"
    assert full["previousIterations"][0]["endedAt"] == full["currentIteration"]["startedAt"]
    assert [t["baseline"] for t in full["currentIteration"]["treatments"]] == [True, False]
    assert full["currentIteration"]["metrics"][1]["isGroup"] is True


def test_get_of_an_archived_experiment_works(http, url, writer):
    assert "archivedDate" in get(http, url, writer, ARCHIVED)


def test_get_of_an_unknown_experiment_or_a_malformed_key_is_404(http, url, writer):
    assert "nope" in assert_error(http.get(f"{url}/nope", headers=writer), 404, "not_found")
    assert_error(http.get(f"{url}/-not-a-key", headers=writer), 404, "not_found")


# -- create ----------------------------------------------------------------------------------------


def test_create_answers_201_with_the_draft_iteration_and_server_set_fields(http, mock, url, writer, ld_writer, frozen):
    response = http.post(url, headers=writer, json=experiment_body(mock))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    created = response.json()
    assert re.fullmatch(r"[0-9a-f]{24}", created["_id"])
    assert created["_creationDate"] == FROZEN_MS
    assert created["_maintainerId"] == mock.runtime.models["launchdarkly"].authenticate(ld_writer["value"])["memberId"]
    assert created["_links"]["self"]["href"] == f"{url}/new-test"
    assert "currentIteration" not in created
    draft = created["draftIteration"]
    assert (draft["status"], draft["createdAt"], draft["version"]) == ("not_started", FROZEN_MS, 0)
    assert len(draft["treatments"]) == 2
    assert get(http, url, writer, "new-test", "draftIteration,treatments,secondaryMetrics") == created


def test_the_spec_example_creates_an_experiment_in_the_demo_world(http, mock, url, writer):
    spec = mock.runtime.specs["launchdarkly"].document
    example = spec["paths"]["/projects/{projectKey}/environments/{environmentKey}/experiments"]["post"]["requestBody"]["content"]["application/json"]["examples"]["checkoutButton"]["value"]
    response = http.post(url, headers=writer, json=example)
    assert response.status_code == 201, response.text
    iteration = spec["paths"]["/projects/{projectKey}/environments/{environmentKey}/experiments/{experimentKey}/iterations"]["post"]["requestBody"]["content"]["application/json"]["examples"]["freeShipping"]["value"]
    response = http.post(f"{url}/{DRAFT}/iterations", headers=writer, json=iteration)
    assert response.status_code == 200, response.text


def test_create_with_a_key_already_used_in_the_environment_is_409(http, mock, url, writer):
    before = stored(mock, RUNNING)
    message = assert_error(http.post(url, headers=writer, json=experiment_body(mock, RUNNING)), 409, "conflict")
    assert RUNNING in message
    assert stored(mock, RUNNING) == before
    other_environment = base({"tenant": {"projectKey": "demo-shop", "environmentKey": "test"}})
    assert http.post(other_environment, headers=writer, json=experiment_body(mock, RUNNING)).status_code == 201


@pytest.mark.parametrize("field", ["name", "key", "iteration"])
def test_create_needs_name_key_and_iteration(http, mock, url, writer, field):
    body = {k: v for k, v in experiment_body(mock).items() if k != field}
    assert field in assert_error(http.post(url, headers=writer, json=body), 400, "invalid_request")


@pytest.mark.parametrize("field", ["hypothesis", "metrics", "treatments", "flags"])
def test_create_needs_an_iteration_with_hypothesis_metrics_treatments_and_flags(http, mock, url, writer, field):
    body = experiment_body(mock, iteration={k: v for k, v in iteration_body(mock).items() if k != field})
    assert f"iteration.{field}" in assert_error(http.post(url, headers=writer, json=body), 400, "invalid_request")


def test_create_names_what_does_not_exist(http, mock, url, writer):
    before = all_stored(mock)
    cases = {
        "bounce-rate": iteration_body(mock, metrics=[{"key": "checkout-completed"}, {"key": "bounce-rate"}]),
        "no-such-flag": iteration_body(mock, flags={"checkout-button": {"ruleId": "fallthrough", "flagConfigVersion": 1}, "no-such-flag": {"ruleId": "fallthrough", "flagConfigVersion": 1}}),
        "0000aaaa-0000-4000-8000-000000000000": None,
        "no-such-rule": iteration_body(mock, flags={"checkout-button": {"ruleId": "no-such-rule", "flagConfigVersion": 1}}),
    }
    bad_variation = iteration_body(mock)
    bad_variation["treatments"][1]["parameters"][0]["variationId"] = "0000aaaa-0000-4000-8000-000000000000"
    cases["0000aaaa-0000-4000-8000-000000000000"] = bad_variation
    for name, iteration in cases.items():
        message = assert_error(http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration)), 400, "invalid_request")
        assert name in message, (name, message)
    assert all_stored(mock) == before


def test_create_checks_randomization_unit_against_project_and_metrics(http, mock, url, writer):
    message = assert_error(http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration_body(mock, randomizationUnit="household"))), 400, "invalid_request")
    assert "household" in message
    message = assert_error(http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration_body(mock, randomizationUnit="device"))), 400, "invalid_request")
    assert "checkout-completed" in message and "device" in message


def test_create_needs_exactly_one_baseline(http, mock, url, writer):
    iteration = iteration_body(mock)
    iteration["treatments"][1]["baseline"] = True
    assert "baseline" in assert_error(http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration)), 400, "invalid_request")


def test_create_ignores_fields_it_does_not_know(http, mock, url, writer):
    response = http.post(url, headers=writer, json={**experiment_body(mock), "colour": "green"})
    assert response.status_code == 201, response.text
    assert "colour" not in response.json()


# -- create iteration ------------------------------------------------------------------------------


def test_create_iteration_answers_200_with_a_new_draft(http, mock, url, writer, frozen):
    response = http.post(f"{url}/{RUNNING}/iterations", headers=writer, json=iteration_body(mock, hypothesis="Second round"))
    assert response.status_code == 200, response.text
    made = response.json()
    assert (made["status"], made["createdAt"], made["version"], made["hypothesis"]) == ("not_started", FROZEN_MS, 0, "Second round")
    experiment = get(http, url, writer, RUNNING, "draftIteration")
    assert experiment["draftIteration"]["_id"] == made["_id"]
    assert experiment["currentIteration"]["status"] == "running"


def test_create_iteration_of_an_unknown_experiment_is_404_and_invalid_input_400(http, mock, url, writer):
    assert_error(http.post(f"{url}/nope/iterations", headers=writer, json=iteration_body(mock)), 404, "not_found")
    before = stored(mock, RUNNING)
    message = assert_error(http.post(f"{url}/{RUNNING}/iterations", headers=writer, json=iteration_body(mock, metrics=[{"key": "nope"}], primarySingleMetricKey="nope")), 400, "invalid_request")
    assert "nope" in message
    assert stored(mock, RUNNING) == before


# -- semantic patch --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [SEMANTIC_PATCH, "application/json"])
def test_update_name_and_description_with_either_content_type(http, url, writer, content_type):
    response = patch(http, url, writer, DRAFT, {"kind": "updateName", "value": "Renamed"}, {"kind": "updateDescription", "value": "Described"}, content_type=content_type)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["description"]) == ("Renamed", "Described")
    assert (get(http, url, writer, DRAFT)["name"], get(http, url, writer, DRAFT)["description"]) == ("Renamed", "Described")


def test_a_semantic_patch_body_is_validated_against_the_spec(http, mock, url, writer):
    before = stored(mock, DRAFT)
    message = assert_error(patch(http, url, writer, DRAFT, {"kind": "updateName", "value": 42}), 400, "invalid_request")
    assert "instructions[0].value" in message
    response = http.patch(f"{url}/{DRAFT}", headers={**writer, "Content-Type": SEMANTIC_PATCH}, content=b'{"instructions": [')
    assert_error(response, 400, "invalid_request")
    assert_error(http.patch(f"{url}/{DRAFT}", headers={**writer, "Content-Type": SEMANTIC_PATCH}, content=b'{"comment": "no instructions"}'), 400, "invalid_request")
    assert stored(mock, DRAFT) == before


def test_a_patch_that_is_not_json_is_415(http, url, writer):
    response = http.patch(f"{url}/{DRAFT}", headers={**writer, "Content-Type": "text/plain"}, content=b"updateName")
    assert_error(response, 415, "unsupported_media_type")


def test_an_unknown_instruction_kind_is_400_naming_it(http, mock, url, writer):
    before = stored(mock, DRAFT)
    message = assert_error(patch(http, url, writer, DRAFT, {"kind": "updateName", "value": "ok"}, {"kind": "turnFlagOn"}), 400, "invalid_request")
    assert "instructions[1].kind" in message and "turnFlagOn" in message
    assert stored(mock, DRAFT) == before


def test_a_missing_instruction_field_is_400_naming_the_instruction(http, url, writer):
    message = assert_error(patch(http, url, writer, RUNNING, {"kind": "stopIteration", "winningReason": "Because"}), 400, "invalid_request")
    assert message == "instructions[0].winningTreatmentId: stopIteration needs a winningTreatmentId."
    message = assert_error(patch(http, url, writer, DRAFT, {"kind": "updateName"}), 400, "invalid_request")
    assert message == "instructions[0].value: updateName needs a value."


def test_instructions_apply_all_or_nothing(http, mock, url, writer):
    before = stored(mock, RUNNING)
    winner = treatments(http, url, writer, RUNNING)[0]
    response = patch(http, url, writer, RUNNING, {"kind": "updateName", "value": "Renamed"}, {"kind": "stopIteration", "winningTreatmentId": winner}, {"kind": "startIteration"})
    message = assert_error(response, 400, "invalid_request")
    assert message.startswith("instructions[2]: startIteration")
    assert stored(mock, RUNNING) == before


def test_patching_an_unknown_experiment_is_404(http, url, writer):
    assert_error(patch(http, url, writer, "nope", {"kind": "updateName", "value": "x"}), 404, "not_found")


# -- startIteration --------------------------------------------------------------------------------


def test_start_iteration_starts_the_draft(http, url, writer, frozen):
    before = get(http, url, writer, DRAFT, "draftIteration")
    started = patched(http, url, writer, DRAFT, {"kind": "startIteration"})
    current = started["currentIteration"]
    assert current["_id"] == before["draftIteration"]["_id"]
    assert (current["status"], current["startedAt"], current["version"]) == ("running", FROZEN_MS, 1)
    assert "draftIteration" not in started
    assert get(http, url, writer, DRAFT)["currentIteration"]["status"] == "running"


def test_start_iteration_needs_a_draft_iteration(http, url, writer):
    message = assert_error(patch(http, url, writer, STOPPED, {"kind": "startIteration"}), 400, "invalid_request")
    assert message.startswith("instructions[0]: startIteration") and "draft" in message


def test_start_iteration_needs_a_randomization_unit(http, mock, url, writer):
    iteration = iteration_body(mock)
    del iteration["randomizationUnit"]
    assert http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration)).status_code == 201
    message = assert_error(patch(http, url, writer, "new-test", {"kind": "startIteration"}), 400, "invalid_request")
    assert "randomizationUnit" in message
    assert "currentIteration" not in get(http, url, writer, "new-test")


@pytest.mark.parametrize("shares, status", [(("0", "0"), 400), (("0", "100"), 200), (("10", "0"), 200), (("40", "40"), 200)])
def test_start_iteration_needs_one_treatment_with_a_non_zero_allocation(http, mock, url, writer, shares, status):
    iteration = iteration_body(mock)
    for treatment, share in zip(iteration["treatments"], shares):
        treatment["allocationPercent"] = share
    assert http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration)).status_code == 201
    response = patch(http, url, writer, "new-test", {"kind": "startIteration"})
    if status == 400:
        assert "no treatment has a non-zero allocationPercent" in assert_error(response, 400, "invalid_request")
    else:
        assert response.status_code == 200, response.text


def test_create_refuses_treatments_taking_more_than_all_the_traffic(http, mock, url, writer):
    iteration = iteration_body(mock)
    iteration["treatments"][0]["allocationPercent"] = "60.5"
    message = assert_error(http.post(url, headers=writer, json=experiment_body(mock, iteration=iteration)), 400, "invalid_request")
    assert "iteration.treatments" in message and "add up to 110.5, more than 100" in message


def test_starting_while_an_iteration_runs_needs_a_justification_and_ends_the_running_one(http, mock, url, writer, frozen):
    running_id = get(http, url, writer, RUNNING)["currentIteration"]["_id"]
    assert http.post(f"{url}/{RUNNING}/iterations", headers=writer, json=iteration_body(mock, hypothesis="Second")).status_code == 200
    message = assert_error(patch(http, url, writer, RUNNING, {"kind": "startIteration"}), 400, "invalid_request")
    assert "changeJustification" in message
    started = patched(http, url, writer, RUNNING, {"kind": "startIteration", "changeJustification": "New hypothesis"})
    assert started["currentIteration"]["hypothesis"] == "Second" and started["currentIteration"]["startedAt"] == FROZEN_MS
    assert [(p["_id"], p["status"], p["endedAt"]) for p in started["previousIterations"]] == [(running_id, "stopped", FROZEN_MS)]


def test_an_archived_experiment_cannot_start_iterations(http, mock, url, writer):
    assert http.post(f"{url}/{ARCHIVED}/iterations", headers=writer, json=iteration_body(mock, "free-shipping-banner", metrics=[{"key": "checkout-completed"}])).status_code == 200
    message = assert_error(patch(http, url, writer, ARCHIVED, {"kind": "startIteration"}), 400, "invalid_request")
    assert "archived" in message
    assert get(http, url, writer, ARCHIVED)["currentIteration"]["status"] == "stopped"


# -- stopIteration ---------------------------------------------------------------------------------


def test_stop_iteration_records_winner_reason_end_and_layer(http, url, writer, frozen):
    winner = treatments(http, url, writer, RUNNING)[2]
    stopped = patched(http, url, writer, RUNNING, {"kind": "stopIteration", "winningTreatmentId": winner, "winningReason": "Clear winner"})
    current = stopped["currentIteration"]
    assert (current["status"], current["winningTreatmentId"], current["winningReason"], current["endedAt"]) == ("stopped", winner, "Clear winner", FROZEN_MS)
    assert current["layerSnapshot"] == {"key": "checkout-flow", "name": "Checkout flow", "reservationPercent": 30, "otherReservationPercent": 40}


def test_the_winner_must_be_a_treatment_of_the_current_iteration(http, mock, url, writer):
    before = stored(mock, RUNNING)
    other = treatments(http, url, writer, SECOND)[0]
    message = assert_error(patch(http, url, writer, RUNNING, {"kind": "stopIteration", "winningTreatmentId": other}), 400, "invalid_request")
    assert message.startswith("instructions[0].winningTreatmentId: stopIteration") and other in message
    assert stored(mock, RUNNING) == before


def test_stopping_without_a_running_iteration_is_400(http, url, writer):
    winner = get(http, url, writer, STOPPED, "treatments")["currentIteration"]["treatments"][0]["_id"]
    assert "no running iteration" in assert_error(patch(http, url, writer, STOPPED, {"kind": "stopIteration", "winningTreatmentId": winner}), 400, "invalid_request")


# -- archiveExperiment, restoreExperiment ----------------------------------------------------------


def test_archive_hides_from_the_list_and_restore_brings_back(http, url, writer, frozen):
    archived = patched(http, url, writer, STOPPED, {"kind": "archiveExperiment"})
    assert archived["archivedDate"] == FROZEN_MS
    assert STOPPED not in [item["key"] for item in http.get(url, headers=writer).json()["items"]]
    assert STOPPED in [item["key"] for item in http.get(url, headers=writer, params={"lifecycleState": "archived"}).json()["items"]]
    restored = patched(http, url, writer, STOPPED, {"kind": "restoreExperiment"})
    assert "archivedDate" not in restored
    assert STOPPED in [item["key"] for item in http.get(url, headers=writer).json()["items"]]


def test_a_running_experiment_cannot_be_archived(http, url, writer):
    assert "stop it" in assert_error(patch(http, url, writer, RUNNING, {"kind": "archiveExperiment"}), 400, "invalid_request")


# -- access tokens ---------------------------------------------------------------------------------


def test_a_missing_or_unknown_token_is_401(http, url, ld_writer):
    assert_error(http.get(url), 401, "unauthorized")
    assert_error(http.get(url, headers={"Authorization": "api-not-a-token"}), 401, "unauthorized")
    assert_error(http.get(url, headers={"Authorization": f"Bearer {ld_writer['value']}"}), 401, "unauthorized")


def test_a_reader_token_reads_but_gets_403_on_every_change(http, mock, url, ld_reader):
    reader = auth(ld_reader)
    assert http.get(url, headers=reader).status_code == 200
    assert http.get(f"{url}/{RUNNING}", headers=reader).status_code == 200
    before = all_stored(mock)
    assert_error(http.post(url, headers=reader, json=experiment_body(mock)), 403, "forbidden")
    assert_error(patch(http, url, reader, DRAFT, {"kind": "updateName", "value": "x"}), 403, "forbidden")
    assert_error(http.post(f"{url}/{DRAFT}/iterations", headers=reader, json=iteration_body(mock)), 403, "forbidden")
    assert all_stored(mock) == before


def test_a_token_limited_to_another_project_is_403_here_and_works_in_its_own(http, mock, url, ld_mobile):
    mobile = auth(ld_mobile)
    assert_error(http.get(url, headers=mobile), 403, "forbidden")
    assert_error(patch(http, url, mobile, DRAFT, {"kind": "updateName", "value": "x"}), 403, "forbidden")
    assert_error(http.get("/api/v2/projects/no-such-project/environments/production/experiments", headers=mobile), 403, "forbidden")
    own = base(ld_mobile)
    assert [item["key"] for item in http.get(own, headers=mobile).json()["items"]] == ["onboarding-test"]
    assert patched(http, own, mobile, "onboarding-test", {"kind": "updateName", "value": "Mobile rename"})["name"] == "Mobile rename"


def test_an_unsupported_method_is_405_in_launchdarklys_shape(http, url, writer):
    response = http.delete(f"{url}/{DRAFT}", headers=writer)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, PATCH, HEAD"


# -- the whole lifecycle ---------------------------------------------------------------------------


def test_a_full_lifecycle_over_http(http, mock, url, writer):
    created = http.post(url, headers=writer, json=experiment_body(mock, "lifecycle"))
    assert created.status_code == 201, created.text
    started = patched(http, url, writer, "lifecycle", {"kind": "startIteration"})
    winner = started["currentIteration"]["treatments"][1]["_id"]
    stopped = patched(http, url, writer, "lifecycle", {"kind": "stopIteration", "winningTreatmentId": winner, "winningReason": "Better"})
    assert stopped["currentIteration"]["winningTreatmentId"] == winner
    again = http.post(f"{url}/lifecycle/iterations", headers=writer, json=iteration_body(mock, hypothesis="Round two"))
    assert again.status_code == 200, again.text
    second = patched(http, url, writer, "lifecycle", {"kind": "startIteration", "changeJustification": "Round two"})
    assert second["currentIteration"]["hypothesis"] == "Round two"
    assert [p["winningTreatmentId"] for p in second["previousIterations"]] == [winner]
    final_winner = second["currentIteration"]["treatments"][0]["_id"]
    patched(http, url, writer, "lifecycle", {"kind": "stopIteration", "winningTreatmentId": final_winner})
    assert "archivedDate" in patched(http, url, writer, "lifecycle", {"kind": "archiveExperiment"})
    assert "archivedDate" not in patched(http, url, writer, "lifecycle", {"kind": "restoreExperiment"})
    listed = get(http, url, writer, "lifecycle", "previousIterations")
    assert listed["currentIteration"]["status"] == "stopped" and len(listed["previousIterations"]) == 1


def test_an_ld_api_version_header_is_accepted_when_well_formed(http, url, writer):
    for version in ("20240415", "beta"):
        assert http.get(url, headers={**writer, "LD-API-Version": version}).status_code == 200
    assert "LD-API-Version" in assert_error(http.get(url, headers={**writer, "LD-API-Version": "latest"}), 400, "invalid_request")
