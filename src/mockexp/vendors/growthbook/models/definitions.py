"""A feature as GrowthBook's SDKs read it in one environment (a FeatureDefinition): its parsed
default value and the rules that apply now, in SDK form (conditions as objects, saved groups
written into them, prerequisites as parent conditions)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, Mapping

from mockexp.vendors.growthbook.models import values
from mockexp.vendors.growthbook.models.rules import moment

Groups = Callable[[str], Mapping[str, Any] | None]  # saved group id -> the group
MATCH = {"all": "$and", "any": "$or", "none": "$nor"}


def definition(feature: Mapping[str, Any], rules: list[Mapping[str, Any]], groups: Groups, now: datetime) -> dict:
    value_type = feature["valueType"]
    sdk_rules = [_gate(feature["prerequisites"])] if feature.get("prerequisites") else []
    sdk_rules += [_sdk_rule(feature, rule, groups) for rule in rules if rule["enabled"] and _scheduled(rule, now)]
    found = {"defaultValue": values.parse(value_type, feature["defaultValue"])}
    if sdk_rules:
        found["rules"] = sdk_rules
    return found


def _gate(prerequisites: list[str]) -> dict:
    """Feature-level prerequisites: unless each is true, the feature is off (null)."""
    return {"parentConditions": [{"id": id, "condition": {"value": True}, "gate": True} for id in prerequisites]}


def _scheduled(rule: Mapping[str, Any], now: datetime) -> bool:
    """Whether a rule's schedule (a start and an end rule) has it on at `now`: each rule whose
    moment has passed sets the state; before the start it is the opposite of the start's. A
    null start has passed; a null end never comes."""
    state = True
    for index, step in enumerate(rule.get("scheduleRules") or []):
        if step["timestamp"] is None:
            state = step["enabled"] if index == 0 else state
        elif moment(step["timestamp"]) <= now:
            state = step["enabled"]
        elif index == 0:
            state = not step["enabled"]
    return state


def _sdk_rule(feature: Mapping[str, Any], rule: Mapping[str, Any], groups: Groups) -> dict:
    value_type, kind = feature["valueType"], rule["type"]
    out: dict[str, Any] = {"id": rule["id"]}
    condition = _condition(rule, groups)
    if condition:
        out["condition"] = condition
    if rule.get("prerequisites"):
        out["parentConditions"] = [{"id": p["id"], "condition": values.condition(p["condition"], "condition") or {}} for p in rule["prerequisites"]]
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
    variations = rule["variations"]
    out.update(key=rule["experimentId"], hashAttribute="id", variations=[values.parse(value_type, v["value"]) for v in variations],
               weights=_even(len(variations)), meta=[{"key": v["variationId"]} for v in variations])
    return out


def _even(count: int) -> list[float]:
    weights = [round(1 / count, 4)] * count
    weights[-1] = round(1 - sum(weights[:-1]), 4)
    return weights


def _condition(rule: Mapping[str, Any], groups: Groups) -> dict | None:
    parts = [values.condition(rule.get("condition", ""), "condition")]
    for target in rule.get("savedGroupTargeting", []):
        conditions = [_group_condition(groups(id)) for id in target["savedGroups"]]
        conditions = [c for c in conditions if c]
        if conditions:
            parts.append({MATCH[target["matchType"]]: conditions})
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
