"""The example requests of LaunchDarkly's API reference for its five experiment operations,
rewritten here with our own words and the demo world's keys and ids in place of the
reference's placeholders.

What each example keeps from the reference is its shape and its telling values: the full
create and create-iteration examples list one metric group (`isGroup` and `primary` both
true), give both `primarySingleMetricKey` and `primaryFunnelKey`, have a single baseline
treatment with `allocationPercent` "10", `reallocationFrequencyMillis` 3600000, the
attributes country / device / os, `flagConfigVersion` 12, and (create) `analysisConfig` with
`bayesianThreshold` "10" and `significanceThreshold` "5", `methodology` bayesian and
`dataSource` snowflake. The reference's placeholders map to the demo world as follows:
its metric group and funnel to the `purchase-funnel` funnel, its single metric to that
funnel's last step `checkout-completed`, both its flag keys to `checkout-button` (with the
flag's first variation and first production rule), its holdout, covariate file and
maintainer to the demo ones.

The reference renders the `flags` map of the full examples as a JSON-encoded string (its
schema says an object of flag configurations): `as_rendered` gives that literal form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Demo:
    """The demo ids the examples need, read from the running mock."""

    flag_key: str
    variation_id: str
    rule_id: str
    funnel_key: str
    funnel_step_key: str
    metric_key: str
    holdout_id: str
    covariate_id: str
    maintainer_id: str


def full_iteration(demo: Demo, hypothesis: str = "Moving the button above the fold lifts conversion") -> dict:
    return {
        "hypothesis": hypothesis,
        "metrics": [{"key": demo.funnel_key, "isGroup": True, "primary": True}],
        "treatments": [{
            "name": "First treatment",
            "baseline": True,
            "allocationPercent": "10",
            "parameters": [{"flagKey": demo.flag_key, "variationId": demo.variation_id}],
        }],
        "flags": {demo.flag_key: {"ruleId": demo.rule_id, "flagConfigVersion": 12, "notInExperimentVariationId": demo.variation_id}},
        "canReshuffleTraffic": True,
        "primarySingleMetricKey": demo.funnel_step_key,
        "primaryFunnelKey": demo.funnel_key,
        "randomizationUnit": "user",
        "reallocationFrequencyMillis": 3600000,
        "covariateId": demo.covariate_id,
        "attributes": ["country", "device", "os"],
    }


def required_iteration(demo: Demo, hypothesis: str = "Moving the button above the fold lifts conversion") -> dict:
    """The reference's form with only the required fields."""
    return {
        "hypothesis": hypothesis,
        "metrics": [{"key": demo.metric_key}],
        "treatments": [{
            "name": "First treatment",
            "baseline": True,
            "allocationPercent": "10",
            "parameters": [{"flagKey": demo.flag_key, "variationId": demo.variation_id}],
        }],
        "flags": {demo.flag_key: {"ruleId": demo.rule_id, "flagConfigVersion": 12}},
    }


def full_experiment(demo: Demo, key: str) -> dict:
    return {
        "name": "Button placement",
        "key": key,
        "iteration": full_iteration(demo),
        "description": "Tried from the reference's example",
        "maintainerId": demo.maintainer_id,
        "holdoutId": demo.holdout_id,
        "tags": ["placement"],
        "methodology": "bayesian",
        "analysisConfig": {
            "bayesianThreshold": "10",
            "significanceThreshold": "5",
            "testDirection": "two-sided",
            "multipleComparisonCorrectionMethod": "bonferroni",
            "multipleComparisonCorrectionScope": "variations",
            "sequentialTestingEnabled": True,
        },
        "dataSource": "snowflake",
        "type": "experiment",
    }


def required_experiment(demo: Demo, key: str) -> dict:
    return {"name": "Button placement", "key": key, "iteration": required_iteration(demo)}


def as_rendered(body: dict) -> dict:
    """The body with its iteration's `flags` map as the JSON-encoded string the reference shows."""
    iteration = body["iteration"] if "iteration" in body else body
    rendered = {**iteration, "flags": json.dumps(iteration["flags"])}
    return {**body, "iteration": rendered} if "iteration" in body else rendered


def patches_up_to_start() -> list[dict]:
    """The reference's semantic-patch examples a draft experiment takes first (renames, a new
    description, the start)."""
    return [
        {"comment": "Clearer name", "instructions": [{"kind": "updateName", "value": "Button placement, renamed"}]},
        {"instructions": [{"kind": "updateName", "value": "Button placement above the fold"}]},
        {"instructions": [{"kind": "updateDescription", "value": "Described again"}]},
        {"instructions": [{"kind": "startIteration", "changeJustification": "Ready to measure"}]},
    ]


def patches_after_start(winning_treatment_id: str) -> list[dict]:
    """Then the stop (the winner is a treatment `_id` of the running iteration), archive and restore."""
    return [
        {"instructions": [{"kind": "stopIteration", "winningTreatmentId": winning_treatment_id, "winningReason": "It won clearly"}]},
        {"instructions": [{"kind": "archiveExperiment"}]},
        {"instructions": [{"kind": "restoreExperiment"}]},
    ]


# the list's documented query examples, with the demo world's keys
LIST_QUERIES = [
    {},
    {"filter": "flagKey:checkout-button,status:running,metricKey:order-value"},
    {"expand": "draftIteration,treatments"},
]
