"""The one clock every time-based rule reads: real time by default, frozen, moved forward,
and let run again. A fake time source makes the real time deterministic here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mockexp.clock import Clock

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


class FakeSource:
    """Stands in for the machine's clock; tests move it by hand."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def tick(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def source() -> FakeSource:
    return FakeSource()


@pytest.fixture
def clock(source: FakeSource) -> Clock:
    return Clock(source)


def test_default_clock_follows_the_machine_time_in_utc() -> None:
    before = datetime.now(timezone.utc)
    now = Clock().now()
    after = datetime.now(timezone.utc)

    assert before <= now <= after
    assert now.utcoffset() == timedelta(0)
    assert Clock().mode == "real"


def test_clock_follows_its_source_by_default(clock: Clock, source: FakeSource) -> None:
    assert clock.now() == T0
    assert clock.mode == "real"

    source.tick(90)

    assert clock.now() == T0 + timedelta(seconds=90)


def test_frozen_clock_stays_at_the_instant_while_real_time_passes(clock: Clock, source: FakeSource) -> None:
    instant = datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)

    clock.freeze(instant)
    source.tick(3600)

    assert clock.now() == instant
    assert clock.mode == "frozen"


def test_freeze_takes_a_naive_time_as_utc(clock: Clock) -> None:
    clock.freeze(datetime(2030, 5, 6, 7, 8, 9))

    assert clock.now() == datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert clock.now().utcoffset() == timedelta(0)


def test_freeze_keeps_the_instant_of_a_time_in_another_zone_and_reports_it_in_utc(clock: Clock) -> None:
    helsinki = timezone(timedelta(hours=2))

    clock.freeze(datetime(2030, 5, 6, 9, 8, 9, tzinfo=helsinki))

    assert clock.now() == datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.state()["now"] == "2030-05-06T07:08:09Z"


def test_freezing_again_moves_the_frozen_instant(clock: Clock) -> None:
    clock.freeze(datetime(2030, 1, 1, tzinfo=timezone.utc))
    clock.freeze(datetime(2020, 1, 1, tzinfo=timezone.utc))

    assert clock.now() == datetime(2020, 1, 1, tzinfo=timezone.utc)


def test_advance_moves_a_frozen_clock_forward_and_keeps_it_frozen(clock: Clock, source: FakeSource) -> None:
    instant = datetime(2030, 5, 6, tzinfo=timezone.utc)
    clock.freeze(instant)

    clock.advance(86400)
    source.tick(500)

    assert clock.now() == instant + timedelta(days=1)
    assert clock.mode == "frozen"


def test_advance_moves_a_running_clock_forward_and_it_keeps_running(clock: Clock, source: FakeSource) -> None:
    clock.advance(3600)

    assert clock.now() == T0 + timedelta(hours=1)
    assert clock.mode == "real"

    source.tick(60)

    assert clock.now() == T0 + timedelta(hours=1, seconds=60)


def test_advances_add_up(clock: Clock) -> None:
    clock.advance(10)
    clock.advance(0.5)
    clock.advance(0)

    assert clock.now() == T0 + timedelta(seconds=10.5)


def test_advance_refuses_to_move_backwards_and_leaves_the_clock_alone(clock: Clock) -> None:
    clock.advance(100)

    with pytest.raises(ValueError):
        clock.advance(-5)

    assert clock.now() == T0 + timedelta(seconds=100)
    assert clock.mode == "real"


def test_advance_refuses_negative_on_a_frozen_clock_too(clock: Clock) -> None:
    instant = datetime(2030, 5, 6, tzinfo=timezone.utc)
    clock.freeze(instant)

    with pytest.raises(ValueError):
        clock.advance(-1)

    assert clock.now() == instant


def test_run_real_returns_a_frozen_clock_to_the_source_time(clock: Clock, source: FakeSource) -> None:
    clock.freeze(datetime(2030, 5, 6, tzinfo=timezone.utc))
    clock.advance(86400)
    source.tick(42)

    clock.run_real()

    assert clock.now() == T0 + timedelta(seconds=42)
    assert clock.mode == "real"


def test_run_real_drops_the_offset_of_an_advanced_running_clock(clock: Clock) -> None:
    clock.advance(3600)

    clock.run_real()

    assert clock.now() == T0
    assert clock.state()["offset_seconds"] == 0


def test_state_of_a_real_clock(clock: Clock) -> None:
    assert clock.state() == {"now": "2026-01-01T12:00:00Z", "mode": "real", "offset_seconds": 0}


def test_state_of_an_advanced_running_clock_reports_the_offset(clock: Clock) -> None:
    clock.advance(90)

    assert clock.state() == {"now": "2026-01-01T12:01:30Z", "mode": "real", "offset_seconds": 90}


def test_state_of_a_frozen_clock_reports_its_distance_from_real_time(clock: Clock, source: FakeSource) -> None:
    clock.freeze(datetime(2026, 1, 2, 12, 0, 0, tzinfo=timezone.utc))

    assert clock.state() == {"now": "2026-01-02T12:00:00Z", "mode": "frozen", "offset_seconds": 86400}

    source.tick(600)  # real time goes on: the frozen clock is now closer to it

    assert clock.state() == {"now": "2026-01-02T12:00:00Z", "mode": "frozen", "offset_seconds": 85800}


def test_state_keeps_fractions_of_a_second(clock: Clock) -> None:
    clock.freeze(datetime(2026, 1, 1, 12, 0, 0, 250000, tzinfo=timezone.utc))

    state = clock.state()

    assert state["now"] == "2026-01-01T12:00:00.250000Z"
    assert state["offset_seconds"] == 0.25
    assert datetime.fromisoformat(state["now"].replace("Z", "+00:00")) == clock.now()
