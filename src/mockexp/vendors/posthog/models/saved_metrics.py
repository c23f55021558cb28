"""Experiment saved metrics: a named query (one of the kinds PostHog's experiments run) with
tags, that experiments can measure."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import missing
from mockexp.paging import Listing
from mockexp.vendors.posthog.models.common import (
    EXPERIMENTS,
    QUERY_KINDS,
    SAVED_METRICS,
    Errors,
    refuse,
)
from mockexp.vendors.posthog.models.project_objects import Kind, ProjectObjects


class SavedMetrics(ProjectObjects):
    def experiment_saved_metrics_list(self, project_id: int | str, caller: int | None = None) -> Listing:
        return self.list_objects(SAVED_METRIC, project_id, caller)

    def experiment_saved_metrics_create(self, project_id: int | str, caller: int, body: Mapping[str, Any], *, at: str | None = None) -> dict:
        with self.store.transaction():
            self.project_of(project_id)
            refuse(missing(body, SAVED_METRIC.required) + _metric_errors(body))
            now = at or self.now()
            metric = {"id": self.next_id("experiment_saved_metric"), "name": body["name"], "description": body.get("description"),
                      "query": dict(body["query"]), "tags": list(body.get("tags") or []), "created_by_id": caller, "created_at": now, "updated_at": now}
            self.project(project_id).insert(SAVED_METRICS, str(metric["id"]), metric)
            return self.represent_saved_metric(project_id, metric, caller)

    def experiment_saved_metrics_retrieve(self, project_id: int | str, id: int, caller: int | None = None) -> dict:
        return self.retrieve_object(SAVED_METRIC, project_id, id, caller)

    def experiment_saved_metrics_update(self, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        return self.update_object(SAVED_METRIC, project_id, id, body, caller)

    def experiment_saved_metrics_partial_update(self, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        return self.partial_update_object(SAVED_METRIC, project_id, id, body, caller)

    def experiment_saved_metrics_destroy(self, project_id: int | str, id: int) -> None:
        self.destroy_object(SAVED_METRIC, project_id, id)

    def represent_saved_metric(self, project_id: int | str, metric: Mapping[str, Any], caller: int | None = None) -> dict:
        return {
            "id": metric["id"],
            "name": metric["name"],
            "description": metric["description"],
            "query": dict(metric["query"]),
            "created_by": self.user_basic(metric["created_by_id"]),
            "created_at": metric["created_at"],
            "updated_at": metric["updated_at"],
            "user_access_level": self.access_level(project_id, caller, "experiment_saved_metric"),
            "tags": list(metric["tags"]),
        }


def _metric_errors(body: Mapping[str, Any]) -> Errors:
    errors: Errors = []
    query = body.get("query")
    if query is not None and (not isinstance(query, Mapping) or query.get("kind") not in QUERY_KINDS):
        errors.append((("query",), f"Metric query kind must be one of {', '.join(QUERY_KINDS)}."))
    tags = body.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags)):
        errors.append((("tags",), "Tags are a list of strings."))
    return errors


def _stop_measuring(model: SavedMetrics, project_id: int | str, id: int) -> None:
    """The experiments that measured it stop measuring it."""
    tables = model.project(project_id)
    for experiment in tables.query(EXPERIMENTS, test=lambda e: any(link["saved_metric"] == id for link in e["saved_metrics"])):
        experiment["saved_metrics"] = [link for link in experiment["saved_metrics"] if link["saved_metric"] != id]
        tables.replace(EXPERIMENTS, str(experiment["id"]), experiment)


SAVED_METRIC = Kind(SAVED_METRICS, required=("name", "query"), fields=("name", "description", "query", "tags"), not_null=("name", "query", "tags"),
                    errors=_metric_errors, represent=SavedMetrics.represent_saved_metric, before_destroy=_stop_measuring)
