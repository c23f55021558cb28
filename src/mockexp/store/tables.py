"""Tenant namespacing: one vendor's part of the store, or one tenant's part of that, with the
store's calls on plain table names, and the vendor's data as a whole (dropped, dumped,
restored). Vendors see the store only through these (`store.vendor("giosg")`, then
`.tenant(org_id)`): one tenant can never read, change or delete another's documents, whatever
keys they share."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import quote

from mockexp.store.rows import Rows

if TYPE_CHECKING:
    from mockexp.store.store import Store

Doc = dict[str, Any]

SEQUENCES = "sequences"  # the counters of `Tables.next_number`

MOST_TENANTS_KEPT = 10_000


class Tables:
    """One vendor's part of the store, or one tenant's part of that: the store's calls with
    plain table names (`"experiments"`), scoped here to `<vendor>.<table>` and, for a tenant,
    to `<vendor>.<table>@<id>/<id>`. A tenant's tables hold only its own documents."""

    def __init__(self, store: Store, vendor: str, tenant: tuple[str, ...] = ()) -> None:
        self.store = store
        self.vendor = vendor
        self.ids = tenant
        self._prefix = f"{vendor}."
        self._suffix = "@" + "/".join(quote(part, safe="") for part in tenant) if tenant else ""
        self._tenants: dict[tuple, Tables] = {}
        self._names: dict[str, str] = {}

    def tenant(self, *ids: Any) -> "Tables":
        """The tables of one tenant (an organization, a project, a project's environment...),
        made once per tenant (a request asks for them many times)."""
        found = self._tenants.get(ids)
        if found is None:
            if len(self._tenants) >= MOST_TENANTS_KEPT:  # ids made up by a fuzzer must not pile up
                self._tenants.clear()
            found = self._tenants[ids] = Tables(self.store, self.vendor, self.ids + tuple(str(part) for part in ids))
        return found

    def name(self, table: str) -> str:
        found = self._names.get(table)
        if found is None:
            found = self._names[table] = f"{self._prefix}{table}{self._suffix}"
        return found

    def get(self, table: str, key: str) -> Doc | None:
        return self.store.get(self.name(table), key)

    def peek(self, table: str, key: str) -> Doc | None:
        return self.store.peek(self.name(table), key)

    def query(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Doc]:
        return self.store.query(self.name(table), where, **options)

    def view(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> Rows:
        return self.store.view(self.name(table), where, **options)

    def count(self, table: str) -> int:
        return self.store.count(self.name(table))

    def insert(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        return self.store.insert(self.name(table), key, doc)

    def replace(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        return self.store.replace(self.name(table), key, doc)

    def delete(self, table: str, key: str) -> bool:
        return self.store.delete(self.name(table), key)

    def transaction(self) -> contextlib.AbstractContextManager:
        return self.store.transaction()

    def next_number(self, kind: str) -> int:
        """The next of a counter that starts at 1, one per `kind` in these tables (a vendor's
        ids that count up: per vendor, or per tenant on a tenant's tables)."""
        with self.store.transaction():
            current = (self.peek(SEQUENCES, kind) or {"next": 1})["next"]
            self.replace(SEQUENCES, kind, {"next": current + 1})
            return current

    # -- the vendor as a whole -------------------------------------------------------------

    def tables(self) -> list[str]:
        """Every table (full names) the vendor holds, for all its tenants."""
        return [name for name in self.store.tables() if name.startswith(self._prefix)]

    def drop_all(self) -> None:
        with self.store.transaction():
            for name in self.tables():
                self.store.drop(name)

    def drop_everywhere(self, tables: Iterable[str]) -> None:
        """These tables (plain names) emptied in every tenant, and the counters named for them
        (`next_number(table)`) started again at 1."""
        wanted = set(tables)
        with self.store.transaction():
            for name in self.tables():
                plain = name[len(self._prefix):].split("@", 1)[0]
                if plain in wanted:
                    self.store.drop(name)
                elif plain == SEQUENCES:
                    for kind in wanted:
                        self.store.delete(name, kind)

    def dump(self) -> dict[str, dict[str, Doc]]:
        """Everything the vendor holds, table by table and key by key (for comparisons)."""
        with self.store.transaction():
            return {name: dict(self.store.items(name)) for name in self.tables()}

    def restore(self, dump: Mapping[str, Mapping[str, Doc]]) -> None:
        """The vendor back to what `dump` holds."""
        with self.store.transaction():
            self.drop_all()
            for name, docs in dump.items():
                for key, doc in docs.items():
                    self.store.insert(name, key, doc)
