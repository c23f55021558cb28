"""The sorted-order cache: each table's documents in the orders reads ask for, kept from one
read to the next and updated write by write, so a read costs what it returns, not a sort of
everything stored. A stored document is never changed in place (a write stores a new one), so
the kept orders can hold the stored documents themselves."""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from typing import Any, Callable, Mapping, Protocol

from mockexp.store.rows import Rows, key_identity

Doc = dict[str, Any]


class RawTables(Protocol):
    def raw(self, table: str) -> dict[str, Doc]: ...


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


class Orders:
    """Every table's kept orders: its documents in the table's own order (until it changes), and
    sorted by each key function read with (None where an order cannot be kept)."""

    def __init__(self) -> None:
        self._plain: dict[str, Rows] = {}
        self._sorted: dict[str, dict[tuple, _Order | None]] = {}
        self._grouped: dict[str, dict[tuple, dict[tuple, Rows]]] = {}

    def matching(self, table: str, rows: Rows, order: tuple, where: Mapping[str, Any]) -> Rows | None:
        """The rows (a table's kept order `order`) whose fields equal `where`, from an index of
        those rows by those fields, made at the first such read and dropped at the table's next
        write; None where a wanted value cannot be looked up (unhashable)."""
        fields = tuple(sorted(where))
        wanted = tuple(where[field] for field in fields)
        try:
            hash(wanted)
        except TypeError:
            return None
        indexes = self._grouped.setdefault(table, {})
        index = indexes.get((order, fields))
        if index is None:
            index = indexes[order, fields] = _grouped(rows, fields)
        found = index.get(wanted)
        return found if found is not None else Rows((), rows._identity, [] if rows._keys is not None else None)

    def rows(self, tables: RawTables, table: str, order_by: Callable[[Mapping[str, Any]], Any] | None, reverse: bool) -> Rows | None:
        """The whole table in the order asked, kept from earlier reads where it can be; None
        for an order that is not kept."""
        if order_by is None:
            rows = self._plain.get(table)
            if rows is None:
                rows = self._plain[table] = Rows(tables.raw(table).values())  # a copy: dropped at the next write
            return rows
        identity = key_identity(order_by)
        if identity is None:
            return None
        orders = self._sorted.setdefault(table, {})
        if (identity, reverse) not in orders:
            try:
                orders[identity, reverse] = _Order(order_by, identity, reverse, list(tables.raw(table).values()))
            except Exception:  # a key that fails on some document: sort only those wanted, as asked
                orders[identity, reverse] = None
        order = orders[identity, reverse]
        return order.rows() if order is not None else None

    def changed(self, table: str, before: Doc | None, after: Doc | None) -> None:
        """Keep a table's kept orders in step with one write."""
        self._plain.pop(table, None)
        self._grouped.pop(table, None)
        orders = self._sorted.get(table)
        for identity, order in list((orders or {}).items()):
            if order is None or not order.change(before, after):
                del orders[identity]

    def forget(self, table: str) -> None:
        self._plain.pop(table, None)
        self._grouped.pop(table, None)
        self._sorted.pop(table, None)



def _grouped(rows: Rows, fields: tuple[str, ...]) -> dict[tuple, Rows]:
    """`rows` by the values of `fields`, each group in the rows' order, with its sort keys."""
    positions: dict[tuple, list[int]] = {}
    for at, doc in enumerate(rows):
        value = tuple(doc.get(field) for field in fields)
        try:
            positions.setdefault(value, []).append(at)
        except TypeError:  # an unhashable value equals no value a read can look up
            continue
    keys = rows._keys
    return {value: Rows((rows[at] for at in kept), rows._identity, [keys[at] for at in kept] if keys is not None else None)
            for value, kept in positions.items()}
