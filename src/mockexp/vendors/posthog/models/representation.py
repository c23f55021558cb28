"""How PostHog shows an experiment: its fields, its flag, its holdout and saved metrics
embedded, who made it, and its status."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.posthog.models.common import HOLDOUTS, SAVED_METRICS

LEGACY_KINDS = ("ExperimentTrendsQuery", "ExperimentFunnelsQuery")  # the queries of PostHog's old experiment metrics
from mockexp.vendors.posthog.models.experiments import AS_SENT
from mockexp.vendors.posthog.models.world import World


def is_legacy(experiment: Mapping[str, Any]) -> bool:
    """Whether the experiment measures with PostHog's legacy metric queries (trends / funnels)."""
    metrics = (experiment.get("metrics") or []) + (experiment.get("metrics_secondary") or [])
    return any(isinstance(metric, Mapping) and metric.get("kind") in LEGACY_KINDS for metric in metrics)


def status_of(experiment: Mapping[str, Any]) -> str:
    if experiment["start_date"] is None:
        return "draft"
    return "complete" if experiment["end_date"] is not None else "running"


class Representation(World):
    def represent_experiment(self, experiment: Mapping[str, Any], caller: int | None = None, *, detail: bool = True) -> dict:
        """As one experiment is answered; `detail=False`: as a list item (without the fields
        only a retrieve carries)."""
        project_id = experiment["project_id"]
        holdout = self.project(project_id).get(HOLDOUTS, str(experiment["holdout_id"])) if experiment["holdout_id"] is not None else None
        rep = {
            "id": experiment["id"],
            "name": experiment["name"],
            "description": experiment["description"],
            "start_date": experiment["start_date"],
            "end_date": experiment["end_date"],
            "feature_flag_key": experiment["feature_flag_key"],
            "feature_flag": self._flag_summary(project_id, experiment["feature_flag_key"]),
            "holdout": self.represent_holdout(project_id, holdout, caller) if holdout is not None else None,
            "holdout_id": experiment["holdout_id"],
            "exposure_cohort": None,
            "parameters": experiment["parameters"],
            "saved_metrics": self._saved_metrics(experiment),
            "deleted": experiment["deleted"],
            "created_by": self.user_basic(experiment["created_by_id"]),
            "created_at": experiment["created_at"],
            "updated_at": experiment["updated_at"],
            "status": status_of(experiment),
            "user_access_level": self.access_level(project_id, caller, "experiment"),
            "is_legacy": is_legacy(experiment),
        }
        rep.update({field: experiment[field] for field in AS_SENT if field not in rep})
        if detail:
            rep["can_freeze_exposure"] = rep["status"] == "running"  # exposure can only be frozen while it is being counted
            rep["flag_cleanup_task_id"] = None  # the mock runs no clean-up tasks
        return rep

    def _flag_summary(self, project_id: int | str, key: str) -> dict:
        flag = self.flag(project_id, key)
        return {field: flag[field] for field in ("id", "team_id", "name", "key", "filters", "deleted", "active", "ensure_experience_continuity")}

    def _saved_metrics(self, experiment: Mapping[str, Any]) -> list[dict]:
        shown = []
        for link in experiment["saved_metrics"]:
            metric = self.project(experiment["project_id"]).get(SAVED_METRICS, str(link["saved_metric"]))
            if metric is not None:
                shown.append({"id": link["id"], "experiment": experiment["id"], "saved_metric": metric["id"], "metadata": dict(link["metadata"]),
                              "created_at": link["created_at"], "query": dict(metric["query"]), "name": metric["name"]})
        return shown
