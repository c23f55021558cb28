"""Feature flags: those the project has, and the multivariate flag each experiment creates
and keeps in step with its variants and launch."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.posthog.models.common import FLAGS, Errors
from mockexp.vendors.posthog.models.world import World

DEFAULT_VARIANTS = [{"key": "control", "name": "Control", "rollout_percentage": 50}, {"key": "test", "name": "Test", "rollout_percentage": 50}]


def variants_of(parameters: Mapping[str, Any] | None) -> list[dict]:
    """The variants an experiment's parameters ask for (PostHog's default: control and test)."""
    given = (parameters or {}).get("feature_flag_variants")
    return [dict(variant) for variant in given] if given else [dict(variant) for variant in DEFAULT_VARIANTS]


def variant_errors(variants: Any) -> Errors:
    """At least two, a `control`, keys unique, shares of 0-100 adding up to 100."""
    where = ("parameters", "feature_flag_variants")
    if not isinstance(variants, list) or not all(isinstance(v, Mapping) and isinstance(v.get("key"), str) for v in variants):
        return [(where, "Each variant needs a key.")]
    keys = [variant["key"] for variant in variants]
    shares = [variant.get("rollout_percentage") for variant in variants]
    if len(variants) < 2:
        return [(where, "An experiment needs at least two variants.")]
    if "control" not in keys:
        return [(where, "Feature flag variants must contain a control variant.")]
    if len(set(keys)) != len(keys):
        return [(where, "Variant keys must be unique.")]
    if not all(isinstance(share, int) and not isinstance(share, bool) and 0 <= share <= 100 for share in shares):
        return [(where, "Each variant's rollout_percentage is a whole number from 0 to 100.")]
    if sum(shares) != 100:
        return [(where, f"The variants' rollout percentages add up to {sum(shares)}, not 100.")]
    return []


class Flags(World):
    def add_flag(self, project_id: int | str, key: str, name: str, *, variants: list[dict] | None = None, active: bool = True,
                 aggregation_group_type_index: int | None = None, groups: list[dict] | None = None, at: str | None = None) -> dict:
        """`groups`: the flag's release conditions (PostHog's condition groups; default: everyone)."""
        filters = _filters(variants, aggregation_group_type_index)
        if groups is not None:
            filters["groups"] = [dict(group) for group in groups]
        flag = {
            "id": self.next_id("feature_flag"),
            "team_id": int(project_id),
            "name": name,
            "key": key,
            "filters": filters,
            "deleted": False,
            "active": active,
            "ensure_experience_continuity": False,
            "created_at": at or self.now(),
        }
        return self.project(project_id).insert(FLAGS, key, flag)

    def flag(self, project_id: int | str, key: str) -> dict | None:
        return self.project(project_id).get(FLAGS, key)

    def change_flag(self, project_id: int | str, key: str, *, new_key: str | None = None, variants: list[dict] | None = None,
                    active: bool | None = None, aggregation_group_type_index: Any = ...) -> dict:
        """Rename the flag, give it other variants, or turn it on or off."""
        tables = self.project(project_id)
        flag = tables.get(FLAGS, key)
        if variants is not None or aggregation_group_type_index is not ...:
            group_index = flag["filters"].get("aggregation_group_type_index") if aggregation_group_type_index is ... else aggregation_group_type_index
            current = (flag["filters"].get("multivariate") or {}).get("variants")
            flag["filters"] = _filters(variants if variants is not None else current, group_index)
        if active is not None:
            flag["active"] = active
        if new_key is not None and new_key != key:
            tables.delete(FLAGS, key)
            flag["key"] = new_key
        tables.replace(FLAGS, flag["key"], flag)
        return flag


def _filters(variants: list[dict] | None, aggregation_group_type_index: int | None) -> dict:
    shown = [{"key": v["key"], "name": v.get("name"), "rollout_percentage": v["rollout_percentage"]} for v in variants or []]
    return {
        "groups": [{"properties": [], "rollout_percentage": 100}],
        "multivariate": {"variants": shown} if shown else None,
        "aggregation_group_type_index": aggregation_group_type_index,
    }
