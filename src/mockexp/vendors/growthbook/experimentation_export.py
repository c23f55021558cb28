"""The export of an organization's experimentation (issue 12), next to `fixtures.export`: its
dimensions, fact tables with their filters and fact metrics, segments, legacy metrics and
experiments as the API calls that make them again, in that order (each after what it names).

Fact tables, their filters and fact metrics keep their ids (one bulk import adds them, as
`postBulkImportFacts` takes the ids); dimensions, segments, metrics and experiments get ids the
server makes, so what names them (`${s3.segment.id}`, `${m4.metric.id}`, `${e5.experiment.id}`)
refers to the answer of their create. An experiment is made with its status, variations (their
ids kept), phases (their dates kept) and conclusion in one create, a stopped one then stopped by
an update with the same phases (a create may only start one). Data sources are not API-made:
a load keeps the demo world's, which everything here names by id.

Not made again (see `fixtures.export` for the whole list): objects managed by config.yml
(`managedBy: config`: the API cannot make them), and where an experiment or a metric names one
(its metric lists, segment, activation metric, a metric's denominator), that name; visual
changesets (only GrowthBook's visual editor makes one: the API has no create, so experiments
come back with `hasVisualChangesets` false); a fact table's columns its SQL no longer has; and
the derived results: snapshots and metric analyses (a loaded world has none until one is asked for)."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.growthbook.models import columns
from mockexp.vendors.growthbook.models.common import DIMENSIONS, EXPERIMENTS, FACT_METRICS, FACT_TABLE_FILTERS, FACT_TABLES, METRICS, SEGMENTS
from mockexp.vendors.growthbook.models.dimensions import FIELDS as DIMENSION_FIELDS
from mockexp.vendors.growthbook.models.experiments import CONVERSIONS, FIELDS as EXPERIMENT_FIELDS, METRIC_LISTS, PLAIN_SETTINGS
from mockexp.vendors.growthbook.models.fact_metrics import FIELDS as FACT_METRIC_FIELDS, SETTINGS as FACT_METRIC_SETTINGS
from mockexp.vendors.growthbook.models.fact_tables import COLUMN_FIELDS, FILTER_FIELDS, TABLE_FIELDS
from mockexp.vendors.growthbook.models.metrics import FIELDS as METRIC_FIELDS
from mockexp.vendors.growthbook.models.segments import FIELDS as SEGMENT_FIELDS
from mockexp.worlds.export import only, parents_first, ref

BULK = 100  # the most items of one kind a bulk import takes
PHASE_FIELDS = ("name", "dateStarted", "dateEnded", "reasonForStopping", "seed", "coverage", "trafficSplit", "namespace", "targetingCondition",
                "prerequisites", "savedGroupTargeting")
CONVERSIONS_SENT = {stored: sent for sent, stored in CONVERSIONS.items()}


class Experimentation:
    """One organization's experimentation as requests; `organization` is the `fixtures` export's
    `_Organization` (its credentials, `${...}` names and project references)."""

    def __init__(self, organization) -> None:
        self.organization, self.org = organization, organization.org
        self.made: dict[str, str] = {}  # a server-made id (segment, metric, experiment) -> the reference to its create's answer

    def requests(self) -> list[dict]:
        out = [self._dimension(dimension) for dimension in self._api_made(DIMENSIONS, "dim_")]
        out += self._facts()
        out += [self._named("postSegment", self._segment(segment), segment, "s", "segment") for segment in self._api_made(SEGMENTS, "seg_")]
        metrics = parents_first(self._api_made(METRICS, "met_"), lambda m: m["id"], lambda m: [(m.get("sql") or {}).get("denominatorMetricId")])
        out += [self._named("postMetric", self._metric(metric), metric, "m", "metric") for metric in metrics]
        for experiment in self.organization.made_order(EXPERIMENTS, "exp_"):
            out += self._experiment(experiment)
        return out

    def experiment_references(self, value: Any) -> Any:
        """`value` (a request) with every `experimentId` that names an experiment (a feature's
        experiment-ref rule) as the reference to the experiment's create."""
        if isinstance(value, list):
            return [self.experiment_references(item) for item in value]
        if not isinstance(value, dict):
            return value
        return {key: self.made.get(item, item) if key == "experimentId" and isinstance(item, str) and item.startswith("exp_")
                else self.experiment_references(item) for key, item in value.items()}

    def _api_made(self, table: str, prefix: str) -> list[Mapping[str, Any]]:
        """The table's objects in the order they were made, but those config.yml manages."""
        return [found for found in self.organization.made_order(table, prefix) if found.get("managedBy") != "config"]

    def _named(self, operation: str, body: dict, found: Mapping[str, Any], letter: str, answer: str) -> dict:
        name = f"{letter}{next(self.organization.names)}"
        self.made[found["id"]] = ref(name, answer, "id")
        return self.organization.call(operation, body, name=name)

    def _projects(self, found: Mapping[str, Any], key: str = "projects") -> dict:
        return {key: self.organization.project_ids(found[key])} if key in found else {}

    def _dimension(self, dimension: Mapping[str, Any]) -> dict:
        return self.organization.call("postDimension", only(dimension, DIMENSION_FIELDS))

    def _segment(self, segment: Mapping[str, Any]) -> dict:
        return {**only(segment, SEGMENT_FIELDS), **self._projects(segment)}

    def _metric(self, metric: Mapping[str, Any]) -> dict:
        body = {**only(metric, (*METRIC_FIELDS, "datasourceId", "behavior")), **self._projects(metric)}
        denominator = (metric.get("sql") or {}).get("denominatorMetricId")
        if denominator:  # one config.yml manages is not made again: the metric loses it
            body["sql"] = {name: value for name, value in metric["sql"].items() if name != "denominatorMetricId"}
            if denominator in self.made:
                body["sql"]["denominatorMetricId"] = self.made[denominator]
        return body

    # -- fact tables, their filters and fact metrics ---------------------------------------------

    def _facts(self) -> list[dict]:
        """One bulk import (a few when there are more than it takes), then what a create
        cannot set: archived tables and metrics, changed columns."""
        tables = self.organization.made_order(FACT_TABLES, "ftb_")
        filters = self.organization.made_order(FACT_TABLE_FILTERS, "flt_")
        metrics = self.organization.made_order(FACT_METRICS, "fact__")
        items = {"factTables": [{"id": t["id"], "data": {**only(t, TABLE_FIELDS), **self._projects(t)}} for t in tables],
                 "factTableFilters": [{"factTableId": f["factTableId"], "id": f["id"], "data": only(f, FILTER_FIELDS)} for f in filters],
                 "factMetrics": [{"id": m["id"], "data": self._fact_metric(m)} for m in metrics]}
        items = {kind: found for kind, found in items.items() if found}
        if all(len(found) <= BULK for found in items.values()):
            out = [self.organization.call("postBulkImportFacts", items)] if items else []
        else:  # kind by kind, so every table is there before a filter or metric names it
            out = [self.organization.call("postBulkImportFacts", {kind: found[start:start + BULK]})
                   for kind, found in items.items() for start in range(0, len(found), BULK)]
        out += [change for change in map(self._table_change, tables) if change]
        out += [self.organization.call("updateFactMetric", {"archived": True}, path={"id": m["id"]}) for m in metrics if m.get("archived")]
        return out

    def _fact_metric(self, metric: Mapping[str, Any]) -> dict:
        names = (*(name for name in FACT_METRIC_FIELDS if name != "archived"), *FACT_METRIC_SETTINGS, "quantileSettings")
        return {**only(metric, names), **self._projects(metric)}

    def _table_change(self, table: Mapping[str, Any]) -> dict | None:
        """The update that gives a new fact table what this one has beyond its create: archived,
        the properties set on its columns, a columns error of its own."""
        fresh, error = columns.derived(table["sql"], table["userIdTypes"], [], "")
        fresh_by_name = {column["column"]: column for column in fresh}
        body: dict[str, Any] = {}
        changed = [{"column": c["column"], **{name: c[name] for name in COLUMN_FIELDS if name in c and c[name] != fresh_by_name[c["column"]][name]}}
                   for c in table.get("columns", []) if c["column"] in fresh_by_name]
        if any(len(change) > 1 for change in changed):
            body["columns"] = [change for change in changed if len(change) > 1]
        if table.get("columnsError") != error:
            body["columnsError"] = table.get("columnsError")
        if table.get("archived"):
            body["archived"] = True
        return self.organization.call("updateFactTable", body, path={"id": table["id"]}) if body else None

    # -- experiments ------------------------------------------------------------------------------

    def _experiment(self, experiment: Mapping[str, Any]) -> list[dict]:
        status, phases = experiment["status"], [self._phase(phase) for phase in experiment["phases"]]
        body = {**only(experiment, EXPERIMENT_FIELDS), **self._settings(experiment["settings"]), "phases": phases,
                "variations": [_variation(v) for v in experiment["variations"]]}
        if experiment["project"]:
            body["project"] = self.organization.project_ids([experiment["project"]])[0]
        if status != "draft":
            body["status"] = "running"  # a create may start an experiment; stopping it is an update
        summary = experiment["resultSummary"]
        body.update({name: summary[name] for name in ("releasedVariationId", "excludeFromPayload") if summary.get(name)})
        made = self._named("postExperiment", body, experiment, "e", "experiment")
        if status != "stopped":
            return [made]
        name = made["as"]
        return [made, self.organization.call("updateExperiment", {"status": "stopped", "phases": phases}, path={"id": ref(name, "experiment", "id")})]

    def _settings(self, settings: Mapping[str, Any]) -> dict:
        body = {name: settings[name] for name in PLAIN_SETTINGS if name in settings}
        body["segmentId"] = self.made.get(settings["segmentId"], "")  # "" when it has none, or one config.yml manages
        body["inProgressConversions"] = CONVERSIONS_SENT[settings["inProgressConversions"]]
        for name, key in METRIC_LISTS.items():
            body[name] = [self._metric_id(m["metricId"]) for m in settings[key] if self._is_made(m["metricId"])]
        if "activationMetric" in settings:
            activation = settings["activationMetric"]["metricId"]
            body["activationMetric"] = self._metric_id(activation) if self._is_made(activation) else ""
        return body

    def _is_made(self, metric_id: str) -> bool:
        """Whether the export makes the metric again (a fact metric, or a metric it made before)."""
        return metric_id in self.made or self.org.get(FACT_METRICS, metric_id) is not None

    def _metric_id(self, metric_id: str) -> str:
        return self.made.get(metric_id, metric_id)

    @staticmethod
    def _phase(phase: Mapping[str, Any]) -> dict:
        return {name: value for name, value in only(phase, PHASE_FIELDS).items() if not (name == "dateEnded" and not value)}


def _variation(variation: Mapping[str, Any]) -> dict:
    return {"id": variation["variationId"], "key": variation["key"], "name": variation["name"], "description": variation["description"],
            "screenshots": [{"path": path} for path in variation["screenshots"]]}
