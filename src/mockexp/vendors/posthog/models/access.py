"""Who may do what: personal API keys, their scopes and the projects they reach, and the demo
credentials."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Forbidden, NotFound, Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.posthog.models.common import KEYS, PROJECTS, SCOPES, USERS
from mockexp.vendors.posthog.models.world import World


def allows(scopes: list[str], required: str) -> bool:
    """Whether a key's scopes allow `required` (`*` allows all; a write scope allows reading)."""
    if "*" in scopes or required in scopes:
        return True
    thing, _, action = required.partition(":")
    return action == "read" and f"{thing}:write" in scopes


class Access(World):
    def authenticate(self, value: str) -> dict:
        """The key record (with its user) for a personal API key."""
        key = self.store.get(KEYS, value) if value else None
        user = self.store.get(USERS, str(key["user_id"])) if key else None
        if user is None:
            raise Unauthorized("Personal API key found in request Authorization header is invalid.")
        return {**key, "user": user}

    def authorize(self, key: Mapping[str, Any], project_id: int | str | None, required: list[str]) -> None:
        """The key must have every scope the operation requires, and reach the project."""
        for scope in required:
            if not allows(key["scopes"], scope):
                raise Forbidden(f"API key missing required scope '{scope}'")
        if project_id is None:
            return
        project_id = int(project_id)
        project = self.store.get(PROJECTS, str(project_id))
        if project is None:
            raise NotFound()
        if project["organization_id"] != key["user"]["organization_id"]:
            raise Forbidden("You don't have access to the project.")
        if key["projects"] is not None and project_id not in key["projects"]:
            raise Forbidden(f"API key does not have access to the requested project: it may only reach project {', '.join(map(str, key['projects']))}.")

    def access_level(self, project_id: int | str, caller: int | None, thing: str) -> str | None:
        """PostHog's `user_access_level` on a kind of object (`experiment`, `experiment_saved_metric`):
        the caller's effective access through the keys of theirs that reach the project, `editor`
        with a write scope, `viewer` with only a read scope, `none` otherwise (null for no caller)."""
        if caller is None:
            return None
        project = int(project_id)
        scopes = [scope for key in self.store.view(KEYS, {"user_id": caller}) if key["projects"] is None or project in key["projects"]
                  for scope in key["scopes"]]
        if allows(scopes, f"{thing}:write"):
            return "editor"
        return "viewer" if allows(scopes, f"{thing}:read") else "none"

    def credentials(self) -> list[Credential]:
        """The personal API keys (the SDK side adds the project API keys)."""
        return self.key_credentials()

    def key_credentials(self) -> list[Credential]:
        keys = self.store.query(KEYS, order_by=lambda k: (k["projects"] is not None, "*" not in k["scopes"], k["label"]))
        return [self._credential(key) for key in keys]

    def _credential(self, key: Mapping[str, Any]) -> Credential:
        user = self.store.get(USERS, str(key["user_id"]))
        projects = key["projects"] or [p["id"] for p in self.store.query(PROJECTS, {"organization_id": user["organization_id"]}, order_by=lambda p: p["id"])]
        scopes = key["scopes"]
        can_write = all(allows(scopes, scope) for scope in SCOPES)  # everything the API offers; partial keys say what in permissions
        notes = []
        if "*" not in scopes:
            notes.append(f"scopes {', '.join(scopes)} only: other operations answer 403")
        if key["projects"] is not None:
            notes.append(f"limited to project {', '.join(map(str, key['projects']))}: other projects answer 403")
        return Credential(
            vendor="posthog",
            header="Authorization",
            value=f"Bearer {key['value']}",
            user=f"{user['first_name']} {user['last_name']}",
            role=key["label"],
            permissions=tuple(["all scopes"] if "*" in scopes else scopes),
            can_write=can_write,
            tenant={"project_id": str(projects[0])},
            note="; ".join(notes) or None,
        )
