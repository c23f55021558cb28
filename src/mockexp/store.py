"""State: named tables of JSON documents keyed by string ids.

The one module that knows TinyDB. Documents live in a TinyDB database held in memory;
with a data directory they are also kept on disk (`journal.py`): every committed
transaction is one synced line of the journal before it returns, and a transaction whose
line cannot be written is undone in memory too, so what is served is always what would be
loaded again. Callers get deep copies: changing a returned document never changes the store.

Vendors see the store through `Tables` (`store.vendor("giosg")`, then `.tenant(org_id)`):
the same calls, with table names scoped to the vendor and to a tenant's ids, so one tenant
can never read, change or delete another's documents, whatever keys they share.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import quote

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from mockexp.journal import JOURNAL, SNAPSHOT, DataDirectory, Disk, StoreError, StoreLocked, WriteFailed

Doc = dict[str, Any]

__all__ = ["JOURNAL", "SEQUENCES", "SNAPSHOT", "DuplicateKey", "Store", "StoreError", "StoreLocked", "Tables", "WriteFailed"]

logger = logging.getLogger("mockexp.store")

SEQUENCES = "sequences"  # the counters of `Tables.next_number`


class DuplicateKey(StoreError):
    pass


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


class _Table(Table):
    """Keys are strings already, so a write can change the stored table in place: TinyDB's
    own `_update_table` copies the whole table twice per write to convert keys. An updater
    that fails half-way leaves the table exactly as it was (TinyDB's copy gave that for
    free; here the keys it touched are put back)."""

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
    table_class = _Table


def _copy(doc: Mapping[str, Any]) -> Doc:
    return json.loads(json.dumps(doc, allow_nan=False))


class Store:
    def __init__(self, directory: str | os.PathLike | None = None, *, min_compaction_bytes: int = 1 << 20,
                 disk: Disk | None = None, repair: bool = False) -> None:
        """`directory`: where to keep the data (None: memory only). `repair`: load a journal
        with damaged lines, keeping every intact record (see `journal.py`)."""
        self._db = _Database(storage=MemoryStorage)
        self._lock = threading.RLock()
        self._depth = 0
        self._pending: list[list] = []
        self._undo: list[tuple[str, str, Doc | None]] = []
        self._directory = Path(directory) if directory is not None else None
        self._data: DataDirectory | None = None
        if self._directory is not None:
            self._data = DataDirectory(self._directory, disk=disk, repair=repair, min_compaction_bytes=min_compaction_bytes)
            try:
                self._load()
            except BaseException:
                self.close()
                raise

    # -- opening and closing -------------------------------------------------------------

    @property
    def directory(self) -> Path | None:
        return self._directory

    def _load(self) -> None:
        assert self._data is not None
        try:
            tables, records = self._data.snapshot(), self._data.records()
        except OSError as exc:
            raise StoreError(f"cannot use the data directory {self._directory}: {exc.strerror or exc} ({exc.filename or 'a file in it'})") from None
        for name, docs in tables.items():
            self._db.table(name).insert_multiple(Document(doc, key) for key, doc in docs.items())
        for record in records:
            self._apply(record)
        if self._data.repaired:
            try:
                self.compact()  # the journal holds the damaged lines still: start clean
            except OSError as exc:
                raise StoreError(f"repaired {self._directory}, but could not write the clean snapshot: {exc}") from None

    def close(self) -> None:
        with self._lock:
            if self._data is not None:
                self._data.close()

    # -- views -------------------------------------------------------------------------------

    def vendor(self, name: str) -> "Tables":
        """The tables of one vendor."""
        return Tables(self, name)

    # -- reading ---------------------------------------------------------------------------

    def get(self, table: str, key: str) -> Doc | None:
        with self._lock:
            doc = self._db.table(table).get(doc_id=key)
            return _copy(doc) if doc is not None else None

    def query(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Doc]:
        """Documents whose fields equal `where` and pass `test`, sorted by `order_by`
        (`reverse`), at most `limit` (the options of `view`), as copies."""
        with self._lock:
            return [_copy(d) for d in self.view(table, where, **options)]

    def view(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        *,
        test: Callable[[Mapping[str, Any]], bool] | None = None,
        order_by: Callable[[Mapping[str, Any]], Any] | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Mapping[str, Any]]:
        """Documents whose fields equal `where` and pass `test`, sorted, at most `limit`:
        the stored documents themselves, not copies, to read (a long list of which only a page
        will be shown). `test` and `order_by` see them too. They must not be changed; a later
        write stores a new document and leaves these as they were."""
        with self._lock:
            docs: list[Mapping[str, Any]] = list(self._db.table(table))
            if where:
                docs = [d for d in docs if all(d.get(k) == v for k, v in where.items())]
            if test is not None:
                docs = [d for d in docs if test(d)]
            if order_by is not None:
                docs.sort(key=order_by, reverse=reverse)
            return docs[:limit] if limit is not None else docs

    def count(self, table: str) -> int:
        with self._lock:
            return len(self._db.table(table))

    def items(self, table: str) -> list[tuple[str, Doc]]:
        """Every (key, document) of a table."""
        with self._lock:
            return [(doc.doc_id, _copy(doc)) for doc in self._db.table(table)]

    def tables(self) -> list[str]:
        with self._lock:
            return sorted(self._db.tables())

    # -- writing ---------------------------------------------------------------------------

    def insert(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        with self.transaction():
            if self._db.table(table).contains(doc_id=key):
                raise DuplicateKey(f"{table}/{key} already exists")
            return self._put(table, key, doc)

    def replace(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        """Store `doc` under `key`, whether or not something was there."""
        with self.transaction():
            return self._put(table, key, doc)

    def delete(self, table: str, key: str) -> bool:
        with self.transaction():
            before = self._db.table(table).get(doc_id=key)
            if before is None:
                return False
            self._record(["del", table, key], (table, key, _copy(before)))
            return True

    def drop(self, table: str) -> None:
        """Remove every document of a table."""
        with self.transaction():
            before = [(doc.doc_id, _copy(doc)) for doc in self._db.table(table)]
            self._apply(["drop", table, None])
            self._pending.append(["drop", table, None])
            self._undo.extend((table, key, doc) for key, doc in before)

    def _put(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        stored = _copy(doc)
        before = self._db.table(table).get(doc_id=key)
        self._record(["put", table, key, stored], (table, key, _copy(before) if before is not None else None))
        return _copy(stored)

    def _record(self, record: list, undo: tuple[str, str, Doc | None]) -> None:
        self._apply(record)
        self._pending.append(record)
        self._undo.append(undo)

    def _apply(self, record: list) -> None:
        op, table, key = record[0], record[1], record[2]
        docs = self._db.table(table)
        if op == "put":
            if docs.contains(doc_id=key):
                docs.update(_replace_with(record[3]), doc_ids=[key])
            else:
                docs.insert(Document(record[3], key))
        elif op == "del":
            if docs.contains(doc_id=key):
                docs.remove(doc_ids=[key])
        elif op == "drop":
            self._db.drop_table(table)
        else:
            raise StoreError(f"unknown journal record {op!r}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All writes inside take effect together, or (on an exception) not at all."""
        with self._lock:
            self._depth += 1
            try:
                yield self
            except BaseException:
                if self._depth == 1:
                    self._rollback()
                raise
            else:
                if self._depth == 1:
                    self._commit()
            finally:
                self._depth -= 1

    def _rollback(self) -> None:
        for table, key, before in reversed(self._undo):
            docs = self._db.table(table)
            if docs.contains(doc_id=key):
                docs.remove(doc_ids=[key])
            if before is not None:
                docs.insert(Document(before, key))
        self._pending.clear()
        self._undo.clear()

    def _commit(self) -> None:
        if not self._pending or self._data is None:
            self._pending, self._undo = [], []
            return
        try:
            self._data.append(self._pending)
        except (WriteFailed, ValueError):
            self._rollback()
            raise
        self._pending, self._undo = [], []
        if self._data.wants_compaction():
            try:
                self.compact()
            except OSError as exc:
                logger.warning("could not rewrite the snapshot of %s (%s); the journal keeps every write, and the rewrite is tried again later", self._directory, exc)
                self._data.compact_later()

    def compact(self) -> None:
        """Write the whole state as a new snapshot and empty the journal (raises OSError if
        the rewrite fails; nothing is lost then, the journal still holds everything)."""
        if self._data is None:
            return
        with self._lock:
            self._data.compact({name: {doc.doc_id: doc for doc in self._db.table(name)} for name in self._db.tables()})


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

    def tenant(self, *ids: Any) -> "Tables":
        """The tables of one tenant (an organization, a project, a project's environment...)."""
        return Tables(self.store, self.vendor, self.ids + tuple(str(part) for part in ids))

    def name(self, table: str) -> str:
        return f"{self._prefix}{table}{self._suffix}"

    def get(self, table: str, key: str) -> Doc | None:
        return self.store.get(self.name(table), key)

    def query(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Doc]:
        return self.store.query(self.name(table), where, **options)

    def view(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Mapping[str, Any]]:
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
            current = (self.get(SEQUENCES, kind) or {"next": 1})["next"]
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


def _replace_with(new: Doc) -> Callable[[dict], None]:
    def transform(doc: dict) -> None:
        doc.clear()
        doc.update(new)

    return transform
