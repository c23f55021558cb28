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
