"""Features: create, read, list, change (a new revision each time), toggle, delete."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import values
from mockexp.vendors.growthbook.models.common import CODE_REFS, ENVIRONMENTS, FEATURES, PROJECTS, REVISIONS, SDK_CONNECTIONS, made_id
from mockexp.vendors.growthbook.models.revisions import Revisions
from mockexp.vendors.growthbook.models.rules import checked_rules

UPDATABLE = ("description", "archived", "project", "owner", "defaultValue", "tags", "prerequisites", "jsonSchema")
ON = (True, "true", "1", 1)


class Features(Revisions):
    def list_features(self, caller: str, project_id: str | None = None, client_key: str | None = None) -> Listing:
        org = self.org(caller)
        projects: list[str] = []
        if client_key is not None:
            connection = next(iter(org.view(SDK_CONNECTIONS, {"key": client_key})), None)
            if connection is None:
                raise Invalid.field("clientKey", f"No SDK connection has the client key {client_key!r}.")
            projects = connection["projects"]

        def kept(feature: Mapping) -> bool:
            return (project_id is None or feature["project"] == project_id) and (not projects or feature["project"] in projects)

        found = org.view(FEATURES, test=kept, order_by=lambda f: (f["dateCreated"], f["id"]))
        return Listing(found, represent=lambda f: self.shown(org, f))

    def post_feature(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        id, value_type = body["id"], body["valueType"]
        if org.get(FEATURES, id) is not None:
            raise Invalid.field("id", f"Feature keys must be unique: {id} already exists.")
        feature = {"id": id, "archived": body.get("archived", False), "description": body.get("description", ""), "owner": body["owner"],
                   "project": body.get("project", ""), "valueType": value_type, "defaultValue": body["defaultValue"],
                   "tags": body.get("tags", []), "prerequisites": body.get("prerequisites", []), "customFields": {}}
        if "jsonSchema" in body:
            feature["jsonSchema"] = body["jsonSchema"]
        self._check(org, feature)
        sent, drafts = self._environments(org, feature, body.get("environments", {}), 1)
        defaults = {e["id"]: {"enabled": e["defaultState"], "rules": []} for e in org.view(ENVIRONMENTS)}
        now = self.now()
        feature.update(dateCreated=now, dateUpdated=now, environments={**defaults, **sent})
        with org.transaction():
            feature = self.publish(org, feature, "New feature", caller)
            if drafts:
                self.save_draft(org, feature, drafts, caller)
        return {"feature": self.shown(org, feature)}

    def get_feature(self, id: str, caller: str, with_revisions: str | None = None) -> dict:
        org = self.org(caller)
        return {"feature": self.shown(org, self.stored(org, FEATURES, id), None if with_revisions == "none" else with_revisions)}

    def update_feature(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        current = self.stored(org, FEATURES, id)
        feature = {**current, **{name: body[name] for name in UPDATABLE if name in body}}
        self._check(org, feature)
        version = self.latest_version(org, id) + 1
        sent, drafts = self._environments(org, feature, body.get("environments", {}), version)
        feature["environments"] = {**current["environments"], **sent}
        with org.transaction():
            feature = self.publish(org, feature, "Updated through the API", caller)
            if drafts:
                self.save_draft(org, feature, drafts, caller)
        return {"feature": self.shown(org, feature)}

    def toggle_feature(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        feature = self.stored(org, FEATURES, id)
        environments = dict(feature["environments"])
        for env, state in body["environments"].items():
            self.must_exist(org, ENVIRONMENTS, env, f"environments.{env}")
            environments[env] = {**environments.get(env, {"rules": []}), "enabled": state in ON}
        reason = body.get("reason") or "Toggled " + ", ".join(f"{env} {'on' if environments[env]['enabled'] else 'off'}" for env in body["environments"])
        return {"feature": self.shown(org, self.publish(org, {**feature, "environments": environments}, reason, caller))}

    def delete_feature(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, FEATURES, id)
        dependents = [f["id"] for f in org.view(FEATURES, test=lambda f: f["id"] != id and _needs(f, id))]
        if dependents:
            raise Invalid.field("id", f"Feature {id} is a prerequisite of {', '.join(dependents)}.")
        with org.transaction():
            org.delete(FEATURES, id)
            for revision in org.query(REVISIONS, {"feature": id}):
                org.delete(REVISIONS, f"{id}/{revision['version']:09d}")
            for ref in org.query(CODE_REFS, {"feature": id}):
                org.delete(CODE_REFS, ref["key"])
        return {"deletedId": id}

    # -- rules the spec cannot state ------------------------------------------------------------

    def _check(self, org: Tables, feature: Mapping[str, Any]) -> None:
        values.check(feature["valueType"], feature["defaultValue"], "defaultValue")
        if feature["project"]:
            self.must_exist(org, PROJECTS, feature["project"], "project")
        for index, prerequisite in enumerate(feature["prerequisites"]):
            if prerequisite == feature["id"]:
                raise Invalid.field(f"prerequisites[{index}]", "A feature cannot be its own prerequisite.")
            self.must_exist(org, FEATURES, prerequisite, f"prerequisites[{index}]")

    def _environments(self, org: Tables, feature: Mapping, sent: Mapping[str, Mapping], version: int) -> tuple[dict, dict]:
        """The environments a request sets (enabled, checked rules), and the drafts it saves."""
        published, drafts = {}, {}
        for env, entry in sent.items():
            self.must_exist(org, ENVIRONMENTS, env, f"environments.{env}")
            published[env] = {"enabled": entry["enabled"], "rules": self._rules(org, feature, env, entry["rules"], f"environments.{env}.rules", version)}
            if "draft" in entry:
                draft = entry["draft"]
                rules = self._rules(org, feature, env, draft["rules"], f"environments.{env}.draft.rules", version + 1)
                drafts[env] = {"enabled": draft.get("enabled", entry["enabled"]), "rules": rules}
        return published, drafts

    def _rules(self, org: Tables, feature: Mapping, env: str, rules: list, at: str, version: int) -> list[dict]:
        counter = iter(range(1_000_000))
        return checked_rules(org, feature["valueType"], rules, at, lambda: made_id("fr_", org.name(FEATURES), feature["id"], env, version, next(counter)))


def _needs(feature: Mapping[str, Any], id: str) -> bool:
    """Whether `feature` has `id` as a prerequisite (of the feature or of one of its rules)."""
    if id in feature.get("prerequisites", []):
        return True
    return any(p["id"] == id for entry in feature["environments"].values() for rule in entry["rules"] for p in rule.get("prerequisites", []))
