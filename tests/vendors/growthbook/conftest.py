"""Fixtures of GrowthBook's rules tests (no HTTP): a clock frozen at `worlds.NOW`, the two
organizations of `worlds.two_organizations` (a module may make its own `gb`, with
environments), and a SQL warehouse data source in the first."""

from __future__ import annotations

import pytest

from mockexp.clock import Clock
from mockexp.vendors.growthbook.models import GrowthBook
from tests.conftest import clock_at
from tests.vendors.growthbook.worlds import ADMIN, NOW, two_organizations

WAREHOUSE = {"name": "Warehouse", "type": "postgres", "identifierTypes": [{"id": "user_id", "description": ""}, {"id": "anonymous_id", "description": ""}],
             "assignmentQueries": [{"id": "user_id", "name": "Users", "description": "", "identifierType": "user_id", "sql": "SELECT 1",
                                    "includesNameColumns": False, "dimensionColumns": []}]}
MIXPANEL = {"name": "Mixpanel", "type": "mixpanel", "identifierTypes": [{"id": "distinct_id", "description": ""}]}


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def gb(clock: Clock) -> GrowthBook:
    return two_organizations(clock)


@pytest.fixture
def ds(gb) -> str:
    return gb.add_data_source(WAREHOUSE, ADMIN)["id"]
