"""Segments: the users of a data source a SQL query picks (type `SQL`), or those found in a fact
table, optionally through some of its filters (type `FACT`)."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import FACT_TABLE_FILTERS, FACT_TABLES, PROJECTS, SEGMENTS
from mockexp.vendors.growthbook.models.data_sources import DataSources
from mockexp.vendors.growthbook.models.world import changed

FIELDS = ("name", "owner", "description", "datasourceId", "identifierType", "projects", "managedBy", "type", "query", "factTableId", "filters")
DEFAULTS = {"owner": "", "description": "", "projects": [], "managedBy": ""}


class Segments(DataSources):
    def list_segments(self, caller: str, datasource_id: str | None = None) -> Listing:
        where = {"datasourceId": datasource_id} if datasource_id else None
        return Listing(self.org(caller).query(SEGMENTS, where, order_by=lambda s: (s["dateCreated"], s["id"])))

    def post_segment(self, body: dict, caller: str) -> dict:
        return {"segment": self.create_checked(caller, SEGMENTS, "seg_", changed(DEFAULTS, body, FIELDS), self._check_segment)}

    def get_segment(self, id: str, caller: str) -> dict:
        return {"segment": self.stored(self.org(caller), SEGMENTS, id)}

    def update_segment(self, id: str, body: dict, caller: str) -> dict:
        return {"segment": self.update_checked(caller, SEGMENTS, id, body, FIELDS, self._check_segment)}

    def delete_segment(self, id: str, caller: str) -> dict:
        return self.delete_editable(caller, SEGMENTS, id)

    def _check_segment(self, org: Tables, segment: Mapping[str, Any]) -> None:
        source = self.source_of(org, segment)
        self.sql_source(source, "datasourceId")
        self.must_exist(org, PROJECTS, segment["projects"], "projects")
        if segment["type"] == "SQL":
            if not segment.get("query", "").strip():
                raise Invalid.field("query", "A SQL segment needs the SQL query that defines it.")
            return
        if not segment.get("factTableId"):
            raise Invalid.field("factTableId", "A FACT segment needs the fact table it is defined by.")
        table = org.get(FACT_TABLES, segment["factTableId"])
        if table is None:
            raise Invalid.field("factTableId", f"Fact table {segment['factTableId']!r} does not exist.")
        if table["datasource"] != segment["datasourceId"]:
            raise Invalid.field("factTableId", f"Fact table {table['id']} is of data source {table['datasource']}, not {segment['datasourceId']}.")
        if segment["identifierType"] not in table["userIdTypes"]:
            raise Invalid.field("identifierType", f"Fact table {table['id']} has no {segment['identifierType']!r} column ({', '.join(table['userIdTypes'])}).")
        for index, id in enumerate(segment.get("filters", [])):
            found = org.get(FACT_TABLE_FILTERS, id)
            if found is None or found["factTableId"] != table["id"]:
                raise Invalid.field(f"filters[{index}]", f"Fact table {table['id']} has no filter {id!r}.")
