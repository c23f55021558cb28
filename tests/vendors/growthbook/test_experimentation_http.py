"""GrowthBook's experimentation resources (issue 12) over HTTP with the demo keys: the demo
world's data sources, dimensions, segments, fact tables, filters and metrics, what a user makes
of them, and each refusal as a 400 `{"message"}` naming the field with nothing changed. (The
`http` client checks every answer against the spec.)"""

from __future__ import annotations

import pytest

from tests.vendors.growthbook.test_http import ADMIN, ACME, READONLY, assert_message, bearer

V1 = "/api/v1"


def get(http, path: str, key: str = ADMIN, **params):
    response = http.get(f"{V1}{path}", headers=bearer(key), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def post(http, path: str, body: dict, key: str = ADMIN):
    return http.post(f"{V1}{path}", headers=bearer(key), json=body)


@pytest.fixture
def warehouse(http) -> dict:
    return next(d for d in get(http, "/data-sources")["dataSources"] if d["type"] == "bigquery")


# -- data sources -------------------------------------------------------------------------------


def test_the_demo_world_has_a_warehouse_and_a_mixpanel_data_source(http):
    page = get(http, "/data-sources")
    assert page["total"] == 2 and [d["type"] for d in page["dataSources"]] == ["bigquery", "mixpanel"]
    warehouse = get(http, f"/data-sources/{page['dataSources'][0]['id']}")["dataSource"]
    assert [t["id"] for t in warehouse["identifierTypes"]] == ["user_id", "anonymous_id"]
    assert [q["id"] for q in warehouse["assignmentQueries"]] == ["user_id", "anonymous_id"]


def test_data_sources_are_read_only_and_of_one_organization(http, warehouse):
    assert http.post(f"{V1}/data-sources", headers=bearer(ADMIN), json={"name": "x"}).status_code in (404, 405)
    assert get(http, "/data-sources", ACME)["total"] == 0
    assert_message(http.get(f"{V1}/data-sources/{warehouse['id']}", headers=bearer(ACME)), 404)


def test_a_readonly_key_reads_data_sources(http):
    assert get(http, "/data-sources", READONLY)["total"] == 2


# -- dimensions and segments --------------------------------------------------------------------


def test_the_demo_world_has_dimensions_and_segments_over_its_data_sources(http, warehouse):
    dimensions = get(http, "/dimensions", limit=100)["dimensions"]
    assert len(dimensions) == 5 and {d["managedBy"] for d in dimensions} == {"", "api", "config"}
    assert get(http, "/dimensions", datasourceId=warehouse["id"])["total"] == 4
    segments = get(http, "/segments", limit=100)["segments"]
    assert len(segments) >= 3 and {s["type"] for s in segments} >= {"SQL"}


def test_a_user_makes_changes_and_deletes_a_dimension(http, warehouse):
    body = {"name": "Browser", "datasourceId": warehouse["id"], "identifierType": "anonymous_id", "query": "SELECT anonymous_id, browser AS value FROM pages"}
    made = post(http, "/dimensions", body).json()["dimension"]
    changed = post(http, f"/dimensions/{made['id']}", {"description": "First visit"}).json()["dimension"]
    assert (changed["description"], changed["query"]) == ("First visit", body["query"])
    assert http.delete(f"{V1}/dimensions/{made['id']}", headers=bearer(ADMIN)).json() == {"deletedId": made["id"]}
    assert_message(http.get(f"{V1}/dimensions/{made['id']}", headers=bearer(ADMIN)), 404)


@pytest.mark.parametrize("path, changes, field", [
    ("/dimensions", {"datasourceId": "ds_nowhere"}, "datasourceId"),
    ("/dimensions", {"identifierType": "device_id"}, "identifierType"),
    ("/segments", {"type": "SQL", "query": ""}, "query"),
    ("/segments", {"type": "FACT", "factTableId": "ftb_nowhere"}, "factTableId"),
    ("/segments", {"type": "SQL", "datasourceId": "ds_mobile_mixpanel", "identifierType": "distinct_id"}, "datasourceId"),
])
def test_a_bad_reference_of_a_dimension_or_segment_is_a_400_naming_the_field(http, path, changes, field):
    body = {"name": "x", "datasourceId": "ds_warehouse", "identifierType": "user_id", "query": "SELECT 1", **changes}
    before = get(http, path)["total"]
    assert_message(post(http, path, body), 400, field)
    assert get(http, path)["total"] == before


def test_a_dimension_managed_by_config_is_403_to_change(http):
    managed = next(d for d in get(http, "/dimensions", limit=100)["dimensions"] if d["managedBy"] == "config")
    assert_message(post(http, f"/dimensions/{managed['id']}", {"name": "x"}), 403, "config.yml")
    assert_message(http.delete(f"{V1}/dimensions/{managed['id']}", headers=bearer(ADMIN)), 403)


def test_a_readonly_key_cannot_make_a_segment(http):
    body = {"name": "x", "datasourceId": "ds_warehouse", "identifierType": "user_id", "type": "SQL", "query": "SELECT 1"}
    assert_message(post(http, "/segments", body, READONLY), 403)


# -- fact tables, filters, fact metrics ---------------------------------------------------------


def test_the_demo_world_has_fact_tables_with_filters_and_a_fact_metric_of_each_type(http):
    tables = get(http, "/fact-tables")["factTables"]
    assert [t["id"] for t in tables] == ["ftb_orders", "ftb_page_views", "ftb_signups"] and all(t["columns"] for t in tables)
    assert [f["id"] for f in get(http, "/fact-tables/ftb_orders/filters")["factTableFilters"]] == ["flt_orders_germany", "flt_orders_card"]
    metrics = get(http, "/fact-metrics")["factMetrics"]
    assert {m["metricType"] for m in metrics} == {"proportion", "retention", "mean", "quantile", "ratio"}
    assert get(http, "/fact-metrics", factTableId="ftb_page_views")["total"] == 2


def test_a_user_makes_a_fact_table_a_filter_and_a_metric_over_them(http):
    body = {"name": "Refunds", "datasource": "ds_warehouse", "userIdTypes": ["user_id"], "sql": "SELECT user_id, timestamp, refund_amount, reason FROM refunds"}
    table = post(http, "/fact-tables", body).json()["factTable"]
    assert [c["column"] for c in table["columns"]] == ["user_id", "timestamp", "refund_amount", "reason"]
    kept = post(http, f"/fact-tables/{table['id']}/filters", {"name": "Damaged", "value": "reason = 'damaged'"}).json()["factTableFilter"]
    metric = {"name": "Refunded amount", "metricType": "mean", "numerator": {"factTableId": table["id"], "column": "refund_amount", "filters": [kept["id"]]}}
    made = post(http, "/fact-metrics", metric).json()["factMetric"]
    assert get(http, f"/fact-metrics/{made['id']}")["factMetric"]["numerator"]["filters"] == [kept["id"]]
    message = assert_message(http.delete(f"{V1}/fact-tables/{table['id']}", headers=bearer(ADMIN)), 400, "id", made["id"])
    assert "still used" in message
    assert http.delete(f"{V1}/fact-metrics/{made['id']}", headers=bearer(ADMIN)).json() == {"deletedId": made["id"]}
    assert http.delete(f"{V1}/fact-tables/{table['id']}", headers=bearer(ADMIN)).json() == {"deletedId": table["id"]}
    assert_message(http.get(f"{V1}/fact-tables/{table['id']}/filters/{kept['id']}", headers=bearer(ADMIN)), 404)


@pytest.mark.parametrize("body, field", [
    ({"metricType": "mean", "numerator": {"factTableId": "ftb_nowhere", "column": "amount"}}, "numerator.factTableId"),
    ({"metricType": "mean", "numerator": {"factTableId": "ftb_orders", "column": "country"}}, "numerator.column"),
    ({"metricType": "quantile", "numerator": {"factTableId": "ftb_orders", "column": "amount"}}, "quantileSettings"),
    ({"metricType": "ratio", "numerator": {"factTableId": "ftb_orders", "column": "amount"}}, "denominator"),
    ({"metricType": "proportion", "numerator": {"factTableId": "ftb_orders"}, "denominator": {"factTableId": "ftb_orders"}}, "denominator"),
    ({"metricType": "ratio", "numerator": {"factTableId": "ftb_orders", "column": "amount"}, "denominator": {"factTableId": "ftb_orders", "column": "path"}}, "denominator.column"),
    ({"metricType": "proportion", "numerator": {"factTableId": "ftb_orders", "filters": ["flt_pages_checkout"]}}, "numerator.filters[0]"),
])
def test_a_fact_metric_that_does_not_match_its_type_or_tables_is_a_400_naming_the_field(http, body, field):
    before = get(http, "/fact-metrics")["total"]
    assert_message(post(http, "/fact-metrics", {"name": "x", **body}), 400, field)
    assert get(http, "/fact-metrics")["total"] == before


def test_a_filter_of_a_fact_table_not_managed_by_the_api_cannot_be(http):
    assert_message(post(http, "/fact-tables/ftb_page_views/filters", {"name": "x", "value": "1 = 1", "managedBy": "api"}), 400, "managedBy")
    assert post(http, "/fact-tables/ftb_orders/filters", {"name": "x", "value": "1 = 1", "managedBy": "api"}).status_code == 200


def test_a_fact_table_update_changes_column_properties_but_adds_none(http):
    changed = post(http, "/fact-tables/ftb_orders", {"columns": [{"column": "country", "alwaysInlineFilter": True}]}).json()["factTable"]
    assert next(c for c in changed["columns"] if c["column"] == "country")["alwaysInlineFilter"] is True
    assert_message(post(http, "/fact-tables/ftb_orders", {"columns": [{"column": "margin"}]}), 400, "columns[0].column")


def test_a_readonly_key_cannot_change_a_fact_metric(http):
    assert_message(post(http, "/fact-metrics/fact__purchased", {"name": "x"}, READONLY), 403)


# -- legacy metrics -----------------------------------------------------------------------------


def test_the_demo_world_has_a_legacy_metric_of_each_type(http):
    metrics = get(http, "/metrics", limit=100)["metrics"]
    assert {m["type"] for m in metrics} == {"binomial", "count", "duration", "revenue"}
    assert get(http, "/metrics", datasourceId="ds_mobile_mixpanel")["metrics"][0]["mixpanel"]["eventName"] == "Purchase"


def test_a_user_makes_changes_and_deletes_a_legacy_metric(http):
    body = {"datasourceId": "ds_warehouse", "name": "Wishlisted", "type": "binomial", "sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT user_id, timestamp FROM wishlist"}}
    made = post(http, "/metrics", body).json()["metric"]
    changed = http.put(f"{V1}/metrics/{made['id']}", headers=bearer(ADMIN), json={"description": "Added a book"})
    assert changed.json() == {"updatedId": made["id"]}
    assert get(http, f"/metrics/{made['id']}")["metric"]["description"] == "Added a book"
    assert http.delete(f"{V1}/metrics/{made['id']}", headers=bearer(ADMIN)).json() == {"deletedId": made["id"]}


@pytest.mark.parametrize("changes, field", [
    ({}, "sql"),
    ({"datasourceId": "ds_mobile_mixpanel", "sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1"}}, "sql"),
    ({"sql": {"identifierTypes": ["device_id"], "conversionSQL": "SELECT 1"}}, "sql.identifierTypes[0]"),
    ({"datasourceId": "ds_nowhere", "sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1"}}, "datasourceId"),
])
def test_a_bad_legacy_metric_is_a_400_naming_the_field(http, changes, field):
    before = get(http, "/metrics")["total"]
    assert_message(post(http, "/metrics", {"datasourceId": "ds_warehouse", "name": "x", "type": "count", **changes}), 400, field)
    assert get(http, "/metrics")["total"] == before


def test_a_metric_managed_by_config_cannot_be_changed(http):
    managed = next(m for m in get(http, "/metrics", limit=100)["metrics"] if m["managedBy"] == "config")
    assert_message(http.put(f"{V1}/metrics/{managed['id']}", headers=bearer(ADMIN), json={"name": "x"}), 403, "config.yml")


# -- bulk import of facts -----------------------------------------------------------------------


def test_a_bulk_import_upserts_facts_and_a_refusal_changes_nothing(http):
    table = {"name": "Wishlist adds", "datasource": "ds_warehouse", "userIdTypes": ["user_id"], "sql": "SELECT user_id, timestamp, price FROM wishlist_adds"}
    good = {"factTables": [{"id": "ftb_wishlist_adds", "data": table}],
            "factMetrics": [{"id": "fact__wishlisted", "data": {"name": "Wishlisted", "metricType": "proportion", "numerator": {"factTableId": "ftb_wishlist_adds"}}}]}
    bad = {**good, "factTableFilters": [{"factTableId": "ftb_nowhere", "id": "flt_x", "data": {"name": "x", "value": "1 = 1"}}]}
    assert_message(post(http, "/bulk-import/facts", bad), 400, "factTableFilters[0].factTableId")
    assert_message(http.get(f"{V1}/fact-tables/ftb_wishlist_adds", headers=bearer(ADMIN)), 404)
    counts = post(http, "/bulk-import/facts", good).json()
    assert (counts["success"], counts["factTablesAdded"], counts["factMetricsAdded"]) == (True, 1, 1)
    assert get(http, "/fact-metrics/fact__wishlisted")["factMetric"]["numerator"]["column"] == "$$distinctUsers"
    assert post(http, "/bulk-import/facts", good).json()["factMetricsUpdated"] == 1


def test_a_fact_metric_analysis_starts_and_a_bad_population_is_a_400(http):
    analysis = post(http, "/fact-metrics/fact__revenue_per_user/analysis", {"lookbackDays": 7}).json()["metricAnalysis"]
    assert analysis["status"] == "running" and analysis["settings"]["lookbackDays"] == 7
    assert_message(post(http, "/fact-metrics/fact__revenue_per_user/analysis", {"populationType": "segment", "populationId": "seg_nowhere"}), 400, "populationId")
    assert_message(post(http, "/fact-metrics/fact__nowhere/analysis", {}), 404)
