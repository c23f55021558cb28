"""The TinyDB adapter: documents kept in a TinyDB database held in memory, table by table.

The one module that imports TinyDB, and the one that relies on its internals (checked on
TinyDB 4.9, the range pyproject.toml allows; `tests/test_store.py` guards them):

* `Table._update_table` is overridden (`_InPlaceTable`): keys are strings already, so a write
  changes the stored table in place, where TinyDB's own copies the whole table twice per write
  to convert keys. An updater that fails half-way leaves the table exactly as it was (TinyDB's
  copy gave that for free; here the keys it touched are put back).
* `Table.document_id_class` is set to `str` (the store's keys are strings).
* The tables are read straight from the storage's dicts (`TinyTables.raw`): reads cost what
  they return, without a TinyDB `Document` built per stored object.
* `TinyDB.table_class` is set to hand TinyDB the table class above.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Callable, Iterator, Mapping

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from mockexp.journal import StoreError

Doc = dict[str, Any]


class _Undoable(MutableMapping):
    """A stored table handed to a TinyDB updater: changes go straight to the table, and each
    key's first value is remembered so that a failing updater can be undone. A document the
    updater reads is replaced by a copy first, so changing it in place is undoable too."""

    _MISSING = object()

    def __init__(self, table: dict) -> None:
        self.table = table
        self.before: dict[str, Any] = {}

    def _remember(self, key: str) -> None:
        if key not in self.before:
            self.before[key] = self.table.get(key, self._MISSING)

    def __getitem__(self, key: str) -> Any:
        value = self.table[key]
        if isinstance(value, dict) and key not in self.before:
            self._remember(key)
            value = self.table[key] = dict(value)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._remember(key)
        self.table[key] = value

    def __delitem__(self, key: str) -> None:
        self._remember(key)
        del self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.table))

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def undo(self) -> None:
        for key, value in self.before.items():
            if value is self._MISSING:
                self.table.pop(key, None)
            else:
                self.table[key] = value


class _InPlaceTable(Table):
    """A TinyDB table whose writes change the stored table in place (see the module's notes)."""

    document_id_class = str

    def _update_table(self, updater: Callable[[Any], None]) -> None:
        tables = self._storage.read() or {}
        table = _Undoable(tables.setdefault(self.name, {}))
        try:
            updater(table)
        except BaseException:
            table.undo()
            raise
        finally:
            self.clear_cache()
        self._storage.write(tables)


class _Database(TinyDB):
    table_class = _InPlaceTable


class TinyTables:
    """Named tables of JSON documents keyed by string ids, in TinyDB in memory. Writes come as
    journal records (`["put", table, key, doc]`, `["del", table, key]`, `["drop", table, None]`):
    the same records the journal keeps, so loading the journal replays them here."""

    def __init__(self) -> None:
        self._db = _Database(storage=MemoryStorage)
        self._storage = self._db.storage  # the database's one storage, asked for many times a write

    def raw(self, table: str) -> dict[str, Doc]:
        """A table as TinyDB holds it in memory (key -> document): to read, never to change."""
        return (self._storage.read() or {}).get(table) or {}

    def names(self) -> set[str]:
        return self._db.tables()

    def everything(self) -> dict[str, dict[str, Doc]]:
        """Every table as it is held (for a snapshot): to read, never to change."""
        return {name: self.raw(name) for name in self._db.tables()}

    def load(self, tables: dict[str, dict[str, Doc]]) -> None:
        """Start from these tables, stored as they are (fresh from JSON: no copy needed)."""
        self._storage.write(tables)

    def apply(self, record: list) -> tuple[Doc | None, Doc | None] | None:
        """Make one journal record's change: the document before and after it, or None for a
        dropped table."""
        op, table, key = record[0], record[1], record[2]
        docs = self._db.table(table)
        if op == "drop":
            self._db.drop_table(table)
            return None
        before = self.raw(table).get(key)
        if op == "put":
            if before is not None:
                docs.update(_replace_with(record[3]), doc_ids=[key])
            else:
                docs.insert(Document(record[3], key))
        elif op == "del":
            if before is not None:
                docs.remove(doc_ids=[key])
            return before, None
        else:
            raise StoreError(f"unknown journal record {op!r}")
        return before, self.raw(table).get(key)

    def put_back(self, table: str, key: str, before: Doc | None) -> None:
        """A document back to what it was before a write (None: absent)."""
        docs = self._db.table(table)
        if key in self.raw(table):
            docs.remove(doc_ids=[key])
        if before is not None:
            docs.insert(Document(before, key))


def _replace_with(new: Mapping[str, Any]) -> Callable[[dict], None]:
    def transform(doc: dict) -> None:
        doc.clear()
        doc.update(new)

    return transform
