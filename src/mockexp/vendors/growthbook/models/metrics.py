"""Legacy metrics: a metric of one data source, defined by exactly one of `sql` (preferred),
`sqlBuilder` (both for SQL data sources) or `mixpanel` (for Mixpanel ones), of type binomial,
count, duration or revenue, with its `behavior` (goal, capping, window, thresholds)."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import METRICS, PROJECTS
from mockexp.vendors.growthbook.models.data_sources import MIXPANEL, DataSources
from mockexp.vendors.growthbook.models.fact_metrics import DEFAULTS as FACT_DEFAULTS
from mockexp.vendors.growthbook.models.fact_metrics import settings_of
from mockexp.vendors.growthbook.models.world import changed, refuse_if_used

FIELDS = ("managedBy", "owner", "name", "description", "type", "tags", "projects", "archived", "sql", "sqlBuilder", "mixpanel")
DEFAULTS = {"managedBy": "", "owner": "", "description": "", "tags": [], "projects": [], "archived": False}
THRESHOLDS = ("riskThresholdSuccess", "riskThresholdDanger", "minPercentChange", "maxPercentChange", "minSampleSize", "targetMDE")
DEFINITIONS = ("sql", "sqlBuilder", "mixpanel")


class Metrics(DataSources):
    def list_metrics(self, caller: str, project_id: str | None = None, datasource_id: str | None = None) -> Listing:
        def kept(metric: Mapping) -> bool:
            return (project_id is None or project_id in metric["projects"]) and (datasource_id is None or metric["datasourceId"] == datasource_id)

        return Listing(self.org(caller).query(METRICS, test=kept, order_by=lambda m: (m["dateCreated"], m["id"])))

    def post_metric(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        metric = self.made(org, "met_", {**changed(DEFAULTS, body, FIELDS), "datasourceId": body["datasourceId"]})
        metric["behavior"] = _behavior({}, body.get("behavior", {}))
        self._check_metric_definition(org, metric)
        _complete_sql(metric)
        return {"metric": org.insert(METRICS, metric["id"], metric)}

    def get_metric(self, id: str, caller: str) -> dict:
        return {"metric": self.stored(self.org(caller), METRICS, id)}

    def put_metric(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        current = self.editable(org, METRICS, id, caller)
        metric = {**current, **{name: None for name in DEFINITIONS if any(other in body for other in DEFINITIONS)}}
        metric = {name: value for name, value in changed(metric, body, FIELDS).items() if value is not None}
        metric.update(behavior=_behavior(current["behavior"], body.get("behavior", {})), dateUpdated=self.now())
        self._check_metric_definition(org, metric)
        _complete_sql(metric)
        org.replace(METRICS, id, metric)
        return {"updatedId": id}

    def delete_metric(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.editable(org, METRICS, id, caller)
        refuse_if_used(f"Metric {id}", [f"metric {m['id']} (its denominator)" for m in org.view(METRICS, test=lambda m: (m.get("sql") or {}).get("denominatorMetricId") == id)])
        org.delete(METRICS, id)
        return {"deletedId": id}

    def _check_metric_definition(self, org: Tables, metric: Mapping[str, Any]) -> None:
        source = self.source_of(org, metric)
        self.must_exist(org, PROJECTS, metric["projects"], "projects")
        given = [name for name in DEFINITIONS if metric.get(name)]
        if len(given) != 1:
            raise Invalid.field(given[1] if given else "sql", "Only one of sql, sqlBuilder or mixpanel allowed, and at least one must be specified.")
        if (given[0] == "mixpanel") != (source["type"] == MIXPANEL):
            wanted = "mixpanel" if source["type"] == MIXPANEL else "sql or sqlBuilder"
            raise Invalid.field(given[0], f"Data source {source['id']} is a {source['type']} data source: define the metric with {wanted}.")
        if metric.get("sql"):
            self._check_sql(org, source, metric)
        for index, column in enumerate((metric.get("sqlBuilder") or {}).get("identifierTypeColumns", [])):
            self.identifier_type(source, column["identifierType"], f"sqlBuilder.identifierTypeColumns[{index}].identifierType")

    def _check_sql(self, org: Tables, source: Mapping[str, Any], metric: Mapping[str, Any]) -> None:
        sql = metric["sql"]
        for index, id in enumerate(sql["identifierTypes"]):
            self.identifier_type(source, id, f"sql.identifierTypes[{index}]")
        if metric["type"] == "binomial" and sql.get("userAggregationSQL"):
            raise Invalid.field("sql.userAggregationSQL", "A binomial metric counts users who converted: it takes no userAggregationSQL.")
        denominator = sql.get("denominatorMetricId")
        if denominator:
            found = org.get(METRICS, denominator)
            if found is None or found["datasourceId"] != metric["datasourceId"] or denominator == metric["id"]:
                raise Invalid.field("sql.denominatorMetricId", f"{denominator!r} is not another metric of data source {metric['datasourceId']}.")


def _complete_sql(metric: dict) -> None:
    """A metric defined by SQL answers every field of its `sql`, empty where not set."""
    if metric.get("sql"):
        metric["sql"] = {"userAggregationSQL": "", "denominatorMetricId": "", **metric["sql"]}


def _behavior(current: Mapping[str, Any], sent: Mapping[str, Any]) -> dict:
    """The metric's behavior: what the request sets over what was there (or GrowthBook's defaults).
    The older `capping`/`capValue` and `conversionWindowStart`/`End` (hours) set the newer
    `cappingSettings` and `windowSettings` when those are not sent."""
    sent = dict(sent)
    if "capping" in sent and "cappingSettings" not in sent:
        sent["cappingSettings"] = {"type": sent["capping"], "value": sent.get("capValue", sent.get("cap", 0))}
    if "conversionWindowEnd" in sent and "windowSettings" not in sent:
        start, end = sent.get("conversionWindowStart", 0), sent["conversionWindowEnd"]
        if end < start:
            raise Invalid.field("behavior.conversionWindowEnd", "The conversion window ends before it starts.")
        sent["windowSettings"] = {"type": "conversion", "delayValue": start, "delayUnit": "hours", "windowValue": end - start, "windowUnit": "hours"}
    base = {"goal": "increase", **{name: FACT_DEFAULTS[name] for name in THRESHOLDS}, **current}
    return {**base, **sent, **settings_of(current, sent, ("cappingSettings", "windowSettings"))}
