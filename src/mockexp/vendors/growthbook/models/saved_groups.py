"""Saved groups: a targeting condition, or the values of one attribute, that feature rules
target by id (the SDK payload writes each into the rule's condition). A group's type and
attribute key never change; one a feature rule targets cannot be deleted."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.vendors.growthbook.models import values
from mockexp.vendors.growthbook.models.common import FEATURES, PROJECTS, SAVED_GROUPS
from mockexp.vendors.growthbook.models.world import World, changed, refuse_if_used

OF_TYPE = {"condition": ("condition",), "list": ("attributeKey", "values")}  # the fields each type has


class SavedGroups(World):
    def list_saved_groups(self, caller: str) -> Listing:
        return Listing(self.org(caller).query(SAVED_GROUPS, order_by=lambda g: (g["dateCreated"], g["id"])))

    def post_saved_group(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        kind = body.get("type") or _inferred(body)
        _check(kind, body)
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")
        now = self.now()
        group = {"id": self.new_id(org, "grp_"), "type": kind, "dateCreated": now, "dateUpdated": now, "name": body["name"],
                 "owner": body.get("owner", ""), "description": "", "projects": body.get("projects", []),
                 **{name: body[name] for name in OF_TYPE[kind]}}
        return {"savedGroup": org.insert(SAVED_GROUPS, group["id"], group)}

    def get_saved_group(self, id: str, caller: str) -> dict:
        return {"savedGroup": self.stored(self.org(caller), SAVED_GROUPS, id)}

    def update_saved_group(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        group = self.stored(org, SAVED_GROUPS, id)
        _check(group["type"], {**group, **body}, sent=body)
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")
        group = changed(group, body, ("name", "owner", "projects", *OF_TYPE[group["type"]]))
        group["dateUpdated"] = self.now()
        return {"savedGroup": org.replace(SAVED_GROUPS, id, group)}

    def delete_saved_group(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        self.stored(org, SAVED_GROUPS, id)
        refuse_if_used(f"Saved group {id}", [f"feature {f['id']}" for f in org.view(FEATURES, test=lambda f: _targets(f, id), order_by=lambda f: f["id"])])
        org.delete(SAVED_GROUPS, id)
        return {"deletedId": id}


def _inferred(body: Mapping[str, Any]) -> str:
    """GrowthBook's rule: a `condition` makes a condition group, `attributeKey` or `values` a list group."""
    if "condition" in body:
        return "condition"
    if "attributeKey" in body or "values" in body:
        return "list"
    raise Invalid.field("type", "Give a type (condition or list), or a condition, or an attributeKey and values.")


def _check(kind: str, group: Mapping[str, Any], sent: Mapping[str, Any] | None = None) -> None:
    """A group has the fields of its type (a list group its attributeKey and values, a
    condition group a JSON condition) and none of the other type's."""
    sent = group if sent is None else sent
    for other, fields in OF_TYPE.items():
        for name in fields:
            if other != kind and name in sent:
                raise Invalid.field(name, f"A {kind} group has no {name} (only a {other} group has).")
    for name in OF_TYPE[kind]:
        if name not in group:
            raise Invalid.field(name, f"A {kind} group needs its {name}.")
    if kind == "condition" and values.condition(group["condition"], "condition") is None:
        raise Invalid.field("condition", "A condition group's condition cannot be empty.")


def _targets(feature: Mapping[str, Any], group: str) -> bool:
    """Whether a rule of `feature` (in any environment) targets the saved group."""
    return any(group in target["savedGroups"] for entry in feature["environments"].values()
               for rule in entry["rules"] for target in rule.get("savedGroupTargeting", []))
