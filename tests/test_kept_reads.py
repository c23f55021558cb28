"""A read's answer is made once and served again only while what it was made from is unchanged:
the vendor's documents, and the clock where the answer read it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mockexp.clock import Clock, watched
from mockexp.kept_reads import KeptReads
from mockexp.store import Store

MOMENT = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class Counted:
    """A read that counts how often it is made, reading the vendor's table (and the clock)."""

    def __init__(self, store: Store, clock: Clock, *, timed: bool = False, writes: bool = False, expires: datetime | None = None) -> None:
        self.tables, self.clock, self.timed, self.writes, self.made = store.vendor("acme"), clock, timed, writes, 0
        self.expires = expires

    def __call__(self) -> dict:
        self.made += 1
        if self.writes:
            self.tables.replace("seen", "count", {"n": self.made})
        answer = {"things": [doc["name"] for doc in self.tables.view("things")]}
        if self.timed:
            answer["at"] = self.clock.now().isoformat()
        if self.expires is not None:
            answer["expired"] = self.clock.passed(self.expires)
        return answer


@pytest.fixture
def store():
    store = Store()
    store.vendor("acme").insert("things", "1", {"name": "first"})
    return store


def test_an_answer_is_made_once_while_nothing_changes(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    assert [kept.answer("list", read) for _ in range(3)] == [{"things": ["first"]}] * 3
    assert read.made == 1


def test_a_write_to_the_vendor_is_seen_by_the_next_read(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    kept.answer("list", read)
    store.vendor("acme").insert("things", "2", {"name": "second"})
    assert kept.answer("list", read) == {"things": ["first", "second"]}


def test_a_write_to_another_vendor_leaves_the_answer_kept(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    kept.answer("list", read)
    store.vendor("other").insert("things", "2", {"name": "theirs"})
    kept.answer("list", read)
    assert read.made == 1


def test_a_write_undone_makes_the_answer_again(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    kept.answer("list", read)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.vendor("acme").insert("things", "2", {"name": "undone"})
            kept.answer("list", read)  # made from the write in progress: must not outlive it
            raise RuntimeError
    assert kept.answer("list", read) == {"things": ["first"]}


def test_each_arguments_have_their_own_answer(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    kept.answer(("list", 1), read)
    kept.answer(("list", 2), read)
    assert read.made == 2


def test_an_answer_read_from_a_running_clock_is_made_every_time(store):
    clock = Clock()
    kept, read = KeptReads(store, "acme", clock), Counted(store, clock, timed=True)
    kept.answer("list", read)
    kept.answer("list", read)
    assert read.made == 2


def test_an_answer_read_from_a_frozen_clock_is_kept_until_the_clock_moves(store):
    clock = Clock()
    clock.freeze(MOMENT)
    kept, read = KeptReads(store, "acme", clock), Counted(store, clock, timed=True)
    assert kept.answer("list", read) == kept.answer("list", read) == {"things": ["first"], "at": MOMENT.isoformat()}
    assert read.made == 1
    clock.advance(60)
    assert kept.answer("list", read)["at"] == "2026-03-02T10:01:00+00:00"
    clock.run_real()
    assert kept.answer("list", read)["at"] != "2026-03-02T10:01:00+00:00"


def test_a_read_that_writes_is_made_every_time(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock(), writes=True)
    kept.answer("list", read)
    kept.answer("list", read)
    assert read.made == 2


def test_an_answer_that_compared_the_time_with_a_moment_is_kept_until_that_moment_comes(store):
    moments = [MOMENT]
    clock = Clock(source=lambda: moments[0])  # follows this "real" time
    kept, read = KeptReads(store, "acme", clock), Counted(store, clock, expires=MOMENT + timedelta(hours=1))
    assert kept.answer("list", read)["expired"] is False
    moments[0] = MOMENT + timedelta(minutes=59)
    assert kept.answer("list", read)["expired"] is False and read.made == 1
    moments[0] = MOMENT + timedelta(hours=1)
    assert kept.answer("list", read)["expired"] is True and read.made == 2
    moments[0] = MOMENT + timedelta(days=9)
    assert kept.answer("list", read)["expired"] is True and read.made == 2  # passed moments stay passed


def test_an_answer_served_again_tells_an_outer_watch_how_long_it_holds(store):
    moments = [MOMENT]
    clock = Clock(source=lambda: moments[0])
    kept, read = KeptReads(store, "acme", clock), Counted(store, clock, expires=MOMENT + timedelta(hours=1))
    kept.answer("list", read)
    with watched(clock) as readings:
        kept.answer("list", read)  # served again: the model is not asked
    assert read.made == 1 and readings.validity(clock).until == MOMENT + timedelta(hours=1)


def test_kept_answers_are_let_go_past_the_most_kept(store):
    kept, read = KeptReads(store, "acme", Clock()), Counted(store, Clock())
    for n in range(KeptReads.MOST_KEPT + 1):
        kept.answer(("list", n), read)
    kept.answer(("list", 0), read)  # let go with the rest when the limit was passed
    assert read.made == KeptReads.MOST_KEPT + 2
