"""Metrics and metric groups, read-only: what a project's experiments can measure, in
LaunchDarkly's shape (kind, `isNumeric`, event key, the units a metric can be randomized by;
a group's metrics in order)."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import NotFound
from mockexp.paging import Listing
from mockexp.vendors.launchdarkly.models.common import API, METRIC_GROUPS, METRICS, link
from mockexp.vendors.launchdarkly.models.representation import Representation

NEWEST_FIRST = {"order_by": lambda doc: (doc["_creationDate"], doc["key"]), "reverse": True}


class Metrics(Representation):
    def get_metrics(self, project_key: str) -> Listing:
        """The project's metrics, newest first."""
        self.project_of(project_key)
        docs = self.project(project_key).view(METRICS, **NEWEST_FIRST)
        return Listing(docs, represent=self.represent_metric)

    def get_metric(self, project_key: str, metric_key: str) -> dict:
        self.project_of(project_key)
        metric = self.metric(project_key, metric_key)
        if metric is None:
            raise NotFound(f'Unknown metric "{metric_key}" in project {project_key}')
        return self.represent_metric(metric)

    def get_metric_groups(self, project_key: str) -> Listing:
        """The project's metric groups (funnels and standard groups), newest first."""
        self.project_of(project_key)
        docs = self.project(project_key).view(METRIC_GROUPS, **NEWEST_FIRST)
        return Listing(docs, represent=self.represent_metric_group)

    def get_metric_group(self, project_key: str, metric_group_key: str) -> dict:
        self.project_of(project_key)
        group = self.metric_group(project_key, metric_group_key)
        if group is None:
            raise NotFound(f'Unknown metric group "{metric_group_key}" in project {project_key}')
        return self.represent_metric_group(group)

    # -- representation ----------------------------------------------------------------------

    def represent_metric(self, metric: Mapping[str, Any]) -> dict:
        project_key, key = metric["projectKey"], metric["key"]
        rep: dict[str, Any] = {
            "_id": metric["_id"],
            "_versionId": metric["_versionId"],
            "_version": 1,
            "key": key,
            "name": metric["name"],
            "kind": metric["kind"],
            "_links": {"parent": link(f"{API}/metrics/{project_key}"), "self": link(f"{API}/metrics/{project_key}/{key}")},
            "tags": list(metric["tags"]),
            "_creationDate": metric["_creationDate"],
        }
        if metric["maintainerId"] is not None:
            rep["maintainerId"] = metric["maintainerId"]
        if metric["description"]:
            rep["description"] = metric["description"]
        rep["isNumeric"] = metric["isNumeric"]
        if metric["isNumeric"]:
            rep["successCriteria"] = "HigherThanBaseline"
            rep["unitAggregationType"] = metric["unitAggregationType"]
        if metric["eventKey"] is not None:
            rep["eventKey"] = metric["eventKey"]
        rep["randomizationUnits"] = list(metric["randomizationUnits"])
        rep["analysisUnits"] = list(metric["randomizationUnits"])
        rep["dataSource"] = {"key": "launchdarkly"}
        rep["archived"] = False
        return rep

    def represent_metric_group(self, group: Mapping[str, Any]) -> dict:
        rep: dict[str, Any] = {"_id": group["_id"], "key": group["key"], "name": group["name"], "kind": group["kind"]}
        if group["description"]:
            rep["description"] = group["description"]
        rep.update({
            "_links": self._group_links(group),
            "tags": [],
            "_creationDate": group["_creationDate"],
            "_lastModified": group["_creationDate"],
            "metrics": self._in_group(group),
            "_version": 1,
        })
        if group["maintainerId"] is not None:
            rep["maintainer"] = {"key": group["maintainerId"], "kind": "member"}
        return rep
