"""LaunchDarkly's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`
(see the fixtures below), so the data each rule is checked against is visible in the test.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from mockexp import paging, specs
from mockexp.clock import Clock
from mockexp.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from mockexp.store import Store
from mockexp.vendors.launchdarkly import fixtures
from tests.conftest import clock_at
from mockexp.vendors.launchdarkly.models import EXPERIMENTS, LaunchDarkly, millis

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=timezone.utc)
NOW_MS = 1772443815123  # NOW in Unix milliseconds
HOUR_MS = 3600 * 1000

PROJECT, PRODUCTION, STAGING = "shop", "production", "staging"
OTHER_PROJECT = "other"
MAINTAINER = "5f0c1a2b3c4d5e6f7a8b9c0d"
READER = "5f0c1a2b3c4d5e6f7a8b9c0e"

BLUE, GREEN, LARGE = "9c1f6d0e-1111-4a4a-8b8b-000000000001", "9c1f6d0e-1111-4a4a-8b8b-000000000002", "9c1f6d0e-1111-4a4a-8b8b-000000000003"
HIDDEN, SHOWN = "9c1f6d0e-2222-4a4a-8b8b-000000000001", "9c1f6d0e-2222-4a4a-8b8b-000000000002"
RULE = "7d7d7d7d-0000-4000-8000-000000000001"
STAGING_RULE = "7d7d7d7d-0000-4000-8000-000000000002"
HOLDOUT = "0b0b0b0b-0000-4000-8000-000000000001"
COVARIATE = "0c0c0c0c-0000-4000-8000-000000000001"


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def ld(clock: Clock) -> LaunchDarkly:
    model = LaunchDarkly(Store().vendor("launchdarkly"), clock)
    model.add_project(PROJECT, "Shop", id="p1", context_kinds=["user", "organization", "device"])
    model.add_environment(PROJECT, PRODUCTION, "Production", id="e1")
    model.add_environment(PROJECT, STAGING, "Staging", id="e2")
    model.add_flag(PROJECT, "button", "Button", variations=[
        {"_id": BLUE, "name": "Blue", "value": 0}, {"_id": GREEN, "name": "Green", "value": 1}, {"_id": LARGE, "name": "Large", "value": 2},
    ], environments={
        PRODUCTION: {"version": 7, "rules": [{"_id": RULE, "description": "Customers in FI", "clauses": [{"attribute": "country", "op": "in", "values": ["FI"]}]}]},
        STAGING: {"version": 2, "rules": [{"_id": STAGING_RULE, "description": "Staff", "clauses": []}]},
    })
    model.add_flag(PROJECT, "banner", "Banner", variations=[{"_id": HIDDEN, "name": "Hidden", "value": False}, {"_id": SHOWN, "name": "Shown", "value": True}],
                   environments={PRODUCTION: {"version": 3, "rules": []}})
    model.add_metric(PROJECT, "checkout", "Checkout", kind="custom", version_id="v-checkout", event_key="checkout", randomization_units=["user", "organization"])
    model.add_metric(PROJECT, "revenue", "Revenue", kind="custom", version_id="v-revenue", is_numeric=True, unit_aggregation_type="sum", event_key="revenue", randomization_units=["user"])
    model.add_metric(PROJECT, "views", "Pricing views", kind="pageview", version_id="v-views", randomization_units=["user", "device"])
    model.add_metric_group(PROJECT, "funnel", "Purchase funnel", kind="funnel", version_id="v-funnel", metrics=[{"key": "views", "nameInGroup": "Step 1"}, {"key": "checkout", "nameInGroup": "Step 2"}])
    model.add_metric_group(PROJECT, "signals", "Signals", kind="standard", version_id="v-signals", metrics=[{"key": "revenue"}, {"key": "checkout"}])
    model.add_holdout(PROJECT, PRODUCTION, HOLDOUT, "q3", "Q3 holdout")
    model.add_covariate(PROJECT, PRODUCTION, COVARIATE, "customers.csv", NOW_MS - 24 * HOUR_MS)
    model.add_layer(PROJECT, PRODUCTION, "checkout-flow", "Checkout flow", {"layered": 25, "someone-else": 50})
    model.add_project(OTHER_PROJECT, "Other", id="p2", context_kinds=["user"])
    model.add_environment(OTHER_PROJECT, PRODUCTION, "Production", id="e3")
    model.add_member(MAINTAINER, "mia@example.com", "Mia", "Maintainer", "writer")
    model.add_member(READER, "rex@example.com", "Rex", "Reader", "reader")
    model.add_token("writer-token", "Writer", MAINTAINER, "writer")
    model.add_token("reader-token", "Reader", READER, "reader")
    model.add_token("other-only-token", "Other only", MAINTAINER, "writer", projects=[OTHER_PROJECT])
    return model


def iteration(**changes) -> dict:
    """A valid iteration input: the button flag's blue (baseline) and green variations, 50/50."""
    body = {
        "hypothesis": "Green sells more",
        "metrics": [{"key": "checkout"}, {"key": "revenue"}],
        "primarySingleMetricKey": "checkout",
        "randomizationUnit": "user",
        "treatments": [
            {"name": "Blue", "baseline": True, "allocationPercent": "50", "parameters": [{"flagKey": "button", "variationId": BLUE}]},
            {"name": "Green", "baseline": False, "allocationPercent": "50", "parameters": [{"flagKey": "button", "variationId": GREEN}]},
        ],
        "flags": {"button": {"ruleId": RULE, "flagConfigVersion": 7}},
    }
    body.update(changes)
    return body


def experiment(key: str = "exp", **changes) -> dict:
    body = {"key": key, "name": "Button colour", "iteration": iteration()}
    body.update(changes)
    return body


def create(ld: LaunchDarkly, key: str = "exp", environment: str = PRODUCTION, **changes) -> dict:
    return ld.create_experiment(PROJECT, environment, MAINTAINER, experiment(key, **changes))


def patch(ld: LaunchDarkly, *instructions: dict, key: str = "exp") -> dict:
    return ld.patch_experiment(PROJECT, PRODUCTION, key, {"instructions": list(instructions)})


LIST = next(op for op in specs.load_named("launchdarkly.yaml").operations if op.operation_id == "getExperiments").pagination


def list_experiments(ld: LaunchDarkly, project_key: str, environment_key: str, *, limit: int = 20, offset: int = 0, **options) -> dict:
    """One page of the list, as the server cuts it from the model's listing."""
    query = [("limit", str(limit)), ("offset", str(offset))] + [(name, value) for name, value in (("filter", options.get("filter")),) if value]
    request = paging.Request("http://testserver", f"/api/v2/projects/{project_key}/environments/{environment_key}/experiments", query)
    return paging.render(LIST, ld.get_experiments(project_key, environment_key, **options), request)


def stored(ld: LaunchDarkly, key: str = "exp", environment: str = PRODUCTION) -> dict:
    return ld.environment(PROJECT, environment).get(EXPERIMENTS, key)


def errors(excinfo: pytest.ExceptionInfo) -> dict:
    return {".".join(str(p) for p in path): reason for path, reason in excinfo.value.errors}


def invalid_create(ld: LaunchDarkly, **changes) -> dict:
    with pytest.raises(Invalid) as excinfo:
        create(ld, **changes)
    assert not any(docs for table, docs in ld.store.dump().items() if table.startswith("launchdarkly.experiments"))
    return errors(excinfo)


def invalid_iteration(ld: LaunchDarkly, **changes) -> dict:
    with pytest.raises(Invalid) as excinfo:
        create(ld, iteration=iteration(**changes))
    assert not any(docs for table, docs in ld.store.dump().items() if table.startswith("launchdarkly.experiments"))
    return errors(excinfo)


def treatment_ids(ld: LaunchDarkly, which: str = "currentIteration", key: str = "exp") -> list[str]:
    return [t["_id"] for t in stored(ld, key)[which]["treatments"]]


@pytest.fixture
def running(ld: LaunchDarkly, clock: Clock) -> dict:
    """An experiment created at NOW whose first iteration started an hour later; the clock is
    then at NOW + 2 hours."""
    create(ld)
    clock.advance(3600)
    patch(ld, {"kind": "startIteration"})
    clock.advance(3600)
    return stored(ld)


# -- time and ids -------------------------------------------------------------------------------


def test_times_are_unix_milliseconds_of_the_clock(clock):
    assert millis(NOW) == NOW_MS
    clock.advance(1.5)
    assert LaunchDarkly(Store().vendor("launchdarkly"), clock).now() == NOW_MS + 1500


# -- create ----------------------------------------------------------------------------------------


def test_create_returns_the_experiment_with_a_draft_iteration_and_no_current_one(ld):
    created = create(ld)
    assert created["key"] == "exp" and created["name"] == "Button colour"
    assert "currentIteration" not in created
    draft = created["draftIteration"]
    assert draft["status"] == "not_started"
    assert draft["hypothesis"] == "Green sells more"
    assert [t["name"] for t in draft["treatments"]] == ["Blue", "Green"]
    assert stored(ld)["currentIteration"] is None and stored(ld)["draftIteration"]["status"] == "not_started"


def test_create_sets_the_server_fields_from_the_clock_and_the_caller(ld):
    created = create(ld)
    assert re.fullmatch(r"[0-9a-f]{24}", created["_id"])
    assert created["_creationDate"] == NOW_MS
    assert created["_maintainerId"] == MAINTAINER
    assert created["environmentKey"] == PRODUCTION
    assert created["_links"] == {
        "parent": {"href": "/api/v2/projects/shop/environments/production", "type": "application/json"},
        "self": {"href": "/api/v2/projects/shop/environments/production/experiments/exp", "type": "application/json"},
    }
    draft = created["draftIteration"]
    assert re.fullmatch(r"[0-9a-f]{24}", draft["_id"]) and draft["_id"] != created["_id"]
    assert draft["createdAt"] == NOW_MS
    assert draft["version"] == 0
    assert "startedAt" not in draft and "endedAt" not in draft
    assert len(draft["treatments"]) == 2
    for treatment in draft["treatments"]:
        assert str(uuid.UUID(treatment["_id"])) == treatment["_id"]


def test_create_fills_defaults_for_what_is_left_out(ld):
    created = create(ld)
    assert created["methodology"] == "bayesian"  # LaunchDarkly's documented default
    assert created["dataSource"] == "launchdarkly"
    assert created["type"] == "experiment"
    assert created["tags"] == []
    assert created["draftIteration"]["canReshuffleTraffic"] is True
    assert "description" not in created and "archivedDate" not in created and "analysisConfig" not in created
    assert created["draftIteration"]["flags"]["button"]["notInExperimentVariationId"] == BLUE  # the baseline's variation


def test_a_multi_armed_bandit_defaults_to_and_needs_the_bayesian_methodology(ld):
    assert invalid_create(ld, type="mab", methodology="frequentist") == {"methodology": "Multi-armed bandit experiments support only the bayesian methodology."}
    assert create(ld, "bandit", type="mab")["methodology"] == "bayesian"


def test_create_keeps_the_optional_fields_it_is_given(ld):
    created = create(ld, description="Why green", tags=["checkout"], methodology="bayesian", dataSource="snowflake",
                     holdoutId=HOLDOUT, analysisConfig={"bayesianThreshold": "95"}, maintainerId=READER)
    assert created["description"] == "Why green"
    assert created["tags"] == ["checkout"]
    assert (created["methodology"], created["dataSource"]) == ("bayesian", "snowflake")
    assert created["holdoutId"] == HOLDOUT
    assert created["analysisConfig"] == {"bayesianThreshold": "95"}
    assert created["_maintainerId"] == READER


@pytest.mark.parametrize("field", ["name", "key", "iteration"])
def test_create_needs_name_key_and_iteration(ld, field):
    with pytest.raises(Invalid) as excinfo:
        ld.create_experiment(PROJECT, PRODUCTION, MAINTAINER, {k: v for k, v in experiment().items() if k != field})
    assert errors(excinfo) == {field: "This field is required."}


@pytest.mark.parametrize("field", ["hypothesis", "metrics", "treatments", "flags"])
def test_the_iteration_needs_hypothesis_metrics_treatments_and_flags(ld, field):
    body = experiment(iteration={k: v for k, v in iteration().items() if k != field})
    with pytest.raises(Invalid) as excinfo:
        ld.create_experiment(PROJECT, PRODUCTION, MAINTAINER, body)
    assert errors(excinfo) == {f"iteration.{field}": "This field is required."}


def test_keys_are_unique_per_environment(ld):
    create(ld)
    with pytest.raises(Conflict) as excinfo:
        create(ld, name="Another")
    assert '"exp"' in excinfo.value.message
    assert stored(ld)["name"] == "Button colour"
    assert create(ld, environment=STAGING, iteration=iteration(flags={"button": {"ruleId": STAGING_RULE, "flagConfigVersion": 2}}))["key"] == "exp"


def test_create_in_an_unknown_project_or_environment_is_not_found(ld):
    with pytest.raises(NotFound, match="project"):
        ld.create_experiment("nope", PRODUCTION, MAINTAINER, experiment())
    with pytest.raises(NotFound, match="environment"):
        ld.create_experiment(PROJECT, "nope", MAINTAINER, experiment())


def test_an_unknown_metric_is_named(ld):
    assert invalid_iteration(ld, metrics=[{"key": "checkout"}, {"key": "bounce-rate"}]) == {"iteration.metrics.1.key": 'Unknown metric "bounce-rate" in project shop.'}


def test_an_unknown_metric_group_is_named(ld):
    assert invalid_iteration(ld, metrics=[{"key": "checkout"}, {"key": "checkout", "isGroup": True}]) == {"iteration.metrics.1.key": 'Unknown metric group "checkout" in project shop.'}


def test_an_unknown_flag_is_named(ld):
    reasons = invalid_iteration(ld, flags={"button": {"ruleId": RULE, "flagConfigVersion": 7}, "missing-flag": {"ruleId": "fallthrough", "flagConfigVersion": 1}})
    assert reasons == {"iteration.flags.missing-flag": 'Unknown flag "missing-flag" in project shop.'}


def test_a_flag_without_a_configuration_in_the_environment_is_refused(ld):
    banner = iteration(flags={"banner": {"ruleId": "fallthrough", "flagConfigVersion": 1}}, treatments=[
        {"name": "Hidden", "baseline": True, "allocationPercent": "50", "parameters": [{"flagKey": "banner", "variationId": HIDDEN}]},
        {"name": "Shown", "baseline": False, "allocationPercent": "50", "parameters": [{"flagKey": "banner", "variationId": SHOWN}]},
    ])
    with pytest.raises(Invalid) as excinfo:
        create(ld, environment=STAGING, iteration=banner)
    assert errors(excinfo) == {"iteration.flags.banner": 'Flag "banner" has no configuration in environment staging.'}
    assert create(ld, iteration=banner)["draftIteration"]["flags"]["banner"]["targetingRule"] == "fallthrough"


def test_an_unknown_rule_of_the_flag_is_named_and_fallthrough_is_accepted(ld):
    assert invalid_iteration(ld, flags={"button": {"ruleId": STAGING_RULE, "flagConfigVersion": 7}}) == {
        "iteration.flags.button.ruleId": f'Flag "button" has no rule "{STAGING_RULE}" in environment production; use one of its rule ids or "fallthrough".'}
    assert create(ld, iteration=iteration(flags={"button": {"ruleId": "fallthrough", "flagConfigVersion": 7}}))["draftIteration"]["flags"]["button"]["targetingRule"] == "fallthrough"


def test_an_unknown_treatment_variation_is_named(ld):
    treatments = iteration()["treatments"]
    treatments[1]["parameters"][0]["variationId"] = HIDDEN
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments.1.parameters.0.variationId": f'Flag "button" has no variation "{HIDDEN}".'}


def test_a_treatment_flag_must_be_one_of_the_iterations_flags(ld):
    treatments = iteration()["treatments"]
    treatments[1]["parameters"].append({"flagKey": "banner", "variationId": SHOWN})
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments.1.parameters.1.flagKey": 'Flag "banner" is not one of the iteration\'s flags.'}


def test_exactly_one_treatment_is_the_baseline(ld):
    treatments = iteration()["treatments"]
    treatments[1]["baseline"] = True
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments": "Exactly one treatment must be the baseline; 2 are."}
    treatments[0]["baseline"] = treatments[1]["baseline"] = False
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments": "Exactly one treatment must be the baseline; 0 are."}


def test_allocation_percent_is_a_percentage_string(ld):
    treatments = iteration()["treatments"]
    treatments[0]["allocationPercent"] = "150"
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments.0.allocationPercent": '"150" is not a percentage from 0 to 100.'}


def test_the_randomization_unit_must_be_a_context_kind_of_the_project(ld):
    assert invalid_iteration(ld, randomizationUnit="household") == {
        "iteration.randomizationUnit": '"household" is not a context kind of project shop; use one of user, organization, device.'}


def test_every_metric_must_support_the_randomization_unit(ld):
    reasons = invalid_iteration(ld, randomizationUnit="organization")
    assert reasons == {"iteration.metrics.1.key": 'Metric "revenue" cannot be randomized by "organization"; it supports user.'}
    grouped = invalid_iteration(ld, randomizationUnit="device", metrics=[{"key": "views"}, {"key": "funnel", "isGroup": True}], primarySingleMetricKey="views")
    assert grouped == {"iteration.metrics.1.key": 'Metric "checkout" cannot be randomized by "device"; it supports user, organization.'}


def test_the_primary_single_metric_must_be_measured_by_the_iteration(ld):
    assert invalid_iteration(ld, primarySingleMetricKey="views") == {
        "iteration.primarySingleMetricKey": '"views" is not a metric the iteration measures (alone or in one of its metric groups).'}


def test_the_primary_single_metric_may_be_a_step_of_a_listed_funnel(ld):
    created = create(ld, iteration=iteration(metrics=[{"key": "funnel", "isGroup": True}], primarySingleMetricKey="views"))
    draft = created["draftIteration"]
    assert draft["primarySingleMetric"]["key"] == "views"
    assert draft["primaryMetric"]["key"] == "views" and draft["primaryMetric"]["isGroup"] is False


def test_the_primary_funnel_must_be_a_funnel_among_the_metrics(ld):
    metrics = [{"key": "signals", "isGroup": True}, {"key": "funnel", "isGroup": True}]
    body = iteration(metrics=metrics, primaryFunnelKey="signals")
    del body["primarySingleMetricKey"]
    with pytest.raises(Invalid) as excinfo:
        create(ld, iteration=body)
    assert errors(excinfo) == {"iteration.primaryFunnelKey": 'Metric group "signals" is not a funnel.'}
    body["primaryFunnelKey"] = "checkout"
    with pytest.raises(Invalid) as excinfo:
        create(ld, iteration=body)
    assert errors(excinfo) == {"iteration.primaryFunnelKey": '"checkout" is not one of the iteration\'s metric groups.'}


def test_with_both_primary_keys_the_funnel_is_primary_and_the_single_metric_is_shown_too(ld):
    created = create(ld, iteration=iteration(primaryFunnelKey="funnel", metrics=[{"key": "checkout"}, {"key": "funnel", "isGroup": True}]))
    draft = created["draftIteration"]
    assert (draft["primaryMetric"]["key"], draft["primaryMetric"]["isGroup"]) == ("funnel", True)
    assert draft["primaryFunnel"]["key"] == "funnel"
    assert draft["primarySingleMetric"]["key"] == "checkout"
    assert "secondaryMetrics" not in draft  # checkout is primary; nothing else single is measured


def test_the_primary_funnel_must_be_a_listed_funnel(ld):
    assert invalid_iteration(ld, primaryFunnelKey="funnel", primarySingleMetricKey=None) == {
        "iteration.primaryFunnelKey": '"funnel" is not one of the iteration\'s metric groups.'}
    assert invalid_iteration(ld, primaryFunnelKey="signals", primarySingleMetricKey=None, metrics=[{"key": "signals", "isGroup": True}]) == {
        "iteration.primaryFunnelKey": 'Metric group "signals" is not a funnel.'}


def test_a_primary_funnel_is_shown_as_primary_metric_and_primary_funnel(ld):
    body = iteration(metrics=[{"key": "funnel", "isGroup": True}, {"key": "revenue"}], primaryFunnelKey="funnel")
    del body["primarySingleMetricKey"]
    draft = create(ld, iteration=body)["draftIteration"]
    assert draft["primaryMetric"]["key"] == "funnel" and draft["primaryMetric"]["isGroup"] is True
    assert [m["nameInGroup"] for m in draft["primaryMetric"]["metrics"]] == ["Step 1", "Step 2"]
    assert draft["primaryFunnel"]["kind"] == "funnel"
    assert [m["key"] for m in draft["primaryFunnel"]["metrics"]] == ["views", "checkout"]
    assert draft["primaryFunnel"]["_links"]["self"]["href"] == "/api/v2/projects/shop/metric-groups/funnel"
    assert "primarySingleMetric" not in draft
    assert [m["key"] for m in draft["secondaryMetrics"]] == ["revenue"]


def test_the_primary_single_metric_is_shown_with_the_others_as_secondary(ld):
    draft = create(ld)["draftIteration"]
    assert draft["primaryMetric"]["key"] == "checkout" and draft["primaryMetric"]["isGroup"] is False
    assert draft["primarySingleMetric"] == {
        "key": "checkout", "_versionId": "v-checkout", "name": "Checkout", "kind": "custom", "isNumeric": False, "eventKey": "checkout",
        "_links": {"self": {"href": "/api/v2/metrics/shop/checkout", "type": "application/json"}},
    }
    assert [m["key"] for m in draft["secondaryMetrics"]] == ["revenue"]
    assert draft["secondaryMetrics"][0]["isNumeric"] is True and draft["secondaryMetrics"][0]["unitAggregationType"] == "sum"
    assert [m["key"] for m in draft["metrics"]] == ["checkout", "revenue"]


def test_without_a_primary_key_the_metric_marked_primary_or_else_the_first_is_primary(ld):
    body = iteration(metrics=[{"key": "checkout"}, {"key": "revenue", "primary": True}])
    del body["primarySingleMetricKey"]
    assert create(ld, "marked", iteration=body)["draftIteration"]["primaryMetric"]["key"] == "revenue"
    body["metrics"][1]["primary"] = False
    assert create(ld, "first", iteration=body)["draftIteration"]["primaryMetric"]["key"] == "checkout"


def test_the_maintainer_holdout_and_covariate_must_exist(ld):
    assert invalid_create(ld, maintainerId="0" * 24) == {"maintainerId": f'Unknown member "{"0" * 24}".'}
    assert invalid_create(ld, holdoutId="nope") == {"holdoutId": 'Unknown holdout "nope" in this environment.'}
    assert invalid_iteration(ld, covariateId="nope") == {"iteration.covariateId": 'Unknown covariate file "nope" in this environment.'}


def test_a_covariate_file_is_shown_as_covariate_info(ld):
    draft = create(ld, iteration=iteration(covariateId=COVARIATE))["draftIteration"]
    assert draft["covariateInfo"] == {"id": COVARIATE, "fileName": "customers.csv", "createdAt": NOW_MS - 24 * HOUR_MS}


def test_analysis_thresholds_must_be_in_range(ld):
    assert invalid_create(ld, analysisConfig={"bayesianThreshold": "101"}) == {"analysisConfig.bayesianThreshold": '"101" is not a number from 0 to 100.'}
    assert invalid_create(ld, analysisConfig={"significanceThreshold": "101"}) == {"analysisConfig.significanceThreshold": '"101" is not a number from 0 to 100.'}


def test_the_significance_threshold_is_a_percentage_as_in_launchdarklys_example(ld):
    created = create(ld, methodology="frequentist", analysisConfig={"significanceThreshold": "5", "bayesianThreshold": "10"})
    assert created["analysisConfig"] == {"significanceThreshold": "5", "bayesianThreshold": "10"}


def test_the_iteration_shows_its_flags_with_their_rule(ld):
    flag = create(ld)["draftIteration"]["flags"]["button"]
    assert flag == {
        "targetingRule": RULE,
        "targetingRuleDescription": "Customers in FI",
        "targetingRuleClauses": [{"attribute": "country", "op": "in", "values": ["FI"]}],
        "flagConfigVersion": 7,
        "notInExperimentVariationId": BLUE,
        "_links": {"self": {"href": "/api/v2/flags/shop/button", "type": "application/json"}},
    }


def test_every_problem_of_a_create_is_reported_at_once(ld):
    reasons = invalid_create(ld, maintainerId="nobody", iteration=iteration(metrics=[{"key": "nope"}], randomizationUnit="household"))
    assert set(reasons) == {"maintainerId", "iteration.metrics.0.key", "iteration.randomizationUnit", "iteration.primarySingleMetricKey"}


# -- create iteration -----------------------------------------------------------------------------


def test_create_iteration_makes_a_new_draft_replacing_an_unstarted_one(ld, clock):
    first_draft = create(ld)["draftIteration"]["_id"]
    clock.advance(60)
    made = ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis="Second thoughts"))
    assert made["status"] == "not_started" and made["createdAt"] == NOW_MS + 60000 and made["version"] == 0
    assert made["_id"] != first_draft
    assert stored(ld)["draftIteration"]["_id"] == made["_id"]
    assert stored(ld)["draftIteration"]["hypothesis"] == "Second thoughts"
    assert stored(ld)["previousIterations"] == []


def test_create_iteration_checks_like_create_and_changes_nothing_when_invalid(ld):
    create(ld)
    before = stored(ld)
    with pytest.raises(Invalid) as excinfo:
        ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(metrics=[{"key": "nope"}], primarySingleMetricKey="nope"))
    assert errors(excinfo)["metrics.0.key"] == 'Unknown metric "nope" in project shop.'
    assert stored(ld) == before


def test_create_iteration_of_an_unknown_experiment_is_not_found(ld):
    with pytest.raises(NotFound, match="nope"):
        ld.create_iteration(PROJECT, PRODUCTION, "nope", iteration())


def test_create_iteration_leaves_the_running_iteration_running(ld, running):
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration())
    assert stored(ld)["currentIteration"]["status"] == "running"
    assert stored(ld)["draftIteration"]["status"] == "not_started"


# -- updateName, updateDescription ---------------------------------------------------------------


def test_update_name_and_description_change_those_fields(ld):
    create(ld)
    result = patch(ld, {"kind": "updateName", "value": "New name"}, {"kind": "updateDescription", "value": "New description"})
    assert result["name"] == "New name" and result["description"] == "New description"
    assert (stored(ld)["name"], stored(ld)["description"]) == ("New name", "New description")


@pytest.mark.parametrize("kind", ["updateName", "updateDescription"])
def test_update_name_and_description_need_a_value(ld, kind):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": kind})
    assert errors(excinfo) == {"instructions.0.value": f"{kind} needs a value."}


def test_update_name_refuses_an_empty_name(ld):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "updateName", "value": ""})
    assert errors(excinfo) == {"instructions.0.value": "updateName needs a non-empty value."}


# -- startIteration --------------------------------------------------------------------------------


def test_start_iteration_makes_the_draft_the_running_current_iteration(ld, clock):
    created = create(ld)
    clock.advance(3600)
    result = patch(ld, {"kind": "startIteration"})
    current = result["currentIteration"]
    assert current["_id"] == created["draftIteration"]["_id"]
    assert current["status"] == "running"
    assert current["startedAt"] == NOW_MS + HOUR_MS
    assert current["version"] == 1
    assert "draftIteration" not in result
    assert stored(ld)["draftIteration"] is None


def test_start_iteration_needs_a_draft(ld, running):
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration", "changeJustification": "again"})
    assert errors(excinfo) == {"instructions.0": "startIteration: there is no draft iteration to start; create one first (POST .../iterations)."}


def test_start_iteration_needs_a_randomization_unit(ld):
    body = iteration()
    del body["randomizationUnit"]
    create(ld, iteration=body)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"})
    assert errors(excinfo) == {"instructions.0": "startIteration: the draft iteration cannot start: its randomizationUnit is not set."}
    assert stored(ld)["currentIteration"] is None


def test_start_iteration_needs_a_treatment_with_a_non_zero_allocation(ld):
    treatments = iteration()["treatments"]
    treatments[0]["allocationPercent"], treatments[1]["allocationPercent"] = "0", "0.0"
    create(ld, "zero", iteration=iteration(treatments=treatments))
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"}, key="zero")
    assert errors(excinfo) == {"instructions.0": "startIteration: the draft iteration cannot start: no treatment has a non-zero allocationPercent."}
    assert stored(ld, "zero")["currentIteration"] is None


@pytest.mark.parametrize("shares", [("0", "100"), ("10", "0"), ("30", "60"), ("33.5", "66.5")])
def test_start_iteration_accepts_any_allocation_with_a_non_zero_treatment(ld, shares):
    treatments = iteration()["treatments"]
    treatments[0]["allocationPercent"], treatments[1]["allocationPercent"] = shares
    create(ld, "shares", iteration=iteration(treatments=treatments))
    assert patch(ld, {"kind": "startIteration"}, key="shares")["currentIteration"]["status"] == "running"


def test_treatments_cannot_take_more_than_all_the_traffic(ld):
    treatments = iteration()["treatments"]
    treatments[0]["allocationPercent"], treatments[1]["allocationPercent"] = "60", "60"
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments": "The treatments' allocationPercent add up to 120, more than 100."}


def test_start_iteration_needs_its_flag_on_in_the_environment(ld):
    ld.add_flag(PROJECT, "dormant", "Dormant", variations=[{"_id": "d-off", "name": "Off", "value": False}, {"_id": "d-on", "name": "On", "value": True}],
                environments={PRODUCTION: {"version": 4, "rules": [], "on": False}, STAGING: {"version": 1, "rules": []}})
    body = iteration(primarySingleMetricKey="checkout", flags={"dormant": {"ruleId": "fallthrough", "flagConfigVersion": 4}}, treatments=[
        {"name": "Off", "baseline": True, "allocationPercent": "50", "parameters": [{"flagKey": "dormant", "variationId": "d-off"}]},
        {"name": "On", "baseline": False, "allocationPercent": "50", "parameters": [{"flagKey": "dormant", "variationId": "d-on"}]},
    ])
    create(ld, "dormant-test", iteration=body)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"}, key="dormant-test")
    assert errors(excinfo) == {"instructions.0": 'startIteration: the draft iteration cannot start: its flag "dormant" is off in environment production; turn it on first.'}
    assert stored(ld, "dormant-test")["currentIteration"] is None
    ld.create_experiment(PROJECT, STAGING, MAINTAINER, experiment("dormant-test", iteration=body))
    assert ld.patch_experiment(PROJECT, STAGING, "dormant-test", {"instructions": [{"kind": "startIteration"}]})["currentIteration"]["status"] == "running"


def test_start_iteration_refuses_an_archived_flag(ld):
    ld.add_flag(PROJECT, "retired", "Retired", variations=[{"_id": "r-a", "name": "A", "value": False}, {"_id": "r-b", "name": "B", "value": True}],
                environments={PRODUCTION: {"version": 9, "rules": []}}, archived_date=NOW_MS - HOUR_MS)
    body = iteration(flags={"button": {"ruleId": RULE, "flagConfigVersion": 7}, "retired": {"ruleId": "fallthrough", "flagConfigVersion": 9}})
    body["treatments"][0]["parameters"].append({"flagKey": "retired", "variationId": "r-a"})
    body["treatments"][1]["parameters"].append({"flagKey": "retired", "variationId": "r-b"})
    create(ld, "retired-test", iteration=body)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"}, key="retired-test")
    assert errors(excinfo) == {"instructions.0": 'startIteration: the draft iteration cannot start: its flag "retired" is archived.'}


def test_start_iteration_on_a_running_experiment_needs_a_change_justification(ld, running):
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis="Second"))
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"})
    assert errors(excinfo) == {"instructions.0.changeJustification": "startIteration needs a changeJustification while an iteration is running."}
    assert stored(ld)["currentIteration"]["_id"] == running["currentIteration"]["_id"]


def test_start_iteration_with_justification_ends_the_running_one_into_previous_iterations(ld, running, clock):
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis="Second"))
    result = patch(ld, {"kind": "startIteration", "changeJustification": "New audience"})
    assert result["currentIteration"]["hypothesis"] == "Second"
    assert result["currentIteration"]["startedAt"] == NOW_MS + 2 * HOUR_MS
    previous = result["previousIterations"]
    assert [p["_id"] for p in previous] == [running["currentIteration"]["_id"]]
    assert previous[0]["status"] == "stopped"
    assert previous[0]["endedAt"] == NOW_MS + 2 * HOUR_MS
    assert previous[0]["version"] == 2
    assert "winningTreatmentId" not in previous[0]


def test_start_iteration_after_a_stop_moves_the_stopped_one_to_previous_without_justification(ld, running):
    patch(ld, {"kind": "stopIteration", "winningTreatmentId": treatment_ids(ld)[1]})
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis="Third"))
    result = patch(ld, {"kind": "startIteration"})
    assert result["currentIteration"]["hypothesis"] == "Third"
    assert [p["_id"] for p in result["previousIterations"]] == [running["currentIteration"]["_id"]]
    assert result["previousIterations"][0]["winningTreatmentId"] == running["currentIteration"]["treatments"][1]["_id"]
    assert result["previousIterations"][0]["version"] == 2  # stopping changed it, moving did not


def test_previous_iterations_are_most_recent_first(ld, running):
    for number in (2, 3):
        ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis=f"Iteration {number}"))
        patch(ld, {"kind": "startIteration", "changeJustification": f"Iteration {number}"})
    assert [p["hypothesis"] for p in stored(ld)["previousIterations"]] == ["Iteration 2", "Green sells more"]


def test_an_archived_experiment_cannot_start_iterations(ld):
    create(ld)
    patch(ld, {"kind": "archiveExperiment"})
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "startIteration"})
    assert errors(excinfo) == {"instructions.0": "startIteration: the experiment is archived; restore it (restoreExperiment) before starting an iteration."}
    assert stored(ld)["currentIteration"] is None


# -- stopIteration ---------------------------------------------------------------------------------


def test_stop_iteration_records_the_winner_reason_and_end(ld, running, clock):
    winner = treatment_ids(ld)[1]
    result = patch(ld, {"kind": "stopIteration", "winningTreatmentId": winner, "winningReason": "Green won"})
    current = result["currentIteration"]
    assert current["status"] == "stopped"
    assert current["winningTreatmentId"] == winner
    assert current["winningReason"] == "Green won"
    assert current["endedAt"] == NOW_MS + 2 * HOUR_MS
    assert current["version"] == 2


def test_stop_iteration_needs_a_winning_treatment_id(ld, running):
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "stopIteration", "winningReason": "Because"})
    assert errors(excinfo) == {"instructions.0.winningTreatmentId": "stopIteration needs a winningTreatmentId."}


def test_the_winner_must_be_a_treatment_of_the_current_iteration(ld, running):
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration())
    draft_treatment = treatment_ids(ld, "draftIteration")[0]
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "stopIteration", "winningTreatmentId": draft_treatment})
    reason = errors(excinfo)["instructions.0.winningTreatmentId"]
    assert reason.startswith(f'stopIteration: "{draft_treatment}" is not a treatment of the current iteration')
    assert stored(ld)["currentIteration"]["status"] == "running"


def test_stop_iteration_needs_a_running_iteration(ld):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "stopIteration", "winningTreatmentId": treatment_ids(ld, "draftIteration")[0]})
    assert errors(excinfo) == {"instructions.0": "stopIteration: the experiment has no running iteration."}


def test_stopping_an_experiment_in_a_layer_records_the_layer(ld, clock):
    create(ld, "layered")
    patch(ld, {"kind": "startIteration"}, key="layered")
    winner = treatment_ids(ld, key="layered")[0]
    current = patch(ld, {"kind": "stopIteration", "winningTreatmentId": winner}, key="layered")["currentIteration"]
    assert current["layerSnapshot"] == {"key": "checkout-flow", "name": "Checkout flow", "reservationPercent": 25, "otherReservationPercent": 50}


def test_an_experiment_outside_layers_has_no_layer_snapshot(ld, running):
    current = patch(ld, {"kind": "stopIteration", "winningTreatmentId": treatment_ids(ld)[0]})["currentIteration"]
    assert "layerSnapshot" not in current


# -- archiveExperiment, restoreExperiment ----------------------------------------------------------


def test_archive_sets_the_archived_date_and_restore_clears_it(ld, clock):
    create(ld)
    clock.advance(10)
    assert patch(ld, {"kind": "archiveExperiment"})["archivedDate"] == NOW_MS + 10000
    assert stored(ld)["archivedDate"] == NOW_MS + 10000
    assert "archivedDate" not in patch(ld, {"kind": "restoreExperiment"})
    assert stored(ld)["archivedDate"] is None


def test_archiving_again_keeps_the_first_date_and_restoring_an_active_one_changes_nothing(ld, clock):
    create(ld)
    before = stored(ld)
    patch(ld, {"kind": "restoreExperiment"})
    assert stored(ld) == before
    patch(ld, {"kind": "archiveExperiment"})
    clock.advance(60)
    assert patch(ld, {"kind": "archiveExperiment"})["archivedDate"] == NOW_MS


def test_a_running_experiment_must_be_stopped_before_archiving(ld, running):
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "archiveExperiment"})
    assert errors(excinfo) == {"instructions.0": "archiveExperiment: the experiment has a running iteration; stop it (stopIteration) before archiving."}
    assert stored(ld)["archivedDate"] is None


def test_a_restored_experiment_can_start_iterations_again(ld):
    create(ld)
    patch(ld, {"kind": "archiveExperiment"})
    patch(ld, {"kind": "restoreExperiment"})
    assert patch(ld, {"kind": "startIteration"})["currentIteration"]["status"] == "running"


def test_archived_experiments_are_listed_only_when_asked_for(ld, clock):
    create(ld, "active")
    clock.advance(1)
    create(ld, "archived")
    patch(ld, {"kind": "archiveExperiment"}, key="archived")
    keys = lambda **options: [e["key"] for e in list_experiments(ld, PROJECT, PRODUCTION, **options)["items"]]
    assert keys() == ["active"]
    assert keys(lifecycle_state="archived") == ["archived"]
    assert keys(lifecycle_state="active,archived") == ["archived", "active"]
    with pytest.raises(Invalid):
        list_experiments(ld, PROJECT, PRODUCTION, lifecycle_state="deleted")


# -- semantic patch ---------------------------------------------------------------------------------


def test_an_unknown_instruction_kind_is_named(ld):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "updateName", "value": "ok"}, {"kind": "turnFlagOn"})
    assert errors(excinfo) == {"instructions.1.kind": 'Unknown instruction kind "turnFlagOn"; use one of updateName, updateDescription, startIteration, stopIteration, archiveExperiment, restoreExperiment.'}
    assert stored(ld)["name"] == "Button colour"


def test_an_instruction_without_kind_and_a_patch_without_instructions_are_refused(ld):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"value": "x"})
    assert errors(excinfo) == {"instructions.0.kind": "This field is required."}
    with pytest.raises(Invalid) as excinfo:
        ld.patch_experiment(PROJECT, PRODUCTION, "exp", {"comment": "nothing"})
    assert errors(excinfo) == {"instructions": "This field is required."}
    with pytest.raises(Invalid):
        patch(ld)


def test_instructions_apply_all_or_nothing(ld, running):
    before = stored(ld)
    with pytest.raises(Invalid) as excinfo:
        patch(ld, {"kind": "updateName", "value": "Renamed"},
              {"kind": "stopIteration", "winningTreatmentId": treatment_ids(ld)[0]},
              {"kind": "stopIteration", "winningTreatmentId": treatment_ids(ld)[0]})
    assert errors(excinfo) == {"instructions.2": "stopIteration: the experiment has no running iteration."}
    assert stored(ld) == before


def test_instructions_apply_in_order_each_on_the_result_of_the_last(ld, running):
    winner = treatment_ids(ld)[1]
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration(hypothesis="Next"))
    result = patch(ld, {"kind": "stopIteration", "winningTreatmentId": winner}, {"kind": "startIteration"}, {"kind": "updateName", "value": "Round two"})
    assert result["name"] == "Round two"
    assert result["currentIteration"]["hypothesis"] == "Next" and result["currentIteration"]["status"] == "running"
    assert result["previousIterations"][0]["winningTreatmentId"] == winner


def test_patching_an_unknown_experiment_is_not_found(ld):
    with pytest.raises(NotFound):
        patch(ld, {"kind": "updateName", "value": "x"}, key="nope")


# -- reading -----------------------------------------------------------------------------------------


def test_get_shows_the_default_representation_plus_what_expand_names(ld, running):
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration())
    plain = ld.get_experiment(PROJECT, PRODUCTION, "exp")
    assert "treatments" not in plain["currentIteration"] and "secondaryMetrics" not in plain["currentIteration"]
    assert "draftIteration" not in plain and "previousIterations" not in plain and "analysisConfig" not in plain
    assert plain["currentIteration"]["primaryMetric"]["key"] == "checkout"
    expanded = ld.get_experiment(PROJECT, PRODUCTION, "exp", expand="treatments,draftIteration,secondaryMetrics")
    assert len(expanded["currentIteration"]["treatments"]) == 2
    assert expanded["draftIteration"]["status"] == "not_started" and len(expanded["draftIteration"]["treatments"]) == 2
    assert [m["key"] for m in expanded["currentIteration"]["secondaryMetrics"]] == ["revenue"]


def test_an_empty_expansion_is_left_out(ld):
    create(ld)
    got = ld.get_experiment(PROJECT, PRODUCTION, "exp", expand="previousIterations,analysisConfig")
    assert "previousIterations" not in got and "analysisConfig" not in got


def test_an_unknown_expansion_is_refused(ld):
    create(ld)
    with pytest.raises(Invalid) as excinfo:
        ld.get_experiment(PROJECT, PRODUCTION, "exp", expand="treatments,owners")
    assert errors(excinfo) == {"expand": '"owners" cannot be expanded; use previousIterations, draftIteration, secondaryMetrics, treatments, analysisConfig.'}


def test_list_pages_newest_first_with_total_count_and_links(ld, clock):
    for key in ("a", "b", "c"):
        create(ld, key)
        clock.advance(1)
    first = list_experiments(ld, PROJECT, PRODUCTION, limit=2)
    assert [e["key"] for e in first["items"]] == ["c", "b"]
    assert first["total_count"] == 3
    base = "/api/v2/projects/shop/environments/production/experiments"
    assert first["_links"]["self"]["href"] == f"{base}?limit=2&offset=0"
    assert first["_links"]["next"]["href"] == f"{base}?limit=2&offset=2"
    assert first["_links"]["last"]["href"] == f"{base}?limit=2&offset=2"
    assert "prev" not in first["_links"]
    second = list_experiments(ld, PROJECT, PRODUCTION, limit=2, offset=2)
    assert [e["key"] for e in second["items"]] == ["a"]
    assert second["_links"]["prev"]["href"] == f"{base}?limit=2&offset=0"
    assert "next" not in second["_links"]


def test_list_filters_by_flag_metric_and_status(ld, clock):
    create(ld, "button-draft")
    banner = iteration(treatments=[
        {"name": "Hidden", "baseline": True, "allocationPercent": "50", "parameters": [{"flagKey": "banner", "variationId": HIDDEN}]},
        {"name": "Shown", "baseline": False, "allocationPercent": "50", "parameters": [{"flagKey": "banner", "variationId": SHOWN}]},
    ], flags={"banner": {"ruleId": "fallthrough", "flagConfigVersion": 3}}, metrics=[{"key": "views"}], primarySingleMetricKey="views")
    create(ld, "banner-running", iteration=banner)
    patch(ld, {"kind": "startIteration"}, key="banner-running")
    keys = lambda filter: sorted(e["key"] for e in list_experiments(ld, PROJECT, PRODUCTION, filter=filter)["items"])
    assert keys("flagKey:banner") == ["banner-running"]
    assert keys("metricKey:revenue") == ["button-draft"]
    assert keys("status:not_started") == ["button-draft"]
    assert keys("status:running") == ["banner-running"]
    assert keys("status:running,flagKey:button") == []
    assert list_experiments(ld, PROJECT, PRODUCTION, filter="status:running")["total_count"] == 1
    for bad in ("status:paused", "owner:me"):
        with pytest.raises(Invalid):
            list_experiments(ld, PROJECT, PRODUCTION, filter=bad)


def test_list_shows_only_the_environments_experiments(ld):
    create(ld)
    assert list_experiments(ld, PROJECT, STAGING)["items"] == []
    with pytest.raises(NotFound):
        list_experiments(ld, PROJECT, "nope")


# -- access tokens ------------------------------------------------------------------------------------


def test_an_unknown_token_is_unauthorized(ld):
    with pytest.raises(Unauthorized):
        ld.authenticate("nope")
    with pytest.raises(Unauthorized):
        ld.authenticate("")
    assert ld.authenticate("writer-token")["member"]["_id"] == MAINTAINER


def test_a_reader_token_may_read_but_not_write(ld):
    reader = ld.authenticate("reader-token")
    ld.authorize(reader, PROJECT, write=False)
    with pytest.raises(Forbidden, match="reader"):
        ld.authorize(reader, PROJECT, write=True)


def test_a_token_limited_to_a_project_is_forbidden_elsewhere(ld):
    scoped = ld.authenticate("other-only-token")
    ld.authorize(scoped, OTHER_PROJECT, write=True)
    with pytest.raises(Forbidden, match="project other"):
        ld.authorize(scoped, PROJECT, write=False)


def test_credentials_list_each_token_with_its_role_and_tenant(ld):
    by_token = {c.value: c.to_json() for c in ld.credentials() if c.spec is None}  # the SDK keys: test_sdk_models
    assert set(by_token) == {"writer-token", "reader-token", "other-only-token"}
    writer, reader, scoped = by_token["writer-token"], by_token["reader-token"], by_token["other-only-token"]
    assert writer["header"] == "Authorization" and writer["vendor"] == "launchdarkly"
    assert writer["permissions"] == ["read experiments", "write experiments"] and writer["note"] is None
    assert writer["tenant"] == {"projectKey": PROJECT, "environmentKey": PRODUCTION} and writer["can_write"]
    assert writer["user"] == "Mia Maintainer"
    assert reader["permissions"] == ["read experiments"] and "read-only" in reader["note"] and not reader["can_write"]
    assert scoped["tenant"]["projectKey"] == OTHER_PROJECT and "custom role" in scoped["role"]


# -- the demo world -----------------------------------------------------------------------------------


def test_the_demo_world_has_experiments_in_every_state_and_is_the_same_for_the_same_seed(clock):
    worlds = []
    for _ in range(2):
        model = LaunchDarkly(Store().vendor("launchdarkly"), clock)
        fixtures.load(model)
        worlds.append(model)
    docs = worlds[0].environment("demo-shop", "production").query(EXPERIMENTS)
    states = {doc["key"]: ("archived" if doc["archivedDate"] else worlds[0].status(doc), len(doc["previousIterations"])) for doc in docs}
    assert states == {
        "free-shipping-banner-test": ("not_started", 0),
        "checkout-button-test": ("running", 0),
        "search-ranking-test": ("stopped", 0),
        "basket-size-test": ("running", 1),
        "holiday-banner-test": ("archived", 0),
    }
    assert worlds[0].store.dump() == worlds[1].store.dump()
    assert worlds[0].credentials() == worlds[1].credentials()


def test_malformed_iteration_parts_are_reported_not_crashed_on(ld):
    """The model does not rely on the spec having checked the shapes."""
    assert invalid_iteration(ld, flags=[], treatments={}, metrics="checkout") == {
        "iteration.flags": "Expected object.", "iteration.treatments": "Expected array.", "iteration.metrics": "Expected array."}
    treatments = iteration()["treatments"]
    treatments[1]["parameters"] = ["button"]
    assert invalid_iteration(ld, treatments=treatments) == {"iteration.treatments.1.parameters.0": "Expected object."}


# -- flags and metrics, read-only --------------------------------------------------------------------


def test_flags_are_listed_newest_first_and_archived_ones_only_when_asked(ld):
    ld.add_flag(PROJECT, "old", "Old", variations=[{"_id": "o-a", "name": "A", "value": False}, {"_id": "o-b", "name": "B", "value": True}],
                environments={PRODUCTION: {"version": 1, "rules": []}}, created=NOW_MS - 10 * HOUR_MS, archived_date=NOW_MS - HOUR_MS)
    ld.add_flag(PROJECT, "new", "New", variations=[{"_id": "n-a", "name": "A", "value": False}, {"_id": "n-b", "name": "B", "value": True}],
                environments={PRODUCTION: {"version": 1, "rules": []}}, created=NOW_MS)
    assert [flag["key"] for flag in ld.get_feature_flags(PROJECT).items] == ["new", "button", "banner"]
    assert [flag["key"] for flag in ld.get_feature_flags(PROJECT, filter="archived:true").items] == ["old"]
    with pytest.raises(Invalid):
        ld.get_feature_flags(PROJECT, filter="tags:checkout")


def test_a_flag_read_has_each_environments_rules_on_and_version(ld):
    flag = ld.get_feature_flag(PROJECT, "button")
    assert flag["kind"] == "multivariate" and [v["_id"] for v in flag["variations"]] == [BLUE, GREEN, LARGE]
    production = flag["environments"][PRODUCTION]
    assert (production["on"], production["version"], [r["_id"] for r in production["rules"]]) == (True, 7, [RULE])
    assert ld.get_feature_flag(PROJECT, "banner")["kind"] == "boolean"
    summary = ld.represent_flag(ld.flag(PROJECT, "button"), [ld.environment_of(PROJECT, PRODUCTION)], rules=False)
    assert "rules" not in summary["environments"][PRODUCTION]
    with pytest.raises(NotFound):
        ld.get_feature_flag(PROJECT, "nope")


def test_a_metric_read_has_its_kind_numeric_event_key_and_units(ld):
    revenue = ld.get_metric(PROJECT, "revenue")
    assert {k: revenue[k] for k in ("kind", "isNumeric", "unitAggregationType", "eventKey", "randomizationUnits")} == {
        "kind": "custom", "isNumeric": True, "unitAggregationType": "sum", "eventKey": "revenue", "randomizationUnits": ["user"]}
    assert [m["key"] for m in ld.get_metric_group(PROJECT, "funnel")["metrics"]] == ["views", "checkout"]
    with pytest.raises(NotFound):
        ld.get_metric(PROJECT, "nope")
