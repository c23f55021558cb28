"""Persistence: a store's tables kept in a data directory (`journal.py`: the snapshot, the
journal and the lock). Loading reads the snapshot and replays the journal; every committed
transaction is one synced journal line before it returns; when the journal outgrows the
snapshot, the whole state is written as a new snapshot."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from mockexp.journal import DataDirectory, Disk, StoreError
from mockexp.store.tinydb_adapter import TinyTables

logger = logging.getLogger("mockexp.store")


class Persistence:
    """The data directory of `tables`: opening it loads them (`repair`: load a journal with
    damaged lines, keeping every intact record, see `journal.py`)."""

    def __init__(self, directory: Path, tables: TinyTables, *, min_compaction_bytes: int, disk: Disk | None, repair: bool) -> None:
        self.directory = directory
        self._tables = tables
        self._data = DataDirectory(directory, disk=disk, repair=repair, min_compaction_bytes=min_compaction_bytes)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

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
        try:
            tables, records = self._data.snapshot(), self._data.records()
        except OSError as exc:
            raise StoreError(f"cannot use the data directory {self.directory}: {exc.strerror or exc} ({exc.filename or 'a file in it'})") from None
        self._tables.load(tables)
        for record in records:
            self._tables.apply(record)
        if self._data.repaired:
            try:
                self.compact()  # the journal holds the damaged lines still: start clean
            except OSError as exc:
                raise StoreError(f"repaired {self.directory}, but could not write the clean snapshot: {exc}") from None

    def save(self, records: list) -> None:
        """One transaction's records as one synced journal line (`WriteFailed` if the disk
        would not take it: the journal is left as it was)."""
        self._data.append(records)

    def compact_if_due(self) -> None:
        """After a commit: a new snapshot when the journal has outgrown the last one. A rewrite
        that fails is logged and tried again later; the journal keeps every write meanwhile."""
        if not self._data.wants_compaction():
            return
        try:
            self.compact()
        except OSError as exc:
            logger.warning("could not rewrite the snapshot of %s (%s); the journal keeps every write, and the rewrite is tried again later", self.directory, exc)
            self._data.compact_later()

    def compact(self) -> None:
        """Write the whole state as a new snapshot and empty the journal (raises OSError if
        the rewrite fails; nothing is lost then, the journal still holds everything)."""
        self._data.compact(self._tables.everything())

    def close(self) -> None:
        self._data.close()

