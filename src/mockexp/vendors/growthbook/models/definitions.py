"""A feature as GrowthBook's SDKs read it in one environment (a FeatureDefinition): its parsed
default value and the rules that apply now, in SDK form (conditions as objects, saved groups
written into them, prerequisites as parent conditions).

An `experiment-ref` rule is served as its experiment now stands, GrowthBook's way: a draft or
archived experiment's rule is left out; a running one's is an experiment rule (the tracking key,
hashing, and the latest phase's seed, coverage, split, namespace and targeting, with the rule's
values in the order of the experiment's variations, null for one the rule does not serve); a
stopped one's forces the released variation's value, or is left out when none was released,
the rule does not serve it, or the experiment is excluded from the payload.

Pure: saved groups and experiments come from lookups the caller passes (id -> object or None)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, Mapping

from mockexp.errors import Invalid
from mockexp.vendors.growthbook.models import values
from mockexp.vendors.growthbook.models.common import moment

Lookup = Callable[[str], Mapping[str, Any] | None]  # id -> the saved group (or experiment), None if there is none
MATCH = {"all": "$and", "any": "$or", "none": "$nor"}


def definition(feature: Mapping[str, Any], rules: list[Mapping[str, Any]], groups: Lookup, experiments: Lookup, passed: Callable[[datetime], bool]) -> dict:
    """`passed(moment)`: whether a moment of a rule's schedule has come (`Clock.passed`); asked
    only for a rule with a schedule, so a definition holds until its next scheduled moment."""
    value_type = feature["valueType"]
    sdk_rules = [_gate(feature["prerequisites"])] if feature.get("prerequisites") else []
    made = [_sdk_rule(feature, rule, groups, experiments) for rule in rules if rule["enabled"] and _scheduled(rule, passed)]
    sdk_rules += [rule for rule in made if rule is not None]
    found = {"defaultValue": values.parse(value_type, feature["defaultValue"])}
    if sdk_rules:
        found["rules"] = sdk_rules
    return found


def _gate(prerequisites: list[str]) -> dict:
    """Feature-level prerequisites: unless each is true, the feature is off (null)."""
    return {"parentConditions": [{"id": id, "condition": {"value": True}, "gate": True} for id in prerequisites]}


def _scheduled(rule: Mapping[str, Any], passed: Callable[[datetime], bool]) -> bool:
    """Whether a rule's schedule (a start and an end rule) has it on at `now`: each rule whose
    moment has passed sets the state; before the start it is the opposite of the start's. A
    null start has passed; a null end never comes."""
    state = True
    for index, step in enumerate(rule.get("scheduleRules") or []):
        if step["timestamp"] is None:
            state = step["enabled"] if index == 0 else state
        elif passed(moment(step["timestamp"])):
            state = step["enabled"]
        elif index == 0:
            state = not step["enabled"]
    return state


def _sdk_rule(feature: Mapping[str, Any], rule: Mapping[str, Any], groups: Lookup, experiments: Lookup) -> dict | None:
    value_type, kind = feature["valueType"], rule["type"]
    out: dict[str, Any] = {"id": rule["id"]}
    condition = _condition(rule.get("condition", ""), rule.get("savedGroupTargeting", []), groups)
    if condition:
        out["condition"] = condition
    if rule.get("prerequisites"):
        out["parentConditions"] = _parents(rule["prerequisites"])
    if kind in ("force", "rollout"):
        out["force"] = values.parse(value_type, rule["value"])
        if kind == "rollout":
            out.update(coverage=rule["coverage"], hashAttribute=rule["hashAttribute"])
        return out
    if kind == "experiment":
        variations = rule["value"]
        out.update(key=rule.get("trackingKey") or feature["id"], coverage=rule.get("coverage", 1), hashAttribute=rule.get("hashAttribute", "id"),
                   variations=[values.parse(value_type, v["value"]) for v in variations], weights=[v["weight"] for v in variations],
                   meta=[{"key": str(i), "name": v.get("name", "")} for i, v in enumerate(variations)])
        return out
    return _experiment_ref(value_type, rule, experiments(rule["experimentId"]), out, groups)


def _parents(prerequisites: list[Mapping[str, Any]]) -> list[dict]:
    return [{"id": p["id"], "condition": values.condition(p["condition"], "condition") or {}} for p in prerequisites]


def _experiment_ref(value_type: str, rule: Mapping[str, Any], experiment: Mapping[str, Any] | None, out: dict, groups: Lookup) -> dict | None:
    """The rule as its experiment now stands (None: left out of the payload)."""
    if experiment is None or experiment["archived"] or experiment["status"] == "draft":
        return None
    served = {v["variationId"]: values.parse(value_type, v["value"]) for v in rule["variations"]}
    if experiment["status"] == "stopped":
        summary = experiment.get("resultSummary") or {}
        released = summary.get("releasedVariationId")
        if not released or summary.get("excludeFromPayload") or released not in served:
            return None
        return {**out, "force": served[released]}
    return _running(experiment, served, out, groups)


def _running(experiment: Mapping[str, Any], served: Mapping[str, Any], out: dict, groups: Lookup) -> dict | None:
    """A running experiment's rule: the latest phase splits units over the variations."""
    if not experiment["phases"]:
        return None
    index, phase = len(experiment["phases"]) - 1, experiment["phases"][-1]
    try:
        targeting = _parts(phase.get("targetingCondition", ""), phase.get("savedGroupTargeting", []), groups)
        parents = _parents(phase.get("prerequisites", []))
    except Invalid:
        return None  # a phase whose targeting is not JSON objects: no unit the SDK could tell is in it
    out = dict(out)
    condition = _all([out.pop("condition", None), *targeting])
    if condition:
        out["condition"] = condition
    if parents:
        out["parentConditions"] = out.get("parentConditions", []) + parents
    split = {s["variationId"]: s["weight"] for s in phase["trafficSplit"]}
    variations = experiment["variations"]
    out.update(key=experiment["trackingKey"], hashAttribute=experiment["hashAttribute"])
    if experiment.get("fallbackAttribute"):
        out["fallbackAttribute"] = experiment["fallbackAttribute"]
    out.update(hashVersion=experiment["hashVersion"], seed=phase.get("seed") or experiment["trackingKey"], coverage=phase["coverage"],
               variations=[served.get(v["variationId"]) for v in variations], weights=[split.get(v["variationId"], 0) for v in variations],
               meta=[{"key": v["key"], "name": v["name"]} for v in variations], phase=str(index), name=experiment["name"])
    namespace = phase.get("namespace") or {}
    if namespace.get("namespaceId") and namespace.get("enabled", True):
        out["namespace"] = [namespace["namespaceId"], *namespace.get("range", [0, 1])]
    out.update(bucketVersion=experiment.get("bucketVersion", 0), minBucketVersion=experiment.get("minBucketVersion", 0))
    if experiment.get("disableStickyBucketing"):
        out["disableStickyBucketing"] = True
    return out


def _condition(text: str, targeting: list[Mapping[str, Any]], groups: Lookup) -> dict | None:
    """A condition (JSON text) and saved group targeting as one condition object (None: everyone)."""
    return _all(_parts(text, targeting, groups))


def _parts(text: str, targeting: list[Mapping[str, Any]], groups: Lookup) -> list[dict | None]:
    parts = [values.condition(text, "condition")]
    for target in targeting:
        conditions = [_group_condition(groups(id)) for id in target["savedGroups"]]
        conditions = [c for c in conditions if c]
        if conditions:
            parts.append({MATCH[target["matchType"]]: conditions})
    return parts


def _all(parts: list[dict | None]) -> dict | None:
    parts = [part for part in parts if part]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _group_condition(group: Mapping[str, Any] | None) -> dict | None:
    if group is None:
        return None
    if group["type"] == "list":
        return {group["attributeKey"]: {"$in": list(group.get("values", []))}}
    return values.condition(group.get("condition", ""), "condition")


def as_text(found: Mapping[str, Any]) -> str:
    return json.dumps(found, separators=(",", ":"))
