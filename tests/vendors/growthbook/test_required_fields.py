"""Every field GrowthBook's schemas mark as required is in the spec's answers and in every answer
the mock gives (empty or a default where nothing was set): the objects' own fields (as the
seed's model section lists them) and the nested ones GrowthBook's API answers today."""

from __future__ import annotations

import pytest

from mockexp.specs import load_named
from tests.answers import required, walk
from tests.vendors.growthbook.test_http import ADMIN, V1, bearer

SPEC = load_named("growthbook.yaml")

# (the read that answers it, the path to it in the answer; "[]" for each item of a list) -> what GrowthBook requires there
DOCUMENTED = {
    ("getProject", ("project",)): {"id", "name", "dateCreated", "dateUpdated"},
    ("getFeature", ("feature",)): {"id", "dateCreated", "dateUpdated", "archived", "description", "owner", "project", "valueType", "defaultValue",
                                   "tags", "environments", "revision"},
    ("getSdkConnection", ("sdkConnection",)): {"id", "dateCreated", "dateUpdated", "name", "organization", "languages", "environment", "project",
                                               "encryptPayload", "encryptionKey", "key", "proxyEnabled", "proxyHost", "proxySigningKey"},
    ("getSavedGroup", ("savedGroup",)): {"id", "type", "dateCreated", "dateUpdated", "name"},
    ("getArchetype", ("archetype",)): {"id", "dateCreated", "dateUpdated", "name", "owner", "isPublic", "attributes"},
    ("getDataSource", ("dataSource",)): {"id", "dateCreated", "dateUpdated", "type", "name", "description", "projectIds", "eventTracker",
                                         "identifierTypes", "assignmentQueries", "identifierJoinQueries"},
    ("getDimension", ("dimension",)): {"id", "dateCreated", "dateUpdated", "owner", "datasourceId", "identifierType", "name", "query"},
    ("getSegment", ("segment",)): {"id", "owner", "datasourceId", "identifierType", "name", "dateCreated", "dateUpdated"},
    ("getFactTable", ("factTable",)): {"id", "name", "description", "owner", "projects", "tags", "datasource", "userIdTypes", "sql", "managedBy",
                                       "dateCreated", "dateUpdated"},
    ("getFactTableFilter", ("factTableFilter",)): {"id", "name", "description", "value", "managedBy", "dateCreated", "dateUpdated"},
    ("getFactMetric", ("factMetric",)): {"id", "name", "description", "owner", "projects", "tags", "datasource", "metricType", "numerator", "inverse",
                                         "cappingSettings", "windowSettings", "regressionAdjustmentSettings", "riskThresholdSuccess",
                                         "riskThresholdDanger", "minPercentChange", "maxPercentChange", "minSampleSize", "targetMDE", "managedBy",
                                         "dateCreated", "dateUpdated", "priorSettings"},
    ("getFactMetric", ("factMetric", "priorSettings")): {"override", "proper", "mean", "stddev"},
    ("getMetric", ("metric",)): {"id", "managedBy", "dateCreated", "dateUpdated", "owner", "datasourceId", "name", "description", "type", "tags",
                                 "projects", "archived", "behavior"},
    ("getMetric", ("metric", "sql")): {"identifierTypes", "conversionSQL", "userAggregationSQL", "denominatorMetricId"},
    ("getExperiment", ("experiment",)): {"id", "trackingKey", "dateCreated", "dateUpdated", "name", "type", "project", "hypothesis", "description",
                                         "tags", "owner", "archived", "status", "autoRefresh", "hashAttribute", "hashVersion", "variations", "phases",
                                         "settings"},
    ("getExperiment", ("experiment", "phases", "[]")): {"savedGroups"},
    ("getExperiment", ("experiment", "settings")): {"datasourceId", "assignmentQueryId", "experimentId", "segmentId", "queryFilter",
                                                    "inProgressConversions", "attributionModel", "statsEngine", "goals", "secondaryMetrics", "guardrails"},
    ("getSnapshot", ("snapshot",)): {"id", "experiment", "status"},
    ("getQuery", ("query",)): {"id", "organization", "datasource", "language", "query", "queryType", "createdAt", "startedAt", "status",
                               "externalId", "dependencies", "runAtEnd"},
}


def schema_at(operation_id: str, path: tuple) -> dict:
    schema = next(op for op in SPEC.operations if op.operation_id == operation_id).response_schema(200)
    for step in path:
        parts = [schema, *schema.get("allOf", [])]
        schema = next(part["items"] if step == "[]" else part["properties"][step] for part in parts
                      if ("items" in part if step == "[]" else step in part.get("properties", {})))
    return schema


@pytest.mark.parametrize("where", [pytest.param(key, id=f"{key[0]}:{'.'.join(key[1])}") for key in DOCUMENTED])
def test_the_spec_requires_every_field_growthbook_requires(where):
    missing = DOCUMENTED[where] - required(schema_at(*where))
    assert not missing, f"{where}: GrowthBook requires {sorted(missing)}, the spec does not"


@pytest.mark.parametrize("plural, singular, read", [("metrics", "metric", "getMetric"), ("experiments", "experiment", "getExperiment"),
                                                     ("factMetrics", "factMetric", "getFactMetric")], ids=["metrics", "experiments", "fact-metrics"])
def test_every_demo_object_answers_every_field_the_spec_requires(http, plural, singular, read):
    path = {"factMetrics": "fact-metrics"}.get(plural, plural)
    listed = http.get(f"{V1}/{path}", headers=bearer(ADMIN), params={"limit": 100}).json()[plural]
    assert listed, f"the demo organization has {plural}"
    schema = schema_at(read, ())
    for item in listed:
        answer = http.get(f"{V1}/{path}/{item['id']}", headers=bearer(ADMIN)).json()
        for where, part, value in walk(schema, answer):
            if isinstance(value, dict):
                assert required(part) <= set(value), f"{singular} {item['id']} at {'.'.join(map(str, where))} lacks {sorted(required(part) - set(value))}"


def test_a_metric_without_aggregation_or_denominator_answers_them_empty(http):
    source = http.get(f"{V1}/data-sources", headers=bearer(ADMIN)).json()["dataSources"][0]
    body = {"datasourceId": source["id"], "name": "Signed up", "owner": "ann@example.com", "type": "binomial",
            "sql": {"identifierTypes": [source["identifierTypes"][0]["id"]], "conversionSQL": "SELECT user_id, timestamp FROM signups"}}
    made = http.post(f"{V1}/metrics", headers=bearer(ADMIN), json=body)
    assert made.status_code == 200, made.text
    assert made.json()["metric"]["sql"] == {**body["sql"], "userAggregationSQL": "", "denominatorMetricId": ""}


def test_a_phase_answers_its_saved_group_targeting_as_saved_groups(http):
    experiments = http.get(f"{V1}/experiments", headers=bearer(ADMIN), params={"limit": 100}).json()["experiments"]
    phases = [phase for experiment in experiments for phase in experiment["phases"]]
    assert phases
    for phase in phases:
        assert phase["savedGroups"] == [{"match": t["matchType"], "ids": t["savedGroups"]} for t in phase["savedGroupTargeting"]]
