"""Archetypes: a named set of attribute values (a typical user), owned by whoever made it,
shared with the team when `isPublic`."""

from __future__ import annotations

from mockexp.vendors.growthbook.models.attributes import Attributes
from mockexp.vendors.growthbook.models.common import ARCHETYPES, PROJECTS
from mockexp.vendors.growthbook.models.world import changed

FIELDS = ("name", "description", "isPublic", "attributes", "projects")


class Archetypes(Attributes):
    def list_archetypes(self, caller: str) -> dict:
        return {"archetypes": self.org(caller).query(ARCHETYPES, order_by=lambda a: (a["dateCreated"], a["id"]))}

    def post_archetype(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        self._check_archetype(org, body)
        now = self.now()
        archetype = {"id": self.new_id(org, "sam_"), "dateCreated": now, "dateUpdated": now, "name": body["name"],
                     "description": body.get("description", ""), "owner": self.actor(caller), "isPublic": body["isPublic"],
                     "attributes": body.get("attributes", {}), "projects": body.get("projects", [])}
        return {"archetype": org.insert(ARCHETYPES, archetype["id"], archetype)}

    def get_archetype(self, id: str, caller: str) -> dict:
        return {"archetype": self.stored(self.org(caller), ARCHETYPES, id)}

    def put_archetype(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        archetype = self.stored(org, ARCHETYPES, id)
        self._check_archetype(org, body)
        archetype = changed(archetype, body, FIELDS)
        archetype["dateUpdated"] = self.now()
        return {"archetype": org.replace(ARCHETYPES, id, archetype)}

    def delete_archetype(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, ARCHETYPES, id)
        org.delete(ARCHETYPES, id)
        return {"deletedId": id}

    def _check_archetype(self, org, body: dict) -> None:
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")
        self.check_attribute_values(org, body.get("attributes", {}), "attributes")
