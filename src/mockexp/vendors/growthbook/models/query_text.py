"""The text of the queries an analysis runs, in the data source's language, written the way
GrowthBook writes them: the experiment's exposures from its assignment query, joined to each
metric's rows (a fact table's SQL, a legacy metric's SQL or table, or Mixpanel events)."""

from __future__ import annotations

from typing import Any, Mapping

Doc = Mapping[str, Any]


def metric_source(metric: Doc, tables: Mapping[str, Doc]) -> str:
    """Where a metric's rows come from: its fact table's SQL, its own SQL, or its table."""
    if "metricType" in metric:
        return tables.get(metric["numerator"]["factTableId"], {}).get("sql", "") or metric["numerator"]["factTableId"]
    if metric.get("sql"):
        return metric["sql"].get("conversionSQL", "")
    if metric.get("sqlBuilder"):
        return f"SELECT * FROM {metric['sqlBuilder'].get('tableName', '')}"
    return ""


def experiment_metric(experiment: Doc, source: Doc, metric: Doc, tables: Mapping[str, Doc], window: tuple[str, str]) -> str:
    if source["type"] == "mixpanel":
        event = (metric.get("mixpanel") or {}).get("eventName", metric["name"])
        return _mixpanel(experiment, source, window, f"// metric: {metric['name']} ({metric['id']})\n  .filter(e => e.name === {event!r})")
    unit = _unit(experiment, source)
    return (f"-- {experiment['name']} ({experiment['trackingKey']}): {metric['name']} ({metric['id']})\n"
            f"WITH __experimentUnits AS ({_exposures(experiment, source, window)}),\n"
            f"__metric AS (\n  {metric_source(metric, tables)}\n)\n"
            f"SELECT e.variation, COUNT(*) AS users, SUM(COALESCE(m.value, 0)) AS main_sum, SUM(POWER(COALESCE(m.value, 0), 2)) AS main_sum_squares\n"
            f"FROM __experimentUnits e LEFT JOIN __metric m ON (m.{unit} = e.{unit} AND m.timestamp >= e.first_exposure_timestamp)\n"
            f"GROUP BY e.variation")


def experiment_traffic(experiment: Doc, source: Doc, window: tuple[str, str]) -> str:
    if source["type"] == "mixpanel":
        return _mixpanel(experiment, source, window, "// traffic: units per variation")
    return (f"-- {experiment['name']} ({experiment['trackingKey']}): traffic\n"
            f"WITH __experimentUnits AS ({_exposures(experiment, source, window)})\n"
            f"SELECT variation, COUNT(*) AS units FROM __experimentUnits GROUP BY variation")


def metric_analysis(metric: Doc, tables: Mapping[str, Doc], settings: Doc) -> str:
    unit = settings["userIdType"]
    return (f"-- Metric analysis: {metric['name']} ({metric['id']})\n"
            f"WITH __factTable AS (\n  {metric_source(metric, tables)}\n)\n"
            f"SELECT DATE_TRUNC(timestamp, DAY) AS date, COUNT(DISTINCT {unit}) AS units, COUNT(*) AS rows\n"
            f"FROM __factTable WHERE timestamp >= '{settings['startDate']}' AND timestamp <= '{settings['endDate']}'\n"
            f"GROUP BY 1 ORDER BY 1")


def assignment_query(source: Doc, settings: Doc) -> Doc:
    """The data source's assignment query an experiment's analysis settings name ({} if none)."""
    return next((q for q in source.get("assignmentQueries", []) if q["id"] == settings["assignmentQueryId"]), {})


def _unit(experiment: Doc, source: Doc) -> str:
    return assignment_query(source, experiment["settings"]).get("identifierType", "user_id")


def _exposures(experiment: Doc, source: Doc, window: tuple[str, str]) -> str:
    assignment = assignment_query(source, experiment["settings"]).get("sql", "")
    unit = _unit(experiment, source)
    extra = f" AND ({experiment['settings']['queryFilter']})" if experiment["settings"].get("queryFilter") else ""
    return (f"\n  SELECT {unit}, variation_id AS variation, MIN(timestamp) AS first_exposure_timestamp\n"
            f"  FROM ({assignment}) e\n"
            f"  WHERE experiment_id = '{experiment['settings']['experimentId']}' AND timestamp >= '{window[0]}' AND timestamp <= '{window[1]}'{extra}\n"
            f"  GROUP BY {unit}, variation_id\n")


def _mixpanel(experiment: Doc, source: Doc, window: tuple[str, str], body: str) -> str:
    settings = source.get("mixpanelSettings", {})
    return (f"function main() {{\n  return Events({{from_date: {window[0][:10]!r}, to_date: {window[1][:10]!r}}})\n"
            f"  .filter(e => e.name === {settings.get('viewedExperimentEventName', '$experiment_started')!r}"
            f" && e.properties[{settings.get('experimentIdProperty', 'Experiment name')!r}] === {experiment['trackingKey']!r})\n  {body};\n}}")
