"""Environments: where each feature is on or off with its own rules. Deleting one takes its
settings off every feature."""

from __future__ import annotations

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import ENVIRONMENTS, FEATURES, MEMBERS, PROJECTS, SDK_CONNECTIONS
from mockexp.vendors.growthbook.models.world import World, changed, refuse_if_used

FIELDS = ("description", "toggleOnList", "defaultState", "projects")


class Environments(World):
    def list_environments(self, caller: str) -> dict:
        return {"environments": [_shown(e) for e in self.org(caller).query(ENVIRONMENTS, order_by=lambda e: e["order"])]}

    def post_environment(self, body: dict, caller: str) -> dict:
        return {"environment": self.add_environment(self.org(caller), body)}

    def add_environment(self, org: Tables, body: dict) -> dict:
        """A new environment of `org` (as `postEnvironment` makes it), shown."""
        if org.get(ENVIRONMENTS, body["id"]) is not None:
            raise Invalid.field("id", f"Environment {body['id']} already exists.")
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")
        parent = body.get("parent")
        if parent:
            self.must_exist(org, ENVIRONMENTS, parent, "parent")
        environment = {"id": body["id"], "description": body.get("description") or "", "toggleOnList": bool(body.get("toggleOnList")),
                       "defaultState": bool(body.get("defaultState")), "projects": body.get("projects", []),
                       "order": len(org.view(ENVIRONMENTS))}
        if parent:
            environment["parent"] = parent
        with org.transaction():
            org.insert(ENVIRONMENTS, environment["id"], environment)
            if parent:
                self._inherit(org, environment["id"], parent)
        return _shown(environment)

    def put_environment(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")
        environment = changed(self.stored(org, ENVIRONMENTS, id), body, FIELDS)
        return {"environment": _shown(org.replace(ENVIRONMENTS, id, environment))}

    def delete_environment(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, ENVIRONMENTS, id)
        users = [f"SDK connection {c['id']}" for c in org.view(SDK_CONNECTIONS, {"environment": id})]
        users += [f"environment {e['id']}" for e in org.view(ENVIRONMENTS, {"parent": id})]
        users += [f"member {m['id']}" for m in org.view(MEMBERS, test=lambda m: _limits_to(m, id))]
        refuse_if_used(f"Environment {id}", users)
        if org.count(ENVIRONMENTS) == 1:
            raise Invalid.field("id", "An organization needs at least one environment.")
        with org.transaction():
            org.delete(ENVIRONMENTS, id)
            for feature in org.query(FEATURES, test=lambda f: id in f["environments"]):
                del feature["environments"][id]
                org.replace(FEATURES, feature["id"], feature)
        return {"deletedId": id}

    def _inherit(self, org, id: str, parent: str) -> None:
        """A new environment with a parent starts with the parent's rules on every feature (off)."""
        for feature in org.query(FEATURES, test=lambda f: parent in f["environments"]):
            feature["environments"][id] = {"enabled": False, "rules": feature["environments"][parent]["rules"]}
            org.replace(FEATURES, feature["id"], feature)


def _shown(environment: dict) -> dict:
    return {name: value for name, value in environment.items() if name != "order"}


def _limits_to(member: dict, environment: str) -> bool:
    """Whether a member's role (global or in a project) is limited to `environment`."""
    return environment in member["environments"] or any(environment in r["environments"] for r in member["projectRoles"])
