"""Experiment holdouts: groups of users kept out of experiments, `rollout_percentage` of each
of their `filters` groups, whose variant the server names `holdout-<id>`."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid, missing
from mockexp.paging import Listing
from mockexp.vendors.posthog.models.common import (
    EXPERIMENTS,
    HOLDOUTS,
    Errors,
    refuse,
)
from mockexp.vendors.posthog.models.project_objects import Kind, ProjectObjects


class Holdouts(ProjectObjects):
    def experiment_holdouts_list(self, project_id: int | str, caller: int | None = None) -> Listing:
        return self.list_objects(HOLDOUT, project_id, caller)

    def experiment_holdouts_create(self, project_id: int | str, caller: int, body: Mapping[str, Any], *, at: str | None = None) -> dict:
        with self.store.transaction():
            self.project_of(project_id)
            refuse(missing(body, HOLDOUT.required) + _holdout_errors(body))
            now = at or self.now()
            holdout_id = self.next_id("experiment_holdout")
            holdout = {"id": holdout_id, "name": body["name"], "description": body.get("description"), "filters": _groups(body["filters"], holdout_id),
                       "created_by_id": caller, "created_at": now, "updated_at": now}
            self.project(project_id).insert(HOLDOUTS, str(holdout_id), holdout)
            return self.represent_holdout(project_id, holdout, caller)

    def experiment_holdouts_retrieve(self, project_id: int | str, id: int, caller: int | None = None) -> dict:
        return self.retrieve_object(HOLDOUT, project_id, id, caller)

    def experiment_holdouts_update(self, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        return self.update_object(HOLDOUT, project_id, id, body, caller)

    def experiment_holdouts_partial_update(self, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        return self.partial_update_object(HOLDOUT, project_id, id, body, caller)

    def experiment_holdouts_destroy(self, project_id: int | str, id: int) -> None:
        self.destroy_object(HOLDOUT, project_id, id)

    def represent_holdout(self, project_id: int | str, holdout: Mapping[str, Any], caller: int | None = None) -> dict:
        return {
            "id": holdout["id"],
            "name": holdout["name"],
            "description": holdout["description"],
            "filters": [dict(group) for group in holdout["filters"]],
            "created_by": self.user_basic(holdout["created_by_id"]),
            "created_at": holdout["created_at"],
            "updated_at": holdout["updated_at"],
            "user_access_level": self.access_level(project_id, caller, "experiment"),
        }


def _holdout_errors(body: Mapping[str, Any]) -> Errors:
    filters = body.get("filters")
    if filters is None:
        return []
    if not isinstance(filters, list) or not filters:
        return [(("filters",), "A holdout needs at least one group of users to hold back.")]
    errors = []
    for index, group in enumerate(filters):
        share = group.get("rollout_percentage") if isinstance(group, Mapping) else None
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 100:
            errors.append((("filters", index, "rollout_percentage"), "The share held back is a number from 0 to 100."))
    return errors


def _groups(filters: list[Mapping[str, Any]], holdout_id: int) -> list[dict]:
    return [{"properties": list(group.get("properties") or []), "rollout_percentage": group["rollout_percentage"], "variant": f"holdout-{holdout_id}"}
            for group in filters]


def _refuse_if_used(model: Holdouts, project_id: int | str, id: int) -> None:
    """A holdout that a (not deleted) experiment uses cannot be deleted."""
    users = [e["name"] for e in model.project(project_id).view(EXPERIMENTS) if e["holdout_id"] == id and not e["deleted"]]
    if users:
        raise Invalid(message=f"This holdout is used by {len(users)} experiment(s) ({', '.join(users[:3])}); remove it from them first.")


def _stored_value(field: str, value: Any, holdout: Mapping[str, Any]) -> Any:
    return _groups(value, holdout["id"]) if field == "filters" else value


HOLDOUT = Kind(HOLDOUTS, required=("name", "filters"), fields=("name", "description", "filters"), not_null=("name", "filters"),
               errors=_holdout_errors, represent=Holdouts.represent_holdout, value=_stored_value, before_destroy=_refuse_if_used)
