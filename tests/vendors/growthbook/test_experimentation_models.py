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
