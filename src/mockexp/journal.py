"""A store's data directory: the snapshot, the journal and the lock, and what is done when
the disk misbehaves.

* A commit appends one JSON line to `journal.jsonl` and syncs it before the write is
  acknowledged. If the append or the sync fails (a full disk, an I/O error), the journal is
  cut back to where the line began and the caller is told (`WriteFailed`): nothing of a
  failed write stays, and the next write starts on a clean end. A cut that fails itself is
  retried before the next append.
* When the journal outgrows the snapshot, the whole state is written to `store.json.tmp`,
  synced and renamed over `store.json`, then the journal is emptied. A rewrite that fails
  (no room for the temporary file) is logged, its temporary file removed, and tried again
  later; the writes themselves are safe in the journal meanwhile.
* At start-up, a leftover temporary file is removed; a torn last line (a crash mid-append: it
  has no newline, so it was never acknowledged) is dropped and logged; a damaged line with
  more after it is real damage: loading stops naming the line, unless `repair` keeps every
  intact record and moves the damaged lines to `journal.damaged.jsonl`.

All file access goes through `Disk`, so tests can make a disk that fills up or fails.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any

SNAPSHOT = "store.json"
JOURNAL = "journal.jsonl"
DAMAGED = "journal.damaged.jsonl"
LOCK = "lock"
OPS = ("put", "del", "drop")
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

logger = logging.getLogger("mockexp.store")


class StoreError(Exception):
    pass


class StoreLocked(StoreError):
    pass


class WriteFailed(StoreError):
    """A write that was not made durable, and was undone: the disk is full, or failing."""

    def __init__(self, cause: OSError) -> None:
        self.disk_full = cause.errno in FULL
        what = "the disk is full" if self.disk_full else f"the disk failed ({os.strerror(cause.errno) if cause.errno else cause})"
        super().__init__(f"The change was not saved: {what}. Nothing was changed.")


class Disk:
    """The file operations a data directory uses (a seam for tests)."""

    def open_append(self, path: Path) -> int:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, fd: int, data: bytes) -> int:
        return os.write(fd, data)

    def sync(self, fd: int) -> None:
        os.fdatasync(fd)

    def truncate(self, fd: int, size: int) -> None:
        os.ftruncate(fd, size)

    def close(self, fd: int) -> None:
        os.close(fd)

    def write_file(self, path: Path, data: bytes) -> None:
        with open(path, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())

    def replace(self, source: Path, target: Path) -> None:
        os.replace(source, target)

    def sync_directory(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove(self, path: Path) -> None:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


class DataDirectory:
    def __init__(self, path: Path, *, disk: Disk | None = None, repair: bool = False, min_compaction_bytes: int = 1 << 20) -> None:
        self.path = path
        self.disk = disk or Disk()
        self.repair = repair
        self.min_compaction_bytes = min_compaction_bytes
        self.snapshot_bytes = 0
        self.journal_bytes = 0
        self._fd: int | None = None
        self._lock_file = None
        self._cut_to: int | None = None  # where the journal must be cut back to before the next append
        self._next_compaction = 0
        self.repaired = False
        try:
            self._open()
        except OSError as exc:
            self.close()
            raise StoreError(f"cannot use the data directory {path}: {exc.strerror or exc}") from None
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.path / LOCK, "a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            raise StoreLocked(f"{self.path} is in use by another mockexp process") from None
        tmp = self.path / (SNAPSHOT + ".tmp")
        if tmp.exists():
            logger.warning("removed %s, left over from a snapshot rewrite that did not finish", tmp)
            self.disk.remove(tmp)

    # -- loading --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """The tables of the snapshot (empty if there is none yet)."""
        snapshot = self.path / SNAPSHOT
        if not snapshot.exists():
            return {}
        raw = snapshot.read_bytes()
        self.snapshot_bytes = len(raw)
        try:
            tables = json.loads(raw)["tables"]
            if not isinstance(tables, dict) or not all(isinstance(docs, dict) for docs in tables.values()):
                raise TypeError("tables is not a mapping of tables")
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{snapshot} is not a mockexp snapshot: {exc}") from None
        return tables

    def records(self) -> list[list]:
        """Every record of the journal, in order; see the module's notes on damage. Opens the
        journal for appending."""
        journal = self.path / JOURNAL
        data = journal.read_bytes() if journal.exists() else b""
        lines = data.split(b"\n")
        complete, torn = lines[:-1], lines[-1]
        parsed = [_parse(line) for line in complete]
        damaged = [index for index, (records, _) in enumerate(parsed) if records is None]
        if damaged and not self.repair:
            first = damaged[0]
            following = sum(len(records) for records, _ in parsed[first + 1:] if records is not None)
            raise StoreError(f"{journal}: line {first + 1} is damaged ({parsed[first][1]}); {following} records on {len(complete) - first - 1} lines follow it. "
                             f"Start with --repair to keep every intact record and move the damaged lines to {self.path / DAMAGED}.")
        good = len(data) - len(torn)
        if torn:
            logger.warning("%s: dropped a torn last line of %d bytes (a write cut off by a crash; it was never acknowledged)", journal, len(torn))
        if damaged:
            self._set_aside([complete[index] for index in damaged], journal, damaged)
        self._fd = self.disk.open_append(journal)
        if torn:
            self.disk.truncate(self._fd, good)
        self.journal_bytes = good
        return [record for records, _ in parsed for record in records or []]

    def _set_aside(self, lines: list[bytes], journal: Path, damaged: list[int]) -> None:
        with open(self.path / DAMAGED, "ab") as side:
            side.write(b"".join(line + b"\n" for line in lines))
        self.repaired = True
        logger.warning("%s: repaired: moved %d damaged lines (%s) to %s and kept every intact record",
                       journal, len(lines), ", ".join(str(index + 1) for index in damaged), self.path / DAMAGED)

    # -- writing --------------------------------------------------------------------------

    def append(self, records: list) -> None:
        """Add one line to the journal and sync it; on failure leave the journal as it was."""
        if self._fd is None:
            raise StoreError("the journal is closed")
        if self._cut_to is not None:
            self._cut_back(self._cut_to)
        line = (json.dumps(records, separators=(",", ":"), allow_nan=False) + "\n").encode()
        start = self.journal_bytes
        try:
            view = memoryview(line)
            while view:
                written = self.disk.write(self._fd, view)
                view = view[written:]
            self.disk.sync(self._fd)
        except OSError as exc:
            self._cut_to = start
            try:
                self._cut_back(start)
            except WriteFailed:
                pass  # retried before the next append
            raise WriteFailed(exc) from None
        self.journal_bytes += len(line)

    def _cut_back(self, size: int) -> None:
        try:
            self.disk.truncate(self._fd, size)
            self.disk.sync(self._fd)
        except OSError as exc:
            raise WriteFailed(exc) from None
        self._cut_to = None

    def wants_compaction(self) -> bool:
        return self.journal_bytes > max(self.snapshot_bytes, self.min_compaction_bytes, self._next_compaction)

    def compact(self, tables: dict[str, dict[str, Any]]) -> None:
        """Write `tables` as the new snapshot and empty the journal (raises OSError, having
        removed its temporary file, if the rewrite fails)."""
        data = json.dumps({"tables": tables}, separators=(",", ":"), allow_nan=False).encode()
        tmp = self.path / (SNAPSHOT + ".tmp")
        try:
            self.disk.write_file(tmp, data)
            self.disk.replace(tmp, self.path / SNAPSHOT)
        except OSError:
            self.disk.remove(tmp)
            raise
        self.disk.sync_directory(self.path)
        self.snapshot_bytes = len(data)
        self.disk.truncate(self._fd, 0)
        self.journal_bytes = 0
        self._next_compaction = 0

    def compact_later(self) -> None:
        """After a failed rewrite: try again once the journal has grown as much again."""
        self._next_compaction = self.journal_bytes * 2

    def close(self) -> None:
        if self._fd is not None:
            self.disk.close(self._fd)
            self._fd = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def _parse(line: bytes) -> tuple[list | None, str]:
    """A journal line's records, or None and what is wrong with it."""
    try:
        records = json.loads(line)
    except ValueError as exc:
        return None, f"not JSON: {exc}"
    if not isinstance(records, list):
        return None, "not a list of records"
    for record in records:
        problem = _record_problem(record)
        if problem:
            return None, problem
    return records, ""


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, list) or len(record) not in (3, 4) or record[0] not in OPS:
        return f"not a record: {json.dumps(record)[:80]}"
    op, table, key = record[0], record[1], record[2]
    if not isinstance(table, str) or (op != "drop" and not isinstance(key, str)):
        return f"a {op} record without a table and key"
    if op == "put" and (len(record) != 4 or not isinstance(record[3], dict)):
        return "a put record without a document"
    return None
