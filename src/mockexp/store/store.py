"""The store: named tables of JSON documents keyed by string ids, read and written.

Documents live in TinyDB in memory (`tinydb_adapter.py`); with a data directory they are also
kept on disk (`persistence.py`): every committed transaction is one synced line of the journal
before it returns, and a transaction whose line cannot be written is undone in memory too
(`transactions.py`), so what is served is always what would be loaded again. Callers get deep
copies (`copies.py`): changing a returned document never changes the store.

Reads cost what they return, not what is stored: they read TinyDB's tables directly and copy
only the documents they hand out. A stored document is never changed in place (a write stores
a new one), so `view` can hand out the stored documents themselves, and each table keeps its
sorted orders (`orders.py`) from one read to the next, updated write by write.

The store counts its writes per vendor (`changes`): an answer made from a vendor's documents
can be kept until the count moves (`kept_reads.py`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from pathlib import Path
from typing import Any, Callable, Mapping

from mockexp.journal import Disk, StoreError
from mockexp.store.copies import clone, stored_copy
from mockexp.store.orders import Orders
from mockexp.store.persistence import Persistence
from mockexp.store.rows import Rows, key_identity
from mockexp.store.tables import Tables
from mockexp.store.tinydb_adapter import TinyTables
from mockexp.store.transactions import Transactions

Doc = dict[str, Any]


class DuplicateKey(StoreError):
    pass


class Store:
    def __init__(self, directory: str | os.PathLike | None = None, *, min_compaction_bytes: int = 1 << 20,
                 disk: Disk | None = None, repair: bool = False) -> None:
        """`directory`: where to keep the data (None: memory only). `repair`: load a journal
        with damaged lines, keeping every intact record (see `journal.py`)."""
        self._tables = TinyTables()
        self._orders = Orders()
        self._lock = threading.RLock()
        self._writes = itertools.count(1)
        self._changed: dict[str, int] = {}  # vendor -> the number of the store's latest write to it
        self._latest = 0
        self._directory = Path(directory) if directory is not None else None
        self._kept: Persistence | None = None
        if self._directory is not None:
            self._kept = Persistence(self._directory, self._tables, min_compaction_bytes=min_compaction_bytes, disk=disk, repair=repair)
        kept = self._kept
        self._transactions = Transactions(self, self._lock, self._put_back, kept.save if kept else None, kept.compact_if_due if kept else None)

    # -- opening and closing -------------------------------------------------------------

    @property
    def directory(self) -> Path | None:
        return self._directory

    def close(self) -> None:
        with self._lock:
            if self._kept is not None:
                self._kept.close()

    # -- views -------------------------------------------------------------------------------

    def vendor(self, name: str) -> Tables:
        """The tables of one vendor."""
        return Tables(self, name)

    # -- reading ---------------------------------------------------------------------------

    def _raw(self, table: str) -> dict[str, Doc]:
        """A table as stored (key -> document): to read, never to change."""
        return self._tables.raw(table)

    def get(self, table: str, key: str) -> Doc | None:
        with self._lock:
            doc = self._tables.raw(table).get(key)
            return clone(doc) if doc is not None else None

    def peek(self, table: str, key: str) -> Doc | None:
        """The stored document itself, not a copy, as `view` gives its rows: to read (or to
        send as it is), never to change. For the lookups a request makes many of."""
        with self._lock:
            return self._tables.raw(table).get(key)

    def query(self, table: str, where: Mapping[str, Any] | None = None, **options: Any) -> list[Doc]:
        """Documents whose fields equal `where` and pass `test`, sorted by `order_by`
        (`reverse`), at most `limit` (the options of `view`), as copies."""
        with self._lock:
            return [clone(d) for d in self.view(table, where, **options)]

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
            rows = self._orders.rows(self._tables, table, order_by, reverse)
            if rows is None:  # an order that is not kept: filter, then sort
                docs = [d for d in self._tables.raw(table).values() if _wanted(d, where, test)]
                docs.sort(key=order_by, reverse=reverse)
                rows = Rows(docs)
            else:
                matching = self._orders.matching(table, rows, (key_identity(order_by) if order_by else None, reverse), where) if where else None
                if matching is not None:
                    rows, where = matching, None
                if where or test is not None:
                    rows = rows.filtered(lambda d: _wanted(d, where, test))
            return Rows(rows[:limit]) if limit is not None else rows

    def count(self, table: str) -> int:
        with self._lock:
            return len(self._tables.raw(table))

    def items(self, table: str) -> list[tuple[str, Doc]]:
        """Every (key, document) of a table."""
        with self._lock:
            return [(key, clone(doc)) for key, doc in self._tables.raw(table).items()]

    def tables(self) -> list[str]:
        with self._lock:
            return sorted(self._tables.names())

    def changes(self, vendor: str) -> int:
        """A number that moves at every write to the vendor's tables (committed or undone): the
        number of the store's latest write to them."""
        return self._changed.get(vendor, 0)

    def written(self) -> int:
        """The number of the store's latest write (to any vendor)."""
        return self._latest

    def _count_write(self, table: str) -> None:
        self._latest = self._changed[_vendor_of(table)] = next(self._writes)

    # -- writing ---------------------------------------------------------------------------

    def insert(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        with self.transaction():
            if key in self._tables.raw(table):
                raise DuplicateKey(f"{table}/{key} already exists")
            return self._put(table, key, doc)

    def replace(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        """Store `doc` under `key`, whether or not something was there."""
        with self.transaction():
            return self._put(table, key, doc)

    def delete(self, table: str, key: str) -> bool:
        with self.transaction():
            before = self._tables.raw(table).get(key)
            if before is None:
                return False
            record = ["del", table, key]
            self._write(record)
            self._transactions.record(record, (table, key, before))
            return True

    def drop(self, table: str) -> None:
        """Remove every document of a table."""
        with self.transaction():
            before = list(self._tables.raw(table).items())  # stored documents are never changed in place
            self._write(["drop", table, None])
            self._transactions.record_all(["drop", table, None], [(table, key, doc) for key, doc in before])

    def _put(self, table: str, key: str, doc: Mapping[str, Any]) -> Doc:
        stored = stored_copy(doc)
        record = ["put", table, key, stored]
        before, _ = self._write(record)
        self._transactions.record(record, (table, key, before))
        return clone(stored)

    def _write(self, record: list) -> tuple[Doc | None, Doc | None]:
        """Make one write in memory, and keep the table's kept orders in step: the document
        before and after it ((None, None) for a dropped table)."""
        self._count_write(record[1])
        change = self._tables.apply(record)
        if change is None:
            self._orders.forget(record[1])
            return None, None
        self._orders.changed(record[1], *change)
        return change

    def _put_back(self, table: str, key: str, before: Doc | None) -> None:
        self._count_write(table)
        self._tables.put_back(table, key, before)
        self._orders.forget(table)

    def transaction(self) -> contextlib.AbstractContextManager["Store"]:
        """All writes inside take effect together, or (on an exception) not at all."""
        return self._transactions.transaction()

    def compact(self) -> None:
        """Write the whole state as a new snapshot and empty the journal (raises OSError if
        the rewrite fails; nothing is lost then, the journal still holds everything)."""
        if self._kept is None:
            return
        with self._lock:
            self._kept.compact()


def _vendor_of(table: str) -> str:
    return table.partition(".")[0]  # `Tables` names a vendor's tables `<vendor>.<table>...`


def _wanted(doc: Mapping[str, Any], where: Mapping[str, Any] | None, test: Callable[[Mapping[str, Any]], bool] | None) -> bool:
    return (not where or all(doc.get(k) == v for k, v in where.items())) and (test is None or test(doc))
