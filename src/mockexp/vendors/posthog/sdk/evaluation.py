"""A flag evaluated for one distinct id as PostHog's flags service does: inactive flags are
off; a group flag buckets by the key of its group (and is off without one); the holdout's
excluded share gets `holdout-<id>` before any condition; then the condition groups in order, each matching when its property filters match and the hash of the
flag key and bucketing value falls within its rollout; a match of a multivariate flag is the
variant whose range holds the variant hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from mockexp.vendors.posthog.sdk.hashing import held_out, in_rollout, variant_of
from mockexp.vendors.posthog.sdk.properties import matches_all


@dataclass(frozen=True)
class Outcome:
    value: bool | str
    code: str
    condition_index: int | None = None
    description: str = ""

    @property
    def enabled(self) -> bool:
        return self.value is not False

    @property
    def variant(self) -> str | None:
        return self.value if isinstance(self.value, str) else None


@dataclass(frozen=True)
class Subject:
    """Who a flag is evaluated for: a distinct id, the groups it is in and the properties sent."""

    distinct_id: str
    person_properties: Mapping[str, Any]
    groups: Mapping[str, Any]
    group_properties: Mapping[str, Mapping[str, Any]]


def evaluate(flag: Mapping[str, Any], subject: Subject, group_types: Mapping[str, str]) -> Outcome:
    if not flag["active"]:
        return Outcome(False, "flag_disabled", description="Feature flag is disabled")
    filters = flag.get("filters") or {}
    index = filters.get("aggregation_group_type_index")
    value, properties = subject.distinct_id, subject.person_properties
    if index is not None:
        group = group_types.get(str(index))
        if group is None or group not in subject.groups:
            return Outcome(False, "no_group_type", description="No group key was sent for this group flag")
        value, properties = str(subject.groups[group]), subject.group_properties.get(group) or {}
    holdout = held_out(filters.get("holdout"), value)
    if holdout is not None:
        return Outcome(holdout, "holdout_condition_value", 0, "Holdout condition value")
    return _conditions(flag, filters, value, properties)


def _conditions(flag: Mapping[str, Any], filters: Mapping[str, Any], value: str, properties: Mapping[str, Any]) -> Outcome:
    variants = (filters.get("multivariate") or {}).get("variants") or []
    keys = [variant["key"] for variant in variants]
    out_of_rollout = False
    for index, condition in enumerate(filters.get("groups") or []):
        if not matches_all(condition.get("properties") or [], properties):
            continue
        if not in_rollout(flag["key"], value, condition.get("rollout_percentage")):
            out_of_rollout = True
            continue
        override = condition.get("variant")
        chosen = override if override in keys else variant_of(flag["key"], value, variants)
        return Outcome(chosen or True, "condition_match", index, f"Matched condition set {index + 1}")
    if out_of_rollout:
        return Outcome(False, "out_of_rollout_bound", description="Out of rollout bound")
    return Outcome(False, "no_condition_match", description="No matching condition set")
