"""The world around experiments: accounts (ABsmartly's tenants), their users, API keys and
the catalogue experiments refer to, and the ids ABsmartly numbers objects with."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from mockexp.store import Tables
from mockexp.vendors import world
from mockexp.vendors.absmartly.models.common import ACCOUNTS, KEYS, NOBODY, timestamp

SINGULAR = {
    "users": "user", "teams": "team", "applications": "application", "unit_types": "unit type",
    "experiment_tags": "experiment tag", "goals": "goal", "metrics": "metric", "experiments": "experiment",
}


class World(world.World):
    def stamp(self, moment: datetime) -> str:
        return timestamp(moment)

    def not_found(self, table: str, id: Any) -> str:
        return f"{SINGULAR.get(table, table).capitalize()} {id} not found."

    def account(self, account: str) -> Tables:
        """The tables of one account."""
        return self.store.tenant(account)

    def next_id(self, account: str, kind: str) -> int:
        """Ids count up from 1 per account and kind of object."""
        return self.account(account).next_number(kind)

    def stored(self, account: str, table: str, id: Any) -> dict:
        """An object of the account, or 404."""
        return self.stored_in(self.account(account), table, id)

    def peeked(self, account: str, table: str, id: Any) -> Mapping[str, Any]:
        """An object of the account as stored (to read, never to change), or 404."""
        return self.peeked_in(self.account(account), table, id)

    def exists(self, account: str, table: str, id: Any) -> bool:
        return self.account(account).get(table, str(id)) is not None

    # -- adding to the world -------------------------------------------------------------------

    def add_account(self, id: str, name: str) -> dict:
        return self.store.insert(ACCOUNTS, id, {"id": id, "name": name})

    def add_key(self, value: str, account: str, user_id: int, permission: str, label: str) -> dict:
        return self.store.insert(KEYS, value, {"value": value, "account": account, "user_id": user_id, "permission": permission, "label": label})

    def add(self, account: str, table: str, fields: Mapping[str, Any], *, by: int | None = None, at: datetime | None = None) -> dict:
        """A catalogue object (user, team, application, unit type, tag, goal, metric), numbered
        and stamped as ABsmartly does."""
        id = self.next_id(account, table)
        moment = self.now(at)
        by = NOBODY if by is None else by
        doc = {"id": id, **fields, "created_at": moment, "created_by_user_id": by, "updated_at": moment, "updated_by_user_id": by}
        return self.account(account).insert(table, str(id), doc)
