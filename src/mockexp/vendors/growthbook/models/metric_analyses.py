"""A fact metric's analysis: the metric's value over the last `lookbackDays` for the units of one
identifier type of its fact table, among everyone in the fact table or in a segment. With
`useCache` (the default) an analysis of the same settings is answered again instead of a new
one. An analysis runs one query over the data source (readable at `GET /queries/{id}`): it is
`running` until that query has succeeded, then `completed`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import query_text
from mockexp.vendors.growthbook.models.common import FACT_METRICS, FACT_TABLES, METRIC_ANALYSES, SEGMENTS, timestamp
from mockexp.vendors.growthbook.models.fact_metrics import PREFIX, FactMetrics
from mockexp.vendors.growthbook.models.queries import DONE, Queries

EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)


class MetricAnalyses(FactMetrics, Queries):
    def post_fact_metric_analysis(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        metric = self.stored(org, FACT_METRICS, id if id.startswith(PREFIX) else PREFIX + id)
        settings = self._analysis_settings(org, metric, body)
        if body.get("useCache", True):
            cached = org.query(METRIC_ANALYSES, {"metric": metric["id"], "key": _key(settings)}, order_by=lambda a: a["dateCreated"])
            if cached:
                return {"metricAnalysis": self._shown_analysis(cached[-1])}
        text = query_text.metric_analysis(metric, {t["id"]: t for t in org.view(FACT_TABLES)}, settings)
        analysis = {"id": self.new_id(org, "metan_"), "metric": metric["id"], "key": _key(settings), "settings": settings, "dateCreated": self.now(),
                    "queryIds": self.run_queries(org, metric["datasource"], [("metricAnalysis", text)])}
        return {"metricAnalysis": self._shown_analysis(org.insert(METRIC_ANALYSES, analysis["id"], analysis))}

    def _shown_analysis(self, analysis: Mapping[str, Any]) -> dict:
        status = "completed" if self.stage(analysis["dateCreated"]) == DONE else "running"
        return {"id": analysis["id"], "status": status, "settings": analysis["settings"]}

    def _analysis_settings(self, org: Tables, metric: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        table = org.get(FACT_TABLES, metric["numerator"]["factTableId"]) or {"userIdTypes": []}
        user_id_type = body.get("userIdType") or (table["userIdTypes"] or [""])[0]
        if user_id_type not in table["userIdTypes"]:
            raise Invalid.field("userIdType", f"{user_id_type!r} is not an identifier type of the metric's fact table ({', '.join(table['userIdTypes'])}).")
        population, population_id = body.get("populationType", "factTable"), body.get("populationId")
        if population == "segment":
            segment = org.get(SEGMENTS, population_id or "")
            if segment is None:
                raise Invalid.field("populationId", f"Segment {population_id!r} does not exist.")
            if segment["identifierType"] != user_id_type:
                raise Invalid.field("populationId", f"Segment {segment['id']} is of {segment['identifierType']}, not {user_id_type}.")
        elif population_id:
            raise Invalid.field("populationId", "A factTable population takes no populationId.")
        days = body.get("lookbackDays", 30)
        end = self.clock.now()
        start = end - timedelta(days=min(days, (end - EARLIEST).days))  # 999999 days back is before year 1
        return {"userIdType": user_id_type, "lookbackDays": days, "startDate": timestamp(start), "endDate": timestamp(end),
                "populationType": population, "populationId": population_id if population == "segment" else None}


def _key(settings: Mapping[str, Any]) -> str:
    """What makes two analyses the same (not when they ran)."""
    return f"{settings['userIdType']}|{settings['lookbackDays']}|{settings['populationType']}|{settings['populationId']}"

