"""What every vendor's model stands on (each vendor's `models/world.py` subclasses it): the
vendor's tables in the store, the clock, the time written in the vendor's format, and an
object of a tenant found or refused with a 404 in the vendor's words."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from mockexp.clock import Clock
from mockexp.errors import NotFound
from mockexp.store import Tables


class World:
    def __init__(self, store: Tables, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def stamp(self, moment: datetime) -> Any:
        """A moment as the vendor writes it."""
        raise NotImplementedError

    def moment(self) -> datetime:
        """The time changes are made at."""
        return self.clock.now()

    def now(self, at: datetime | None = None) -> Any:
        """`at` (default: now) as the vendor writes it."""
        return self.stamp(at or self.moment())

    def not_found(self, table: str, id: Any) -> str | None:
        """What a 404 for an object says (None: the error's default message)."""
        return None

    def stored_in(self, tables: Tables, table: str, id: Any) -> dict:
        """An object of these tables (a tenant's), or 404."""
        found = tables.get(table, str(id))
        if found is None:
            raise NotFound(self.not_found(table, id))
        return found

    def peeked_in(self, tables: Tables, table: str, id: Any) -> Mapping[str, Any]:
        """An object of these tables as stored, not a copy (to read, never to change), or 404:
        for the many objects a list page embeds."""
        found = tables.peek(table, str(id))
        if found is None:
            raise NotFound(self.not_found(table, id))
        return found
