"""Fact metrics: a metric defined over fact tables. Its `metricType` says what it measures and so
what it needs: a proportion (or retention) counts the users found in the numerator's fact table;
a mean averages a number column per user; a quantile takes a quantile of a number column (and
needs `quantileSettings`); a ratio divides a numerator by a denominator (the only type that has
one), both of fact tables of the same data source. Columns, filters and inline filters must be
the fact table's."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import FACT_METRICS, FACT_TABLE_FILTERS, FACT_TABLES, PROJECTS
from mockexp.vendors.growthbook.models.fact_tables import FactTables
from mockexp.vendors.growthbook.models.settings import PRIOR
from mockexp.vendors.growthbook.models.world import changed

FIELDS = ("name", "description", "owner", "projects", "tags", "metricType", "numerator", "denominator", "inverse",
          "riskThresholdSuccess", "riskThresholdDanger", "displayAsPercentage", "minPercentChange", "maxPercentChange", "minSampleSize",
          "targetMDE", "managedBy", "metricAutoSlices", "archived")
SETTINGS = {  # merged over what is there: a request may set some of their fields
    "cappingSettings": {"type": "none", "value": 0, "ignoreZeros": False},
    "windowSettings": {"type": "none", "delayValue": 0, "delayUnit": "hours", "windowValue": 72, "windowUnit": "hours"},
    "regressionAdjustmentSettings": {"override": False, "enabled": False, "days": 14},
    "priorSettings": PRIOR,  # the organization's default prior, unless the create sets one
}
DEFAULTS = {"description": "", "owner": "", "projects": [], "tags": [], "inverse": False, "riskThresholdSuccess": 0.0025, "riskThresholdDanger": 0.0125,
            "displayAsPercentage": False, "minPercentChange": 0.005, "maxPercentChange": 0.5, "minSampleSize": 150, "targetMDE": 0.1,
            "managedBy": "", "archived": False, "metricAutoSlices": []}
SPECIAL = {"$$distinctUsers": "users", "$$count": "rows", "$$distinctDates": "dates"}
COUNTS_USERS = ("proportion", "retention")
PREFIX = "fact__"


class FactMetrics(FactTables):
    def list_fact_metrics(self, caller: str, datasource_id: str | None = None, project_id: str | None = None, fact_table_id: str | None = None) -> Listing:
        def kept(metric: Mapping) -> bool:
            return ((datasource_id is None or metric["datasource"] == datasource_id) and (project_id is None or project_id in metric["projects"])
                    and (fact_table_id is None or metric["numerator"]["factTableId"] == fact_table_id))

        return Listing(self.org(caller).query(FACT_METRICS, test=kept, order_by=lambda m: (m["dateCreated"], m["id"])))

    def post_fact_metric(self, body: dict, caller: str) -> dict:
        return {"factMetric": self.put_fact_metric(self.org(caller), None, body)}

    def put_fact_metric(self, org: Tables, id: str | None, body: Mapping[str, Any]) -> dict:
        """A new fact metric (with this id, when the bulk import or the demo world chooses it)."""
        metric = self.made(org, PREFIX, {**DEFAULTS, **settings_of({}, body), **changed({}, body, FIELDS)}, id)
        self._check_metric(org, metric)
        return org.insert(FACT_METRICS, metric["id"], metric)

    def get_fact_metric(self, id: str, caller: str) -> dict:
        return {"factMetric": self.stored(self.org(caller), FACT_METRICS, id)}

    def update_fact_metric(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        return {"factMetric": self.change_fact_metric(org, self.editable(org, FACT_METRICS, id, caller), body)}

    def change_fact_metric(self, org: Tables, current: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        metric = {**changed(current, body, FIELDS), **settings_of(current, body), "dateUpdated": self.now()}
        if metric["metricType"] != "ratio" and "denominator" not in body:
            metric.pop("denominator", None)  # a ratio made something else drops its denominator
        self._check_metric(org, metric)
        return org.replace(FACT_METRICS, metric["id"], metric)

    def delete_fact_metric(self, id: str, caller: str) -> dict:
        """GrowthBook adds the `fact__` prefix to an id without it."""
        id = id if id.startswith(PREFIX) else PREFIX + id
        org = self.org(caller)
        self.editable(org, FACT_METRICS, id, caller)
        org.delete(FACT_METRICS, id)
        return {"deletedId": id}

    # -- what a metric's type asks of it --------------------------------------------------------

    def _check_metric(self, org: Tables, metric: dict) -> None:
        kind = metric["metricType"]
        self.must_exist(org, PROJECTS, metric["projects"], "projects")
        if kind == "quantile" and not metric.get("quantileSettings"):
            raise Invalid.field("quantileSettings", "A quantile metric needs quantileSettings (its quantile, per event or per user).")
        if kind != "ratio" and metric.get("denominator"):
            raise Invalid.field("denominator", f"Only a ratio metric has a denominator; this one is a {kind} metric.")
        if kind == "ratio" and not metric.get("denominator"):
            raise Invalid.field("denominator", "A ratio metric needs a denominator.")
        numerator = self._side(org, metric, "numerator")
        metric["datasource"] = numerator["datasource"]
        if kind == "ratio":
            denominator = self._side(org, metric, "denominator")
            if denominator["datasource"] != numerator["datasource"]:
                raise Invalid.field("denominator.factTableId", f"The denominator's fact table must be of the numerator's data source, {numerator['datasource']}.")

    def _side(self, org: Tables, metric: dict, name: str) -> dict:
        """The fact table of the metric's numerator or denominator, once the side is checked
        (and its column filled in where the type says which it is)."""
        side = metric[name] = {"filters": [], "inlineFilters": {}, **metric[name]}
        table = org.get(FACT_TABLES, side["factTableId"])
        if table is None:
            raise Invalid.field(f"{name}.factTableId", f"Fact table {side['factTableId']!r} does not exist.")
        live = {c["column"]: c for c in table["columns"] if not c["deleted"]}
        side["column"] = _column(metric["metricType"], name, side.get("column"), live)
        for index, id in enumerate(side["filters"]):
            found = org.get(FACT_TABLE_FILTERS, id)
            if found is None or found["factTableId"] != table["id"]:
                raise Invalid.field(f"{name}.filters[{index}]", f"Fact table {table['id']} has no filter {id!r}.")
        for column in side["inlineFilters"]:
            if column not in live or live[column]["datatype"] != "string":
                raise Invalid.field(f"{name}.inlineFilters.{column}", f"Fact table {table['id']} has no string column {column!r} to filter on.")
        aggregated = side.get("aggregateFilterColumn")
        if aggregated:
            _column("mean", f"{name}.aggregateFilterColumn", aggregated, live, field=f"{name}.aggregateFilterColumn")
        return table


def _column(kind: str, side: str, column: str | None, live: Mapping[str, Mapping], field: str | None = None) -> str:
    """The column a side of a metric of this kind measures, or 400 naming it: a proportion counts
    users; a quantile needs a number column; a mean or a ratio a number column or a count."""
    field = field or f"{side}.column"
    if kind in COUNTS_USERS:
        if column not in (None, "", "$$distinctUsers"):
            raise Invalid.field(field, f"A {kind} metric counts users ($$distinctUsers), not a column.")
        return "$$distinctUsers"
    if not column:
        raise Invalid.field(field, f"A {kind} metric needs the column it measures.")
    if column in SPECIAL and kind != "quantile" and not (kind == "mean" and column == "$$distinctUsers"):
        return column
    found = live.get(column)
    if found is None or found["datatype"] != "number":
        raise Invalid.field(field, f"A {kind} metric measures a number column of its fact table; {column!r} is not one ({', '.join(n for n, c in live.items() if c['datatype'] == 'number') or 'it has none'}).")
    return column


def settings_of(current: Mapping[str, Any], body: Mapping[str, Any], names: tuple[str, ...] = tuple(SETTINGS)) -> dict:
    """A metric's settings objects (those `names`): what the request sets over what was there (or
    the defaults). A window's `delayHours` becomes its delay in hours."""
    found = {name: {**current.get(name, SETTINGS[name]), **body.get(name, {})} for name in names}
    window = found["windowSettings"]
    if "delayHours" in window:
        hours = window.pop("delayHours")
        if "delayValue" not in body.get("windowSettings", {}):
            window.update(delayValue=hours, delayUnit="hours")
    if "quantileSettings" in body:
        found["quantileSettings"] = {"ignoreZeros": False, **body["quantileSettings"]}
    return found
