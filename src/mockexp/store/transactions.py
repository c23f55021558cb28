"""Transactions with undo: writes are made at once and remembered, with what each replaced;
the outermost transaction's end makes them durable together, or puts back what they replaced
(on an exception inside, or when they cannot be made durable), so nothing of it stays."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Generic, Iterator, TypeVar

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

    @contextlib.contextmanager
    def transaction(self) -> Iterator[T]:
        """All writes inside take effect together, or (on an exception) not at all."""
        with self._lock:
            self._depth += 1
            try:
                yield self._owner
            except BaseException:
                if self._depth == 1:
                    self.rollback()
                raise
            else:
                if self._depth == 1:
                    self._commit()
            finally:
                self._depth -= 1

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
