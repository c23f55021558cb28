"""Feature revisions: every published change is a new version (the default value and each
environment's rules as they then were); drafts wait unpublished; revert publishes an old
version's content again. A revision's definitions read saved groups and experiments as they
are now."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import ENVIRONMENTS, EXPERIMENTS, FEATURES, REVISIONS, SAVED_GROUPS
from mockexp.vendors.growthbook.models.definitions import as_text, definition
from mockexp.vendors.growthbook.models.world import World

STATUSES = {"all": ("draft", "published"), "drafts": ("draft",), "published": ("published",), "none": ()}


def revision_key(feature: str, version: int) -> str:
    return f"{feature}/{version:09d}"


class Revisions(World):
    def publish(self, org: Tables, feature: dict, comment: str, caller: str) -> dict:
        """Store `feature` as its next published version."""
        version = self.latest_version(org, feature["id"]) + 1
        now = self.now()
        base = feature["revision"]["version"] if "revision" in feature else 0
        feature = {**feature, "dateUpdated": now, "revision": {"version": version, "comment": comment, "date": now, "publishedBy": self.actor(caller)}}
        with org.transaction():
            org.replace(FEATURES, feature["id"], feature)
            self._record(org, feature, base, version, "published", comment, caller, feature["environments"])
        return feature

    def save_draft(self, org: Tables, feature: Mapping, drafts: Mapping[str, Mapping], caller: str) -> None:
        """Rules to publish later: a draft revision of the live feature with these environments' rules."""
        version = self.latest_version(org, feature["id"]) + 1
        environments = {**feature["environments"], **drafts}
        self._record(org, feature, feature["revision"]["version"], version, "draft", "Draft saved through the API", caller, environments)

    def _record(self, org: Tables, feature: Mapping, base: int, version: int, status: str, comment: str, caller: str, environments: Mapping) -> None:
        org.insert(REVISIONS, revision_key(feature["id"], version), {
            "feature": feature["id"], "baseVersion": base, "version": version, "comment": comment, "date": self.now(), "status": status,
            "publishedBy": self.actor(caller), "defaultValue": feature["defaultValue"],
            "enabled": {env: entry["enabled"] for env, entry in environments.items()},
            "rules": {env: list(entry["rules"]) for env, entry in environments.items()},
        })

    def latest_version(self, org: Tables, feature: str) -> int:
        return max((r["version"] for r in org.view(REVISIONS, {"feature": feature})), default=0)

    def revisions_of(self, org: Tables, feature: str, statuses: tuple[str, ...] = ("draft", "published")) -> list[Mapping]:
        return org.view(REVISIONS, {"feature": feature}, test=lambda r: r["status"] in statuses, order_by=lambda r: r["version"], reverse=True)

    def get_feature_revisions(self, id: str, caller: str) -> Listing:
        org = self.org(caller)
        feature = self.stored(org, FEATURES, id)
        return Listing(self.revisions_of(org, id), represent=lambda r: self.shown_revision(org, feature, r))

    def revert_feature(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        feature = self.stored(org, FEATURES, id)
        old = org.get(REVISIONS, revision_key(id, body["revision"]))
        if old is None or old["status"] != "published":
            raise Invalid.field("revision", f"Feature {id} has no published revision {body['revision']}.")
        environments = {env: {**entry, "rules": old["rules"].get(env, entry["rules"])} for env, entry in feature["environments"].items()}
        restored = {**feature, "defaultValue": old["defaultValue"], "environments": environments}
        comment = body.get("comment") or f"Reverted to revision {body['revision']}"
        return {"feature": self.shown(org, self.publish(org, restored, comment, caller))}

    # -- what a feature and a revision look like ------------------------------------------------

    def shown(self, org: Tables, feature: Mapping[str, Any], with_revisions: str | None = None) -> dict:
        draft = next(iter(self.revisions_of(org, feature["id"], ("draft",))), None)
        if draft is not None and draft["version"] < feature["revision"]["version"]:
            draft = None
        environments = {}
        every = {e["id"]: {"enabled": False, "rules": []} for e in org.view(ENVIRONMENTS)}  # one a feature never mentioned is off
        for env, entry in {**every, **feature["environments"]}.items():
            environments[env] = self._environment(org, feature, feature["defaultValue"], entry["enabled"], entry["rules"])
            if draft is not None and env in draft["rules"]:
                environments[env]["draft"] = self._environment(org, feature, draft["defaultValue"], draft["enabled"].get(env, entry["enabled"]), draft["rules"][env])
        shown = {**feature, "environments": environments}
        if with_revisions:
            shown["revisions"] = [self.shown_revision(org, feature, r) for r in self.revisions_of(org, feature["id"], STATUSES[with_revisions])]
        return shown

    def shown_revision(self, org: Tables, feature: Mapping[str, Any], revision: Mapping[str, Any]) -> dict:
        then = {**feature, "defaultValue": revision["defaultValue"]}
        definitions = {env: as_text(definition(then, rules, self._groups(org), self._experiments(org), self.clock.passed)) for env, rules in revision["rules"].items()}
        hidden = ("feature", "enabled")
        return {**{k: v for k, v in revision.items() if k not in hidden}, "definitions": definitions}

    def _environment(self, org: Tables, feature: Mapping, default: str, enabled: bool, rules: list) -> dict:
        then = {**feature, "defaultValue": default}
        return {"enabled": enabled, "defaultValue": default, "rules": rules, "definition": as_text(definition(then, rules, self._groups(org), self._experiments(org), self.clock.passed))}

    @staticmethod
    def _groups(org: Tables):
        return lambda id: org.peek(SAVED_GROUPS, id)  # the stored documents, not copies: definitions only read them

    @staticmethod
    def _experiments(org: Tables):
        return lambda id: org.peek(EXPERIMENTS, id)
