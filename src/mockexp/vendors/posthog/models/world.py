"""The world around experiments: organizations and their projects (with their approval
policies), users and their personal API keys, and the ids PostHog numbers objects with."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from mockexp.errors import NotFound
from mockexp.store import Tables
from mockexp.vendors import world
from mockexp.vendors.posthog.models.common import KEYS, ORGANIZATIONS, PROJECTS, USERS, timestamp


class World(world.World):
    def stamp(self, moment: datetime) -> str:
        return timestamp(moment)

    def project(self, project_id: int | str) -> Tables:
        """The tables of one project."""
        return self.store.tenant(project_id)

    def next_id(self, kind: str) -> int:
        """PostHog's ids count up per kind of object, across projects."""
        return self.store.next_number(kind)

    # -- adding to the world -------------------------------------------------------------------

    def add_organization(self, id: str, name: str) -> dict:
        return self.store.insert(ORGANIZATIONS, id, {"id": id, "name": name})

    def add_project(self, id: int, organization_id: str, name: str, *, approval_policy: Iterable[str] = (), api_token: str | None = None,
                    group_types: Iterable[str] = ()) -> dict:
        """`approval_policy`: the actions (e.g. `experiment.launch`) that need an approved change request;
        `api_token`: the project API key (`phc_...`) its SDKs send; `group_types`: its group types, by index."""
        return self.store.insert(PROJECTS, str(id), {"id": id, "organization_id": organization_id, "name": name, "approval_policy": list(approval_policy),
                                                     "api_token": api_token, "group_types": list(group_types)})

    def add_user(self, id: int, organization_id: str, *, uuid: str, distinct_id: str, first_name: str, last_name: str, email: str) -> dict:
        return self.store.insert(USERS, str(id), {
            "id": id, "uuid": uuid, "distinct_id": distinct_id, "first_name": first_name, "last_name": last_name,
            "email": email, "is_email_verified": True, "organization_id": organization_id,
        })

    def add_key(self, value: str, label: str, user_id: int, scopes: Iterable[str], *, projects: Iterable[int] | None = None) -> dict:
        """A personal API key: its scopes (`*` for all), and the projects it is limited to (None: every project of its user's organization)."""
        return self.store.insert(KEYS, value, {
            "value": value, "label": label, "user_id": user_id, "scopes": list(scopes), "projects": list(projects) if projects is not None else None,
        })

    # -- looking things up ---------------------------------------------------------------------

    def project_of(self, project_id: int | str) -> dict:
        project = self.store.get(PROJECTS, str(project_id))
        if project is None:
            raise NotFound()
        return project

    def user_basic(self, user_id: int) -> dict:
        user = self.store.get(USERS, str(user_id))
        return {key: user[key] for key in ("id", "uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified")}

    def stored(self, project_id: int | str, table: str, id: Any) -> dict:
        """An object of the project, or 404."""
        return self.stored_in(self.project(project_id), table, id)
