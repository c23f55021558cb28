"""Experiments: a tracking key, two or more variations and the phases they ran in (each with its
coverage and a traffic split over the variations), analysed over a data source's assignment
query with goal, secondary and guardrail metrics. Status goes draft -> running -> stopped (and
a stopped experiment may run again in a new phase); the dates come from the clock. There is no
delete, as in GrowthBook: an experiment is archived. `linkedFeatures` (the features whose
current rules, in any environment, name the experiment in an experiment-ref rule) is worked out
when an experiment is read, from one pass over the features per request, so it follows every
change and delete of a feature."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import EXPERIMENTS, FACT_METRICS, FEATURES, METRICS, PROJECTS, SEGMENTS, made_id
from mockexp.vendors.growthbook.models.data_sources import DataSources
from mockexp.vendors.growthbook.models.world import changed

FIELDS = ("trackingKey", "name", "type", "project", "hypothesis", "description", "tags", "owner", "archived", "autoRefresh",
          "hashAttribute", "fallbackAttribute", "hashVersion", "disableStickyBucketing", "bucketVersion", "minBucketVersion",
          "shareLevel", "banditScheduleValue", "banditScheduleUnit", "banditBurnInValue", "banditBurnInUnit",
          "pinnedMetricSlices", "customMetricSlices")
DEFAULTS = {"type": "standard", "project": "", "hypothesis": "", "description": "", "tags": [], "owner": "", "archived": False,
            "status": "draft", "autoRefresh": True, "hashAttribute": "id", "fallbackAttribute": "", "hashVersion": 2,
            "disableStickyBucketing": False, "bucketVersion": 0, "minBucketVersion": 0, "shareLevel": "organization",
            "banditScheduleValue": 1, "banditScheduleUnit": "days", "banditBurnInValue": 1, "banditBurnInUnit": "days",
            "hasVisualChangesets": False, "hasURLRedirects": False, "customFields": {},
            "pinnedMetricSlices": [], "customMetricSlices": [], "phases": []}
SETTINGS = {"datasourceId": "", "assignmentQueryId": "", "experimentId": "", "segmentId": "", "queryFilter": "",
            "inProgressConversions": "include", "attributionModel": "firstExposure", "statsEngine": "bayesian",
            "regressionAdjustmentEnabled": False, "sequentialTestingEnabled": False, "sequentialTestingTuningParameter": 5000,
            "goals": [], "secondaryMetrics": [], "guardrails": []}
PLAIN_SETTINGS = ("datasourceId", "assignmentQueryId", "segmentId", "queryFilter", "attributionModel", "statsEngine",
                  "regressionAdjustmentEnabled", "sequentialTestingEnabled", "sequentialTestingTuningParameter")
METRIC_LISTS = {"metrics": "goals", "secondaryMetrics": "secondaryMetrics", "guardrailMetrics": "guardrails"}
CONVERSIONS = {"loose": "include", "strict": "exclude"}
# what a status may become, GrowthBook's way: a draft starts, a running experiment stops, a stopped one runs again
NEXT_STATUS = {"draft": {"draft", "running"}, "running": {"running", "stopped"}, "stopped": {"stopped", "running"}}


class Experiments(DataSources):
    def list_experiments(self, caller: str, project_id: str | None = None, datasource_id: str | None = None,
                         experiment_id: str | None = None) -> Listing:
        def kept(e: Mapping) -> bool:
            return ((project_id is None or e["project"] == project_id) and (datasource_id is None or e["settings"]["datasourceId"] == datasource_id)
                    and (experiment_id is None or e["trackingKey"] == experiment_id))

        org = self.org(caller)
        links = linked_features(org)
        return Listing(org.view(EXPERIMENTS, test=kept, order_by=lambda e: (e["dateCreated"], e["id"])), represent=lambda e: shown(e, links))

    def list_experiment_names(self, caller: str, project_id: str | None = None) -> dict:
        where = {"project": project_id} if project_id is not None else None
        found = self.org(caller).query(EXPERIMENTS, where, order_by=lambda e: (e["dateCreated"], e["id"]))
        return {"experiments": [{"id": e["id"], "name": e["name"]} for e in found]}

    def post_experiment(self, body: dict, caller: str) -> dict:
        return {"experiment": shown(self.put_experiment(self.org(caller), None, body), {})}  # no rule can name it yet

    def put_experiment(self, org: Tables, id: str | None, body: Mapping[str, Any]) -> dict:
        """A new experiment (with the id given, for the demo world, or a new one)."""
        experiment = self.made(org, "exp_", changed(copy.deepcopy(DEFAULTS), body, FIELDS), id)
        experiment.update(settings=copy.deepcopy(SETTINGS), resultSummary={"status": "", "winner": "", "conclusions": "", "releasedVariationId": "",
                                                                  "excludeFromPayload": False})
        experiment = self._applied(org, experiment, {**body, "status": body.get("status", "draft")}, "draft")
        return org.insert(EXPERIMENTS, experiment["id"], experiment)

    def get_experiment(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        experiment = self.stored(org, EXPERIMENTS, id)
        status = "Archived" if experiment["archived"] else experiment["status"].capitalize()
        return {"experiment": {**shown(experiment, linked_features(org)), "enhancedStatus": {"status": status, "detailedStatus": ""}}}

    def update_experiment(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        current = self.stored(org, EXPERIMENTS, id)
        if body.get("datasourceId") and current["settings"]["datasourceId"] and body["datasourceId"] != current["settings"]["datasourceId"]:
            raise Invalid.field("datasourceId", "The data source can only be set if the experiment does not have one yet.")
        experiment = self._applied(org, changed(current, body, FIELDS), body, current["status"])
        experiment["dateUpdated"] = self.now()
        return {"experiment": shown(org.replace(EXPERIMENTS, id, experiment), linked_features(org))}

    # -- the rules ------------------------------------------------------------------------------

    def _applied(self, org: Tables, experiment: dict, body: Mapping[str, Any], was: str) -> dict:
        """`experiment` with the settings, variations, phases, status and conclusion `body` sends, checked."""
        experiment["settings"] = self._settings(org, experiment["settings"], body, experiment["trackingKey"])
        self.must_exist(org, PROJECTS, experiment["project"] or [], "project")
        if "variations" in body:
            experiment["variations"] = _variations(experiment, body["variations"])
        if "phases" in body:
            experiment["phases"] = [_phase(experiment, phase, f"phases[{index}]", self.now()) for index, phase in enumerate(body["phases"])]
        status = body.get("status", was)
        if status not in NEXT_STATUS[was]:
            raise Invalid.field("status", f"A {was} experiment cannot go back to {status}.")
        experiment["status"] = status
        if status != was and "phases" not in body:
            self._moved(experiment, was, status)
        _conclusion(experiment, body)
        return experiment

    def _moved(self, experiment: dict, was: str, status: str) -> None:
        """Starting opens a phase (an even split over every variation), stopping closes the open one."""
        now = self.now()
        if status == "running":
            weight = 1 / len(experiment["variations"])
            experiment["phases"].append(_phase(experiment, {"name": f"Phase {len(experiment['phases']) + 1}", "dateStarted": now, "coverage": 1,
                                                            "trafficSplit": [{"variationId": v["variationId"], "weight": weight} for v in experiment["variations"]]},
                                               "phases", now))
        elif status == "stopped" and experiment["phases"] and not experiment["phases"][-1]["dateEnded"]:
            experiment["phases"][-1]["dateEnded"] = now

    def _settings(self, org: Tables, settings: Mapping[str, Any], body: Mapping[str, Any], tracking_key: str) -> dict:
        settings = {**settings, **{name: body[name] for name in PLAIN_SETTINGS if name in body}, "experimentId": tracking_key}
        if "inProgressConversions" in body:
            settings["inProgressConversions"] = CONVERSIONS[body["inProgressConversions"]]
        for name, key in METRIC_LISTS.items():
            if name in body:
                self._metrics_exist(org, body[name], name)
                settings[key] = [{"metricId": id, "overrides": {}} for id in body[name]]
        if "activationMetric" in body:
            self._metrics_exist(org, [body["activationMetric"]] if body["activationMetric"] else [], "activationMetric")
            settings["activationMetric"] = {"metricId": body["activationMetric"], "overrides": {}}
        if settings["segmentId"]:
            self.must_exist(org, SEGMENTS, settings["segmentId"], "segmentId")
        if settings["datasourceId"]:
            source = self.data_source(org, settings["datasourceId"], "datasourceId")
            if settings["assignmentQueryId"] not in [q["id"] for q in source["assignmentQueries"]]:
                raise Invalid.field("assignmentQueryId", f"Data source {source['id']} has no assignment query {settings['assignmentQueryId']!r}.")
        return settings

    @staticmethod
    def _metrics_exist(org: Tables, ids: list[str], field: str) -> None:
        for index, id in enumerate(ids):
            if org.get(METRICS, id) is None and org.get(FACT_METRICS, id) is None:
                where = field if field == "activationMetric" else f"{field}[{index}]"
                raise Invalid.field(where, f"Metric {id!r} does not exist.")


def linked_features(org: Tables) -> dict[str, list[str]]:
    """Experiment id -> the ids of the features (in id order) whose current rules, in any
    environment, name it in an experiment-ref rule: one pass over the features."""
    links: dict[str, list[str]] = {}
    for feature in org.view(FEATURES, order_by=lambda f: f["id"]):
        named = {rule["experimentId"] for entry in feature["environments"].values() for rule in entry["rules"] if rule["type"] == "experiment-ref"}
        for id in named:
            links.setdefault(id, []).append(feature["id"])
    return links


def shown(experiment: Mapping[str, Any], links: Mapping[str, list[str]]) -> dict:
    """An experiment as the API shows it: with its linked features."""
    return {**experiment, "linkedFeatures": list(links.get(experiment["id"], []))}


def _variations(experiment: Mapping[str, Any], sent: list[Mapping[str, Any]]) -> list[dict]:
    keys = [v["key"] for v in sent]
    if len(sent) < 2:
        raise Invalid.field("variations", "An experiment needs at least 2 variations.")
    if len(set(keys)) != len(keys):
        raise Invalid.field("variations", f"Variation keys must be unique ({', '.join(keys)}).")
    made = [{"variationId": v.get("id") or made_id("var_", experiment["id"], v["key"]), "key": v["key"], "name": v["name"],
             "description": v.get("description", ""), "screenshots": [s["path"] for s in v.get("screenshots", [])]} for v in sent]
    if len({v["variationId"] for v in made}) != len(made):
        raise Invalid.field("variations", "Variation ids must be unique.")
    return made


def _phase(experiment: Mapping[str, Any], sent: Mapping[str, Any], field: str, now: str) -> dict:
    """A phase as stored: its traffic split names each variation once, with weights summing to 1."""
    ids = [v["variationId"] for v in experiment["variations"]]
    split = sent["trafficSplit"] if "trafficSplit" in sent else [{"variationId": id, "weight": 1 / len(ids)} for id in ids]
    if sorted(s["variationId"] for s in split) != sorted(ids):
        raise Invalid.field(f"{field}.trafficSplit", f"The traffic split must name each variation once ({', '.join(ids)}).")
    if abs(sum(s["weight"] for s in split) - 1) > 1e-6:
        raise Invalid.field(f"{field}.trafficSplit", "The traffic split's weights must sum to 1.")
    return {"name": sent.get("name", "Main"), "dateStarted": sent.get("dateStarted", now), "dateEnded": sent.get("dateEnded", ""),
            "reasonForStopping": sent.get("reasonForStopping", ""), "seed": sent.get("seed", experiment["trackingKey"]),
            "coverage": sent.get("coverage", 1), "trafficSplit": [{"variationId": s["variationId"], "weight": s["weight"]} for s in split],
            "namespace": sent.get("namespace", {"namespaceId": "", "range": [0, 1]}), "targetingCondition": sent.get("targetingCondition", ""),
            "prerequisites": sent.get("prerequisites", []), "savedGroupTargeting": sent.get("savedGroupTargeting", []),
            # the same targeting as GrowthBook keeps it on the phase, `{match, ids}` per group of saved groups
            "savedGroups": [{"match": target["matchType"], "ids": list(target["savedGroups"])} for target in sent.get("savedGroupTargeting", [])]}


def _conclusion(experiment: dict, body: Mapping[str, Any]) -> None:
    summary = experiment["resultSummary"]
    released = body.get("releasedVariationId", summary["releasedVariationId"])
    if released and released not in [v["variationId"] for v in experiment["variations"]]:
        raise Invalid.field("releasedVariationId", f"{released!r} is not one of the experiment's variations.")
    experiment["resultSummary"] = {**summary, "releasedVariationId": released,
                                   "excludeFromPayload": body.get("excludeFromPayload", summary["excludeFromPayload"])}
