"""The SDK endpoints, called by PostHog's official Python SDK (PyPI `posthog`) given the mock as
its host, the demo project API key from `/__mockexp/credentials`, and a personal API key for
local evaluation: remote and local evaluation agree for every distinct id, an experiment's
holdout gets `holdout-<id>`, a draft serves nothing until it is launched through the API,
and captured events land in the request journal."""

from __future__ import annotations

import gzip
from collections import Counter
from typing import Iterator

import httpx
import pytest
from posthog import Posthog

from tests.conftest import credential

P1 = "/api/projects/1"
FULL = {"Authorization": "Bearer phx_mockexp_demo_full_access"}
SECRET = "phx_mockexp_demo_full_access"
IDS = [f"user-{n}" for n in range(1000)]
# the brief's calls (`get_feature_flag`), which 7.x deprecates in favour of `evaluate_flags`
pytestmark = pytest.mark.filterwarnings("ignore:`get_feature_flag` is deprecated:DeprecationWarning")


def project_key(mock, project_id: str = "1") -> str:
    found = [c for c in mock.runtime.credentials() if c.vendor == "posthog" and c.role == "project-api-key" and c.tenant["project_id"] == project_id]
    return found[0].value


@pytest.fixture
def remote(mock) -> Iterator[Posthog]:
    """A client without a personal API key: every flag is evaluated by the server."""
    client = Posthog(project_key(mock), host=mock.url, enable_local_evaluation=False, send=False)
    yield client
    client.shutdown()


def local(mock) -> Posthog:
    """A client with a personal API key, its flag definitions loaded now (it polls for them)."""
    client = Posthog(project_key(mock), host=mock.url, secret_key=SECRET, send=False)
    client.load_feature_flags()
    assert client.feature_flags, "the SDK loaded no flag definitions"
    return client


def experiment(http: httpx.Client, key: str, **fields) -> dict:
    made = http.post(f"{P1}/experiments/", headers=FULL, json={"name": key.replace("-", " "), "feature_flag_key": key, **fields})
    assert made.status_code == 201, made.text
    return made.json()


def shares_of(http: httpx.Client, flag: str) -> dict[str, float]:
    """Each variant of the experiment with this flag, with its share (0-1) of the users."""
    experiments = http.get(f"{P1}/experiments/", headers=FULL, params={"limit": 100}).json()["results"]
    found = next(e for e in experiments if e["feature_flag_key"] == flag)
    return {v["key"]: v["rollout_percentage"] / 100 for v in found["feature_flag"]["filters"]["multivariate"]["variants"]}


def assert_shares(values: list, expected: dict[str, float]) -> None:
    """Every variant given, each to its share of the users within a few points."""
    counts = Counter(values)
    assert set(counts) == set(expected), counts
    assert all(abs(counts[key] / len(values) - share) < 0.05 for key, share in expected.items()), (counts, expected)


def launch(http: httpx.Client, experiment_id: int) -> None:
    launched = http.patch(f"{P1}/experiments/{experiment_id}/", headers=FULL, json={"start_date": "2026-11-01T09:00:00Z"})
    assert launched.status_code == 200 and launched.json()["status"] == "running", launched.text


def test_the_project_api_key_is_listed_with_its_project(mock, http):
    listed = [c for c in http.get("/__mockexp/credentials").json() if c["role"] == "project-api-key"]
    assert {c["tenant"]["project_id"] for c in listed} == {"1", "2", "3"}
    assert all(c["value"].startswith("phc_") and not c["can_write"] for c in listed)


def both_ways(mock, remote: Posthog, flag: str, users: list[str]) -> tuple[list, list]:
    """The flag's value for each user, asked of the server and evaluated by the SDK itself."""
    locally = local(mock)
    try:
        local_values = [locally.get_feature_flag(flag, user, only_evaluate_locally=True, send_feature_flag_events=False) for user in users]
    finally:
        locally.shutdown()
    return [remote.get_feature_flag(flag, user, send_feature_flag_events=False) for user in users], local_values


def test_remote_and_local_evaluation_give_every_distinct_id_the_same_variant_of_a_running_experiment(mock, http, remote):
    remote_values, local_values = both_ways(mock, remote, "pricing-page-cta", IDS)
    assert remote_values == local_values
    assert_shares(remote_values, shares_of(http, "pricing-page-cta"))


def test_an_experiments_holdout_gets_holdout_id_for_its_share_locally_and_remotely(mock, http, remote):
    holdout = http.post(f"{P1}/experiment_holdouts/", headers=FULL, json={"name": "Twenty", "filters": [{"properties": [], "rollout_percentage": 20}]}).json()
    launch(http, experiment(http, "checkout-copy", holdout_id=holdout["id"])["id"])
    remote_values, local_values = both_ways(mock, remote, "checkout-copy", IDS)
    assert remote_values == local_values
    shares = Counter(remote_values)
    assert set(shares) == {f"holdout-{holdout['id']}", "control", "test"}, shares  # PostHog's default variants, half each
    assert abs(shares[f"holdout-{holdout['id']}"] / len(IDS) - 0.2) < 0.04, shares


def test_a_draft_experiment_serves_no_variant_until_it_is_launched(mock, http, remote):
    draft = experiment(http, "wishlist-button", parameters={"feature_flag_variants": [
        {"key": "control", "rollout_percentage": 30}, {"key": "heart", "rollout_percentage": 70}]})
    locally = local(mock)
    try:
        assert not remote.get_feature_flag("wishlist-button", "user-1", send_feature_flag_events=False)
        assert locally.get_feature_flag("wishlist-button", "user-1", only_evaluate_locally=True, send_feature_flag_events=False) is False
        launch(http, draft["id"])
        locally.load_feature_flags()
        values = [locally.get_feature_flag("wishlist-button", user, only_evaluate_locally=True, send_feature_flag_events=False) for user in IDS[:200]]
    finally:
        locally.shutdown()
    assert values == [remote.get_feature_flag("wishlist-button", user, send_feature_flag_events=False) for user in IDS[:200]]
    assert set(values) == {"control", "heart"}


def test_the_person_properties_sent_decide_the_demo_flags_release_conditions_as_the_sdk_does(mock, remote):
    people = [(f"user-{n}", {"email": f"user{n}@{'example.com' if n % 3 == 0 else 'elsewhere.io'}", "plan": ("pro", "free", "team", "Pro")[n % 4]})
              for n in range(300)]
    locally = local(mock)
    try:
        for flag in ("new-navigation", "dark-mode"):
            local_values = [locally.get_feature_flag(flag, user, person_properties=properties, only_evaluate_locally=True, send_feature_flag_events=False)
                            for user, properties in people]
            remote_values = [remote.get_feature_flag(flag, user, person_properties=properties, send_feature_flag_events=False) for user, properties in people]
            assert remote_values == local_values, flag
            assert set(remote_values) == {True, False}, flag
    finally:
        locally.shutdown()
    assert all(remote.get_feature_flag("new-navigation", user, person_properties=properties, send_feature_flag_events=False)
               for user, properties in people if properties["email"].endswith("@example.com"))


def test_an_ended_experiment_keeps_serving_its_variants(mock, http, remote):
    assert remote.get_feature_flag("search-suggestions", "user-1", send_feature_flag_events=False) in shares_of(http, "search-suggestions")


def test_a_group_flag_buckets_by_the_group_key(mock, http, remote):
    launch(http, experiment(http, "team-dashboard", parameters={"aggregation_group_type_index": 0})["id"])
    locally = local(mock)
    try:
        for company in ("acme", "globex", "initech", "umbrella"):
            groups, properties = {"company": company}, {"company": {"plan": "pro"}}
            value = remote.get_feature_flag("team-dashboard", "user-1", groups=groups, group_properties=properties, send_feature_flag_events=False)
            assert value in ("control", "test")
            assert remote.get_feature_flag("team-dashboard", "user-2", groups=groups, group_properties=properties, send_feature_flag_events=False) == value
            assert locally.get_feature_flag("team-dashboard", "user-3", groups=groups, group_properties=properties, only_evaluate_locally=True,
                                            send_feature_flag_events=False) == value
        assert not remote.get_feature_flag("team-dashboard", "user-1", send_feature_flag_events=False)
    finally:
        locally.shutdown()


def test_captured_events_and_feature_flag_called_land_in_the_journal(mock, http):
    http.delete("/__mockexp/requests")
    client = Posthog(project_key(mock), host=mock.url, enable_local_evaluation=False, gzip=True)
    try:
        client.capture("purchase_completed", distinct_id="buyer-7", properties={"revenue": 42})
        client.get_feature_flag("pricing-page-cta", "buyer-7")
        client.flush()
    finally:
        client.shutdown()
    entries = http.get("/__mockexp/requests", params={"vendor": "posthog", "operationId": "posthogBatch"}).json()["requests"]
    events = [(event["event"], event["distinct_id"]) for entry in entries for event in entry["request"]["body"]["batch"]]
    assert entries and all(entry["status"] == 200 for entry in entries)
    assert ("purchase_completed", "buyer-7") in events and ("$feature_flag_called", "buyer-7") in events


def test_the_definitions_answer_304_to_their_etag_and_change_when_an_experiment_launches(mock, http):
    token = project_key(mock)
    first = http.get("/flags/definitions", params={"token": token}, headers=FULL)
    assert first.status_code == 200 and first.headers["ETag"]
    again = http.get("/flags/definitions", params={"token": token}, headers={**FULL, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == first.headers["ETag"]
    draft = next(e for e in http.get(f"{P1}/experiments/", headers=FULL).json()["results"] if e["status"] == "draft")
    launch(http, draft["id"])
    changed = http.get("/api/feature_flag/local_evaluation", params={"token": token}, headers={**FULL, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert next(f for f in changed.json()["flags"] if f["key"] == draft["feature_flag_key"])["active"] is True


def test_a_holdout_is_in_the_flags_filters_as_the_sdks_read_it(mock, http):
    definitions = http.get("/flags/definitions", params={"token": project_key(mock)}, headers=FULL).json()
    flag = next(f for f in definitions["flags"] if f["key"] == "onboarding-checklist")
    holdout = http.get(f"{P1}/experiment_holdouts/{flag['filters']['holdout']['id']}/", headers=FULL).json()
    assert flag["filters"]["holdout"] == {"id": holdout["id"], "exclusion_percentage": holdout["filters"][0]["rollout_percentage"]}
    assert definitions["group_type_mapping"] == {"0": "company"} and definitions["cohorts"] == {}


# -- bad input: PostHog's error shape, nothing stored changed -----------------------------------------


def assert_posthog_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"} and body["code"] == code, body


def test_a_wrong_or_missing_project_api_key_is_401(http):
    assert_posthog_error(http.post("/flags/?v=4", json={"token": "phc_nope", "distinct_id": "u"}), 401, "invalid_api_key")
    assert_posthog_error(http.post("/flags/?v=4", json={"distinct_id": "u"}), 401, "missing_api_key")
    assert_posthog_error(http.post("/batch/", json={"batch": [{"event": "x", "distinct_id": "u"}]}), 401, "missing_api_key")
    assert_posthog_error(http.get("/flags/definitions", headers=FULL), 401, "missing_api_key")


def test_a_personal_api_key_without_the_flag_read_scope_is_403(mock, http):
    reader = {"Authorization": credential(mock.runtime, "posthog", role="experiment:read")["value"]}
    assert_posthog_error(http.get("/flags/definitions", params={"token": project_key(mock)}, headers=reader), 403, "permission_denied")
    other_org = {"Authorization": "Bearer phx_mockexp_demo_other_org"}
    assert http.get("/flags/definitions", params={"token": project_key(mock)}, headers=other_org).status_code == 403


def test_malformed_json_or_gzip_is_400_and_stores_nothing(mock, http):
    before = http.get(f"{P1}/experiments/", headers=FULL).json()
    raw = {"Content-Type": "application/json"}
    assert_posthog_error(http.post("/flags/?v=4", content=b'{"token": ', headers=raw), 400, "parse_error")
    assert_posthog_error(http.post("/batch/", content=b"not gzip", headers={**raw, "Content-Encoding": "gzip"}), 400, "parse_error")
    cut = gzip.compress(b'{"api_key": "x", "batch": []}')[:-12]
    assert_posthog_error(http.post("/i/v0/e/", content=cut, headers={**raw, "Content-Encoding": "gzip"}), 400, "parse_error")
    assert_posthog_error(http.post("/flags/?v=4", json={"token": project_key(mock)}), 400, "required")
    assert http.get(f"{P1}/experiments/", headers=FULL).json() == before


def test_every_capture_path_takes_plain_and_gzip_bodies_with_or_without_the_slash(mock, http):
    token = project_key(mock)
    body = b'{"api_key": "%s", "event": "page_viewed", "distinct_id": "u-1"}' % token.encode()
    for path in ("/batch", "/capture/", "/e", "/i/v0/e/", "/e/"):
        for content, encoding in ((body, {}), (gzip.compress(body), {"Content-Encoding": "gzip"})):
            answer = http.post(path, content=content, headers={"Content-Type": "application/json", **encoding})
            assert (answer.status_code, answer.json()) == (200, {"status": 1}), (path, answer.text)


def test_the_older_versions_answer_in_their_own_shapes(mock, http):
    body = {"api_key": project_key(mock), "distinct_id": "user-1"}
    v2 = http.post("/flags?v=2", json=body).json()["flags"]["pricing-page-cta"]
    assert v2["enabled"] is True and v2["variant"] in shares_of(http, "pricing-page-cta") and v2["reason"]["code"] == "condition_match"
    v1 = http.post("/flags", json=body).json()
    assert v1["featureFlags"]["pricing-page-cta"] == v2["variant"] and "onboarding-checklist" not in v1["featureFlags"]
    decide = http.post("/decide/?v=3", json=body).json()
    assert decide["featureFlags"]["pricing-page-cta"] == v2["variant"] and decide["featureFlagPayloads"] == {}
    assert "pricing-page-cta" in http.post("/decide/", json=body).json()["featureFlags"]


def test_a_capture_may_carry_its_project_api_key_in_an_event_or_the_query(mock, http):
    token = project_key(mock)
    in_event = http.post("/e/", json=[{"event": "page_viewed", "distinct_id": "u-1", "properties": {"token": token}}])
    in_query = http.post("/i/v0/e/", params={"token": token}, json={"event": "page_viewed", "properties": {"distinct_id": "u-2"}})
    assert (in_event.status_code, in_query.status_code) == (200, 200), (in_event.text, in_query.text)
    nameless = http.post("/capture/", json={"api_key": token, "batch": [{"event": "ok", "distinct_id": "u"}, {"distinct_id": "u"}]})
    assert_posthog_error(nameless, 400, "invalid_input")
    assert nameless.json()["attr"] == "batch__1__event"
