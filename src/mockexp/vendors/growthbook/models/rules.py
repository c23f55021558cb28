"""Feature rules as sent (checked, with their defaults filled in) and as stored. What a rule
names must exist in the organization: saved groups, prerequisite features, and the experiment
of an `experiment-ref` rule (each of the rule's `variationId`s one of that experiment's
variations); else a 400 naming the field."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mockexp.errors import Invalid, missing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import values
from mockexp.vendors.growthbook.models.common import EXPERIMENTS, FEATURES, SAVED_GROUPS, moment

NEEDS = {"force": ("value",), "rollout": ("value", "coverage"), "experiment": ("value",), "experiment-ref": ("experimentId", "variations")}
SHARED = ("savedGroupTargeting", "prerequisites", "scheduleRules")


def checked_rules(org: Tables, value_type: str, rules: list[Mapping[str, Any]], at: str, new_id: Callable[[], str]) -> list[dict]:
    """The rules of one environment, each checked (400 naming the field) and completed."""
    out, seen = [], set()
    for index, rule in enumerate(rules):
        where = f"{at}[{index}]"
        done = _rule(org, value_type, rule, where, new_id)
        if done["id"] in seen:
            raise Invalid.field(f"{where}.id", f"Rule id {done['id']} is used twice in this environment.")
        seen.add(done["id"])
        out.append(done)
    return out


def _rule(org: Tables, value_type: str, rule: Mapping[str, Any], where: str, new_id: Callable[[], str]) -> dict:
    kind = rule["type"]
    errors = missing(rule, NEEDS[kind])
    if errors:
        raise Invalid([((f"{where}.{path[0]}",), reason) for path, reason in errors])
    values.condition(rule.get("condition", ""), f"{where}.condition")
    _targeting(org, rule, where)
    if kind == "experiment-ref":
        _experiment_ref(org, rule, where)
    _schedule(rule, where)
    done = {"id": rule.get("id") or new_id(), "type": kind, "description": rule.get("description", ""),
            "condition": rule.get("condition", ""), "enabled": rule.get("enabled", True),
            **{name: rule[name] for name in SHARED if name in rule}}
    return done | _payload(value_type, kind, rule, where)


def _payload(value_type: str, kind: str, rule: Mapping[str, Any], where: str) -> dict:
    if kind in ("force", "rollout"):
        if not isinstance(rule["value"], str):
            raise Invalid.field(f"{where}.value", f"A {kind} rule's value is one value, as a string.")
        values.check(value_type, rule["value"], f"{where}.value")
        extra = {"coverage": rule["coverage"], "hashAttribute": rule.get("hashAttribute", "id")} if kind == "rollout" else {}
        return {"value": rule["value"], **extra}
    if kind == "experiment":
        return _experiment(value_type, rule, where)
    for index, variation in enumerate(rule["variations"]):
        values.check(value_type, variation["value"], f"{where}.variations[{index}].value")
    return {"experimentId": rule["experimentId"], "variations": list(rule["variations"])}


def _experiment(value_type: str, rule: Mapping[str, Any], where: str) -> dict:
    variations = rule["value"]
    if not isinstance(variations, list):
        raise Invalid.field(f"{where}.value", "An experiment rule's value is its variations: [{value, weight, name}].")
    for index, variation in enumerate(variations):
        values.check(value_type, variation["value"], f"{where}.value[{index}].value")
    if abs(sum(v["weight"] for v in variations) - 1) > 1e-6:
        raise Invalid.field(f"{where}.value", "The variations' weights must add up to 1.")
    return {"value": [{"name": "", **v} for v in variations], "coverage": rule.get("coverage", 1),
            "hashAttribute": rule.get("hashAttribute", "id"), "trackingKey": rule.get("trackingKey", "")}


def _targeting(org: Tables, rule: Mapping[str, Any], where: str) -> None:
    for index, target in enumerate(rule.get("savedGroupTargeting", [])):
        for position, group in enumerate(target["savedGroups"]):
            if org.get(SAVED_GROUPS, group) is None:
                raise Invalid.field(f"{where}.savedGroupTargeting[{index}].savedGroups[{position}]", f"Saved group {group!r} does not exist.")
    for index, prerequisite in enumerate(rule.get("prerequisites", [])):
        if org.get(FEATURES, prerequisite["id"]) is None:
            raise Invalid.field(f"{where}.prerequisites[{index}].id", f"Feature {prerequisite['id']!r} does not exist.")
        values.condition(prerequisite["condition"], f"{where}.prerequisites[{index}].condition")


def _experiment_ref(org: Tables, rule: Mapping[str, Any], where: str) -> None:
    """The experiment exists, and each variation the rule serves is one of the experiment's."""
    experiment = org.get(EXPERIMENTS, rule["experimentId"])
    if experiment is None:
        raise Invalid.field(f"{where}.experimentId", f"Experiment {rule['experimentId']!r} does not exist.")
    ids = [v["variationId"] for v in experiment["variations"]]
    for index, variation in enumerate(rule["variations"]):
        if variation["variationId"] not in ids:
            raise Invalid.field(f"{where}.variations[{index}].variationId",
                                f"{variation['variationId']!r} is not a variation of experiment {experiment['id']} ({', '.join(ids)}).")


def _schedule(rule: Mapping[str, Any], where: str) -> None:
    schedule = rule.get("scheduleRules")
    if schedule and schedule[0]["timestamp"] and schedule[1]["timestamp"] and moment(schedule[0]["timestamp"]) >= moment(schedule[1]["timestamp"]):
        raise Invalid.field(f"{where}.scheduleRules", "The first schedule rule (the start) must come before the second (the end).")
