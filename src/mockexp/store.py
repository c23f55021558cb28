"""State: named tables of JSON documents keyed by string ids.

The one module that knows TinyDB. Documents live in a TinyDB database held in memory;
with a data directory they are also kept on disk (`journal.py`): every committed
transaction is one synced line of the journal before it returns, and a transaction whose
line cannot be written is undone in memory too, so what is served is always what would be
loaded again. Callers get deep copies: changing a returned document never changes the store.

Reads cost what they return, not what is stored: they read TinyDB's tables (plain dicts in
memory) directly, without building a TinyDB `Document` per stored object, and copy only the
documents they hand out. A stored document is never changed in place (a write stores a new
one), so `view` can hand out the stored documents themselves, and each table keeps its sorted
orders (`_Order`) from one read to the next, updated write by write.

Vendors see the store through `Tables` (`store.vendor("giosg")`, then `.tenant(org_id)`):
the same calls, with table names scoped to the vendor and to a tenant's ids, so one tenant
can never read, change or delete another's documents, whatever keys they share.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import logging
import os
import sys
import threading
import types
from bisect import bisect_left, bisect_right
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import quote

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from mockexp.journal import JOURNAL, SNAPSHOT, DataDirectory, Disk, StoreError, StoreLocked, WriteFailed

Doc = dict[str, Any]

__all__ = ["JOURNAL", "SEQUENCES", "SNAPSHOT", "DuplicateKey", "Rows", "Store", "StoreError", "StoreLocked", "Tables", "WriteFailed"]

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
    """A copy that is plain JSON (what is stored: checks that it can be written)."""
    return json.loads(json.dumps(doc, allow_nan=False))


def _clone(value: Any) -> Any:
    """A deep copy of stored JSON (dicts, lists and immutable scalars), a few times cheaper than
    a JSON round trip."""
    kind = type(value)
    if kind is dict:
        return {key: _clone(item) for key, item in value.items()}
    if kind is list:
        return [_clone(item) for item in value]
    return value


class Rows(list):
    """Stored documents as `view` returns them: a list that refuses changes (copy it, with
    `list(rows)`, to change it). A sorted table's rows are the store's kept order itself, handed
    out without a copy: a write that finds them still held elsewhere moves the kept order to a
    new list first, so rows once handed out never change. When they come sorted by a key
    function, `keys_for(that function)` gives the sort key of each, already worked out."""

    def __init__(self, docs: Any = (), identity: Any = None, keys: list | None = None) -> None:
        list.__init__(self, docs)
        self._identity, self._keys = identity, keys

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("rows from Store.view are read-only: change a copy (list(rows))")

    append = extend = insert = sort = reverse = pop = remove = clear = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo: dict) -> list:
        return copy.deepcopy(list(self), memo)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (list, (list(self),))

    def keys_for(self, key: Callable[[Any], Any] | None) -> list | None:
        identity = _identity(key) if key is not None else None
        return self._keys if identity is not None and identity == self._identity else None

    def filtered(self, wanted: Callable[[Mapping[str, Any]], bool]) -> "Rows":
        if self._keys is None:
            return Rows(doc for doc in self if wanted(doc))
        kept = [(doc, key) for doc, key in zip(self, self._keys) if wanted(doc)]
        return Rows((doc for doc, _ in kept), self._identity, [key for _, key in kept])


def _identity(key: Callable[[Any], Any]) -> Any:
    """What makes a sort key function the same from one call to the next: its code, for a plain
    function without closure or defaults (a module's function, or a lambda that reads only the
    document); None for any other (its order is not kept)."""
    if type(key) is not types.FunctionType or key.__closure__ or key.__defaults__ or key.__kwdefaults__:
        return None
    return key.__code__


class _Descending:
    """A sort key compared the other way round (to search a list sorted in reverse)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: "_Descending") -> bool:
        return other.value < self.value


class _Order:
    """One table's documents sorted by one key function (as `sorted(..., key, reverse)` would:
    stable, documents with equal keys in the table's order), kept from read to read and updated
    by each write (O(log n) to find the place, a list insert or delete to move the rest)."""

    def __init__(self, key: Callable[[Any], Any], identity: Any, reverse: bool, docs: list) -> None:
        keys = [key(doc) for doc in docs]
        index = sorted(range(len(docs)), key=keys.__getitem__, reverse=reverse)
        self.key, self.identity, self.reverse = key, identity, reverse
        self.docs = Rows((docs[i] for i in index), identity, [keys[i] for i in index])

    @property
    def keys(self) -> list:
        return self.docs._keys

    def rows(self) -> Rows:
        return self.docs

    def _own(self) -> None:
        """Before a change: if the rows handed out are still held (by a caller, beyond this
        order's own reference), keep them as they are and go on with a copy."""
        if sys.getrefcount(self.docs) > 2 or sys.getrefcount(self.docs._keys) > 2:
            self.docs = Rows(self.docs, self.identity, list(self.docs._keys))

    def _bounds(self, key: Any) -> tuple[int, int]:
        """Where documents with this key are (a new one goes at the end of them)."""
        if self.reverse:
            mark = _Descending(key)
            return bisect_left(self.keys, mark, key=_Descending), bisect_right(self.keys, mark, key=_Descending)
        return bisect_left(self.keys, key), bisect_right(self.keys, key)

    def change(self, old: Doc | None, new: Doc | None) -> bool:
        """Follow a write (`old` replaced by `new`, either None); False if it cannot (the
        order is dropped then, and sorted again when next read)."""
        self._own()
        docs, keys = self.docs, self.keys
        try:
            if old is None:
                if new is not None:  # a new key: last in the table's order
                    key = self.key(new)
                    at = self._bounds(key)[1]
                    list.insert(docs, at, new)
                    keys.insert(at, key)
                return True
            key = self.key(old)
            low, high = self._bounds(key)
            at = next(i for i in range(low, high) if docs[i] is old)
            if new is None:
                list.__delitem__(docs, at)
                del keys[at]
                return True
            if self.key(new) == key:
                list.__setitem__(docs, at, new)
                return True
            return False  # it moves: its place among equal keys depends on its age, so sort again
        except Exception:  # a key that fails or does not compare: sorting again raises it, as before
            return False


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
        self._plain: dict[str, Rows] = {}  # a table's documents in its order, until it changes
        self._orders: dict[str, dict[tuple, _Order | None]] = {}  # a table's sorted orders (None: cannot be kept)
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
        """Read the snapshot and the journal. Python's cycle collector is off meanwhile: the
        documents hold no cycles, and collecting while millions of small objects are made
        would scan them again and again (it made a load four times slower at 100,000)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._read()
        finally:
            if collecting:
                gc.enable()

    def _read(self) -> None:
        assert self._data is not None
        try:
            tables, records = self._data.snapshot(), self._data.records()
        except OSError as exc:
            raise StoreError(f"cannot use the data directory {self._directory}: {exc.strerror or exc} ({exc.filename or 'a file in it'})") from None
        self._db.storage.write(tables)  # fresh from JSON: stored as they are, without a copy each
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

    def _raw(self, table: str) -> dict[str, Doc]:
        """A table as TinyDB holds it in memory (key -> document): to read, never to change."""
        return (self._db.storage.read() or {}).get(table) or {}

    def get(self, table: str, key: str) -> Doc | None:
        with self._lock:
            doc = self._raw(table).get(key)
            return _clone(doc) if doc is not None else None

    def peek(self, table: str, key: str) -> Doc | None:
        """The stored document itself, not a copy, as `view` gives its rows: to read (or to
        send as it is), never to change. For the lookups a request makes many of."""
        with self._lock:
            return self._raw(table).get(key)

    def query(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Doc]:
        """Documents whose fields equal `where` and pass `test`, sorted by `order_by`
        (`reverse`), at most `limit` (the options of `view`), as copies."""
        with self._lock:
            return [_clone(d) for d in self.view(table, where, **options)]

    def view(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        *,
        test: Callable[[Mapping[str, Any]], bool] | None = None,
        order_by: Callable[[Mapping[str, Any]], Any] | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> Rows:
        """Documents whose fields equal `where` and pass `test`, sorted, at most `limit`:
        the stored documents themselves, not copies, to read (a long list of which only a page
        will be shown), in a read-only sequence. `test` and `order_by` see them too. They must
        not be changed; a later write stores a new document and leaves these as they were.

        An `order_by` that is a plain function without closure (a module's function, or a
        lambda reading only the document) must depend on the document alone: its order is
        kept until the table changes, and then updated rather than sorted again. Documents are
        filtered after sorting then, so `order_by` sees every document of the table."""
        with self._lock:
            rows = self._sorted(table, order_by, reverse)
            if rows is None:  # an order that is not kept: filter, then sort
                docs = [d for d in self._raw(table).values() if _wanted(d, where, test)]
                docs.sort(key=order_by, reverse=reverse)
                rows = Rows(docs)
            elif where or test is not None:
                rows = rows.filtered(lambda d: _wanted(d, where, test))
            return Rows(rows[:limit]) if limit is not None else rows

    def _sorted(self, table: str, order_by: Callable[[Mapping[str, Any]], Any] | None, reverse: bool) -> Rows | None:
        """The whole table in the order asked, kept from earlier reads where it can be; None
        for an order that is not kept."""
        if order_by is None:
            rows = self._plain.get(table)
            if rows is None:
                rows = self._plain[table] = Rows(self._raw(table).values())  # a copy: dropped at the next write
            return rows
        identity = _identity(order_by)
        if identity is None:
            return None
        orders = self._orders.setdefault(table, {})
        if (identity, reverse) not in orders:
            try:
                orders[identity, reverse] = _Order(order_by, identity, reverse, list(self._raw(table).values()))
            except Exception:  # a key that fails on some document: sort only those wanted, as asked
                orders[identity, reverse] = None
        order = orders[identity, reverse]
        return order.rows() if order is not None else None

    def count(self, table: str) -> int:
        with self._lock:
            return len(self._raw(table))

    def items(self, table: str) -> list[tuple[str, Doc]]:
        """Every (key, document) of a table."""
        with self._lock:
            return [(key, _clone(doc)) for key, doc in self._raw(table).items()]

    def tables(self) -> list[str]:
        with self._lock:
            return sorted(self._db.tables())

    # -- writing ---------------------------------------------------------------------------

    def insert(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        with self.transaction():
            if key in self._raw(table):
                raise DuplicateKey(f"{table}/{key} already exists")
            return self._put(table, key, doc)

    def replace(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        """Store `doc` under `key`, whether or not something was there."""
        with self.transaction():
            return self._put(table, key, doc)

    def delete(self, table: str, key: str) -> bool:
        with self.transaction():
            before = self._raw(table).get(key)
            if before is None:
                return False
            self._record(["del", table, key], (table, key, before))
            return True

    def drop(self, table: str) -> None:
        """Remove every document of a table."""
        with self.transaction():
            before = list(self._raw(table).items())  # stored documents are never changed in place
            self._apply(["drop", table, None])
            self._pending.append(["drop", table, None])
            self._undo.extend((table, key, doc) for key, doc in before)

    def _put(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        stored = _copy(doc)
        before = self._raw(table).get(key)
        self._record(["put", table, key, stored], (table, key, before))
        return _clone(stored)

    def _record(self, record: list, undo: tuple[str, str, Doc | None]) -> None:
        self._apply(record)
        self._pending.append(record)
        self._undo.append(undo)

    def _apply(self, record: list) -> None:
        op, table, key = record[0], record[1], record[2]
        docs = self._db.table(table)
        before = self._raw(table).get(key) if op != "drop" else None
        if op == "put":
            if before is not None:
                docs.update(_replace_with(record[3]), doc_ids=[key])
            else:
                docs.insert(Document(record[3], key))
        elif op == "del":
            if before is not None:
                docs.remove(doc_ids=[key])
        elif op == "drop":
            self._db.drop_table(table)
            self._forget(table)
            return
        else:
            raise StoreError(f"unknown journal record {op!r}")
        self._changed(table, before, self._raw(table).get(key))

    def _changed(self, table: str, before: Doc | None, after: Doc | None) -> None:
        """Keep a table's kept orders in step with one write."""
        self._plain.pop(table, None)
        orders = self._orders.get(table)
        for identity, order in list((orders or {}).items()):
            if order is None or not order.change(before, after):
                del orders[identity]

    def _forget(self, table: str) -> None:
        self._plain.pop(table, None)
        self._orders.pop(table, None)

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
            if key in self._raw(table):
                docs.remove(doc_ids=[key])
            if before is not None:
                docs.insert(Document(before, key))
            self._forget(table)
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
            self._data.compact({name: self._raw(name) for name in self._db.tables()})


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


def _wanted(doc: Mapping[str, Any], where: Mapping[str, Any] | None, test: Callable[[Mapping[str, Any]], bool] | None) -> bool:
    return (not where or all(doc.get(k) == v for k, v in where.items())) and (test is None or test(doc))


def _replace_with(new: Doc) -> Callable[[dict], None]:
    def transform(doc: dict) -> None:
        doc.clear()
        doc.update(new)

    return transform
