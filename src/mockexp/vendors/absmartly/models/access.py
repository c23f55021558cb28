"""Who may do what: API keys, the role each has ("Experiment Admin" or "Experiment List"),
the account each belongs to, and the demo credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from mockexp.errors import Forbidden, Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.absmartly.models.common import ACCOUNTS, ADMIN, KEYS, USERS
from mockexp.vendors.absmartly.models.world import World


@dataclass(frozen=True)
class Caller:
    account: str
    user_id: int
    permission: str


class Access(World):
    def authenticate(self, value: str) -> dict:
        """The key record for an API key, or 401."""
        key = self.store.get(KEYS, value) if value else None
        if key is None:
            raise Unauthorized("Invalid API key.")
        return key

    def authorize(self, key: Mapping, write: bool) -> None:
        """Only "Experiment Admin" keys may change anything."""
        if write and key["permission"] != ADMIN:
            raise Forbidden(f"This API key has the \"{key['permission']}\" permission only: changing experiments needs \"{ADMIN}\".")

    def caller(self, value: str) -> Caller:
        """Who a request acts as, from the key it was authenticated with."""
        key = self.authenticate(value)
        return Caller(account=key["account"], user_id=key["user_id"], permission=key["permission"])

    def credentials(self) -> list[Credential]:
        accounts = [account["id"] for account in self.store.view(ACCOUNTS)]  # in the order they were added: the main one first
        keys = self.store.query(KEYS, order_by=lambda k: (accounts.index(k["account"]), k["permission"] != ADMIN, k["label"]))
        return [self._credential(key) for key in keys]

    def _credential(self, key: Mapping) -> Credential:
        user = self.account(key["account"]).get(USERS, str(key["user_id"]))
        account = self.store.get(ACCOUNTS, key["account"])
        admin = key["permission"] == ADMIN
        note = f"account {key['account']} ({account['name']})" + ("" if admin else ": reads only, every change is 403")
        return Credential(
            vendor="absmartly",
            header="Authorization",
            value=f"Api-Key {key['value']}",
            user=f"{user['first_name']} {user['last_name']}",
            role=key["label"],
            permissions=(key["permission"],),
            can_write=admin,
            tenant={},
            note=note,
        )
