"""The store on its own (no HTTP): documents, queries, transactions, persistence, crash
safety, locking and concurrency."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from mockexp.store import JOURNAL, SNAPSHOT, DuplicateKey, Store, StoreError, StoreLocked


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def people(store: Store) -> Store:
    store.insert("people", "ada", {"name": "Ada", "team": "core", "age": 36})
    store.insert("people", "bob", {"name": "Bob", "team": "web", "age": 29})
    store.insert("people", "cy", {"name": "Cy", "team": "core", "age": 41})
    store.insert("people", "dee", {"name": "Dee", "team": "core", "age": 23})
    return store


def names(docs: list[dict]) -> list[str]:
    return [doc["name"] for doc in docs]


# -- documents -----------------------------------------------------------------------------


def test_inserted_document_can_be_read_back_by_key(store: Store) -> None:
    returned = store.insert("people", "ada", {"name": "Ada", "tags": ["x"], "nested": {"a": 1}})

    assert returned == {"name": "Ada", "tags": ["x"], "nested": {"a": 1}}
    assert store.get("people", "ada") == {"name": "Ada", "tags": ["x"], "nested": {"a": 1}}


def test_get_of_a_missing_key_or_table_is_none(people: Store) -> None:
    assert people.get("people", "nobody") is None
    assert people.get("no-such-table", "ada") is None


def test_inserting_an_existing_key_raises_duplicate_key_and_keeps_the_original(people: Store) -> None:
    with pytest.raises(DuplicateKey):
        people.insert("people", "ada", {"name": "Impostor"})

    assert people.get("people", "ada")["name"] == "Ada"
    assert people.count("people") == 4


def test_same_key_in_different_tables_is_independent(store: Store) -> None:
    store.insert("a", "k", {"v": 1})
    store.insert("b", "k", {"v": 2})

    assert store.get("a", "k") == {"v": 1}
    assert store.get("b", "k") == {"v": 2}


def test_replace_overwrites_the_whole_document(people: Store) -> None:
    people.replace("people", "ada", {"name": "Ada L."})

    assert people.get("people", "ada") == {"name": "Ada L."}


def test_replace_of_a_missing_key_creates_it(store: Store) -> None:
    store.replace("people", "new", {"name": "New"})

    assert store.get("people", "new") == {"name": "New"}
    assert store.count("people") == 1


def test_delete_removes_the_document_and_reports_whether_it_existed(people: Store) -> None:
    assert people.delete("people", "bob") is True
    assert people.get("people", "bob") is None
    assert people.count("people") == 3
    assert people.delete("people", "bob") is False
    assert people.count("people") == 3


def test_count_counts_the_documents_of_one_table(people: Store) -> None:
    people.insert("other", "x", {})

    assert people.count("people") == 4
    assert people.count("other") == 1
    assert people.count("empty") == 0


def test_drop_removes_every_document_of_a_table_only(people: Store) -> None:
    people.insert("other", "x", {"keep": True})

    people.drop("people")

    assert people.count("people") == 0
    assert people.get("people", "ada") is None
    assert people.query("people") == []
    assert people.get("other", "x") == {"keep": True}
    assert "people" not in people.tables()
    assert "other" in people.tables()


def test_a_dropped_table_can_be_filled_again(people: Store) -> None:
    people.drop("people")
    people.insert("people", "ada", {"name": "Ada again"})

    assert people.get("people", "ada") == {"name": "Ada again"}
    assert people.count("people") == 1


# -- queries ---------------------------------------------------------------------------------


def test_query_without_filters_returns_every_document(people: Store) -> None:
    assert sorted(names(people.query("people"))) == ["Ada", "Bob", "Cy", "Dee"]


def test_query_where_keeps_documents_whose_fields_equal_all_given_values(people: Store) -> None:
    assert sorted(names(people.query("people", {"team": "core"}))) == ["Ada", "Cy", "Dee"]
    assert names(people.query("people", {"team": "core", "age": 41})) == ["Cy"]
    assert people.query("people", {"team": "nobody"}) == []


def test_query_test_keeps_documents_that_pass_it(people: Store) -> None:
    assert sorted(names(people.query("people", test=lambda d: d["age"] > 30))) == ["Ada", "Cy"]


def test_query_combines_where_and_test(people: Store) -> None:
    assert names(people.query("people", {"team": "core"}, test=lambda d: d["age"] < 40, order_by=lambda d: d["age"])) == ["Dee", "Ada"]


def test_query_order_by_sorts_ascending_and_reverse_descending(people: Store) -> None:
    assert names(people.query("people", order_by=lambda d: d["age"])) == ["Dee", "Bob", "Ada", "Cy"]
    assert names(people.query("people", order_by=lambda d: d["age"], reverse=True)) == ["Cy", "Ada", "Bob", "Dee"]


def test_query_limit_keeps_the_first_documents_after_sorting(people: Store) -> None:
    assert names(people.query("people", order_by=lambda d: d["age"], limit=2)) == ["Dee", "Bob"]
    assert names(people.query("people", order_by=lambda d: d["age"], reverse=True, limit=1)) == ["Cy"]
    assert people.query("people", limit=0) == []


def test_query_of_a_missing_table_is_empty(store: Store) -> None:
    assert store.query("nothing-here") == []


# -- copies ------------------------------------------------------------------------------------


def test_changing_a_document_returned_by_get_does_not_change_the_store(people: Store) -> None:
    doc = people.get("people", "ada")
    doc["name"] = "Changed"
    doc["extra"] = [1]

    assert people.get("people", "ada") == {"name": "Ada", "team": "core", "age": 36}


def test_peek_reads_the_stored_document_without_copying_it_and_follows_later_writes(people: Store) -> None:
    seen = people.peek("people", "ada")
    assert seen == people.get("people", "ada") and seen is people.peek("people", "ada")
    assert people.peek("people", "nobody") is None and people.peek("no table", "ada") is None
    people.replace("people", "ada", {"name": "Ada", "team": "infra", "age": 37})
    assert people.peek("people", "ada")["team"] == "infra"


def test_changing_documents_returned_by_query_does_not_change_the_store(people: Store) -> None:
    for doc in people.query("people"):
        doc["team"] = "changed"

    assert sorted(names(people.query("people", {"team": "core"}))) == ["Ada", "Cy", "Dee"]


def test_changing_the_document_given_to_or_returned_by_insert_does_not_change_the_store(store: Store) -> None:
    given = {"name": "Ada", "tags": ["a"]}
    returned = store.insert("people", "ada", given)
    given["tags"].append("from-given")
    returned["tags"].append("from-returned")

    assert store.get("people", "ada") == {"name": "Ada", "tags": ["a"]}


def test_changing_the_document_given_to_or_returned_by_replace_does_not_change_the_store(store: Store) -> None:
    given = {"nested": {"n": 1}}
    returned = store.replace("t", "k", given)
    given["nested"]["n"] = 2
    returned["nested"]["n"] = 3

    assert store.get("t", "k") == {"nested": {"n": 1}}


# -- transactions --------------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_transaction_commits_every_write_together(people: Store) -> None:
    with people.transaction():
        people.insert("people", "eve", {"name": "Eve"})
        people.delete("people", "bob")

    assert people.get("people", "eve") == {"name": "Eve"}
    assert people.get("people", "bob") is None


def test_exception_in_a_transaction_rolls_back_every_write(people: Store) -> None:
    people.insert("teams", "core", {"name": "Core"})
    before_people = {doc["name"]: doc for doc in people.query("people")}

    with pytest.raises(Boom):
        with people.transaction():
            people.insert("people", "eve", {"name": "Eve"})
            people.replace("people", "ada", {"name": "Overwritten"})
            people.delete("people", "bob")
            people.drop("teams")
            people.insert("teams", "web", {"name": "Web"})
            people.insert("brand-new", "x", {})
            raise Boom()

    assert {doc["name"]: doc for doc in people.query("people")} == before_people
    assert people.get("people", "eve") is None
    assert people.get("people", "ada") == {"name": "Ada", "team": "core", "age": 36}
    assert people.get("people", "bob") == {"name": "Bob", "team": "web", "age": 29}
    assert people.get("teams", "core") == {"name": "Core"}
    assert people.get("teams", "web") is None
    assert people.count("teams") == 1
    assert people.count("brand-new") == 0


def test_rolled_back_drop_restores_every_document_under_its_key(people: Store) -> None:
    with pytest.raises(Boom):
        with people.transaction():
            people.replace("people", "ada", {"name": "Changed before the drop"})
            people.drop("people")
            raise Boom()

    assert people.count("people") == 4
    assert people.get("people", "ada") == {"name": "Ada", "team": "core", "age": 36}
    assert people.get("people", "dee") == {"name": "Dee", "team": "core", "age": 23}


def test_failed_insert_inside_a_transaction_rolls_back_the_earlier_writes(people: Store) -> None:
    with pytest.raises(DuplicateKey):
        with people.transaction():
            people.insert("people", "eve", {"name": "Eve"})
            people.insert("people", "ada", {"name": "Second Ada"})

    assert people.get("people", "eve") is None
    assert people.get("people", "ada")["name"] == "Ada"


def test_nested_transactions_roll_back_together(people: Store) -> None:
    with pytest.raises(Boom):
        with people.transaction():
            people.insert("people", "eve", {"name": "Eve"})
            with people.transaction():
                people.insert("people", "fay", {"name": "Fay"})
            raise Boom()

    assert people.get("people", "eve") is None
    assert people.get("people", "fay") is None


def test_a_rolled_back_transaction_leaves_nothing_on_disk(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("t", "kept", {"v": 1})
    with pytest.raises(Boom):
        with store.transaction():
            store.insert("t", "lost", {"v": 2})
            store.drop("t")
            raise Boom()
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.get("t", "kept") == {"v": 1}
        assert reopened.get("t", "lost") is None
        assert reopened.count("t") == 1
    finally:
        reopened.close()


# -- persistence -------------------------------------------------------------------------------


def test_a_memory_store_has_no_directory_and_compact_is_harmless(people: Store) -> None:
    assert people.directory is None
    people.compact()
    assert people.count("people") == 4


def test_data_written_to_a_directory_is_there_after_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("people", "ada", {"name": "Ada"})
    store.insert("people", "bob", {"name": "Bob"})
    store.replace("people", "ada", {"name": "Ada L."})
    store.delete("people", "bob")
    store.insert("teams", "core", {"name": "Core"})
    store.insert("gone", "x", {})
    store.drop("gone")
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.get("people", "ada") == {"name": "Ada L."}
        assert reopened.get("people", "bob") is None
        assert reopened.get("teams", "core") == {"name": "Core"}
        assert reopened.count("gone") == 0
        assert reopened.count("people") == 1
    finally:
        reopened.close()


def test_data_survives_compaction_and_later_writes_after_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("people", "ada", {"name": "Ada"})
    store.insert("people", "bob", {"name": "Bob"})
    store.compact()
    store.insert("people", "cy", {"name": "Cy"})
    store.delete("people", "bob")
    store.close()

    assert (tmp_path / SNAPSHOT).exists()
    reopened = Store(tmp_path)
    try:
        assert sorted(names(reopened.query("people"))) == ["Ada", "Cy"]
    finally:
        reopened.close()


def test_reopening_twice_does_not_duplicate_or_lose_data(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("t", "a", {"n": 1})
    store.close()
    store = Store(tmp_path)
    store.insert("t", "b", {"n": 2})
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.count("t") == 2
        assert reopened.get("t", "a") == {"n": 1}
        assert reopened.get("t", "b") == {"n": 2}
    finally:
        reopened.close()


def test_a_torn_last_journal_line_is_dropped_and_complete_records_load(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("t", "a", {"n": 1})
    store.insert("t", "b", {"n": 2})
    store.close()
    with open(tmp_path / JOURNAL, "ab") as journal:
        journal.write(b'[["put","t","torn",{"n":')  # a crash in the middle of a write

    reopened = Store(tmp_path)
    try:
        assert reopened.get("t", "a") == {"n": 1}
        assert reopened.get("t", "b") == {"n": 2}
        assert reopened.get("t", "torn") is None
        assert reopened.count("t") == 2
    finally:
        reopened.close()


def test_writes_after_loading_a_torn_journal_survive_the_next_reopen(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.insert("t", "a", {"n": 1})
    store.close()
    with open(tmp_path / JOURNAL, "ab") as journal:
        journal.write(b'[["put","t","torn"')

    store = Store(tmp_path)
    store.insert("t", "after", {"n": 3})
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.get("t", "a") == {"n": 1}
        assert reopened.get("t", "after") == {"n": 3}
        assert reopened.get("t", "torn") is None
    finally:
        reopened.close()


def test_a_second_store_on_the_same_directory_is_refused_while_the_first_is_open(tmp_path: Path) -> None:
    first = Store(tmp_path)
    first.insert("t", "a", {"n": 1})
    try:
        with pytest.raises(StoreLocked) as refused:
            Store(tmp_path)
        assert str(tmp_path) in str(refused.value)
        assert first.get("t", "a") == {"n": 1}
    finally:
        first.close()

    second = Store(tmp_path)  # free again once the first is closed
    try:
        assert second.get("t", "a") == {"n": 1}
    finally:
        second.close()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"this is not json", id="garbage"),
        pytest.param(b'{"tables": {"t": {"a": {"n": 1}}', id="truncated"),
        pytest.param(b"\xff\xfe\x00binary", id="not-utf8"),
        pytest.param(b"[]", id="a-list"),
        pytest.param(b'{"tables": []}', id="tables-not-a-mapping"),
    ],
)
def test_a_corrupt_snapshot_raises_store_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    (tmp_path / SNAPSHOT).write_bytes(content)

    with pytest.raises(StoreError) as failed:
        Store(tmp_path)

    assert str(tmp_path / SNAPSHOT) in str(failed.value)


def test_the_journal_is_compacted_once_it_outgrows_the_snapshot(tmp_path: Path) -> None:
    store = Store(tmp_path, min_compaction_bytes=1024)
    payload = "x" * 100
    store.insert("t", "k0", {"payload": payload})
    assert not (tmp_path / SNAPSHOT).exists()  # one small write does not compact
    assert (tmp_path / JOURNAL).stat().st_size > 0

    written = 1
    while not (tmp_path / SNAPSHOT).exists() and written < 100:
        store.insert("t", f"k{written}", {"payload": payload})
        written += 1

    assert (tmp_path / SNAPSHOT).exists(), "the journal never got compacted into a snapshot"
    assert written < 100
    assert (tmp_path / JOURNAL).stat().st_size == 0
    snapshot = json.loads((tmp_path / SNAPSHOT).read_bytes())
    assert len(snapshot["tables"]["t"]) == written

    store.insert("t", "late", {"payload": "small"})  # the journal is now smaller than the snapshot
    assert (tmp_path / JOURNAL).stat().st_size > 0
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.count("t") == written + 1
        assert all(reopened.get("t", f"k{i}") == {"payload": payload} for i in range(written))
        assert reopened.get("t", "late") == {"payload": "small"}
    finally:
        reopened.close()


# -- concurrency -------------------------------------------------------------------------------


def test_one_hundred_concurrent_inserts_give_one_hundred_distinct_documents(tmp_path: Path) -> None:
    store = Store(tmp_path, min_compaction_bytes=2048)  # small: compactions happen amid the writes
    start = threading.Barrier(100)
    failures: list[BaseException] = []

    def insert(i: int) -> None:
        try:
            start.wait(timeout=30)
            store.insert("experiments", f"exp-{i}", {"i": i, "name": f"Experiment {i}"})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    assert store.count("experiments") == 100
    for i in range(100):
        assert store.get("experiments", f"exp-{i}") == {"i": i, "name": f"Experiment {i}"}
    store.close()

    reopened = Store(tmp_path)
    try:
        assert reopened.count("experiments") == 100
        assert sorted(doc["i"] for doc in reopened.query("experiments")) == list(range(100))
        for i in range(100):
            assert reopened.get("experiments", f"exp-{i}") == {"i": i, "name": f"Experiment {i}"}
    finally:
        reopened.close()


# -- vendors and tenants --------------------------------------------------------------------


def test_two_tenants_with_the_same_key_never_see_change_or_delete_each_others_documents(store: Store) -> None:
    shop = store.vendor("shop")
    north, south = shop.tenant("north"), shop.tenant("south")
    north.insert("orders", "o1", {"total": 10})
    south.insert("orders", "o1", {"total": 99})

    assert north.get("orders", "o1") == {"total": 10} and south.get("orders", "o1") == {"total": 99}
    south.replace("orders", "o1", {"total": 100})
    assert south.delete("orders", "o1") is True
    assert south.delete("orders", "o1") is False
    assert north.get("orders", "o1") == {"total": 10}
    assert north.query("orders") == [{"total": 10}] and south.query("orders") == []
    assert north.count("orders") == 1 and south.count("orders") == 0


def test_a_tenant_id_that_looks_like_a_path_cannot_reach_another_tenant(store: Store) -> None:
    shop = store.vendor("shop")
    shop.tenant("a", "b").insert("orders", "o1", {"who": "a/b"})

    assert shop.tenant("a/b").get("orders", "o1") is None
    assert shop.tenant("a").tenant("b").get("orders", "o1") == {"who": "a/b"}


def test_vendors_hold_their_own_tables_and_reset_drops_only_theirs(store: Store) -> None:
    one, other = store.vendor("one"), store.vendor("oneother")
    one.insert("things", "k", {"v": 1})
    one.tenant("t").insert("things", "k", {"v": 2})
    other.insert("things", "k", {"v": 3})

    assert one.dump() == {"one.things": {"k": {"v": 1}}, "one.things@t": {"k": {"v": 2}}}
    one.drop_all()
    assert one.dump() == {} and other.dump() == {"oneother.things": {"k": {"v": 3}}}


# -- what the store relies on in TinyDB (pinned to >=4.9,<4.10) ------------------------------
# The store writes TinyDB's tables in place instead of through its copying `_update_table`.
# These fail if a TinyDB release changes what that relies on.


def test_tinydb_writes_go_through_the_in_place_path_and_keep_every_document() -> None:
    from mockexp.store import _Database

    from tinydb.storages import MemoryStorage
    from tinydb.table import Document

    db = _Database(storage=MemoryStorage)
    table = db.table("t")
    table.insert(Document({"n": 1}, "a"))
    table.insert(Document({"n": 2}, "b"))
    stored = db.storage.read()["t"]
    untouched = stored["b"]

    table.insert(Document({"n": 3}, "c"))
    table.update({"n": 10}, doc_ids=["a"])
    table.remove(doc_ids=["c"])

    assert db.storage.read()["t"] is stored, "TinyDB no longer writes through the table's _update_table"
    assert stored["b"] is untouched, "a write copied a document it did not touch"
    assert stored == {"a": {"n": 10}, "b": {"n": 2}}
    assert table.get(doc_id="a") == {"n": 10} and table.get(doc_id="c") is None
    assert sorted(doc.doc_id for doc in table) == ["a", "b"]
    assert table.contains(doc_id="b") and len(table) == 2


def test_a_tinydb_write_that_fails_half_way_leaves_the_table_exactly_as_it_was() -> None:
    from mockexp.store import _Database

    from tinydb.storages import MemoryStorage
    from tinydb.table import Document

    db = _Database(storage=MemoryStorage)
    table = db.table("t")
    for key in ("a", "b", "c"):
        table.insert(Document({"n": key}, key))
    before = {key: dict(doc) for key, doc in db.storage.read()["t"].items()}

    def second_fails(doc) -> bool:
        if doc["n"] == "b":
            raise Boom()
        return True

    changed: list[str] = []

    def change_then_fail(doc) -> None:
        doc["n"] = "changed"
        changed.append(doc["n"])
        if len(changed) == 2:
            raise Boom()

    with pytest.raises(Boom):
        table.remove(second_fails)  # removes "a", then fails
    with pytest.raises(Boom):
        table.update(change_then_fail, doc_ids=["a", "b"])  # changes "a" and "b" in place, then fails
    with pytest.raises(ValueError):
        table.insert_multiple([Document({"n": "d"}, "d"), Document({"n": "again"}, "a")])  # adds "d", then fails

    assert db.storage.read()["t"] == before
    assert {doc.doc_id: dict(doc) for doc in table} == before


def test_a_view_shows_stored_documents_that_later_writes_leave_as_they_were(people: Store) -> None:
    seen = people.view("people", order_by=lambda d: d["name"])
    people.replace("people", "ada", {"name": "Ada changed"})
    people.delete("people", "bob")

    assert [doc["name"] for doc in seen] == ["Ada", "Bob", "Cy", "Dee"]
    assert people.get("people", "ada") == {"name": "Ada changed"}


def test_counters_count_up_per_kind_and_per_tenant_and_a_failed_transaction_takes_its_number_back(store: Store) -> None:
    vendor = store.vendor("acme")
    assert [vendor.next_number("experiments") for _ in range(3)] == [1, 2, 3]
    assert vendor.next_number("notes") == 1 and vendor.tenant("org-1").next_number("experiments") == 1

    with pytest.raises(RuntimeError):
        with store.transaction():
            vendor.next_number("experiments")
            raise RuntimeError("the create failed")

    assert vendor.next_number("experiments") == 4


def _by_rank(doc):
    return doc["rank"]


def test_a_kept_order_follows_every_write_as_sorting_again_would() -> None:
    import contextlib
    import random

    store, rng = Store(), random.Random(7)
    rank = lambda d: d["rank"]  # noqa: E731  (a lambda of its own: kept by its code, as a module's function is)
    for step in range(600):
        key = f"k{rng.randrange(40)}"
        action = rng.random()
        with contextlib.suppress(Boom):
            if action < 0.6:
                store.replace("t", key, {"rank": rng.randrange(6), "on": rng.random() < 0.5})
            elif action < 0.8:
                store.delete("t", key)
            elif action < 0.9:
                with store.transaction():
                    store.replace("t", key, {"rank": rng.randrange(6), "on": True})
                    raise Boom()
            elif action < 0.92:
                store.drop("t")
        docs = list(store._raw("t").values())
        for reverse in (False, True):
            assert list(store.view("t", order_by=_by_rank, reverse=reverse)) == sorted(docs, key=_by_rank, reverse=reverse), step
            wanted = [d for d in sorted(docs, key=_by_rank, reverse=reverse) if d["on"]]
            rows = store.view("t", {"on": True}, order_by=rank, reverse=reverse)
            assert list(rows) == wanted and rows.keys_for(rank) == [d["rank"] for d in wanted], step
        assert list(store.view("t")) == docs


def test_a_lookup_by_fields_answers_as_a_scan_would_and_sees_each_write_at_once() -> None:
    store = Store()
    for number in range(30):
        store.replace("t", f"k{number}", {"feature": f"f{number % 3}", "version": number, "tags": ["a"] if number % 2 else None})
    scan = lambda where: [d for d in store._raw("t").values() if all(d.get(k) == v for k, v in where.items())]  # noqa: E731
    for where in ({"feature": "f1"}, {"feature": "f1", "version": 4}, {"feature": "nothing"}, {"tags": None}, {"tags": ["a"]}, {"absent": None}):
        assert list(store.view("t", where)) == scan(where), where
        assert list(store.view("t", where, order_by=_by_version, reverse=True)) == sorted(scan(where), key=_by_version, reverse=True), where
    store.replace("t", "k1", {"feature": "f2", "version": 1, "tags": None})
    store.delete("t", "k4")
    store.insert("t", "new", {"feature": "f1", "version": 99, "tags": None})
    assert list(store.view("t", {"feature": "f1"})) == scan({"feature": "f1"})
    assert [d["version"] for d in store.view("t", {"feature": "f1"}, order_by=_by_version)] == sorted(d["version"] for d in scan({"feature": "f1"}))


def _by_version(doc):
    return doc["version"]
