"""The SDK side's rules without HTTP: the evaluation agrees with the official Python SDK's
local evaluator (`posthog.feature_flags.match_feature_flag_properties`, the reference) for
property filters, rollouts, variant overrides, variants and holdouts; the definitions follow
the stored experiments; the project API keys name their projects."""

from __future__ import annotations

import pytest
from posthog.feature_flags import match_feature_flag_properties

from mockexp.clock import Clock
from mockexp.errors import Unauthorized
from mockexp.store import Store
from mockexp.vendors.posthog import fixtures
from mockexp.vendors.posthog.models import PostHog
from mockexp.vendors.posthog.sdk.evaluation import Subject, evaluate
from tests.conftest import clock_at, parse_time

IDS = [f"person-{n}" for n in range(500)]
PROPERTIES = [{"plan": plan, "age": age, "email": f"p{age}@{domain}"} for plan, age, domain in
              [("pro", 31, "acme.com"), ("free", 19, "example.org"), ("Pro", 45, "ACME.com"), ("team", 65, "globex.io")]]
FLAGS = {
    "rollout and properties": {"groups": [
        {"properties": [{"key": "plan", "operator": "exact", "value": ["pro", "team"], "type": "person"}], "rollout_percentage": 60},
        {"properties": [{"key": "age", "operator": "gt", "value": 40, "type": "person"}], "rollout_percentage": None},
        {"properties": [], "rollout_percentage": 10}]},
    "variants with an override": {"groups": [
        {"properties": [{"key": "email", "operator": "icontains", "value": "@acme.com", "type": "person"}], "rollout_percentage": 100, "variant": "treatment-b"},
        {"properties": [{"key": "plan", "operator": "is_not", "value": "free", "type": "person"}], "rollout_percentage": 70}],
        "multivariate": {"variants": [{"key": "control", "rollout_percentage": 34}, {"key": "treatment-a", "rollout_percentage": 33},
                                      {"key": "treatment-b", "rollout_percentage": 33}]}},
    "holdout": {"groups": [{"properties": [], "rollout_percentage": 80}],
                "multivariate": {"variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]},
                "holdout": {"id": 12, "exclusion_percentage": 15}},
    "regex and dates of numbers": {"groups": [
        {"properties": [{"key": "email", "operator": "regex", "value": r"^p[0-9]+@", "type": "person"},
                        {"key": "age", "operator": "lte", "value": "45", "type": "person"}], "rollout_percentage": 50}]},
}


@pytest.mark.parametrize("name", list(FLAGS))
def test_evaluation_agrees_with_the_python_sdks_local_evaluator(name):
    flag = {"id": 1, "key": name.replace(" ", "-"), "active": True, "filters": FLAGS[name]}
    for index, distinct_id in enumerate(IDS):
        properties = PROPERTIES[index % len(PROPERTIES)]
        expected = match_feature_flag_properties(flag, distinct_id, properties, bucketing_value=distinct_id)
        assert evaluate(flag, Subject(distinct_id, properties, {}, {}), {}).value == expected, (distinct_id, properties)


def test_a_group_flag_agrees_with_the_python_sdk_bucketing_by_the_group_key():
    flag = {"id": 2, "key": "team-report", "active": True, "filters": {"aggregation_group_type_index": 0, "groups": [{"properties": [], "rollout_percentage": 50}],
                                                                        "multivariate": {"variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]}}}
    for company in [f"company-{n}" for n in range(200)]:
        expected = match_feature_flag_properties(flag, company, {}, bucketing_value=company)
        assert evaluate(flag, Subject("someone", {}, {"company": company}, {"company": {}}), {"0": "company"}).value == expected
    assert evaluate(flag, Subject("someone", {}, {}, {}), {"0": "company"}).code == "no_group_type"


def test_an_inactive_flag_is_off():
    flag = {"id": 3, "key": "off", "active": False, "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    assert evaluate(flag, Subject("someone", {}, {}, {}), {}).value is False


# -- over the demo world --------------------------------------------------------------------------------


@pytest.fixture
def posthog() -> PostHog:
    model = PostHog(Store().vendor("posthog"), clock_at(parse_time("2026-11-20T12:00:00Z")))
    fixtures.load(model)
    return model


def variants(posthog: PostHog, flag: str) -> list[str]:
    return [v["key"] for v in posthog.flag(1, flag)["filters"]["multivariate"]["variants"]]


def token(posthog: PostHog, project_id: int = 1) -> str:
    return posthog.project_of(project_id)["api_token"]


def test_each_project_has_its_own_project_api_key_listed_as_a_credential(posthog):
    keys = {c.tenant["project_id"]: c.value for c in posthog.credentials() if c.role == "project-api-key"}
    assert set(keys) == {"1", "2", "3"} and len(set(keys.values())) == 3 and all(key.startswith("phc_") for key in keys.values())
    assert posthog.project_for_token(keys["2"])["id"] == 2
    with pytest.raises(Unauthorized):
        posthog.project_for_token("phc_unknown")


def test_launching_a_draft_activates_its_flag_in_the_definitions_and_changes_their_etag(posthog):
    draft = next(e for e in posthog.project(1).query("experiments") if e["start_date"] is None and not e["deleted"])
    before, tag = posthog.versioned_definitions(1)
    assert next(f for f in before["flags"] if f["key"] == draft["feature_flag_key"])["active"] is False
    assert posthog.versioned_definitions(1)[1] == tag  # unchanged: the same ETag
    posthog.experiments_partial_update(1, draft["id"], 1, {"start_date": "2026-11-20T12:00:00Z"})
    after, changed = posthog.versioned_definitions(1)
    assert changed != tag and next(f for f in after["flags"] if f["key"] == draft["feature_flag_key"])["active"] is True


def test_remote_evaluation_leaves_out_inactive_flags_and_uses_the_sent_properties(posthog):
    answer = posthog.flags_response({"token": token(posthog), "distinct_id": "someone", "person_properties": {"plan": "pro"}}, 4)
    assert "onboarding-checklist" not in answer["flags"] and "abandoned-idea" not in answer["flags"]
    assert answer["flags"]["pricing-page-cta"]["variant"] in variants(posthog, "pricing-page-cta")
    only = posthog.flags_response({"token": token(posthog), "distinct_id": "someone", "flag_keys_to_evaluate": ["dark-mode"]}, 4)
    assert list(only["flags"]) == ["dark-mode"]


def test_a_deleted_experiments_flag_stays_as_it_was(posthog):
    """PostHog keeps an experiment's flag when the experiment is deleted (a flag in use by an
    experiment cannot be deleted first): a launched one keeps serving its variants."""
    running = next(e for e in posthog.project(1).query("experiments") if e["feature_flag_key"] == "pricing-page-cta")
    posthog.experiments_partial_update(1, running["id"], 1, {"deleted": True})
    answer = posthog.flags_response({"token": token(posthog), "distinct_id": "someone"}, 4)
    assert answer["flags"]["pricing-page-cta"]["variant"] in variants(posthog, "pricing-page-cta")
