"""GrowthBook's experimentation rules (issue 12), tested against the model directly (no HTTP):
data sources, dimensions, segments, fact tables with their filters, fact metrics and legacy
metrics. Each test builds its own small world: one organization with a SQL warehouse and a
Mixpanel data source, over an in-memory store and a frozen clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, NotFound
from mockexp.store import Store
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.world import add_organization
from tests.conftest import clock_at

NOW = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=timezone.utc)
ADMIN, READONLY, OTHER = "secret_shop_admin", "secret_shop_readonly", "secret_other_admin"
WAREHOUSE = {"name": "Warehouse", "type": "postgres", "identifierTypes": [{"id": "user_id", "description": ""}, {"id": "anonymous_id", "description": ""}],
             "assignmentQueries": [{"id": "user_id", "name": "Users", "description": "", "identifierType": "user_id", "sql": "SELECT 1",
                                    "includesNameColumns": False, "dimensionColumns": []}]}
MIXPANEL = {"name": "Mixpanel", "type": "mixpanel", "identifierTypes": [{"id": "distinct_id", "description": ""}]}


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def gb(clock: Clock) -> GrowthBook:
    model = GrowthBook(Store().vendor("growthbook"), clock)
    for org, key in (("org_shop", ADMIN), ("org_other", OTHER)):
        add_organization(model, org, org, f"owner@{org}.test")
        model.add_key(key, org, "admin", f"{org} admin")
    model.add_key(READONLY, "org_shop", "readonly", "shop readonly")
    return model


@pytest.fixture
def ds(gb) -> str:
    return gb.add_data_source(WAREHOUSE, ADMIN)["id"]


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
