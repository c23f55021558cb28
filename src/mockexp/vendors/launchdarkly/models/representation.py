"""How LaunchDarkly shows an experiment: its default representation and expansions, its
iterations, and the flags and metrics they embed, with their `_links`."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from mockexp.vendors.launchdarkly.models.common import API, COVARIATES, EXPANDABLE, env_path, link
from mockexp.vendors.launchdarkly.models.world import World


class Representation(World):
    def represent(self, experiment: Mapping[str, Any], expand: set[str] | None = None) -> dict:
        """The experiment as LaunchDarkly shows it. `expand=None` gives everything (create and
        patch answer so); a set gives the default representation plus those expansions, and
        an expansion that is empty is left out."""
        full = expand is None
        expand = set(EXPANDABLE) if full else expand
        rep: dict[str, Any] = {
            "_id": experiment["_id"],
            "key": experiment["key"],
            "name": experiment["name"],
        }
        if experiment["description"] is not None:
            rep["description"] = experiment["description"]
        rep.update({
            "_maintainerId": experiment["_maintainerId"],
            "_creationDate": experiment["_creationDate"],
            "environmentKey": experiment["environmentKey"],
            "methodology": experiment["methodology"],
            "dataSource": experiment["dataSource"],
        })
        if experiment["archivedDate"] is not None:
            rep["archivedDate"] = experiment["archivedDate"]
        rep["tags"] = list(experiment["tags"])
        path = env_path(experiment["projectKey"], experiment["environmentKey"])
        rep["_links"] = {"parent": link(path), "self": link(f"{path}/experiments/{experiment['key']}")}
        if experiment["holdoutId"] is not None:
            rep["holdoutId"] = experiment["holdoutId"]
        options = {"treatments": "treatments" in expand, "secondary": "secondaryMetrics" in expand}
        if experiment["currentIteration"] is not None:
            rep["currentIteration"] = self.represent_iteration(experiment, experiment["currentIteration"], **options)
        rep["type"] = experiment["type"]
        if "draftIteration" in expand and experiment["draftIteration"] is not None:
            rep["draftIteration"] = self.represent_iteration(experiment, experiment["draftIteration"], **options)
        if "previousIterations" in expand and experiment["previousIterations"]:
            rep["previousIterations"] = [self.represent_iteration(experiment, it, **options) for it in experiment["previousIterations"]]
        if "analysisConfig" in expand and experiment["analysisConfig"]:
            rep["analysisConfig"] = dict(experiment["analysisConfig"])
        return rep

    def represent_iteration(self, experiment: Mapping[str, Any], iteration: Mapping[str, Any], *, treatments: bool = True, secondary: bool = True) -> dict:
        project_key = experiment["projectKey"]
        rep: dict[str, Any] = {"_id": iteration["_id"], "hypothesis": iteration["hypothesis"], "status": iteration["status"], "createdAt": iteration["createdAt"]}
        for field in ("startedAt", "endedAt", "winningTreatmentId", "winningReason"):
            if iteration[field] is not None:
                rep[field] = iteration[field]
        rep["canReshuffleTraffic"] = iteration["canReshuffleTraffic"]
        rep["flags"] = {key: self._represent_flag(experiment, key, config) for key, config in iteration["flags"].items()}
        if iteration["reallocationFrequencyMillis"] is not None:
            rep["reallocationFrequencyMillis"] = iteration["reallocationFrequencyMillis"]
        rep["version"] = iteration["version"]
        primary = iteration["primary"]
        if primary is not None:
            rep["primaryMetric"] = self._metric_or_group(project_key, primary["key"], primary["isGroup"])
            if not primary["isGroup"]:
                rep["primarySingleMetric"] = self._single_metric(project_key, primary["key"])
            else:
                if primary.get("single") is not None:
                    rep["primarySingleMetric"] = self._single_metric(project_key, primary["single"])
                group = self.metric_group(project_key, primary["key"])
                if group["kind"] == "funnel":
                    rep["primaryFunnel"] = self._group_with_metrics(group)
        if iteration["randomizationUnit"] is not None:
            rep["randomizationUnit"] = iteration["randomizationUnit"]
        rep["attributes"] = list(iteration["attributes"])
        if treatments:
            rep["treatments"] = [copy.deepcopy(treatment) for treatment in iteration["treatments"]]
        if secondary:
            chosen = set() if primary is None else {(primary["key"], primary["isGroup"]), (primary.get("single"), False)}
            others = [m for m in iteration["metrics"] if not m["isGroup"] and (m["key"], False) not in chosen]
            if others:
                rep["secondaryMetrics"] = [self._single_metric(project_key, m["key"]) for m in others]
        rep["metrics"] = [self._metric_or_group(project_key, m["key"], m["isGroup"], m["analysisUnit"]) for m in iteration["metrics"]]
        if iteration["layerSnapshot"] is not None:
            rep["layerSnapshot"] = dict(iteration["layerSnapshot"])
        if iteration["covariateId"] is not None:
            covariate = self.environment(experiment["projectKey"], experiment["environmentKey"]).get(COVARIATES, iteration["covariateId"])
            rep["covariateInfo"] = {"id": covariate["id"], "fileName": covariate["fileName"], "createdAt": covariate["createdAt"]}
        return rep

    def _represent_flag(self, experiment: Mapping[str, Any], key: str, config: Mapping[str, Any]) -> dict:
        flag = self.flag(experiment["projectKey"], key)
        rules = {rule["_id"]: rule for rule in flag["environments"].get(experiment["environmentKey"], {}).get("rules", [])}
        rule = rules.get(config["ruleId"])
        rep = {"targetingRule": config["ruleId"]}
        if rule is not None:
            rep["targetingRuleDescription"] = rule["description"]
        rep["targetingRuleClauses"] = copy.deepcopy(rule["clauses"]) if rule is not None else []
        rep["flagConfigVersion"] = config["flagConfigVersion"]
        if config["notInExperimentVariationId"] is not None:
            rep["notInExperimentVariationId"] = config["notInExperimentVariationId"]
        rep["_links"] = {"self": link(f"{API}/flags/{experiment['projectKey']}/{key}")}
        return rep

    def _metric_base(self, metric: Mapping[str, Any]) -> dict:
        rep = {"key": metric["key"], "_versionId": metric["_versionId"], "name": metric["name"], "kind": metric["kind"], "isNumeric": metric["isNumeric"]}
        if metric["unitAggregationType"] is not None:
            rep["unitAggregationType"] = metric["unitAggregationType"]
        if metric["eventKey"] is not None:
            rep["eventKey"] = metric["eventKey"]
        rep["_links"] = {"self": link(f"{API}/metrics/{metric['projectKey']}/{metric['key']}")}
        return rep

    def _single_metric(self, project_key: str, key: str) -> dict:
        return self._metric_base(self.metric(project_key, key))

    def _in_group(self, group: Mapping[str, Any]) -> list[dict]:
        out = []
        for member in group["metrics"]:
            metric = self.metric(group["projectKey"], member["key"])
            rep = self._metric_base(metric)
            if member.get("nameInGroup") is not None:
                rep["nameInGroup"] = member["nameInGroup"]
            rep["randomizationUnits"] = list(metric["randomizationUnits"])
            out.append(rep)
        return out

    def _group_links(self, group: Mapping[str, Any]) -> dict:
        project = f"{API}/projects/{group['projectKey']}"
        return {"parent": link(project), "self": link(f"{project}/metric-groups/{group['key']}")}

    def _group_with_metrics(self, group: Mapping[str, Any]) -> dict:
        return {"key": group["key"], "name": group["name"], "kind": group["kind"], "_links": self._group_links(group), "metrics": self._in_group(group)}

    def _metric_or_group(self, project_key: str, key: str, is_group: bool, analysis_unit: str | None = None) -> dict:
        if is_group:
            group = self.metric_group(project_key, key)
            return {"key": key, "_versionId": group["_versionId"], "name": group["name"], "kind": group["kind"],
                    "_links": self._group_links(group), "isGroup": True, "metrics": self._in_group(group)}
        rep = self._single_metric(project_key, key)
        rep.pop("unitAggregationType", None)
        rep["isGroup"] = False
        if analysis_unit is not None:
            rep["analysisUnit"] = analysis_unit
        return rep

    # -- helpers ---------------------------------------------------------------------------------
