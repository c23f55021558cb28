"""The read-only world around experiments, over HTTP: the demo project's flags, metrics and
metric groups, its environments, and every `_links` href the mock hands out. A user builds
an experiment from these reads alone."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from mockexp.vendors.launchdarkly.models.common import FLAGS
from tests.vendors.launchdarkly.test_http import ARCHIVED, DRAFT, RUNNING, SECOND, STOPPED, assert_error, auth, base, patch

FLAGS_URL, METRICS_URL, GROUPS_URL = "/api/v2/flags/demo-shop", "/api/v2/metrics/demo-shop", "/api/v2/projects/demo-shop/metric-groups"
EVERY_EXPANSION = "previousIterations,draftIteration,secondaryMetrics,treatments,analysisConfig"


@pytest.fixture
def writer(ld_writer: dict) -> dict:
    return auth(ld_writer)


@pytest.fixture
def url(ld_writer: dict) -> str:
    return base(ld_writer)


def read(http, path: str, headers: dict, **params: Any) -> dict:
    response = http.get(path, headers=headers, params=params or None)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def hrefs(value: Any) -> Iterator[str]:
    """Every href under a `_links` anywhere in a response body."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == "_links" and isinstance(item, dict):
                yield from (link["href"] for link in item.values())
            else:
                yield from hrefs(item)
    elif isinstance(value, list):
        for item in value:
            yield from hrefs(item)


# -- flags -----------------------------------------------------------------------------------------


def test_the_demo_project_lists_its_flags_newest_first_without_archived_ones(http, writer):
    listed = read(http, FLAGS_URL, writer)
    assert [flag["key"] for flag in listed["items"]] == ["gift-wrapping-offer", "free-shipping-banner", "search-ranking", "checkout-button"]
    assert listed["totalCount"] == 4
    assert listed["_links"]["self"]["href"] == f"{FLAGS_URL}?limit=20&offset=0"
    archived = read(http, FLAGS_URL, writer, filter="archived:true")
    assert [(flag["key"], flag["archived"]) for flag in archived["items"]] == [("legacy-checkout", True)]


def test_a_flag_shows_its_variations_rules_on_and_version_in_each_environment(http, mock, writer):
    flag = read(http, f"{FLAGS_URL}/gift-wrapping-offer", writer)
    stored = mock.runtime.models["launchdarkly"].project("demo-shop").get(FLAGS, "gift-wrapping-offer")
    assert [v["_id"] for v in flag["variations"]] == [v["_id"] for v in stored["variations"]]
    assert (flag["kind"], flag["archived"]) == ("boolean", False)
    assert {env: config["on"] for env, config in flag["environments"].items()} == {"production": False, "test": True}
    production = flag["environments"]["production"]
    assert production["version"] == stored["environments"]["production"]["version"]
    assert [rule["_id"] for rule in production["rules"]] == [rule["_id"] for rule in stored["environments"]["production"]["rules"]]
    assert production["_environmentName"] == "Production"


def test_env_narrows_a_flag_to_the_environments_it_names(http, writer):
    assert list(read(http, f"{FLAGS_URL}/checkout-button", writer, env="test")["environments"]) == ["test"]
    assert "nope" in assert_error(http.get(f"{FLAGS_URL}/checkout-button", headers=writer, params={"env": "nope"}), 400, "invalid_request")


@pytest.mark.parametrize("summary, has_rules", [(None, False), ("1", False), ("0", True), ("false", True)])
def test_a_flag_list_shows_rules_only_with_summary_0(http, writer, summary, has_rules):
    params = {"summary": summary} if summary else {}
    first = read(http, FLAGS_URL, writer, **params)["items"][0]
    assert ("rules" in first["environments"]["production"]) is has_rules


def test_the_experiments_flag_ids_are_the_flags_own(http, url, writer):
    for item in read(http, url, writer, expand="treatments,draftIteration", lifecycleState="active,archived")["items"]:
        iteration = item.get("currentIteration") or item["draftIteration"]
        for key, config in iteration["flags"].items():
            flag = read(http, f"{FLAGS_URL}/{key}", writer, env="production")
            assert config["targetingRule"] in [rule["_id"] for rule in flag["environments"]["production"]["rules"]] + ["fallthrough"]
            variations = {v["_id"] for v in flag["variations"]}
            assert {p["variationId"] for t in iteration["treatments"] for p in t["parameters"]} <= variations


def test_unknown_flags_metrics_groups_projects_and_environments_are_404(http, writer):
    for path in (f"{FLAGS_URL}/nope", f"{METRICS_URL}/nope", f"{GROUPS_URL}/nope", "/api/v2/flags/nope", "/api/v2/projects/nope",
                 "/api/v2/projects/demo-shop/environments/nope"):
        assert "nope" in assert_error(http.get(path, headers=writer), 404, "not_found")


def test_flags_and_metrics_follow_the_tokens_roles(http, ld_reader, ld_mobile):
    assert http.get(f"{FLAGS_URL}/checkout-button", headers=auth(ld_reader)).status_code == 200
    assert_error(http.get(f"{METRICS_URL}/order-value", headers=auth(ld_mobile)), 403, "forbidden")
    assert_error(http.get(FLAGS_URL), 401, "unauthorized")
    assert [flag["key"] for flag in read(http, "/api/v2/flags/mobile-app", auth(ld_mobile))["items"]] == ["onboarding-flow"]


# -- metrics and metric groups ---------------------------------------------------------------------


def test_metrics_show_kind_numeric_event_key_and_randomization_units(http, writer):
    listed = read(http, METRICS_URL, writer, limit=50)
    assert listed["totalCount"] == 5 and len(listed["items"]) == 5
    order_value = read(http, f"{METRICS_URL}/order-value", writer)
    assert {k: order_value[k] for k in ("kind", "isNumeric", "unitAggregationType", "eventKey", "randomizationUnits")} == {
        "kind": "custom", "isNumeric": True, "unitAggregationType": "sum", "eventKey": "order_value", "randomizationUnits": ["user", "organization"]}
    viewed = read(http, f"{METRICS_URL}/pricing-page-viewed", writer)
    assert (viewed["kind"], viewed["isNumeric"], "eventKey" in viewed) == ("pageview", False, False)


def test_a_metric_group_lists_its_metrics_in_order(http, writer):
    assert {group["key"] for group in read(http, GROUPS_URL, writer)["items"]} == {"purchase-funnel", "revenue-signals"}
    funnel = read(http, f"{GROUPS_URL}/purchase-funnel", writer)
    assert funnel["kind"] == "funnel"
    assert [(m["key"], m["nameInGroup"]) for m in funnel["metrics"]] == [("pricing-page-viewed", "Step 1"), ("add-to-cart-clicked", "Step 2"), ("checkout-completed", "Step 3")]


# -- links -----------------------------------------------------------------------------------------


def test_every_link_in_every_experiment_response_answers_200(http, url, writer):
    bodies = [read(http, url, writer, expand=EVERY_EXPANSION, lifecycleState="active,archived")]
    bodies += [read(http, f"{url}/{key}", writer, expand=EVERY_EXPANSION) for key in (DRAFT, RUNNING, STOPPED, SECOND, ARCHIVED)]
    renamed = patch(http, url, writer, DRAFT, {"kind": "updateName", "value": "Renamed"})
    assert renamed.status_code == 200
    bodies.append(renamed.json())
    seen = {href for body in bodies for href in hrefs(body)}
    for expected in ("/api/v2/flags/demo-shop/free-shipping-banner", "/api/v2/metrics/demo-shop/order-value",
                     "/api/v2/projects/demo-shop/metric-groups/purchase-funnel", "/api/v2/projects/demo-shop/environments/production"):
        assert expected in seen
    for href in sorted(seen):
        assert http.get(href, headers=writer).status_code == 200, href


def test_every_link_in_the_flag_metric_and_project_reads_answers_200(http, writer):
    bodies = [read(http, path, writer) for path in (FLAGS_URL, METRICS_URL, GROUPS_URL, "/api/v2/projects/demo-shop",
                                                      "/api/v2/projects/demo-shop/environments/test")]
    seen = {href for body in bodies for href in hrefs(body)}
    assert len(seen) > 10
    for href in sorted(seen):
        assert http.get(href, headers=writer).status_code == 200, href


# -- a user's way in -------------------------------------------------------------------------------


def body_from_reads(http, writer: dict, flag_key: str, key: str) -> dict:
    """A create body built from nothing but the flag and metric reads."""
    flag = read(http, f"{FLAGS_URL}/{flag_key}", writer, env="production")
    production = flag["environments"]["production"]
    metric = next(m for m in read(http, METRICS_URL, writer)["items"] if m["kind"] == "custom" and not m["isNumeric"])
    unit = metric["randomizationUnits"][0]
    return {
        "key": key,
        "name": f"Try {flag['name']}",
        "iteration": {
            "hypothesis": "The new variation does better",
            "metrics": [{"key": metric["key"]}],
            "primarySingleMetricKey": metric["key"],
            "randomizationUnit": unit,
            "treatments": [
                {"name": v.get("name", str(v["value"])), "baseline": i == 0, "allocationPercent": "50", "parameters": [{"flagKey": flag["key"], "variationId": v["_id"]}]}
                for i, v in enumerate(flag["variations"][:2])
            ],
            "flags": {flag["key"]: {"ruleId": production["rules"][0]["_id"], "flagConfigVersion": production["version"]}},
        },
    }


def test_a_user_builds_an_experiment_from_the_flag_and_metric_reads_and_starts_it(http, url, writer):
    created = http.post(url, headers=writer, json=body_from_reads(http, writer, "free-shipping-banner", "from-the-reads"))
    assert created.status_code == 201, created.text
    started = patch(http, url, writer, "from-the-reads", {"kind": "startIteration"})
    assert started.status_code == 200, started.text
    assert started.json()["currentIteration"]["status"] == "running"


@pytest.mark.parametrize("flag_key, words", [("gift-wrapping-offer", "is off in environment production"), ("legacy-checkout", "is archived")])
def test_starting_an_experiment_whose_flag_is_off_or_archived_is_refused_naming_the_flag(http, mock, url, writer, flag_key, words):
    created = http.post(url, headers=writer, json=body_from_reads(http, writer, flag_key, "on-a-dormant-flag"))
    assert created.status_code == 201, created.text
    message = assert_error(patch(http, url, writer, "on-a-dormant-flag", {"kind": "startIteration"}), 400, "invalid_request")
    assert f'"{flag_key}" {words}' in message
    assert "currentIteration" not in read(http, f"{url}/on-a-dormant-flag", writer)
