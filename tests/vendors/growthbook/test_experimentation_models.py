"""GrowthBook's experimentation rules (issue 12), tested against the model directly (no HTTP):
data sources, dimensions, segments, fact tables with their filters, fact metrics and legacy
metrics. Each test builds its own small world: one organization with a SQL warehouse and a
Mixpanel data source, over an in-memory store and a frozen clock."""

from __future__ import annotations


import pytest

from mockexp.errors import Forbidden, Invalid, NotFound
from tests.vendors.growthbook.conftest import MIXPANEL, WAREHOUSE
from tests.vendors.growthbook.worlds import ADMIN, OTHER, READONLY

@pytest.fixture
def mixpanel(gb) -> str:
    return gb.add_data_source(MIXPANEL, ADMIN)["id"]


def refused(call) -> str:
    """The message of the 400 `call` raises (it names the field)."""
    with pytest.raises(Invalid) as error:
        call()
    return error.value.message


# -- data sources -------------------------------------------------------------------------------


def test_a_data_source_is_read_with_its_identifier_types_and_assignment_queries(gb, ds):
    source = gb.get_data_source(ds, ADMIN)["dataSource"]
    assert source["id"].startswith("ds_") and [t["id"] for t in source["identifierTypes"]] == ["user_id", "anonymous_id"]
    assert source["assignmentQueries"][0]["identifierType"] == "user_id" and source["dateCreated"] == "2026-03-02T09:30:15.123Z"


def test_data_sources_list_by_project_keeps_those_of_every_project(gb, ds):
    project = gb.post_project({"name": "Apps"}, ADMIN)["project"]["id"]
    scoped = gb.add_data_source({**MIXPANEL, "projectIds": [project]}, ADMIN)["id"]
    assert [d["id"] for d in gb.list_data_sources(ADMIN, project_id=project).items] == [ds, scoped]
    assert [d["id"] for d in gb.list_data_sources(ADMIN, project_id="prj_other").items] == [ds]


def test_another_organizations_data_source_is_not_found(gb, ds):
    with pytest.raises(NotFound):
        gb.get_data_source(ds, OTHER)


# -- dimensions ---------------------------------------------------------------------------------


def dimension(ds: str, **changes) -> dict:
    return {"name": "Country", "datasourceId": ds, "identifierType": "user_id", "query": "SELECT user_id, country AS value FROM users", **changes}


def test_a_dimension_is_made_with_growthbooks_defaults(gb, ds):
    made = gb.post_dimension(dimension(ds), ADMIN)["dimension"]
    assert made["id"].startswith("dim_") and (made["description"], made["owner"], made["managedBy"]) == ("", "", "")
    assert gb.get_dimension(made["id"], ADMIN)["dimension"] == made


@pytest.mark.parametrize("changes, field", [({"datasourceId": "ds_nowhere"}, "datasourceId"), ({"identifierType": "device_id"}, "identifierType")])
def test_a_dimensions_data_source_and_identifier_type_must_exist(gb, ds, changes, field):
    assert refused(lambda: gb.post_dimension(dimension(ds, **changes), ADMIN)).startswith(field)
    assert gb.list_dimensions(ADMIN).items == []


def test_a_dimension_update_keeps_what_it_leaves_out_and_rechecks_the_identifier_type(gb, ds, clock):
    made = gb.post_dimension(dimension(ds), ADMIN)["dimension"]
    clock.advance(60)
    changed = gb.update_dimension(made["id"], {"name": "Country of residence"}, ADMIN)["dimension"]
    assert (changed["name"], changed["query"], changed["dateUpdated"]) == ("Country of residence", made["query"], "2026-03-02T09:31:15.123Z")
    assert refused(lambda: gb.update_dimension(made["id"], {"identifierType": "nope"}, ADMIN)).startswith("identifierType")


def test_dimensions_list_by_data_source(gb, ds, mixpanel):
    first = gb.post_dimension(dimension(ds), ADMIN)["dimension"]["id"]
    gb.post_dimension(dimension(mixpanel, identifierType="distinct_id", query="$os"), ADMIN)
    assert [d["id"] for d in gb.list_dimensions(ADMIN, datasource_id=ds).items] == [first]


def test_a_dimension_managed_by_config_cannot_be_changed_or_deleted(gb, ds):
    made = gb.post_dimension(dimension(ds, managedBy="config"), ADMIN)["dimension"]
    with pytest.raises(Forbidden):
        gb.update_dimension(made["id"], {"name": "x"}, ADMIN)
    with pytest.raises(Forbidden):
        gb.delete_dimension(made["id"], ADMIN)
    assert gb.get_dimension(made["id"], ADMIN)["dimension"]["name"] == "Country"


def test_a_deleted_dimension_is_gone(gb, ds):
    made = gb.post_dimension(dimension(ds), ADMIN)["dimension"]["id"]
    assert gb.delete_dimension(made, ADMIN) == {"deletedId": made}
    with pytest.raises(NotFound):
        gb.get_dimension(made, ADMIN)


# -- segments -----------------------------------------------------------------------------------


def segment(ds: str, **changes) -> dict:
    return {"name": "Buyers", "datasourceId": ds, "identifierType": "user_id", "type": "SQL", "query": "SELECT user_id, MIN(timestamp) AS date FROM orders", **changes}


def test_a_sql_segment_needs_its_query(gb, ds):
    assert refused(lambda: gb.post_segment(segment(ds, query=" "), ADMIN)).startswith("query")
    made = gb.post_segment(segment(ds), ADMIN)["segment"]
    assert made["id"].startswith("seg_") and made["projects"] == [] and made["managedBy"] == ""


def test_a_fact_segment_needs_a_fact_table(gb, ds):
    assert refused(lambda: gb.post_segment(segment(ds, type="FACT", query=""), ADMIN)).startswith("factTableId")
    assert refused(lambda: gb.post_segment(segment(ds, type="FACT", factTableId="ftb_nowhere"), ADMIN)).startswith("factTableId")


def test_a_segment_needs_a_sql_data_source_and_existing_projects(gb, ds, mixpanel):
    assert refused(lambda: gb.post_segment(segment(mixpanel, identifierType="distinct_id"), ADMIN)).startswith("datasourceId")
    assert refused(lambda: gb.post_segment(segment(ds, projects=["prj_nowhere"]), ADMIN)).startswith("projects[0]")


def test_a_segment_changes_and_is_deleted(gb, ds):
    made = gb.post_segment(segment(ds), ADMIN)["segment"]["id"]
    assert gb.update_segment(made, {"identifierType": "anonymous_id"}, ADMIN)["segment"]["identifierType"] == "anonymous_id"
    assert refused(lambda: gb.update_segment(made, {"type": "FACT"}, ADMIN)).startswith("factTableId")
    assert gb.delete_segment(made, ADMIN) == {"deletedId": made}
    assert gb.list_segments(ADMIN).items == []


# -- fact tables and filters --------------------------------------------------------------------

ORDERS_SQL = "SELECT user_id, anonymous_id, timestamp, amount, country FROM orders"


def table(ds: str, **changes) -> dict:
    return {"name": "Orders", "datasource": ds, "userIdTypes": ["user_id"], "sql": ORDERS_SQL, **changes}


@pytest.fixture
def orders(gb, ds) -> str:
    return gb.post_fact_table(table(ds), ADMIN)["factTable"]["id"]


def columns(gb, id: str) -> dict:
    return {c["column"]: (c["datatype"], c["deleted"]) for c in gb.get_fact_table(id, ADMIN)["factTable"]["columns"]}


def test_a_fact_tables_columns_come_from_its_sql(gb, orders):
    made = gb.get_fact_table(orders, ADMIN)["factTable"]
    assert made["id"].startswith("ftb_") and made["columnsError"] is None and made["managedBy"] == "" and made["archived"] is False
    assert columns(gb, orders) == {"user_id": ("string", False), "anonymous_id": ("string", False), "timestamp": ("date", False),
                                   "amount": ("number", False), "country": ("string", False)}


def test_a_new_sql_keeps_column_settings_and_marks_lost_columns_deleted(gb, orders):
    gb.update_fact_table(orders, {"columns": [{"column": "amount", "numberFormat": "currency", "description": "Order total"}]}, ADMIN)
    gb.update_fact_table(orders, {"sql": "SELECT user_id, timestamp, amount, coupon FROM orders"}, ADMIN)
    found = {c["column"]: c for c in gb.get_fact_table(orders, ADMIN)["factTable"]["columns"]}
    assert found["amount"]["numberFormat"] == "currency" and found["amount"]["description"] == "Order total"
    assert found["country"]["deleted"] is True and found["coupon"]["deleted"] is False


def test_a_column_update_cannot_add_a_column(gb, orders):
    assert refused(lambda: gb.update_fact_table(orders, {"columns": [{"column": "margin"}]}, ADMIN)).startswith("columns[0].column")


def test_select_star_is_a_columns_error(gb, ds):
    made = gb.post_fact_table(table(ds, sql="SELECT * FROM orders"), ADMIN)["factTable"]
    assert made["columns"] == [] and "SELECT" in made["columnsError"]


@pytest.mark.parametrize("changes, field", [({"datasource": "ds_nowhere"}, "datasource"), ({"userIdTypes": ["user_id", "device_id"]}, "userIdTypes[1]"),
                                            ({"projects": ["prj_nowhere"]}, "projects[0]")])
def test_a_fact_tables_references_must_exist(gb, ds, changes, field):
    assert refused(lambda: gb.post_fact_table(table(ds, **changes), ADMIN)).startswith(field)


def test_a_fact_table_needs_a_sql_data_source(gb, mixpanel):
    assert refused(lambda: gb.post_fact_table(table(mixpanel, userIdTypes=["distinct_id"]), ADMIN)).startswith("datasource")


def test_a_filter_belongs_to_its_fact_table(gb, ds, orders):
    other = gb.post_fact_table(table(ds, name="Refunds"), ADMIN)["factTable"]["id"]
    made = gb.post_fact_table_filter(orders, {"name": "Germany", "value": "country = 'DE'"}, ADMIN)["factTableFilter"]
    assert made["id"].startswith("flt_") and "factTableId" not in made and made["managedBy"] == ""
    assert [f["id"] for f in gb.list_fact_table_filters(orders, ADMIN).items] == [made["id"]]
    with pytest.raises(NotFound):
        gb.get_fact_table_filter(other, made["id"], ADMIN)
    with pytest.raises(NotFound):
        gb.post_fact_table_filter("ftb_nowhere", {"name": "x", "value": "1 = 1"}, ADMIN)


def test_a_filter_is_managed_by_the_api_only_when_its_fact_table_is(gb, ds, orders):
    assert refused(lambda: gb.post_fact_table_filter(orders, {"name": "x", "value": "1 = 1", "managedBy": "api"}, ADMIN)).startswith("managedBy")
    managed = gb.post_fact_table(table(ds, managedBy="api"), ADMIN)["factTable"]["id"]
    assert gb.post_fact_table_filter(managed, {"name": "x", "value": "1 = 1", "managedBy": "api"}, ADMIN)["factTableFilter"]["managedBy"] == "api"


def test_a_fact_table_managed_by_admins_is_changed_by_admins_only(gb, ds):
    made = gb.post_fact_table(table(ds, managedBy="admin"), ADMIN)["factTable"]["id"]
    with pytest.raises(Forbidden):
        gb.update_fact_table(made, {"name": "x"}, READONLY)
    assert gb.update_fact_table(made, {"name": "Orders v2"}, ADMIN)["factTable"]["name"] == "Orders v2"


def test_deleting_a_fact_table_deletes_its_filters(gb, orders):
    gb.post_fact_table_filter(orders, {"name": "Germany", "value": "country = 'DE'"}, ADMIN)
    assert gb.delete_fact_table(orders, ADMIN) == {"deletedId": orders}
    assert gb.store.tenant("org_shop").view("fact_table_filters") == []


# -- fact metrics -------------------------------------------------------------------------------


def metric(kind: str, table: str, **changes) -> dict:
    return {"name": f"A {kind}", "metricType": kind, "numerator": {"factTableId": table, "column": "amount"}, **changes}


def test_a_proportion_counts_the_users_of_its_fact_table(gb, orders):
    made = gb.post_fact_metric({"name": "Bought", "metricType": "proportion", "numerator": {"factTableId": orders}}, ADMIN)["factMetric"]
    assert made["id"].startswith("fact__") and made["numerator"]["column"] == "$$distinctUsers"
    assert refused(lambda: gb.post_fact_metric(metric("proportion", orders), ADMIN)).startswith("numerator.column")


def test_a_mean_measures_a_number_column_or_a_count(gb, ds, orders):
    made = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]
    assert made["datasource"] == ds and made["cappingSettings"] == {"type": "none", "value": 0, "ignoreZeros": False}
    assert gb.post_fact_metric(metric("mean", orders, numerator={"factTableId": orders, "column": "$$count"}), ADMIN)
    for column in ("country", "margin", "$$distinctUsers"):
        assert refused(lambda: gb.post_fact_metric(metric("mean", orders, numerator={"factTableId": orders, "column": column}), ADMIN)).startswith("numerator.column")


def test_a_quantile_needs_its_settings_and_a_number_column(gb, orders):
    assert refused(lambda: gb.post_fact_metric(metric("quantile", orders), ADMIN)).startswith("quantileSettings")
    settings = {"quantileSettings": {"type": "unit", "quantile": 0.5}}
    made = gb.post_fact_metric(metric("quantile", orders, **settings), ADMIN)["factMetric"]
    assert made["quantileSettings"] == {"type": "unit", "quantile": 0.5, "ignoreZeros": False}
    bad = metric("quantile", orders, numerator={"factTableId": orders, "column": "$$count"}, **settings)
    assert refused(lambda: gb.post_fact_metric(bad, ADMIN)).startswith("numerator.column")


def test_only_a_ratio_has_a_denominator_of_the_same_data_source(gb, ds, orders):
    denominator = {"factTableId": orders, "column": "$$count"}
    assert refused(lambda: gb.post_fact_metric(metric("ratio", orders), ADMIN)).startswith("denominator")
    assert refused(lambda: gb.post_fact_metric(metric("mean", orders, denominator=denominator), ADMIN)).startswith("denominator")
    made = gb.post_fact_metric(metric("ratio", orders, denominator=denominator), ADMIN)["factMetric"]
    assert made["denominator"]["column"] == "$$count"
    elsewhere = gb.add_data_source({**WAREHOUSE, "name": "Other"}, ADMIN)["id"]
    far = gb.post_fact_table(table(elsewhere), ADMIN)["factTable"]["id"]
    bad = metric("ratio", orders, denominator={"factTableId": far, "column": "$$count"})
    assert refused(lambda: gb.post_fact_metric(bad, ADMIN)).startswith("denominator.factTableId")


@pytest.mark.parametrize("numerator, field", [
    ({"factTableId": "ftb_nowhere", "column": "amount"}, "numerator.factTableId"),
    ({"filters": ["flt_nowhere"]}, "numerator.filters[0]"),
    ({"inlineFilters": {"amount": ["1"]}}, "numerator.inlineFilters.amount"),
    ({"aggregateFilterColumn": "country"}, "numerator.aggregateFilterColumn"),
])
def test_a_fact_metrics_numerator_must_name_what_its_fact_table_has(gb, orders, numerator, field):
    body = metric("mean", orders, numerator={"factTableId": orders, "column": "amount", **numerator})
    assert refused(lambda: gb.post_fact_metric(body, ADMIN)).startswith(field)
    assert gb.list_fact_metrics(ADMIN).items == []


def test_a_window_delay_in_hours_is_shown_as_its_delay_and_a_prior_as_it_was_set(gb, orders):
    made = gb.post_fact_metric(metric("mean", orders, windowSettings={"type": "conversion", "delayHours": 6}, priorSettings={"override": True, "proper": True, "mean": 0, "stddev": 1}), ADMIN)["factMetric"]
    assert made["windowSettings"] == {"type": "conversion", "delayValue": 6, "delayUnit": "hours", "windowValue": 72, "windowUnit": "hours"}
    assert made["priorSettings"] == {"override": True, "proper": True, "mean": 0, "stddev": 1}
    assert gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["priorSettings"] == {"override": False, "proper": False, "mean": 0, "stddev": 0.3}


def test_a_fact_metric_update_keeps_what_it_leaves_out_and_a_ratio_made_mean_drops_its_denominator(gb, orders, clock):
    made = gb.post_fact_metric(metric("ratio", orders, denominator={"factTableId": orders, "column": "$$count"}), ADMIN)["factMetric"]
    clock.advance(5)
    changed = gb.update_fact_metric(made["id"], {"metricType": "mean", "cappingSettings": {"type": "absolute", "value": 100}}, ADMIN)["factMetric"]
    assert "denominator" not in changed and changed["numerator"] == made["numerator"] and changed["cappingSettings"]["value"] == 100
    assert changed["dateUpdated"] > made["dateUpdated"] and changed["name"] == made["name"]


def test_a_fact_table_or_filter_a_metric_uses_cannot_be_deleted(gb, orders):
    used = gb.post_fact_table_filter(orders, {"name": "Germany", "value": "country = 'DE'"}, ADMIN)["factTableFilter"]["id"]
    made = gb.post_fact_metric(metric("mean", orders, numerator={"factTableId": orders, "column": "amount", "filters": [used]}), ADMIN)["factMetric"]["id"]
    assert made in refused(lambda: gb.delete_fact_table(orders, ADMIN))
    assert made in refused(lambda: gb.delete_fact_table_filter(orders, used, ADMIN))
    assert gb.delete_fact_metric(made, ADMIN) == {"deletedId": made}
    assert gb.delete_fact_table(orders, ADMIN) == {"deletedId": orders}


def test_a_fact_metric_is_deleted_by_its_id_without_the_prefix(gb, orders):
    made = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["id"]
    assert gb.delete_fact_metric(made.removeprefix("fact__"), ADMIN) == {"deletedId": made}


def test_fact_metrics_list_by_the_numerators_fact_table(gb, ds, orders):
    other = gb.post_fact_table(table(ds, name="Refunds"), ADMIN)["factTable"]["id"]
    ratio = gb.post_fact_metric(metric("ratio", other, denominator={"factTableId": orders, "column": "$$count"}), ADMIN)["factMetric"]["id"]
    mean = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["id"]
    assert [m["id"] for m in gb.list_fact_metrics(ADMIN, fact_table_id=orders).items] == [mean]
    assert [m["id"] for m in gb.list_fact_metrics(ADMIN, datasource_id=ds).items] == [ratio, mean]


def test_a_fact_segment_uses_the_fact_tables_identifier_types_and_filters(gb, ds, orders):
    kept = gb.post_fact_table_filter(orders, {"name": "Germany", "value": "country = 'DE'"}, ADMIN)["factTableFilter"]["id"]
    body = segment(ds, type="FACT", factTableId=orders, filters=[kept])
    made = gb.post_segment(body, ADMIN)["segment"]["id"]
    assert refused(lambda: gb.post_segment({**body, "identifierType": "anonymous_id"}, ADMIN)).startswith("identifierType")
    assert refused(lambda: gb.post_segment({**body, "filters": ["flt_nowhere"]}, ADMIN)).startswith("filters[0]")
    assert made in refused(lambda: gb.delete_fact_table(orders, ADMIN))


# -- legacy metrics -----------------------------------------------------------------------------


def legacy(ds: str, **changes) -> dict:
    return {"datasourceId": ds, "name": "Signed up", "type": "binomial", "sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT user_id, timestamp FROM signups"}, **changes}


def test_a_metric_is_made_with_growthbooks_behavior_defaults(gb, ds):
    made = gb.post_metric(legacy(ds), ADMIN)["metric"]
    assert made["id"].startswith("met_") and made["managedBy"] == "" and made["archived"] is False
    behavior = made["behavior"]
    assert behavior["goal"] == "increase" and behavior["cappingSettings"]["type"] == "none" and behavior["windowSettings"]["type"] == "none"
    assert (behavior["riskThresholdSuccess"], behavior["riskThresholdDanger"], behavior["targetMDE"]) == (0.0025, 0.0125, 0.1)


@pytest.mark.parametrize("changes, field", [
    ({"sql": None}, "sql"),
    ({"sqlBuilder": {"identifierTypeColumns": [{"identifierType": "user_id", "columnName": "user_id"}], "tableName": "t", "timestampColumnName": "ts"}}, "sqlBuilder"),
    ({"sql": None, "mixpanel": {"eventName": "Purchase", "userAggregation": "sum"}}, "mixpanel"),
    ({"sql": {"identifierTypes": ["device_id"], "conversionSQL": "SELECT 1"}}, "sql.identifierTypes[0]"),
    ({"sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1", "userAggregationSQL": "SUM(value)"}}, "sql.userAggregationSQL"),
    ({"sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1", "denominatorMetricId": "met_nowhere"}}, "sql.denominatorMetricId"),
    ({"datasourceId": "ds_nowhere"}, "datasourceId"),
])
def test_a_metric_is_defined_by_exactly_one_definition_its_data_source_takes(gb, ds, changes, field):
    body = {name: value for name, value in legacy(ds, **changes).items() if value is not None}
    assert refused(lambda: gb.post_metric(body, ADMIN)).startswith(field)


def test_a_mixpanel_data_source_takes_mixpanel_metrics_only(gb, mixpanel):
    assert refused(lambda: gb.post_metric(legacy(mixpanel), ADMIN)).startswith("sql")
    body = {"datasourceId": mixpanel, "name": "Purchases", "type": "count", "mixpanel": {"eventName": "Purchase", "userAggregation": "count"}}
    assert gb.post_metric(body, ADMIN)["metric"]["mixpanel"]["eventName"] == "Purchase"


def test_a_metric_update_answers_its_id_and_a_new_definition_replaces_the_old(gb, ds):
    made = gb.post_metric(legacy(ds), ADMIN)["metric"]["id"]
    builder = {"identifierTypeColumns": [{"identifierType": "user_id", "columnName": "uid"}], "tableName": "signups", "timestampColumnName": "ts"}
    assert gb.put_metric(made, {"sqlBuilder": builder, "behavior": {"goal": "decrease"}}, ADMIN) == {"updatedId": made}
    found = gb.get_metric(made, ADMIN)["metric"]
    assert "sql" not in found and found["sqlBuilder"] == builder and found["behavior"]["goal"] == "decrease"
    assert found["behavior"]["targetMDE"] == 0.1


def test_older_capping_and_conversion_window_fields_set_the_newer_settings(gb, ds):
    behavior = {"capping": "percentile", "capValue": 0.95, "conversionWindowStart": 2, "conversionWindowEnd": 26}
    made = gb.post_metric(legacy(ds, type="count", sql={"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1"}, behavior=behavior), ADMIN)["metric"]
    assert made["behavior"]["cappingSettings"] == {"type": "percentile", "value": 0.95, "ignoreZeros": False}
    assert made["behavior"]["windowSettings"] == {"type": "conversion", "delayValue": 2, "delayUnit": "hours", "windowValue": 24, "windowUnit": "hours"}
    assert refused(lambda: gb.post_metric(legacy(ds, behavior={"conversionWindowStart": 5, "conversionWindowEnd": 1}), ADMIN)).startswith("behavior.conversionWindowEnd")


def test_a_metric_another_divides_by_cannot_be_deleted(gb, ds):
    denominator = gb.post_metric(legacy(ds), ADMIN)["metric"]["id"]
    sql = {"identifierTypes": ["user_id"], "conversionSQL": "SELECT 1", "userAggregationSQL": "SUM(value)", "denominatorMetricId": denominator}
    ratio = gb.post_metric(legacy(ds, name="Per signup", type="revenue", sql=sql), ADMIN)["metric"]["id"]
    assert ratio in refused(lambda: gb.delete_metric(denominator, ADMIN))
    assert gb.delete_metric(ratio, ADMIN) == {"deletedId": ratio}
    assert gb.delete_metric(denominator, ADMIN) == {"deletedId": denominator}


def test_a_metric_managed_by_config_or_admins(gb, ds):
    config = gb.post_metric(legacy(ds, managedBy="config"), ADMIN)["metric"]["id"]
    with pytest.raises(Forbidden):
        gb.put_metric(config, {"name": "x"}, ADMIN)
    admins = gb.post_metric(legacy(ds, managedBy="admin"), ADMIN)["metric"]["id"]
    with pytest.raises(Forbidden):
        gb.delete_metric(admins, READONLY)
    assert gb.put_metric(admins, {"name": "Joined"}, ADMIN) == {"updatedId": admins}


# -- bulk import of facts -----------------------------------------------------------------------


def test_a_bulk_import_adds_what_is_new_and_changes_what_exists(gb, ds, orders):
    body = {"factTables": [{"id": orders, "data": table(ds, description="All orders")}, {"id": "ftb_refunds", "data": table(ds, name="Refunds")}],
            "factTableFilters": [{"factTableId": "ftb_refunds", "id": "flt_big", "data": {"name": "Big", "value": "amount > 100"}}],
            "factMetrics": [{"id": "fact__refunded", "data": metric("mean", "ftb_refunds", numerator={"factTableId": "ftb_refunds", "column": "amount", "filters": ["flt_big"]})}]}
    assert gb.post_bulk_import_facts(body, ADMIN) == {"success": True, "factTablesAdded": 1, "factTablesUpdated": 1, "factTableFiltersAdded": 1,
                                                      "factTableFiltersUpdated": 0, "factMetricsAdded": 1, "factMetricsUpdated": 0}
    assert gb.get_fact_table(orders, ADMIN)["factTable"]["description"] == "All orders"
    assert gb.get_fact_metric("fact__refunded", ADMIN)["factMetric"]["datasource"] == ds
    again = gb.post_bulk_import_facts(body, ADMIN)
    assert (again["factTablesUpdated"], again["factTableFiltersUpdated"], again["factMetricsUpdated"]) == (2, 1, 1)


def test_a_bulk_import_is_all_or_nothing_and_names_the_items_field(gb, ds):
    body = {"factTables": [{"id": "ftb_refunds", "data": table(ds, name="Refunds")}],
            "factMetrics": [{"id": "fact__ok", "data": metric("mean", "ftb_refunds")}, {"id": "fact__bad", "data": metric("mean", "ftb_refunds", numerator={"factTableId": "ftb_refunds", "column": "country"})}]}
    assert refused(lambda: gb.post_bulk_import_facts(body, ADMIN)).startswith("factMetrics[1].data.numerator.column")
    assert gb.list_fact_tables(ADMIN).items == [] and gb.list_fact_metrics(ADMIN).items == []


def test_a_bulk_import_cannot_move_a_fact_table_or_a_filter(gb, ds, orders):
    elsewhere = gb.add_data_source({**WAREHOUSE, "name": "Other"}, ADMIN)["id"]
    assert refused(lambda: gb.post_bulk_import_facts({"factTables": [{"id": orders, "data": table(elsewhere)}]}, ADMIN)).startswith("factTables[0].data.datasource")
    gb.post_bulk_import_facts({"factTableFilters": [{"factTableId": orders, "id": "flt_x", "data": {"name": "x", "value": "1 = 1"}}]}, ADMIN)
    other = gb.post_fact_table(table(ds, name="Other"), ADMIN)["factTable"]["id"]
    moved = {"factTableFilters": [{"factTableId": other, "id": "flt_x", "data": {"name": "x", "value": "1 = 1"}}]}
    assert refused(lambda: gb.post_bulk_import_facts(moved, ADMIN)).startswith("factTableFilters[0].id")


# -- fact metric analyses -----------------------------------------------------------------------


def test_an_analysis_defaults_to_the_fact_tables_first_identifier_type_and_30_days(gb, orders):
    made = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["id"]
    analysis = gb.post_fact_metric_analysis(made, {}, ADMIN)["metricAnalysis"]
    assert analysis["status"] == "running" and analysis["settings"]["userIdType"] == "user_id"
    assert (analysis["settings"]["lookbackDays"], analysis["settings"]["startDate"], analysis["settings"]["endDate"]) == (30, "2026-01-31T09:30:15.123Z", "2026-03-02T09:30:15.123Z")
    assert gb.post_fact_metric_analysis(made, {"useCache": True}, ADMIN)["metricAnalysis"]["id"] == analysis["id"]
    assert gb.post_fact_metric_analysis(made, {"useCache": False}, ADMIN)["metricAnalysis"]["id"] != analysis["id"]


def test_an_analysis_of_a_segment_needs_a_segment_of_its_identifier_type(gb, ds, orders):
    made = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["id"]
    visitors = gb.post_segment(segment(ds, identifierType="anonymous_id"), ADMIN)["segment"]["id"]
    assert refused(lambda: gb.post_fact_metric_analysis(made, {"populationType": "segment"}, ADMIN)).startswith("populationId")
    assert refused(lambda: gb.post_fact_metric_analysis(made, {"populationType": "segment", "populationId": visitors}, ADMIN)).startswith("populationId")
    assert refused(lambda: gb.post_fact_metric_analysis(made, {"userIdType": "anonymous_id"}, ADMIN)).startswith("userIdType")


def test_an_analysis_looking_back_999999_days_starts_at_the_calendars_beginning(gb, orders):
    made = gb.post_fact_metric(metric("mean", orders), ADMIN)["factMetric"]["id"]
    assert gb.post_fact_metric_analysis(made, {"lookbackDays": 999999}, ADMIN)["metricAnalysis"]["settings"]["startDate"].startswith("0001-01-0")
