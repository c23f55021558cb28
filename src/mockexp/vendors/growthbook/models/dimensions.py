"""Dimensions: a SQL query that puts each user of a data source (by one of its identifier types)
into a group, to break experiment results down by."""

from __future__ import annotations

from mockexp.paging import Listing
from mockexp.vendors.growthbook.models.common import DIMENSIONS
from mockexp.vendors.growthbook.models.data_sources import DataSources
from mockexp.vendors.growthbook.models.world import changed

FIELDS = ("name", "description", "owner", "datasourceId", "identifierType", "query", "managedBy")
DEFAULTS = {"description": "", "owner": "", "managedBy": ""}


class Dimensions(DataSources):
    def list_dimensions(self, caller: str, datasource_id: str | None = None) -> Listing:
        where = {"datasourceId": datasource_id} if datasource_id else None
        return Listing(self.org(caller).query(DIMENSIONS, where, order_by=lambda d: (d["dateCreated"], d["id"])))

    def post_dimension(self, body: dict, caller: str) -> dict:
        return {"dimension": self.create_checked(caller, DIMENSIONS, "dim_", changed(DEFAULTS, body, FIELDS), self.source_of)}

    def get_dimension(self, id: str, caller: str) -> dict:
        return {"dimension": self.stored(self.org(caller), DIMENSIONS, id)}

    def update_dimension(self, id: str, body: dict, caller: str) -> dict:
        return {"dimension": self.update_checked(caller, DIMENSIONS, id, body, FIELDS, self.source_of)}

    def delete_dimension(self, id: str, caller: str) -> dict:
        return self.delete_editable(caller, DIMENSIONS, id)
