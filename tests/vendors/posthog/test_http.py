"""PostHog over HTTP, as a user with the demo keys of `/__mockexp/credentials` meets it: the
whole life of an experiment with a holdout and a saved metric, each invalid step answered in
PostHog's error shape with nothing changed, keys and their scopes and projects, paths with
and without their trailing slash. (The `http` client checks every answer against the spec.)"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import credential
from tests.world import state

P1 = "/api/projects/1"
JSON = {"Content-Type": "application/json"}


def key(mock, role: str) -> dict:
    return {"Authorization": credential(mock.runtime, "posthog", role=role)["value"]}


@pytest.fixture
def full(mock) -> dict:
    return key(mock, "all scopes")



def assert_posthog_error(response: httpx.Response, status: int, code: str | None = None, attr: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) >= {"type", "code", "detail", "attr"} and isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    assert body["attr"] == attr, body
    return body


def test_a_whole_experiment_life_with_a_holdout_and_a_saved_metric(http, full):
    holdout = http.post(f"{P1}/experiment_holdouts/", headers=full, json={"name": "Ten percent", "filters": [{"properties": [], "rollout_percentage": 10}]})
    assert holdout.status_code == 201 and holdout.json()["filters"][0]["variant"] == f"holdout-{holdout.json()['id']}"
    saved = http.post(f"{P1}/experiment_saved_metrics/", headers=full, json={"name": "Upgrades", "query": {"kind": "ExperimentMetric", "metric_type": "mean"}, "tags": ["plans"]})
    assert saved.status_code == 201
    made = http.post(f"{P1}/experiments/", headers=full, json={"name": "Annual plan nudge", "feature_flag_key": "annual-plan-nudge", "holdout_id": holdout.json()["id"],
                                                               "saved_metrics_ids": [{"id": saved.json()["id"], "metadata": {"type": "primary"}}]})
    assert made.status_code == 201, made.text
    url = f"{P1}/experiments/{made.json()['id']}/"
    assert made.json()["holdout"]["id"] == holdout.json()["id"] and made.json()["saved_metrics"][0]["name"] == "Upgrades"

    launched = http.patch(url, headers=full, json={"start_date": "2026-11-01T09:00:00Z"})
    assert (launched.json()["status"], launched.json()["feature_flag"]["active"]) == ("running", True)
    ended = http.patch(url, headers=full, json={"end_date": "2026-11-20T09:00:00Z", "conclusion": "won", "conclusion_comment": "Upgrades rose."})
    assert (ended.json()["status"], ended.json()["conclusion"]) == ("complete", "won")
    archived = http.patch(url, headers=full, json={"archived": True})
    assert archived.json()["archived"] is True
    assert made.json()["id"] not in [e["id"] for e in http.get(f"{P1}/experiments/", headers=full).json()["results"]]
    assert made.json()["id"] in [e["id"] for e in http.get(f"{P1}/experiments/", headers=full, params={"archived": "true"}).json()["results"]]
    assert http.patch(url, headers=full, json={"deleted": True}).status_code == 200
    assert_posthog_error(http.get(url, headers=full), 404, "not_found")
    assert http.delete(f"{P1}/experiment_holdouts/{holdout.json()['id']}/", headers=full).status_code == 204


@pytest.mark.parametrize("path, body, status, attr", [
    ("experiments/", {"name": "Taken", "feature_flag_key": "pricing-page-cta"}, 400, "feature_flag_key"),
    ("experiments/", {"feature_flag_key": "no-name"}, 400, "name"),
    ("experiments/", {"name": "x", "feature_flag_key": "bad-holdout", "holdout_id": 999}, 400, "holdout_id"),
    ("experiments/", {"name": "x", "feature_flag_key": "bad-metric", "saved_metrics_ids": [{"id": 999, "metadata": {"type": "primary"}}]}, 400, "saved_metrics_ids__0"),
    ("experiments/", {"name": "x", "feature_flag_key": "no-control", "parameters": {"feature_flag_variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]}}, 400, "parameters__feature_flag_variants"),
    ("experiments/", {"name": "x", "feature_flag_key": "ends-first", "end_date": "2026-01-01T00:00:00Z"}, 400, "end_date"),
    ("experiment_holdouts/", {"name": "Nothing held", "filters": []}, 400, "filters"),
    ("experiment_holdouts/", {"name": "Too much", "filters": [{"rollout_percentage": 120}]}, 400, "filters__0__rollout_percentage"),
    ("experiment_saved_metrics/", {"name": "Unknown kind", "query": {"kind": "HogQLQuery"}}, 400, "query__kind"),
    ("experiment_saved_metrics/", {"query": {"kind": "ExperimentMetric"}}, 400, "name"),
])
def test_an_invalid_create_is_400_naming_the_field_and_changes_nothing(http, mock, full, path, body, status, attr):
    before = state(mock.runtime, "posthog")
    assert_posthog_error(http.post(f"{P1}/{path}", headers=full, json=body), status, attr=attr)
    assert state(mock.runtime, "posthog") == before


def running_experiment(http, headers) -> dict:
    running = [e for e in http.get(f"{P1}/experiments/", headers=headers).json()["results"] if e["status"] == "running"]
    assert running
    return running[0]


@pytest.mark.parametrize("change, attr", [
    ({"feature_flag_key": "renamed"}, "feature_flag_key"),
    ({"parameters": {"feature_flag_variants": [{"key": "control", "rollout_percentage": 10}, {"key": "test", "rollout_percentage": 90}]}}, "parameters__feature_flag_variants"),
    ({"end_date": "2000-01-01T00:00:00Z"}, "end_date"),
    ({"conclusion": "great"}, "conclusion"),
])
def test_a_change_a_running_experiment_cannot_take_is_400_and_changes_nothing(http, mock, full, change, attr):
    target = running_experiment(http, full)
    before = state(mock.runtime, "posthog")
    assert_posthog_error(http.patch(f"{P1}/experiments/{target['id']}/", headers=full, json=change), 400, attr=attr)
    assert state(mock.runtime, "posthog") == before


def test_a_hard_delete_of_an_experiment_is_405_and_says_how_to_delete(http, mock, full):
    target = running_experiment(http, full)
    before = state(mock.runtime, "posthog")

    response = http.delete(f"{P1}/experiments/{target['id']}/", headers=full)

    body = assert_posthog_error(response, 405, "method_not_allowed")
    assert "deleted" in body["detail"] and response.headers["allow"] == "GET, PATCH, HEAD"
    assert state(mock.runtime, "posthog") == before


def test_launching_in_the_gated_project_is_409_with_the_change_request_and_launches_nothing(http, mock):
    gated = key(mock, "all scopes in project 2 only")
    draft = http.get("/api/projects/2/experiments/", headers=gated).json()["results"][0]

    response = http.patch(f"/api/projects/2/experiments/{draft['id']}/", headers=gated, json={"start_date": "2026-11-20T10:00:00Z"})

    body = assert_posthog_error(response, 409, "approval_required")
    assert body["change_request"]["action_key"] == "experiment.launch" and body["change_request"]["resource_id"] == draft["id"]
    assert http.get(f"/api/projects/2/experiments/{draft['id']}/", headers=gated).json().items() >= draft.items()  # a retrieve carries more


@pytest.mark.parametrize("role, method, path, status, code", [
    ("experiment:read only", "POST", "experiment_holdouts/", 403, "permission_denied"),
    ("experiment:read only", "GET", "experiment_saved_metrics/", 403, "permission_denied"),
    ("saved metrics only", "GET", "experiments/", 403, "permission_denied"),
    ("all scopes in project 2 only", "GET", "experiments/", 403, "permission_denied"),
    ("all scopes in another organization", "GET", "experiment_holdouts/", 403, "permission_denied"),
])
def test_a_key_without_the_scope_or_the_project_is_403_and_changes_nothing(http, mock, role, method, path, status, code):
    before = state(mock.runtime, "posthog")
    body = {"name": "x", "filters": [{"rollout_percentage": 1}]} if method == "POST" else None
    response = http.request(method, f"{P1}/{path}", headers=key(mock, role), json=body)
    detail = assert_posthog_error(response, status, code)["detail"]
    assert "scope" in detail or "project" in detail
    assert state(mock.runtime, "posthog") == before


def test_the_scopes_a_key_has_let_it_through(http, mock):
    assert http.get(f"{P1}/experiments/", headers=key(mock, "experiment:read only")).status_code == 200
    metrics = key(mock, "saved metrics only")
    assert http.post(f"{P1}/experiment_saved_metrics/", headers=metrics, json={"name": "Ok", "query": {"kind": "ExperimentMetric"}}).status_code == 201


@pytest.mark.parametrize("authorization, code", [(None, "not_authenticated"), ("Bearer phx_not_a_key", "authentication_failed"), ("phx_mockexp_demo_full_access", "not_authenticated")])
def test_a_missing_or_unknown_key_is_401(http, authorization, code):
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(f"{P1}/experiments/", headers=headers)
    assert_posthog_error(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_paths_are_answered_with_and_without_their_trailing_slash(http, full):
    with_slash = http.get(f"{P1}/experiment_holdouts/", headers=full)
    without = http.get(f"{P1}/experiment_holdouts", headers=full)
    assert with_slash.status_code == without.status_code == 200 and with_slash.json() == without.json()
    one = with_slash.json()["results"][0]["id"]
    assert http.get(f"{P1}/experiment_holdouts/{one}", headers=full).json() == http.get(f"{P1}/experiment_holdouts/{one}/", headers=full).json()


def test_lists_page_by_limit_and_offset_with_full_urls_and_the_whole_count(http, full):
    first = http.get(f"{P1}/experiments/", headers=full, params={"limit": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = http.get(first["next"], headers=full).json()
    assert [e["id"] for e in second["results"]] not in ([], [e["id"] for e in first["results"]]) and second["next"] is None
    assert http.get(second["previous"], headers=full).json() == first
    created = [e["created_at"] for e in first["results"] + second["results"]]
    assert created == sorted(created, reverse=True)


def test_the_demo_keys_are_listed_with_what_each_may_do(http):
    listed = [c for c in http.get("/__mockexp/credentials").json() if c["vendor"] == "posthog" and c["role"] != "project-api-key"]  # (test_sdk.py)
    assert {c["role"] for c in listed} == {"all scopes", "experiment:read only", "saved metrics only", "all scopes in project 2 only", "all scopes in another organization"}
    assert all(c["value"].startswith("Bearer phx_") for c in listed)
    assert [c["can_write"] for c in listed if c["role"] == "all scopes"] == [True]


def test_the_spec_and_swagger_ui_are_served_beside_the_api(http):
    assert http.get("/api/openapi.json").json()["info"]["title"].startswith("PostHog")
    assert http.get("/api/ui/").status_code == 200


# -- the fields PostHog's API always answers -----------------------------------------------------


@pytest.mark.parametrize("role, level", [("all scopes", "editor"), ("experiment:read only", "viewer")])
def test_experiments_and_holdouts_say_the_callers_access_level(http, mock, role, level):
    headers = key(mock, role)
    listed = http.get(f"{P1}/experiments/", headers=headers).json()["results"]
    one = http.get(f"{P1}/experiments/{listed[0]['id']}/", headers=headers).json()
    holdouts = http.get(f"{P1}/experiment_holdouts/", headers=headers).json()["results"]
    assert {e["user_access_level"] for e in listed} == {level} and one["user_access_level"] == level
    assert holdouts and {h["user_access_level"] for h in holdouts} == {level}
    assert all(isinstance(e["is_legacy"], bool) for e in listed + [one])


def test_saved_metrics_say_the_callers_access_level(http, mock):
    metrics = http.get(f"{P1}/experiment_saved_metrics/", headers=key(mock, "saved metrics only")).json()["results"]
    assert metrics and {m["user_access_level"] for m in metrics} == {"editor"}


def test_a_retrieved_experiment_says_whether_its_exposure_can_be_frozen_and_its_flag_cleanup_task(http, full):
    made = http.post(f"{P1}/experiments/", headers=full, json={"name": "Freeze", "feature_flag_key": "freeze-exposure",
                                                                "metrics": [{"kind": "ExperimentTrendsQuery"}]}).json()
    draft = http.get(f"{P1}/experiments/{made['id']}/", headers=full).json()
    assert draft["can_freeze_exposure"] is False and draft["flag_cleanup_task_id"] is None and draft["is_legacy"] is True
    http.patch(f"{P1}/experiments/{made['id']}/", headers=full, json={"start_date": "2026-01-01T00:00:00Z"})
    assert http.get(f"{P1}/experiments/{made['id']}/", headers=full).json()["can_freeze_exposure"] is True


def test_list_items_carry_no_retrieve_only_fields(http, full):
    listed = http.get(f"{P1}/experiments/", headers=full).json()["results"]
    assert listed and not any("can_freeze_exposure" in e or "flag_cleanup_task_id" in e for e in listed)
