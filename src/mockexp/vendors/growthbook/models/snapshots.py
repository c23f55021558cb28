"""Experiment snapshots: a refresh of an experiment's results. A snapshot runs one query per
metric the experiment analyses and one for its traffic, over the experiment's latest phase up
to now, and keeps what it analysed (the settings, the variations with their weights in that
phase, its coverage), whatever the experiment becomes later; it is `queued`, then `running`, then
`success` as its queries are (see queries.py). Only an experiment that has run (a phase) over a
data source can be analysed."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import query_text
from mockexp.vendors.growthbook.models.common import DATA_SOURCES, EXPERIMENTS, FACT_METRICS, FACT_TABLES, METRICS, SNAPSHOTS
from mockexp.vendors.growthbook.models.queries import DONE, Queries

STATUS = {"queued": "queued", "running": "running", DONE: "success"}


class Snapshots(Queries):
    def post_experiment_snapshot(self, id: str, caller: str, body: dict | None = None) -> dict:
        org = self.org(caller)
        experiment = self.stored(org, EXPERIMENTS, id)
        if not experiment["phases"]:
            raise Invalid.field("id", f"Experiment {id} is a draft that has not run yet: there is nothing to analyse.")
        if not experiment["settings"]["datasourceId"]:
            raise Invalid.field("id", f"Experiment {id} has no data source to analyse.")
        phase = experiment["phases"][-1]
        window = (phase["dateStarted"], phase["dateEnded"] or self.now())
        weights = {s["variationId"]: s["weight"] for s in phase["trafficSplit"]}
        snapshot = {"id": self.new_id(org, "snp_"), "experiment": id, "dateCreated": self.now(), "phase": len(experiment["phases"]) - 1,
                    "triggeredBy": (body or {}).get("triggeredBy", "manual"), "dateStart": window[0], "dateEnd": window[1],
                    "variations": [{"variationId": v["variationId"], "weight": weights.get(v["variationId"], 0.0)} for v in experiment["variations"]],
                    "coverage": phase["coverage"], "settings": copy.deepcopy(experiment["settings"]),
                    "queryIds": self._snapshot_queries(org, experiment, window)}
        org.insert(SNAPSHOTS, snapshot["id"], snapshot)
        return {"snapshot": self._shown_snapshot(snapshot)}

    def get_snapshot(self, id: str, caller: str) -> dict:
        return {"snapshot": self._shown_snapshot(self.stored(self.org(caller), SNAPSHOTS, id))}

    def snapshot_status(self, snapshot: Mapping[str, Any]) -> str:
        return STATUS[self.stage(snapshot["dateCreated"])]

    def analysed_metrics(self, org: Tables, settings: Mapping[str, Any]) -> list[dict]:
        """The metrics an analysis with these settings reports, each once: goals, secondary
        metrics, guardrails, then the activation metric (those deleted since are left out)."""
        named = [m["metricId"] for key in ("goals", "secondaryMetrics", "guardrails") for m in settings.get(key, [])]
        named += [settings["activationMetric"]["metricId"]] if (settings.get("activationMetric") or {}).get("metricId") else []
        found = (org.get(FACT_METRICS, id) or org.get(METRICS, id) for id in dict.fromkeys(named))
        return [metric for metric in found if metric is not None]

    def _snapshot_queries(self, org: Tables, experiment: Mapping[str, Any], window: tuple[str, str]) -> list[str]:
        source = org.get(DATA_SOURCES, experiment["settings"]["datasourceId"]) or {"type": "", "assignmentQueries": []}
        tables = {t["id"]: t for t in org.view(FACT_TABLES)}
        plans = [("experimentMetric", query_text.experiment_metric(experiment, source, metric, tables, window))
                 for metric in self.analysed_metrics(org, experiment["settings"])]
        plans.append(("experimentTraffic", query_text.experiment_traffic(experiment, source, window)))
        return self.run_queries(org, source.get("id", ""), plans)

    def _shown_snapshot(self, snapshot: Mapping[str, Any]) -> dict:
        return {"id": snapshot["id"], "experiment": snapshot["experiment"], "status": self.snapshot_status(snapshot)}
