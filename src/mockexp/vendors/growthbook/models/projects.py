"""Projects: named groups of features; one that something (a feature, environment, SDK
connection, saved group, archetype or member's project role) still uses cannot be deleted."""

from __future__ import annotations

from mockexp.paging import Listing
from mockexp.vendors.growthbook.models.common import ARCHETYPES, ENVIRONMENTS, FEATURES, MEMBERS, PROJECTS, SAVED_GROUPS, SDK_CONNECTIONS
from mockexp.vendors.growthbook.models.world import World, changed, refuse_if_used


class Projects(World):
    def list_projects(self, caller: str) -> Listing:
        return Listing(self.org(caller).query(PROJECTS, order_by=lambda p: (p["dateCreated"], p["id"])))

    def post_project(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        now = self.now()
        project = {"id": self.new_id(org, "prj_"), "name": body["name"], "description": body.get("description", ""),
                   "settings": body.get("settings", {}), "dateCreated": now, "dateUpdated": now}
        return {"project": org.insert(PROJECTS, project["id"], project)}

    def get_project(self, id: str, caller: str) -> dict:
        return {"project": self.stored(self.org(caller), PROJECTS, id)}

    def put_project(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        project = changed(self.stored(org, PROJECTS, id), body, ("name", "description"))
        if "settings" in body:
            project["settings"] = {**project.get("settings", {}), **body["settings"]}
        project["dateUpdated"] = self.now()
        return {"project": org.replace(PROJECTS, id, project)}

    def delete_project(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, PROJECTS, id)
        users = [f"feature {f['id']}" for f in org.view(FEATURES, {"project": id})]
        users += [f"environment {e['id']}" for e in org.view(ENVIRONMENTS, test=lambda e: id in e["projects"])]
        for table, what in ((SDK_CONNECTIONS, "SDK connection"), (SAVED_GROUPS, "saved group"), (ARCHETYPES, "archetype")):
            users += [f"{what} {c['id']}" for c in org.view(table, test=lambda c: id in c["projects"])]
        users += [f"member {m['id']}" for m in org.view(MEMBERS, test=lambda m: any(r["project"] == id for r in m["projectRoles"]))]
        refuse_if_used(f"Project {id}", users)
        org.delete(PROJECTS, id)
        return {"deletedId": id}
