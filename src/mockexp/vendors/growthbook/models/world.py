"""The world every resource lives in: organizations (GrowthBook's tenants) and their tables,
the clock, ids, and the helpers that find an object or refuse a request."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Iterator, Mapping

from mockexp.clock import Clock
from mockexp.errors import Invalid, NotFound
from mockexp.store import SEQUENCES, Tables
from mockexp.vendors import world
from mockexp.vendors.growthbook.models.common import KEYS, SINGULAR, made_id, timestamp


class World(world.World):
    def __init__(self, store: Tables, clock: Clock) -> None:
        super().__init__(store, clock)
        self._moment: datetime | None = None

    def stamp(self, moment: datetime) -> str:
        return timestamp(moment)

    def moment(self) -> datetime:
        return self._moment or self.clock.now()

    @contextlib.contextmanager
    def backdated(self, moment: datetime) -> Iterator[None]:
        """Changes made inside happen at `moment` (for the demo world's history only: loading
        it is one synchronous call, so no request can run meanwhile)."""
        self._moment = moment
        try:
            yield
        finally:
            self._moment = None

    # -- organizations and who calls -----------------------------------------------------------

    def org(self, caller: str) -> Tables:
        """The tables of the organization a key (the caller) belongs to."""
        return self.store.tenant(self.key(caller)["organization"])

    def key(self, caller: str) -> dict:
        found = self.store.get(KEYS, caller)
        if found is None:
            raise NotFound("Unknown API key.")
        return found

    def actor(self, caller: str) -> str:
        """Who a change is published by: the user of a personal access token, or the key's name."""
        key = self.key(caller)
        return key.get("user") or key["description"]

    def new_id(self, tables: Tables, prefix: str) -> str:
        return made_id(prefix, tables.name(SEQUENCES), tables.next_number(prefix))

    # -- finding and refusing -----------------------------------------------------------------

    def not_found(self, table: str, id: Any) -> str:
        return f"Could not find {SINGULAR.get(table, table).lower()} with id {id}"

    def stored(self, tables: Tables, table: str, id: str) -> dict:
        return self.stored_in(tables, table, id)

    @staticmethod
    def must_exist(tables: Tables, table: str, ids: Any, field: str) -> None:
        """Each id (one, or a list) names an object of `table`, or 400 naming the field."""
        for index, id in enumerate([ids] if isinstance(ids, str) else ids or []):
            if tables.get(table, id) is None:
                where = field if isinstance(ids, str) else f"{field}[{index}]"
                raise Invalid.field(where, f"{SINGULAR.get(table, table)} {id!r} does not exist.")


def refuse_if_used(what: str, users: list[str]) -> None:
    """400 naming `id` (and some of its users) when something still uses the object a request would delete."""
    if users:
        more = " and more" if len(users) > 5 else ""
        raise Invalid.field("id", f"{what} is still used by {', '.join(users[:5])}{more}: change or delete those first.")


def changed(doc: Mapping[str, Any], body: Mapping[str, Any], fields: tuple[str, ...]) -> dict:
    """`doc` with the fields of `body` it names (a partial update)."""
    return {**doc, **{name: body[name] for name in fields if name in body}}


def add_organization(world: World, id: str, name: str, owner: str, external_id: str = "") -> dict:
    """A new tenant (its tables start empty)."""
    from mockexp.vendors.growthbook.models.common import ORGANIZATIONS

    return world.store.insert(ORGANIZATIONS, id, {"id": id, "externalId": external_id, "dateCreated": world.now(), "name": name, "ownerEmail": owner})
