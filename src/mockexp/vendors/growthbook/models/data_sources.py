"""Data sources: where experiment data lives (a SQL warehouse, or Mixpanel), with the identifier
types its users are known by and the assignment queries that say who saw which variation.
Read-only through the API, as in GrowthBook (they are set up in its UI); the demo world adds
them with `add_data_source`. Everything defined over data (dimensions, segments, fact tables,
metrics) checks its references here."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import DATA_SOURCES, check_managed
from mockexp.vendors.growthbook.models.world import World, changed

MIXPANEL = "mixpanel"


class DataSources(World):
    def list_data_sources(self, caller: str, project_id: str | None = None) -> Listing:
        test = (lambda d: not d["projectIds"] or project_id in d["projectIds"]) if project_id else None
        return Listing(self.org(caller).query(DATA_SOURCES, test=test, order_by=lambda d: (d["dateCreated"], d["id"])))

    def get_data_source(self, id: str, caller: str) -> dict:
        return {"dataSource": self.stored(self.org(caller), DATA_SOURCES, id)}

    def add_data_source(self, plan: Mapping[str, Any], caller: str) -> dict:
        """A data source as GrowthBook's UI would make it (not an API operation)."""
        org = self.org(caller)
        now = self.now()
        source = {"id": plan.get("id") or self.new_id(org, "ds_"), "dateCreated": now, "dateUpdated": now, "type": plan["type"], "name": plan["name"],
                  "description": plan.get("description", ""), "projectIds": plan.get("projectIds", []), "eventTracker": plan.get("eventTracker", ""),
                  "identifierTypes": plan["identifierTypes"], "assignmentQueries": plan.get("assignmentQueries", []),
                  "identifierJoinQueries": plan.get("identifierJoinQueries", [])}
        if "mixpanelSettings" in plan:
            source["mixpanelSettings"] = plan["mixpanelSettings"]
        return org.insert(DATA_SOURCES, source["id"], source)

    # -- what other resources check -------------------------------------------------------------

    def data_source(self, org: Tables, id: str, field: str) -> dict:
        """The data source `id`, or 400 naming `field`."""
        found = org.get(DATA_SOURCES, id)
        if found is None:
            raise Invalid.field(field, f"Data source {id!r} does not exist.")
        return found

    @staticmethod
    def identifier_type(source: Mapping[str, Any], id: str, field: str) -> None:
        """`id` is one of the data source's identifier types, or 400 naming `field`."""
        known = [t["id"] for t in source["identifierTypes"]]
        if id not in known:
            raise Invalid.field(field, f"{id!r} is not an identifier type of data source {source['id']} ({', '.join(known)}).")

    @staticmethod
    def sql_source(source: Mapping[str, Any], field: str) -> None:
        """A SQL data source (not Mixpanel), or 400 naming `field`."""
        if source["type"] == MIXPANEL:
            raise Invalid.field(field, f"Data source {source['id']} is a Mixpanel data source: this needs a SQL data source.")

    def source_of(self, org: Tables, doc: Mapping[str, Any]) -> dict:
        """The data source `doc` (a dimension, segment or metric) names by `datasourceId`, of which
        its `identifierType` (when it has one) must be an identifier type."""
        source = self.data_source(org, doc["datasourceId"], "datasourceId")
        if "identifierType" in doc:
            self.identifier_type(source, doc["identifierType"], "identifierType")
        return source

    def editable(self, org: Tables, table: str, id: str, caller: str) -> dict:
        """The stored object `id`, if its `managedBy` lets this key change it (else 403)."""
        found = self.stored(org, table, id)
        check_managed(found, self.key(caller)["role"])
        return found

    def create_checked(self, caller: str, table: str, prefix: str, doc: Mapping[str, Any], check: Callable[[Tables, dict], Any]) -> dict:
        """A new object of `table` made from `doc`, once `check(org, object)` passes."""
        org = self.org(caller)
        made = self.made(org, prefix, doc)
        check(org, made)
        return org.insert(table, made["id"], made)

    def update_checked(self, caller: str, table: str, id: str, body: Mapping[str, Any], fields: tuple[str, ...],
                       check: Callable[[Tables, dict], Any]) -> dict:
        """The object with the `fields` the body gives, if its `managedBy` allows and `check` passes."""
        org = self.org(caller)
        updated = changed(self.editable(org, table, id, caller), body, fields)
        check(org, updated)
        updated["dateUpdated"] = self.now()
        return org.replace(table, id, updated)

    def delete_editable(self, caller: str, table: str, id: str) -> dict:
        org = self.org(caller)
        self.editable(org, table, id, caller)
        org.delete(table, id)
        return {"deletedId": id}

    def made(self, org: Tables, prefix: str, doc: Mapping[str, Any], id: str | None = None) -> dict:
        """`doc` as a new object: `id` (or a new one with GrowthBook's prefix for it), and the clock's dates."""
        now = self.now()
        return {"id": id or self.new_id(org, prefix), **doc, "dateCreated": now, "dateUpdated": now}
