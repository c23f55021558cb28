"""Organizations of a multi-organization deployment, which only a super admin's personal access
token reaches (the spec marks the operations; `handlers.authenticate` checks the token). A new
organization starts with the environment `production`."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.vendors.growthbook.models.common import ORGANIZATIONS
from mockexp.vendors.growthbook.models.environments import Environments
from mockexp.vendors.growthbook.models.world import add_organization, changed

FIRST_ENVIRONMENT = {"id": "production", "description": "Live traffic", "toggleOnList": True, "defaultState": True}


class Organizations(Environments):
    def list_organizations(self, caller: str, search: str | None = None) -> Listing:
        wanted = (search or "").casefold()

        def found(org: Mapping[str, Any]) -> bool:
            return any(wanted in org[name].casefold() for name in ("name", "ownerEmail", "externalId"))

        return Listing(self.store.query(ORGANIZATIONS, test=found, order_by=lambda o: (o["dateCreated"], o["id"])))

    def post_organization(self, body: dict, caller: str) -> dict:
        self._unique_external_id(body.get("externalId", ""))
        id = self.new_id(self.store, "org_")
        with self.store.transaction():
            organization = add_organization(self, id, body["name"], self.actor(caller), body.get("externalId", ""))
            self.add_environment(self.store.tenant(id), dict(FIRST_ENVIRONMENT))
        return {"organization": organization}

    def put_organization(self, id: str, body: dict, caller: str) -> dict:
        organization = self.stored(self.store, ORGANIZATIONS, id)
        self._unique_external_id(body.get("externalId", ""), but=id)
        return {"organization": self.store.replace(ORGANIZATIONS, id, changed(organization, body, ("name", "externalId")))}

    def _unique_external_id(self, external_id: str, but: str | None = None) -> None:
        if external_id and any(o["id"] != but for o in self.store.view(ORGANIZATIONS, {"externalId": external_id})):
            raise Invalid.field("externalId", f"Another organization has the external id {external_id!r}.")
