"""Transactions with undo: writes are made at once and remembered, with what each replaced;
the outermost transaction's end makes them durable together, or puts back what they replaced
(on an exception inside, or when they cannot be made durable), so nothing of it stays."""

from __future__ import annotations

import threading
from typing import Any, Callable, Generic, TypeVar

from mockexp.journal import WriteFailed

Doc = dict[str, Any]
Undo = tuple[str, str, "Doc | None"]  # table, key, the document before (None: absent)
T = TypeVar("T")


class Transactions(Generic[T]):
    """The writes of the transaction under way, on behalf of `owner` (what `transaction()`
    yields). `put_back(table, key, before)` undoes one write; `save(records)` makes a
    transaction's records durable (raising `WriteFailed` or `ValueError` if it cannot: they are
    undone then) and `saved()` follows a durable commit. Without `save` (a store in memory)
    commits keep nothing."""

    def __init__(self, owner: T, lock: threading.RLock, put_back: Callable[[str, str, Doc | None], None],
                 save: Callable[[list], None] | None = None, saved: Callable[[], None] | None = None) -> None:
        self._owner, self._lock = owner, lock
        self._put_back, self._save, self._saved = put_back, save, saved
        self._depth = 0
        self._pending: list[list] = []
        self._undo: list[Undo] = []

    def record(self, record: list, undo: Undo) -> None:
        """A write just made: its journal record, and how to undo it."""
        self._pending.append(record)
        self._undo.append(undo)

    def record_all(self, record: list, undo: list[Undo]) -> None:
        """A write of many documents at once (a dropped table)."""
        self._pending.append(record)
        self._undo.extend(undo)

    def transaction(self) -> "_Transaction[T]":
        """All writes inside take effect together, or (on an exception) not at all."""
        return _Transaction(self)

    def rollback(self) -> None:
        for table, key, before in reversed(self._undo):
            self._put_back(table, key, before)
        self._pending.clear()
        self._undo.clear()

    def _commit(self) -> None:
        if not self._pending or self._save is None:
            self._pending, self._undo = [], []
            return
        try:
            self._save(self._pending)
        except (WriteFailed, ValueError):
            self.rollback()
            raise
        self._pending, self._undo = [], []
        if self._saved is not None:
            self._saved()


class _Transaction(Generic[T]):
    """One `with` block of a transaction (a class, not a generator: a write opens several,
    nested, and a generator's context manager costs a few times more)."""

    __slots__ = ("_of",)

    def __init__(self, of: Transactions[T]) -> None:
        self._of = of

    def __enter__(self) -> T:
        of = self._of
        of._lock.acquire()
        of._depth += 1
        return of._owner

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        of = self._of
        try:
            if of._depth == 1:
                if kind is None:
                    of._commit()
                else:
                    of.rollback()
        finally:
            of._depth -= 1
            of._lock.release()
