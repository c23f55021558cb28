"""GrowthBook's experiment-ref rules over HTTP with the demo keys: a rule naming an unknown
experiment or variation is a 400 `{"message"}` naming the field; the SDK endpoint serves the
rule as its experiment stands (read by GrowthBook's Python SDK); and an experiment's
`linkedFeatures` follows the features that reference it. (The `http` client checks every
answer against the spec.)"""

from __future__ import annotations

from tests.vendors.growthbook.test_experimentation_http import V1, get, post
from tests.vendors.growthbook.test_http import ADMIN, assert_message, bearer
from tests.vendors.growthbook.test_sdk import client_key, sdk

DEMO = "exp_checkout_button_color"  # running; its variations are var_blue and var_orange
VARIATIONS = [{"value": "small", "variationId": "var_blue"}, {"value": "big", "variationId": "var_orange"}]


def ref(experiment: str = DEMO, variations: list[dict] | None = None) -> dict:
    return {"type": "experiment-ref", "experimentId": experiment, "variations": variations or VARIATIONS}


def feature(rules: list[dict], id: str = "button-size") -> dict:
    return {"id": id, "owner": "ann@demo-bookshop.example", "valueType": "string", "defaultValue": "medium",
            "environments": {"production": {"enabled": True, "rules": rules}}}


def payload_rules(http, feature: str) -> list[dict]:
    return http.get(f"/api/features/{client_key(http, 'production')}").json()["features"][feature].get("rules", [])


def test_a_feature_rule_naming_an_unknown_experiment_is_a_400_naming_the_field(http):
    rules = [{"type": "force", "value": "big"}, ref("exp_nope")]
    assert_message(post(http, "/features", feature(rules)), 400, "environments.production.rules[1].experimentId", "exp_nope")
    assert http.get(f"{V1}/features/button-size", headers=bearer(ADMIN)).status_code == 404


def test_a_feature_rule_serving_a_variation_the_experiment_lacks_is_a_400_naming_the_field(http):
    change = {"environments": {"dev": {"enabled": True, "rules": [ref(variations=[VARIATIONS[0], {"value": "huge", "variationId": "var_nope"}])]}}}
    assert_message(post(http, "/features/dark-mode", change), 400, "environments.dev.rules[0].variations[1].variationId", "var_nope")


def test_the_sdk_reads_the_demo_running_experiment_as_an_experiment_rule(mock, http):
    rule = next(r for r in payload_rules(http, "checkout-button-color") if "key" in r)
    assert (rule["key"], rule["variations"], rule["weights"], rule["phase"]) == ("checkout-button-color", ["blue", "orange"], [0.5, 0.5], "0")
    assert rule["meta"] == [{"key": "0", "name": "Blue"}, {"key": "1", "name": "Orange"}] and rule["name"] == "Checkout button colour"
    result = sdk(mock, client_key(http, "production"), id="u1", country="US").eval_feature("checkout-button-color")
    assert result.source == "experiment" and result.value in ("blue", "orange")


def test_a_stopped_experiment_serves_its_released_variation_to_everyone(mock, http):
    assert post(http, f"/experiments/{DEMO}", {"status": "stopped", "releasedVariationId": "var_orange"}).status_code == 200
    assert [r.get("force") for r in payload_rules(http, "checkout-button-color")] == ["green", "orange"]
    growthbook = sdk(mock, client_key(http, "production"), id="u1", country="US")
    assert growthbook.eval_feature("checkout-button-color").value == "orange"


def test_a_draft_experiments_rule_is_left_out_of_the_payload(http):
    body = {"datasourceId": "ds_warehouse", "assignmentQueryId": "user_id", "trackingKey": "button-size", "name": "Button size",
            "variations": [{"id": "v_small", "key": "0", "name": "Small"}, {"id": "v_big", "key": "1", "name": "Big"}]}
    experiment = post(http, "/experiments", body).json()["experiment"]["id"]
    variations = [{"value": "small", "variationId": "v_small"}, {"value": "big", "variationId": "v_big"}]
    assert post(http, "/features", feature([ref(experiment, variations)])).status_code == 200
    assert payload_rules(http, "button-size") == []
    assert post(http, f"/experiments/{experiment}", {"status": "running"}).status_code == 200
    assert [r["key"] for r in payload_rules(http, "button-size")] == ["button-size"]


def linked(http, experiment: str = DEMO) -> tuple[list[str], list[str]]:
    one = get(http, f"/experiments/{experiment}")["experiment"]["linkedFeatures"]
    listed = next(e for e in get(http, "/experiments", limit=100)["experiments"] if e["id"] == experiment)["linkedFeatures"]
    return one, listed


def test_linked_features_show_a_new_referencing_feature_until_it_is_deleted(http):
    assert linked(http) == (["checkout-button-color"], ["checkout-button-color"])
    assert post(http, "/features", feature([ref()])).status_code == 200
    assert linked(http) == (["button-size", "checkout-button-color"], ["button-size", "checkout-button-color"])
    assert http.delete(f"{V1}/features/button-size", headers=bearer(ADMIN)).status_code == 200
    assert linked(http) == (["checkout-button-color"], ["checkout-button-color"])
