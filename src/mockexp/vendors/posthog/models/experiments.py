"""Experiments: listing (without the deleted, archived only when asked), creating one with
its feature flag, reading, changing (see `lifecycle.py`), and the refused hard delete."""

from __future__ import annotations

from mockexp import ids
from typing import Any, Mapping

from mockexp.errors import MethodNotAllowed, NotFound, missing
from mockexp.paging import Listing
from mockexp.vendors.posthog.models.common import (
    CHANGE_REQUESTS,
    EXPERIMENTS,
    LAUNCH,
    ApprovalRequired,
    normal_time,
    refuse,
)
from mockexp.vendors.posthog.models.flags import variants_of
from mockexp.vendors.posthog.models.world import World

# request fields stored as they are sent (the others are checked and kept by the rules)
AS_SENT = ("name", "description", "secondary_metrics", "filters", "archived", "type", "exposure_criteria", "metrics", "metrics_secondary",
           "stats_config", "scheduling_config", "conclusion", "conclusion_comment", "primary_metrics_ordered_uuids",
           "secondary_metrics_ordered_uuids", "exposure_preaggregation_enabled")
DEFAULTS = {"description": "", "secondary_metrics": [], "filters": {}, "archived": False, "type": "product", "exposure_criteria": None,
            "metrics": [], "metrics_secondary": [], "stats_config": None, "scheduling_config": None, "conclusion": None,
            "conclusion_comment": None, "primary_metrics_ordered_uuids": None, "secondary_metrics_ordered_uuids": None,
            "exposure_preaggregation_enabled": False}


class Experiments(World):
    def experiments_list(self, project_id: int | str, archived: bool | None = None, caller: int | None = None) -> Listing:
        """Newest first; the archived ones only with `archived=true`; never the deleted ones."""
        self.project_of(project_id)
        wanted = bool(archived)
        rows = self.project(project_id).view(EXPERIMENTS, test=lambda e: not e["deleted"] and e["archived"] == wanted,
                                             order_by=lambda e: (e["created_at"], e["id"]), reverse=True)
        return Listing(rows, represent=lambda experiment: self.represent_experiment(experiment, caller, detail=False))

    def experiments_retrieve(self, project_id: int | str, id: int, caller: int | None = None) -> dict:
        return self.represent_experiment(self.experiment(project_id, id), caller)

    def experiment(self, project_id: int | str, id: int) -> dict:
        """A stored experiment that is not deleted, or 404."""
        found = self.stored(project_id, EXPERIMENTS, id)
        if found["deleted"]:
            raise NotFound()
        return found

    def experiments_destroy(self, project_id: int | str, id: int) -> None:
        """PostHog never hard-deletes an experiment."""
        self.experiment(project_id, id)
        raise MethodNotAllowed('Method "DELETE" not allowed. To delete an experiment, PATCH it with {"deleted": true}.')

    def experiments_create(self, project_id: int | str, caller: int, body: Mapping[str, Any], *, at: str | None = None) -> dict:
        """A new experiment and its feature flag; launched at once if it has a `start_date`."""
        project = self.project_of(project_id)
        refuse(missing(body, ("name", "feature_flag_key")))
        refuse(self.change_errors(project_id, body, None))
        if body.get("start_date") and LAUNCH in project["approval_policy"]:
            raise self.approval_required(project_id, None, caller, body)
        with self.store.transaction():
            now = at or self.now()
            parameters = body.get("parameters")
            self.add_flag(project_id, body["feature_flag_key"], f"Feature Flag for Experiment {body['name']}", variants=variants_of(parameters),
                          active=bool(body.get("start_date")), aggregation_group_type_index=(parameters or {}).get("aggregation_group_type_index"), at=now)
            experiment = {**DEFAULTS, **{field: body[field] for field in AS_SENT if field in body}}
            experiment.update({
                "id": self.next_id("experiment"), "project_id": int(project_id), "feature_flag_key": body["feature_flag_key"],
                "start_date": normal_time(body.get("start_date")), "end_date": normal_time(body.get("end_date")),
                "holdout_id": body.get("holdout_id"), "parameters": parameters, "deleted": False,
                "saved_metrics": self.saved_metric_links(body.get("saved_metrics_ids") or [], now),
                "folder": body.get("_create_in_folder"), "created_by_id": caller, "created_at": now, "updated_at": now,
            })
            self.project(project_id).insert(EXPERIMENTS, str(experiment["id"]), experiment)
            return self.represent_experiment(experiment, caller)

    def saved_metric_links(self, given: list[Mapping[str, Any]], now: str) -> list[dict]:
        return [{"id": self.next_id("experiment_to_saved_metric"), "saved_metric": link["id"], "metadata": dict(link.get("metadata") or {"type": "primary"}),
                 "created_at": now} for link in given]

    def approval_required(self, project_id: int | str, experiment_id: int | None, caller: int, intent: Mapping[str, Any]) -> ApprovalRequired:
        """Open a change request for a launch the project's policy gates (it is kept, the change is not)."""
        change_request = {
            "id": ids.uuid4(), "action_key": LAUNCH, "state": "pending", "resource_type": "experiment", "resource_id": experiment_id,
            "intent": dict(intent), "created_by": self.user_basic(caller), "created_at": self.now(),
        }
        self.project(project_id).insert(CHANGE_REQUESTS, change_request["id"], change_request)
        return ApprovalRequired(change_request)
