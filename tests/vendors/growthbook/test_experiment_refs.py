"""GrowthBook's experiment-ref rules against the model directly (no HTTP): a rule must name an
experiment of the organization and only its variations (400 naming the field, in any
environment and in drafts); SDKs read the rule as its experiment now stands (running: an
experiment rule from the latest phase; draft or archived: left out; stopped: the released
variation forced, else left out); and an experiment lists the features that reference it."""

from __future__ import annotations

import json

import pytest

from mockexp.clock import Clock
from mockexp.vendors.growthbook.models import GrowthBook
from tests.vendors.growthbook.test_experimentation_models import refused
from tests.vendors.growthbook.test_experiments_models import made
from tests.vendors.growthbook.worlds import ADMIN, OTHER, two_organizations

VARIATIONS = [{"value": "small", "variationId": "v_small"}, {"value": "big", "variationId": "v_big"}]


@pytest.fixture
def gb(clock: Clock) -> GrowthBook:
    return two_organizations(clock, environments=True)


def ref(experiment: str, variations: list[dict] | None = None, **changes) -> dict:
    return {"type": "experiment-ref", "id": "fr_ref", "experimentId": experiment, "variations": variations or VARIATIONS, **changes}


def feature(rules: list[dict], id: str = "button-size", env: str = "production", **entry) -> dict:
    return {"id": id, "owner": "ann@shop.test", "valueType": "string", "defaultValue": "medium",
            "environments": {env: {"enabled": True, "rules": rules, **entry}}}


def served(gb: GrowthBook, id: str = "button-size", env: str = "production") -> list[dict]:
    """The rules SDKs read for the feature (its definition in `env`)."""
    return json.loads(gb.get_feature(id, ADMIN)["feature"]["environments"][env]["definition"]).get("rules", [])


# -- what a rule may name -----------------------------------------------------------------------


@pytest.mark.parametrize(("env", "entry", "field"), [
    ("production", {}, "environments.production.rules[0].experimentId"),
    ("dev", {}, "environments.dev.rules[0].experimentId"),
    ("production", {"draft": {"rules": [ref("exp_nope")]}}, "environments.production.draft.rules[0].experimentId"),
])
def test_a_rule_naming_an_unknown_experiment_is_refused_naming_the_field(gb, ds, env, entry, field):
    experiment = made(gb, ds)["id"]
    rules = [ref(experiment)] if entry else [ref("exp_nope")]
    message = refused(lambda: gb.post_feature(feature(rules, env=env, **entry), ADMIN))
    assert message.startswith(field) and "exp_nope" in message
    assert gb.list_features(ADMIN).items == []


def test_a_feature_change_naming_an_unknown_experiment_is_refused_and_changes_nothing(gb, ds):
    experiment = made(gb, ds)["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    before = gb.get_feature("button-size", ADMIN, "all")["feature"]
    change = {"environments": {"dev": {"enabled": True, "rules": [{"type": "force", "value": "big"}, ref("exp_nope")]}}}
    assert refused(lambda: gb.update_feature("button-size", change, ADMIN)).startswith("environments.dev.rules[1].experimentId")
    assert gb.get_feature("button-size", ADMIN, "all")["feature"] == before


def test_an_experiment_of_another_organization_is_unknown(gb, ds):
    experiment = made(gb, ds)["id"]
    other = {**feature([ref(experiment)]), "environments": {"production": {"enabled": True, "rules": [ref(experiment)]}}}
    assert refused(lambda: gb.post_feature(other, OTHER)).startswith("environments.production.rules[0].experimentId")


def test_a_rule_serving_a_variation_the_experiment_lacks_is_refused_naming_the_field(gb, ds):
    experiment = made(gb, ds)["id"]
    variations = [VARIATIONS[0], {"value": "huge", "variationId": "v_huge"}]
    message = refused(lambda: gb.post_feature(feature([ref(experiment, variations)]), ADMIN))
    assert message.startswith("environments.production.rules[0].variations[1].variationId") and "v_huge" in message


# -- what SDKs read -----------------------------------------------------------------------------


def test_a_draft_experiments_rule_is_left_out_of_the_definition(gb, ds):
    experiment = made(gb, ds)["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    assert served(gb) == []


def test_an_archived_running_experiments_rule_is_left_out_of_the_definition(gb, ds):
    experiment = made(gb, ds, status="running")["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    assert [r["id"] for r in served(gb)] == ["fr_ref"]
    gb.update_experiment(experiment, {"archived": True}, ADMIN)
    assert served(gb) == []


def test_a_running_experiments_rule_is_an_experiment_rule_from_its_latest_phase(gb, ds):
    group = gb.post_saved_group({"name": "Staff", "condition": '{"employee": true}'}, ADMIN)["savedGroup"]["id"]
    first = {"name": "Try", "dateStarted": "2026-01-01T00:00:00Z", "dateEnded": "2026-02-01T00:00:00Z", "coverage": 0.1,
             "trafficSplit": [{"variationId": "v_small", "weight": 0.5}, {"variationId": "v_big", "weight": 0.5}]}
    latest = {"name": "Main", "dateStarted": "2026-02-01T00:00:00Z", "coverage": 0.8, "seed": "big-button-2",
              "trafficSplit": [{"variationId": "v_big", "weight": 0.3}, {"variationId": "v_small", "weight": 0.7}],
              "namespace": {"namespaceId": "checkout", "range": [0, 0.5], "enabled": True},
              "targetingCondition": '{"country": "SE"}', "savedGroupTargeting": [{"matchType": "all", "savedGroups": [group]}]}
    experiment = made(gb, ds, status="running", phases=[first, latest], fallbackAttribute="deviceId", bucketVersion=2, minBucketVersion=1,
                      disableStickyBucketing=True)["id"]
    rule = ref(experiment, list(reversed(VARIATIONS)), condition='{"plan": "premium"}')  # the rule's own order does not count
    gb.post_feature(feature([rule]), ADMIN)
    assert served(gb) == [{
        "id": "fr_ref", "condition": {"$and": [{"plan": "premium"}, {"country": "SE"}, {"$and": [{"employee": True}]}]},
        "key": "big-button", "hashAttribute": "id", "fallbackAttribute": "deviceId", "hashVersion": 2, "seed": "big-button-2",
        "coverage": 0.8, "variations": ["small", "big"], "weights": [0.7, 0.3],
        "meta": [{"key": "0", "name": "Small"}, {"key": "1", "name": "Big"}], "phase": "1", "name": "Big button",
        "namespace": ["checkout", 0, 0.5], "bucketVersion": 2, "minBucketVersion": 1, "disableStickyBucketing": True}]


def test_a_started_experiments_rule_has_the_tracking_key_as_seed_and_no_namespace(gb, ds):
    experiment = made(gb, ds)["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    gb.update_experiment(experiment, {"status": "running"}, ADMIN)
    rule = served(gb)[0]
    assert (rule["seed"], rule["phase"], rule["weights"], rule["coverage"]) == ("big-button", "0", [0.5, 0.5], 1)
    assert "namespace" not in rule and "fallbackAttribute" not in rule and "disableStickyBucketing" not in rule and "condition" not in rule


def test_a_stopped_experiment_with_a_released_variation_forces_its_value(gb, ds):
    experiment = made(gb, ds, status="running")["id"]
    gb.post_feature(feature([ref(experiment, condition='{"country": "SE"}')]), ADMIN)
    gb.update_experiment(experiment, {"status": "stopped", "releasedVariationId": "v_big"}, ADMIN)
    assert served(gb) == [{"id": "fr_ref", "condition": {"country": "SE"}, "force": "big"}]


@pytest.mark.parametrize("conclusion", [{}, {"releasedVariationId": "v_big", "excludeFromPayload": True}])
def test_a_stopped_experiment_without_a_released_variation_or_excluded_is_left_out(gb, ds, conclusion):
    experiment = made(gb, ds, status="running")["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    gb.update_experiment(experiment, {"status": "stopped", **conclusion}, ADMIN)
    assert served(gb) == []


def test_the_sdk_payload_serves_the_experiment_rule(gb, ds):
    experiment = made(gb, ds, status="running")["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    key = gb.post_sdk_connection({"name": "Web", "language": "javascript", "environment": "production"}, ADMIN)["sdkConnection"]["key"]
    rules = gb.get_sdk_payload(key)["features"]["button-size"]["rules"]
    assert [(r["key"], r["variations"]) for r in rules] == [("big-button", ["small", "big"])]


# -- linked features ----------------------------------------------------------------------------


def linked(gb: GrowthBook, experiment: str) -> tuple[list[str], list[str]]:
    """The experiment's linkedFeatures as reading it and as listing experiments show them."""
    listing = gb.list_experiments(ADMIN)
    listed = next(listing.represent(e) for e in listing.items if e["id"] == experiment)
    return gb.get_experiment(experiment, ADMIN)["experiment"]["linkedFeatures"], listed["linkedFeatures"]


def test_an_experiment_lists_the_features_whose_rules_reference_it(gb, ds):
    experiment, other = made(gb, ds)["id"], made(gb, ds, trackingKey="other")["id"]
    assert linked(gb, experiment) == ([], [])
    gb.post_feature(feature([ref(experiment)], id="b-feature"), ADMIN)
    gb.post_feature(feature([ref(experiment)], id="a-feature", env="dev"), ADMIN)
    assert linked(gb, experiment) == (["a-feature", "b-feature"], ["a-feature", "b-feature"])
    assert linked(gb, other) == ([], [])


def test_linked_features_follow_a_feature_change_and_delete(gb, ds):
    experiment = made(gb, ds)["id"]
    gb.post_feature(feature([ref(experiment)]), ADMIN)
    gb.update_feature("button-size", {"environments": {"production": {"enabled": True, "rules": []}}}, ADMIN)
    assert linked(gb, experiment) == ([], [])
    gb.update_feature("button-size", {"environments": {"dev": {"enabled": True, "rules": [ref(experiment)]}}}, ADMIN)
    assert linked(gb, experiment) == (["button-size"], ["button-size"])
    gb.delete_feature("button-size", ADMIN)
    assert linked(gb, experiment) == ([], [])


def test_a_draft_rule_does_not_link_the_feature(gb, ds):
    experiment = made(gb, ds)["id"]
    gb.post_feature(feature([], draft={"rules": [ref(experiment)]}), ADMIN)
    assert linked(gb, experiment) == ([], [])
