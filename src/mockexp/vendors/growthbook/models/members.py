"""Members of an organization: a global role, the environments it is limited to (roles that
publish only), and roles of their own in some projects. An organization keeps an admin."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import ADMIN, ENVIRONMENTS, MEMBER_ROLES, MEMBERS, PROJECTS, PUBLISHING_ROLES
from mockexp.vendors.growthbook.models.world import World

ROLE_FIELDS = ("id", "environments", "limitAccessByEnvironment", "projectRoles")


class Members(World):
    def list_members(self, caller: str, user_name: str | None = None, user_email: str | None = None, global_role: str | None = None) -> Listing:
        def found(member: Mapping[str, Any]) -> bool:
            return ((user_name is None or user_name.casefold() in member["name"].casefold())
                    and (user_email is None or user_email.casefold() in member["email"].casefold())
                    and (global_role is None or member["globalRole"] == global_role))

        return Listing(self.org(caller).query(MEMBERS, test=found, order_by=lambda m: (m["dateCreated"], m["id"])))

    def add_member(self, name: str, email: str, role: str, caller: str) -> dict:
        """A user who joined the caller's organization with a global role (the demo world's)."""
        org = self.org(caller)
        _role(role, "role")
        now = self.now()
        member = {"id": self.new_id(org, "u_"), "name": name, "email": email, "globalRole": role, "environments": [],
                  "limitAccessByEnvironment": False, "managedbyIdp": False, "teams": [], "projectRoles": [],
                  "lastLoginDate": now, "dateCreated": now, "dateUpdated": now}
        return org.insert(MEMBERS, member["id"], member)

    def delete_member(self, id: str, caller: str) -> dict:
        org = self.org(caller)
        member = self.stored(org, MEMBERS, id)
        if member["globalRole"] == ADMIN and len(org.view(MEMBERS, {"globalRole": ADMIN})) == 1:
            raise Invalid.field("id", f"Member {id} is the organization's last admin.")
        org.delete(MEMBERS, id)
        return {"deletedId": id}

    def update_member_role(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        member = self.stored(org, MEMBERS, id)
        sent = body["member"]
        role = _role(sent.get("role", member["globalRole"]), "member.role")
        if member["globalRole"] == ADMIN and role != ADMIN and len(org.view(MEMBERS, {"globalRole": ADMIN})) == 1:
            raise Invalid.field("member.role", f"Member {id} is the organization's last admin.")
        kept = member["environments"] if role in PUBLISHING_ROLES else []
        environments = self._limits(org, role, sent.get("environments", kept), "member.environments")
        project_roles = member["projectRoles"]
        if "projectRoles" in sent:
            project_roles = [self._project_role(org, given, f"member.projectRoles[{index}]") for index, given in enumerate(sent["projectRoles"])]
            _once([p["project"] for p in project_roles], "member.projectRoles")
        member.update(globalRole=role, environments=environments, limitAccessByEnvironment=bool(environments),
                      projectRoles=project_roles, dateUpdated=self.now())
        org.replace(MEMBERS, id, member)
        return {"updatedMember": {"role": role, **{name: member[name] for name in ROLE_FIELDS}}}

    def _project_role(self, org: Tables, given: Mapping[str, Any], at: str) -> dict:
        self.must_exist(org, PROJECTS, given["project"], f"{at}.project")
        role = _role(given["role"], f"{at}.role")
        environments = self._limits(org, role, given["environments"], f"{at}.environments")
        return {"project": given["project"], "role": role, "limitAccessByEnvironment": bool(environments), "environments": environments}

    def _limits(self, org: Tables, role: str, environments: list[str], at: str) -> list[str]:
        """The environments a role is limited to: existing ones, each once, for a role that publishes."""
        if environments and role not in PUBLISHING_ROLES:
            raise Invalid.field(at, f"Only the roles that publish ({', '.join(PUBLISHING_ROLES)}) can be limited to environments, not {role}.")
        self.must_exist(org, ENVIRONMENTS, environments, at)
        _once(environments, at)
        return list(environments)


def _role(role: str, at: str) -> str:
    if role not in MEMBER_ROLES:
        raise Invalid.field(at, f"No role {role!r}; the roles are {', '.join(MEMBER_ROLES)}.")
    return role


def _once(names: list[str], at: str) -> None:
    for index, name in enumerate(names):
        if name in names[:index]:
            raise Invalid.field(f"{at}[{index}]", f"{name} is named twice.")
