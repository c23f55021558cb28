"""Who may do what: secret keys (role `admin` or `readonly`) and personal access tokens (their
user's role; a super-admin's may also manage organizations), each of one organization."""

from __future__ import annotations

from typing import Mapping

from mockexp.errors import Forbidden, Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.growthbook.models.common import ADMIN, KEYS, ORGANIZATIONS, SDK_CONNECTIONS
from mockexp.vendors.growthbook.models.world import World


class Access(World):
    def authenticate(self, value: str) -> dict:
        """The key record of a secret key or token, or 401."""
        key = self.store.get(KEYS, value) if value else None
        if key is None:
            raise Unauthorized("Invalid API key. Pass a secret key as the user name of HTTP Basic auth, or as a Bearer token.")
        return key

    def authorize(self, key: Mapping, *, write: bool, super_admin: bool = False) -> None:
        """A readonly key only reads; only a super-admin's personal access token reaches the
        organizations endpoints."""
        if super_admin and not key.get("superAdmin"):
            raise Forbidden("Only a super admin's personal access token may use the organizations endpoints.")
        if write and key["role"] != ADMIN:
            raise Forbidden(f"This key's role is {key['role']}: it cannot make changes.")

    def add_key(self, value: str, organization: str, role: str, description: str, *, user: str | None = None, super_admin: bool = False) -> dict:
        record = {"value": value, "organization": organization, "role": role, "description": description, "user": user, "superAdmin": super_admin}
        return self.store.insert(KEYS, value, record)

    def credentials(self) -> list[Credential]:
        """The first organization's keys first, and of them first the one that reaches every
        operation (a super admin's token), then secret keys, admin before readonly."""
        first = self._first_org()
        keys = self.store.query(KEYS, order_by=lambda k: (k["organization"] != first, not k.get("superAdmin"), k["user"] is not None, k["role"] != ADMIN))
        return [self._credential(key) for key in keys]

    def _first_org(self) -> str | None:
        first = self.store.query(ORGANIZATIONS, order_by=lambda o: o["dateCreated"], limit=1)
        return first[0]["id"] if first else None

    def _client_key(self, organization: str) -> dict[str, str]:
        """The client key of the organization's first SDK connection, as the SDK endpoint's path
        parameter names it (GrowthBook's REST paths name no tenant: the key is the organization's)."""
        first = self.store.tenant(organization).query(SDK_CONNECTIONS, order_by=lambda c: (c["dateCreated"], c["id"]), limit=1)
        return {"clientKey": first[0]["key"]} if first else {}

    def _credential(self, key: Mapping) -> Credential:
        org = self.store.get(ORGANIZATIONS, key["organization"])
        admin = key["role"] == ADMIN
        kind = "personal access token of a super admin" if key.get("superAdmin") else "personal access token" if key["user"] else "secret key"
        permissions = ["read"] + (["write"] if admin else []) + (["organizations"] if key.get("superAdmin") else [])
        note = f"{kind} of organization {org['id']} ({org['name']})" + ("" if admin else ": reads only, every change is 403")
        return Credential(
            vendor="growthbook",
            header="Authorization",
            value=f"Bearer {key['value']}",
            user=key["user"] or key["description"],
            role=key["role"],
            permissions=tuple(permissions),
            can_write=admin,
            tenant=self._client_key(key["organization"]),
            note=note,
        )
