"""The store when the disk misbehaves: no acknowledged write is lost and no failed one is
kept, whether the disk fills up, fails, or the journal is found damaged; what was loaded is
always what was acknowledged. A fake disk (the store's `Disk` seam) fails on cue, so none of
this needs root or a real full disk (`bench/disk_faults.py` does it with real processes)."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import pytest

from mockexp.journal import DAMAGED, Disk
from mockexp.store import JOURNAL, SNAPSHOT, Store, StoreError, WriteFailed


class FakeDisk(Disk):
    """A real disk with a size: writes past the room left write what fits, then fail with
    ENOSPC; truncating and removing files give room back. `failing` makes every write,
    sync or truncate fail with that errno (EIO, say) until it is set back to None."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.failing: int | None = None
        self.failing_syncs = False
        self.failing_truncates = False
        self.sizes: dict[int, int] = {}

    def _fail(self, code: int) -> None:
        raise OSError(code, __import__("os").strerror(code))

    def open_append(self, path):
        fd = super().open_append(path)
        self.sizes[fd] = Path(path).stat().st_size
        return fd

    def write(self, fd, data):
        if self.failing:
            self._fail(self.failing)
        if self.room <= 0:
            self._fail(errno.ENOSPC)
        written = super().write(fd, bytes(data[: self.room]))
        self.room -= written
        self.sizes[fd] += written
        return written

    def sync(self, fd):
        if self.failing_syncs:
            self._fail(errno.EIO)
        super().sync(fd)

    def truncate(self, fd, size):
        if self.failing_truncates:
            self._fail(errno.EIO)
        super().truncate(fd, size)
        self.room += self.sizes[fd] - size
        self.sizes[fd] = size

    def write_file(self, path, data):
        if len(data) > self.room:
            Path(path).write_bytes(data[: self.room])  # what fitted stays behind, as on a real disk
            self.room = 0
            self._fail(errno.ENOSPC)
        super().write_file(path, data)
        self.room -= len(data)

    def remove(self, path):
        if Path(path).exists():
            self.room += Path(path).stat().st_size
        super().remove(path)


def doc(n: int) -> dict:
    return {"n": n, "payload": "x" * 100}


def fill(store: Store, start: int = 0) -> list[str]:
    """Insert until the disk refuses; the keys acknowledged."""
    acknowledged = []
    for n in range(start, start + 10_000):
        try:
            store.insert("t", f"k{n}", doc(n))
        except WriteFailed as failed:
            assert failed.disk_full
            return acknowledged
        acknowledged.append(f"k{n}")
    raise AssertionError("the disk never filled up")


def reopened(path: Path, **options) -> Store:
    return Store(path, **options)


# -- a full disk ----------------------------------------------------------------------------


def test_a_write_that_finds_the_disk_full_is_refused_and_leaves_nothing_behind(tmp_path: Path) -> None:
    disk = FakeDisk(room=2_000)
    store = Store(tmp_path, disk=disk)
    acknowledged = fill(store)
    journal_size = (tmp_path / JOURNAL).stat().st_size

    with pytest.raises(WriteFailed):
        store.insert("t", "refused", doc(-1))

    assert store.get("t", "refused") is None
    assert store.count("t") == len(acknowledged)
    assert (tmp_path / JOURNAL).stat().st_size == journal_size
    assert (tmp_path / JOURNAL).read_bytes().endswith(b"\n")
    store.close()
    again = reopened(tmp_path)
    assert sorted(key for key, _ in again.items("t")) == sorted(acknowledged)
    again.close()


def test_once_room_is_made_writes_work_again_without_a_restart_and_survive_one(tmp_path: Path) -> None:
    disk = FakeDisk(room=2_000)
    store = Store(tmp_path, disk=disk)
    acknowledged = fill(store)
    refused = []
    for n in range(3):
        with pytest.raises(WriteFailed):
            store.insert("t", f"refused{n}", doc(n))
        refused.append(f"refused{n}")

    disk.room += 10_000
    store.insert("t", "after", doc(99))

    store.close()
    again = reopened(tmp_path)
    keys = {key for key, _ in again.items("t")}
    assert keys == set(acknowledged) | {"after"}
    assert not keys & set(refused)
    again.close()


def test_a_failed_transaction_undoes_every_change_it_made_in_memory(tmp_path: Path) -> None:
    disk = FakeDisk(room=10_000)
    store = Store(tmp_path, disk=disk)
    store.insert("t", "kept", doc(1))
    store.insert("t", "gone", doc(2))
    before = dict(store.items("t"))
    disk.room = 10

    with pytest.raises(WriteFailed):
        with store.transaction():
            store.replace("t", "kept", doc(100))
            store.delete("t", "gone")
            store.insert("t", "new", doc(3))
            store.drop("t")

    assert dict(store.items("t")) == before
    assert store.query("t", test=lambda d: d["n"] == 100) == []
    store.close()


@pytest.mark.parametrize("code", [errno.EIO, errno.EROFS])
def test_a_write_the_disk_fails_is_refused_as_unavailable_and_kept_nowhere(tmp_path: Path, code: int) -> None:
    disk = FakeDisk(room=100_000)
    store = Store(tmp_path, disk=disk)
    store.insert("t", "a", doc(1))
    disk.failing = code

    with pytest.raises(WriteFailed) as failed:
        store.insert("t", "b", doc(2))

    assert not failed.value.disk_full
    assert store.get("t", "b") is None and store.count("t") == 1
    disk.failing = None
    store.insert("t", "c", doc(3))
    store.close()
    again = reopened(tmp_path)
    assert {key for key, _ in again.items("t")} == {"a", "c"}
    again.close()


def test_a_write_whose_sync_fails_is_not_acknowledged_and_not_kept(tmp_path: Path) -> None:
    disk = FakeDisk(room=100_000)
    store = Store(tmp_path, disk=disk)
    store.insert("t", "a", doc(1))
    disk.failing_syncs = True

    with pytest.raises(WriteFailed):
        store.insert("t", "b", doc(2))

    disk.failing_syncs = False
    store.close()
    again = reopened(tmp_path)
    assert {key for key, _ in again.items("t")} == {"a"}
    again.close()


def test_a_fragment_that_cannot_be_cut_off_at_once_is_cut_off_before_the_next_write(tmp_path: Path) -> None:
    disk = FakeDisk(room=2_000)
    store = Store(tmp_path, disk=disk)
    acknowledged = fill(store)  # the last write left a fragment... and cutting it off worked
    disk.room = 30
    disk.failing_truncates = True
    with pytest.raises(WriteFailed):
        store.insert("t", "refused", doc(-1))  # writes 30 bytes of a line, cannot cut them off
    assert not (tmp_path / JOURNAL).read_bytes().endswith(b"\n")

    disk.failing_truncates = False
    disk.room += 10_000
    store.insert("t", "after", doc(1))

    store.close()
    again = reopened(tmp_path)
    assert {key for key, _ in again.items("t")} == set(acknowledged) | {"after"}
    again.close()


# -- the snapshot rewrite ---------------------------------------------------------------------


def test_a_snapshot_rewrite_that_fails_loses_nothing_and_leaves_no_temporary_file(tmp_path: Path, caplog) -> None:
    disk = FakeDisk(room=100_000)
    store = Store(tmp_path, disk=disk, min_compaction_bytes=3_000)
    written = []
    disk.room = 5_000  # room for journal lines, not for a snapshot of all of them
    with caplog.at_level(logging.WARNING, logger="mockexp.store"):
        for n in range(60):
            try:
                store.insert("t", f"k{n}", doc(n))
            except WriteFailed:
                break
            written.append(f"k{n}")
    assert len(written) > 20, "the rewrite's failure stopped the writes"
    assert not (tmp_path / (SNAPSHOT + ".tmp")).exists()
    assert "could not rewrite the snapshot" in caplog.text

    disk.room += 1_000_000
    store.insert("t", "later", doc(1))  # space again: writes, and the rewrite happens in time
    for n in range(100, 160):
        store.insert("t", f"k{n}", doc(n))
    store.close()
    assert (tmp_path / SNAPSHOT).exists()
    again = reopened(tmp_path)
    assert {key for key, _ in again.items("t")} == set(written) | {"later"} | {f"k{n}" for n in range(100, 160)}
    again.close()


def test_a_temporary_file_left_by_a_crash_is_removed_at_start_up(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("t", "a", doc(1))
    store.close()
    (tmp_path / (SNAPSHOT + ".tmp")).write_bytes(b'{"tables": {"t": {"half')

    again = reopened(tmp_path)

    assert not (tmp_path / (SNAPSHOT + ".tmp")).exists()
    assert again.get("t", "a") == doc(1)
    again.close()


# -- recovery ------------------------------------------------------------------------------------


def journal_with_lines(tmp_path: Path, count: int) -> list[bytes]:
    store = Store(tmp_path)
    for n in range(count):
        store.insert("t", f"k{n}", doc(n))
    store.close()
    return (tmp_path / JOURNAL).read_bytes().split(b"\n")[:-1]


def write_lines(tmp_path: Path, lines: list[bytes], tail: bytes = b"") -> None:
    (tmp_path / JOURNAL).write_bytes(b"".join(line + b"\n" for line in lines) + tail)


def test_a_torn_last_line_is_dropped_and_logged(tmp_path: Path, caplog) -> None:
    lines = journal_with_lines(tmp_path, 3)
    write_lines(tmp_path, lines, tail=b'[["put","t","torn",{"n":')

    with caplog.at_level(logging.WARNING, logger="mockexp.store"):
        store = reopened(tmp_path)

    assert {key for key, _ in store.items("t")} == {"k0", "k1", "k2"}
    assert "torn last line" in caplog.text
    assert (tmp_path / JOURNAL).read_bytes().endswith(b"\n")
    store.close()


@pytest.mark.parametrize("damage", [
    pytest.param(b'[["put","t","k1",{"n":1}', id="not-json"),
    pytest.param(b'{"put": "t"}', id="json-not-a-list"),
    pytest.param(b'[["put","t"]]', id="record-too-short"),
    pytest.param(b'[["smash","t","k1",{}]]', id="unknown-operation"),
    pytest.param(b'[["put","t","k1","not a document"]]', id="put-without-a-document"),
    pytest.param(b"\xff\xfe\x00\x01", id="binary"),
])
def test_a_damaged_line_with_records_after_it_stops_loading_naming_the_line(tmp_path: Path, damage: bytes) -> None:
    lines = journal_with_lines(tmp_path, 5)
    lines[1] = damage
    write_lines(tmp_path, lines)

    with pytest.raises(StoreError) as stopped:
        reopened(tmp_path)

    message = str(stopped.value)
    assert str(tmp_path / JOURNAL) in message and "line 2" in message
    assert "3 records on 3 lines follow" in message and "--repair" in message
    assert len(lines) == 5 and (tmp_path / JOURNAL).read_bytes().count(b"\n") == 5  # nothing cut off


def test_repair_keeps_every_intact_record_and_moves_the_damaged_ones_aside(tmp_path: Path, caplog) -> None:
    lines = journal_with_lines(tmp_path, 5)
    damaged = [lines[1], lines[3]] = [b"garbage", b'[["put","t"]]']
    write_lines(tmp_path, lines)

    with caplog.at_level(logging.WARNING, logger="mockexp.store"):
        store = reopened(tmp_path, repair=True)

    assert {key for key, _ in store.items("t")} == {"k0", "k2", "k4"}
    assert (tmp_path / DAMAGED).read_bytes() == b"".join(line + b"\n" for line in damaged)
    assert "repaired" in caplog.text
    store.insert("t", "after", doc(9))
    store.close()
    again = reopened(tmp_path)  # starts without --repair now: the damage is gone from the journal
    assert {key for key, _ in again.items("t")} == {"k0", "k2", "k4", "after"}
    again.close()


def test_a_snapshot_of_the_wrong_shape_is_a_store_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / SNAPSHOT).write_text(json.dumps({"tables": {"t": ["not", "documents"]}}))

    with pytest.raises(StoreError, match="store.json"):
        reopened(tmp_path)


def test_a_data_directory_that_cannot_be_created_is_a_store_error_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")

    with pytest.raises(StoreError) as failed:
        reopened(tmp_path / "a-file" / "data")

    assert "a-file" in str(failed.value) and "\n" not in str(failed.value)


def test_a_data_directory_that_cannot_be_written_is_a_store_error_in_one_line(tmp_path: Path) -> None:
    class ReadOnly(Disk):
        def open_append(self, path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))

    with pytest.raises(StoreError) as failed:
        Store(tmp_path, disk=ReadOnly())

    assert "Read-only file system" in str(failed.value) and str(tmp_path) in str(failed.value)
    assert "\n" not in str(failed.value)


# -- over HTTP ------------------------------------------------------------------------------------


def test_over_http_a_full_disk_is_507_in_the_vendors_shape_and_the_mock_recovers_when_room_is_made(tmp_path: Path) -> None:
    import httpx

    from mockexp.app import Runtime
    from mockexp.clock import Clock
    from mockexp.vendors import ALL
    from tests.conftest import LiveServer

    disk = FakeDisk(room=10_000_000)
    runtime = Runtime(Store(tmp_path, disk=disk), Clock(), [ALL["giosg"]])
    runtime.seed()
    credential = next(c for c in runtime.credentials() if c.can_write)
    headers = {"Authorization": credential.value}
    with LiveServer(runtime) as server:
        url = f"{server.url}/api/v5/orgs/{credential.tenant['organization_id']}/experiments"
        listed = httpx.get(url, headers=headers, params={"page_size": 100}).json()["results"]
        disk.room = 0

        refused = httpx.post(url, headers=headers, json={"is_draft": True, "name": "No room"})
        deleted = httpx.delete(f"{url}/{listed[0]['id']}", headers=headers)

        assert refused.status_code == 507 and deleted.status_code == 507
        assert set(refused.json()) == {"detail"} and "full" in refused.json()["detail"]
        assert httpx.get(url, headers=headers, params={"page_size": 100}).json()["results"] == listed
        disk.room = 10_000_000
        made = httpx.post(url, headers=headers, json={"is_draft": True, "name": "Room again"})
        assert made.status_code == 201
    runtime.store.close()
    again = Runtime(Store(tmp_path), Clock(), [ALL["giosg"]])
    names = [doc["name"] for doc in again.models["giosg"].organization(credential.tenant["organization_id"]).query("experiments")]
    assert "Room again" in names and "No room" not in names
    again.store.close()
