"""Fact tables (a SQL query over a SQL data source whose columns GrowthBook derives from it) and
their filters (named SQL conditions on the table). Fact metrics and FACT segments are defined
over them: a fact table or filter they still use cannot be deleted."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid, NotFound
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import columns
from mockexp.vendors.growthbook.models.common import FACT_METRICS, FACT_TABLE_FILTERS, FACT_TABLES, PROJECTS, SEGMENTS
from mockexp.vendors.growthbook.models.data_sources import DataSources
from mockexp.vendors.growthbook.models.world import changed, refuse_if_used

TABLE_FIELDS = ("name", "description", "owner", "projects", "tags", "datasource", "userIdTypes", "sql", "eventName", "managedBy")
TABLE_UPDATES = ("name", "description", "owner", "projects", "tags", "userIdTypes", "sql", "eventName", "columnsError", "managedBy", "archived")
TABLE_DEFAULTS = {"description": "", "owner": "", "projects": [], "tags": [], "eventName": "", "managedBy": "", "archived": False}
FILTER_FIELDS = ("name", "description", "value", "managedBy")
COLUMN_FIELDS = ("datatype", "numberFormat", "jsonFields", "name", "description", "alwaysInlineFilter", "deleted", "isAutoSliceColumn", "autoSlices")


class FactTables(DataSources):
    def list_fact_tables(self, caller: str, datasource_id: str | None = None, project_id: str | None = None) -> Listing:
        def kept(table: Mapping) -> bool:
            return (datasource_id is None or table["datasource"] == datasource_id) and (project_id is None or project_id in table["projects"])

        return Listing(self.org(caller).query(FACT_TABLES, test=kept, order_by=lambda t: (t["dateCreated"], t["id"])))

    def post_fact_table(self, body: dict, caller: str) -> dict:
        return {"factTable": self.put_fact_table(self.org(caller), None, body)}

    def put_fact_table(self, org: Tables, id: str | None, body: Mapping[str, Any]) -> dict:
        """A new fact table (with this id, when the bulk import or the demo world chooses it)."""
        table = self.made(org, "ftb_", changed(TABLE_DEFAULTS, body, TABLE_FIELDS), id)
        self._check_table(org, table)
        table["columns"], table["columnsError"] = columns.derived(table["sql"], table["userIdTypes"], [], table["dateCreated"])
        return org.insert(FACT_TABLES, table["id"], table)

    def get_fact_table(self, id: str, caller: str) -> dict:
        return {"factTable": self.stored(self.org(caller), FACT_TABLES, id)}

    def update_fact_table(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        return {"factTable": self.change_fact_table(org, self.editable(org, FACT_TABLES, id, caller), body)}

    def change_fact_table(self, org: Tables, current: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        table = changed(current, body, TABLE_UPDATES)
        self._check_table(org, table)
        now = self.now()
        if "sql" in body or "userIdTypes" in body:
            table["columns"], error = columns.derived(table["sql"], table["userIdTypes"], current["columns"], now)
            table["columnsError"] = body.get("columnsError", error)
        table["columns"] = _columns_changed(table["columns"], body.get("columns", []), now)
        table["dateUpdated"] = now
        return org.replace(FACT_TABLES, table["id"], table)

    def delete_fact_table(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.editable(org, FACT_TABLES, id, caller)
        users = [f"fact metric {m['id']}" for m in org.view(FACT_METRICS, test=lambda m: id in _tables_of(m))]
        users += [f"segment {s['id']}" for s in org.view(SEGMENTS, {"factTableId": id})]
        refuse_if_used(f"Fact table {id}", users)
        with org.transaction():
            org.delete(FACT_TABLES, id)
            for found in org.query(FACT_TABLE_FILTERS, {"factTableId": id}):
                org.delete(FACT_TABLE_FILTERS, found["id"])
        return {"deletedId": id}

    def _check_table(self, org: Tables, table: Mapping[str, Any]) -> None:
        source = self.data_source(org, table["datasource"], "datasource")
        self.sql_source(source, "datasource")
        for index, id in enumerate(table["userIdTypes"]):
            self.identifier_type(source, id, f"userIdTypes[{index}]")
        self.must_exist(org, PROJECTS, table["projects"], "projects")

    # -- filters --------------------------------------------------------------------------------

    def list_fact_table_filters(self, fact_table_id: str, caller: str) -> Listing:
        org = self.org(caller)
        self.stored(org, FACT_TABLES, fact_table_id)
        found = org.query(FACT_TABLE_FILTERS, {"factTableId": fact_table_id}, order_by=lambda f: (f["dateCreated"], f["id"]))
        return Listing(found, represent=_filter_shown)

    def post_fact_table_filter(self, fact_table_id: str, body: dict, caller: str) -> dict:
        return {"factTableFilter": _filter_shown(self.put_fact_table_filter(self.org(caller), fact_table_id, None, body))}

    def put_fact_table_filter(self, org: Tables, fact_table_id: str, id: str | None, body: Mapping[str, Any]) -> dict:
        """A new filter of the fact table (with this id, when the bulk import or the demo world chooses it)."""
        table = self.stored(org, FACT_TABLES, fact_table_id)
        found = self.made(org, "flt_", {"description": "", "managedBy": "", **changed({}, body, FILTER_FIELDS), "factTableId": fact_table_id}, id)
        _check_filter(table, found)
        return org.insert(FACT_TABLE_FILTERS, found["id"], found)

    def get_fact_table_filter(self, fact_table_id: str, id: str, caller: str) -> dict:
        return {"factTableFilter": _filter_shown(self._filter(self.org(caller), fact_table_id, id))}

    def update_fact_table_filter(self, fact_table_id: str, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        return {"factTableFilter": _filter_shown(self.change_fact_table_filter(org, self._filter(org, fact_table_id, id), body))}

    def change_fact_table_filter(self, org: Tables, current: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        found = {**changed(current, body, FILTER_FIELDS), "dateUpdated": self.now()}
        _check_filter(self.stored(org, FACT_TABLES, found["factTableId"]), found)
        return org.replace(FACT_TABLE_FILTERS, found["id"], found)

    def delete_fact_table_filter(self, fact_table_id: str, id: str, caller: str) -> dict:
        org = self.org(caller)
        self._filter(org, fact_table_id, id)
        users = [f"fact metric {m['id']}" for m in org.view(FACT_METRICS, test=lambda m: id in _filters_of(m))]
        users += [f"segment {s['id']}" for s in org.view(SEGMENTS, test=lambda s: id in s.get("filters", []))]
        refuse_if_used(f"Filter {id}", users)
        org.delete(FACT_TABLE_FILTERS, id)
        return {"deletedId": id}

    def _filter(self, org: Tables, fact_table_id: str, id: str) -> dict:
        self.stored(org, FACT_TABLES, fact_table_id)
        found = org.get(FACT_TABLE_FILTERS, id)
        if found is None or found["factTableId"] != fact_table_id:
            raise NotFound(f"Could not find filter {id} of fact table {fact_table_id}")
        return found


def _check_filter(table: Mapping[str, Any], found: Mapping[str, Any]) -> None:
    if not found["value"].strip():
        raise Invalid.field("value", "A filter needs the SQL expression it filters with.")
    if found["managedBy"] == "api" and table["managedBy"] != "api":
        raise Invalid.field("managedBy", f"A filter may be managed by the API only when its fact table is: {table['id']} is not.")


def _filter_shown(found: Mapping[str, Any]) -> dict:
    return {name: value for name, value in found.items() if name != "factTableId"}


def _columns_changed(current: list[dict], sent: list[Mapping[str, Any]], now: str) -> list[dict]:
    """The columns with the properties `sent` changes; a column the SQL does not have is a 400."""
    by_name = {c["column"]: c for c in current}
    for index, change in enumerate(sent):
        if change["column"] not in by_name:
            raise Invalid.field(f"columns[{index}].column", f"The fact table has no column {change['column']!r}: columns come from its SQL.")
        by_name[change["column"]].update({**changed({}, change, COLUMN_FIELDS), "dateUpdated": now})
    return list(by_name.values())


def _sides(metric: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [side for side in (metric.get("numerator"), metric.get("denominator")) if side]


def _tables_of(metric: Mapping[str, Any]) -> set[str]:
    return {side["factTableId"] for side in _sides(metric)}


def _filters_of(metric: Mapping[str, Any]) -> set[str]:
    return {id for side in _sides(metric) for id in side.get("filters", [])}
