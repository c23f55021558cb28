"""The rules an experiment's set-up must keep that the spec cannot state: what it refers to
must exist, its variants and traffic split must agree, its name must be free, and only a
complete set-up may leave the draft states."""

from __future__ import annotations

import json
from typing import Any, Mapping

from mockexp.vendors.absmartly.models.common import (
    APPLICATIONS, DRAFTS, EXPERIMENT_TAGS, EXPERIMENTS, METRICS, TEAMS, UNIT_TYPES, USERS, Errors, refuse,
)
from mockexp.vendors.absmartly.models.world import SINGULAR, World

# field of the stored experiment -> (table its ids are in, where in the request they are)
REFERENCES = {
    "owners": (USERS, "user_id"),
    "teams": (TEAMS, "team_id"),
    "experiment_tags": (EXPERIMENT_TAGS, "experiment_tag_id"),
}
FROZEN_ONCE_STARTED = ("variants", "unit_type_id")


def even_split(count: int) -> str:
    """`50/50`, `34/33/33`: an even split, the remainder to the first variants."""
    share, extra = divmod(100, count)
    return "/".join(str(share + (1 if index < extra else 0)) for index in range(count))


class Rules(World):
    def check_setup(self, account: str, experiment: Mapping[str, Any], *, exclude: int | None = None) -> None:
        """Every rule of a whole experiment (as it would be stored), or 400 naming the fields."""
        errors: Errors = []
        errors += self._references(account, experiment)
        errors += _variants(experiment)
        errors += _audience(experiment["audience"])
        if experiment["state"] != "created":
            errors += _complete(experiment)
        refuse(errors)
        self.check_name_free(account, experiment, exclude=exclude)

    def check_name_free(self, account: str, experiment: Mapping[str, Any], *, exclude: int | None = None) -> None:
        """No other experiment that is not archived (and is not an iteration of this one) has the name for its unit type."""
        chain = experiment.get("chain")

        def clashes(other: Mapping[str, Any]) -> bool:
            return (other["name"] == experiment["name"] and other["unit_type_id"] == experiment["unit_type_id"] and not other["archived"]
                    and other["id"] != exclude and (chain is None or other["chain"] != chain))

        if self.account(account).view(EXPERIMENTS, test=clashes, limit=1):
            refuse([(("name",), f"An experiment named {experiment['name']!r} already exists for this unit type.")])

    def _references(self, account: str, experiment: Mapping[str, Any]) -> Errors:
        errors: Errors = []

        def check(path: tuple, table: str, id: Any) -> None:
            if not self.exists(account, table, id):
                errors.append((path, f"{SINGULAR[table].capitalize()} {id} does not exist."))

        check(("unit_type", "unit_type_id"), UNIT_TYPES, experiment["unit_type_id"])
        if experiment["primary_metric_id"] is not None:
            check(("primary_metric", "metric_id"), METRICS, experiment["primary_metric_id"])
        for index, metric in enumerate(experiment["secondary_metrics"]):
            check(("secondary_metrics", index, "metric_id"), METRICS, metric["metric_id"])
        for index, app in enumerate(experiment["applications"]):
            check(("applications", index, "application_id"), APPLICATIONS, app["application_id"])
        for field, (table, key) in REFERENCES.items():
            for index, id in enumerate(experiment[field]):
                check((field, index, key), table, id)
        return errors


def _variants(experiment: Mapping[str, Any]) -> Errors:
    errors: Errors = []
    seen: set[str] = set()
    for index, variant in enumerate(experiment["variants"]):
        if variant["variant"] != index:
            errors.append((("variants", index, "variant"), f"Variant {index} is numbered {variant['variant']}: variants are numbered from 0 in order."))
        if variant["name"].casefold() in seen:
            errors.append((("variants", index, "name"), f"Variant names must be unique: {variant['name']!r} is used twice."))
        seen.add(variant["name"].casefold())
        if not _json_object(variant["config"]):
            errors.append((("variants", index, "config"), "The config must be a JSON object, as a string."))
    shares = [int(part) for part in experiment["percentages"].split("/")]
    if len(shares) != len(experiment["variants"]):
        errors.append((("percentages",), f"{experiment['percentages']} gives {len(shares)} shares for {len(experiment['variants'])} variants."))
    elif sum(shares) != 100:
        errors.append((("percentages",), f"The variants' shares must add up to 100, not {sum(shares)}."))
    return errors


def _audience(audience: str) -> Errors:
    try:
        parsed = json.loads(audience)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or "filter" not in parsed:
        return [(("audience",), 'The audience must be a JSON object with a "filter", e.g. {"filter":[{"and":[]}]}.')]
    return []


def _complete(experiment: Mapping[str, Any]) -> Errors:
    errors: Errors = []
    if experiment["primary_metric_id"] is None:
        errors.append((("primary_metric",), f"An experiment that is {experiment['state']} needs a primary metric."))
    if not experiment["applications"]:
        errors.append((("applications",), f"An experiment that is {experiment['state']} needs at least one application."))
    return errors


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def frozen_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Errors:
    """What a started experiment may no longer change: its variants and unit type."""
    if before["state"] in DRAFTS + ("development",) and before["start_at"] is None:
        return []
    errors: Errors = []
    if [(v["name"], v["config"]) for v in before["variants"]] != [(v["name"], v["config"]) for v in after["variants"]]:
        errors.append((("variants",), f"The variants of an experiment that has started ({before['state']}) cannot change: restart it as a new iteration."))
    if before["unit_type_id"] != after["unit_type_id"]:
        errors.append((("unit_type",), f"The unit type of an experiment that has started ({before['state']}) cannot change: restart it as a new iteration."))
    return errors

