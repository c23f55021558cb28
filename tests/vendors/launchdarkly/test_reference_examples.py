"""LaunchDarkly's own example requests for its experiment operations (rewritten with the demo
world's ids in `reference_examples.py`) are accepted by the mock, over HTTP."""

from __future__ import annotations

import json

import pytest

from mockexp.vendors.launchdarkly.models.common import COVARIATES, HOLDOUTS
from tests.vendors.launchdarkly import reference_examples as examples
from tests.vendors.launchdarkly.test_http import SEMANTIC_PATCH, assert_error, auth, base

EXPERIMENT_KEY = "reference-example"


@pytest.fixture
def url(ld_writer: dict) -> str:
    return base(ld_writer)


@pytest.fixture
def writer(ld_writer: dict) -> dict:
    return auth(ld_writer)


@pytest.fixture
def demo(http, mock, ld_writer, writer) -> examples.Demo:
    """The ids the examples need: the flag, its rule and the funnel read over HTTP, the
    holdout, covariate file and member (which the mock has no read operation for) from the model."""
    flag = http.get("/api/v2/flags/demo-shop/checkout-button", headers=writer).json()
    funnel = http.get("/api/v2/projects/demo-shop/metric-groups/purchase-funnel", headers=writer).json()
    model = mock.runtime.models["launchdarkly"]
    environment = model.environment("demo-shop", "production")
    return examples.Demo(
        flag_key=flag["key"],
        variation_id=flag["variations"][0]["_id"],
        rule_id=flag["environments"]["production"]["rules"][0]["_id"],
        funnel_key=funnel["key"],
        funnel_step_key=funnel["metrics"][-1]["key"],
        metric_key="order-value",
        holdout_id=environment.query(HOLDOUTS)[0]["id"],
        covariate_id=environment.query(COVARIATES)[0]["id"],
        maintainer_id=model.authenticate(ld_writer["value"])["memberId"],
    )


def send_patch(http, url: str, headers: dict, body: dict):
    return http.patch(f"{url}/{EXPERIMENT_KEY}", headers={**headers, "Content-Type": SEMANTIC_PATCH}, content=json.dumps(body))


def test_the_reference_full_create_example_is_accepted_as_documented(http, url, writer, demo):
    response = http.post(url, headers=writer, json=examples.full_experiment(demo, EXPERIMENT_KEY))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["analysisConfig"]["significanceThreshold"] == "5" and created["analysisConfig"]["bayesianThreshold"] == "10"
    assert (created["methodology"], created["dataSource"], created["holdoutId"]) == ("bayesian", "snowflake", demo.holdout_id)
    draft = created["draftIteration"]
    assert draft["primaryFunnel"]["key"] == demo.funnel_key and draft["primaryMetric"]["key"] == demo.funnel_key
    assert draft["primarySingleMetric"]["key"] == demo.funnel_step_key
    assert draft["reallocationFrequencyMillis"] == 3600000 and draft["attributes"] == ["country", "device", "os"]
    assert draft["flags"][demo.flag_key]["targetingRule"] == demo.rule_id


def test_the_reference_required_fields_create_example_is_accepted(http, url, writer, demo):
    response = http.post(url, headers=writer, json=examples.required_experiment(demo, EXPERIMENT_KEY))
    assert response.status_code == 201, response.text
    assert response.json()["draftIteration"]["treatments"][0]["allocationPercent"] == "10"


@pytest.mark.parametrize("example", [examples.full_iteration, examples.required_iteration])
def test_the_reference_create_iteration_examples_are_accepted(http, url, writer, demo, example):
    assert http.post(url, headers=writer, json=examples.required_experiment(demo, EXPERIMENT_KEY)).status_code == 201
    response = http.post(f"{url}/{EXPERIMENT_KEY}/iterations", headers=writer, json=example(demo, "A second look"))
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["hypothesis"]) == ("not_started", "A second look")


def test_the_reference_patch_examples_take_a_draft_through_its_lifecycle(http, url, writer, demo):
    assert http.post(url, headers=writer, json=examples.full_experiment(demo, EXPERIMENT_KEY)).status_code == 201
    for body in examples.patches_up_to_start():
        response = send_patch(http, url, writer, body)
        assert response.status_code == 200, (body, response.text)
    started = response.json()["currentIteration"]
    assert started["status"] == "running"  # one treatment at 10%: LaunchDarkly needs only a non-zero one
    for body in examples.patches_after_start(started["treatments"][0]["_id"]):
        response = send_patch(http, url, writer, body)
        assert response.status_code == 200, (body, response.text)
    final = response.json()
    assert final["name"] == "Button placement above the fold" and final["description"] == "Described again"
    assert final["currentIteration"]["status"] == "stopped" and "archivedDate" not in final


@pytest.mark.parametrize("query", examples.LIST_QUERIES)
def test_the_reference_list_and_get_examples_are_accepted(http, url, writer, query):
    listed = http.get(url, headers=writer, params=query)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"]
    for item in listed.json()["items"]:
        assert http.get(f"{url}/{item['key']}", headers=writer).status_code == 200
    if "filter" in query:
        assert [item["key"] for item in listed.json()["items"]] == ["checkout-button-test"]


@pytest.mark.parametrize("name", ["expand", "filter", "lifecycleState"])
def test_empty_list_parameters_as_generated_clients_send_them_are_accepted(http, url, writer, name):
    response = http.get(url, headers=writer, params={name: ""})
    assert response.status_code == 200, response.text
    plain = http.get(url, headers=writer).json()
    assert (response.json()["items"], response.json()["total_count"]) == (plain["items"], plain["total_count"])


def test_the_flags_map_as_the_reference_renders_it_a_json_string_is_refused_naming_it(http, mock, url, writer, demo):
    before = mock.runtime.store.vendor("launchdarkly").dump()
    message = assert_error(http.post(url, headers=writer, json=examples.as_rendered(examples.full_experiment(demo, EXPERIMENT_KEY))), 400, "invalid_request")
    assert "iteration.flags" in message
    assert mock.runtime.store.vendor("launchdarkly").dump() == before
