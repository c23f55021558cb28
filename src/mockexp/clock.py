"""The one clock every time-based rule reads.

It follows real time by default. It can be frozen at an instant, moved forward, and let run
again; `now()` is the only way mockexp code learns the time.

What a piece of code learned of the time can be watched (`watched()`): how often it read
`now()`, and the moments it only compared the time with (`passed(moment)`). From that and the
clock's setting (`setting`: each freeze, move, return to real time or restore), `Readings.validity`
tells how long an answer made inside stays true (`kept_reads.py`, `repeats.py`): for ever when
made without the time, until the next moment it compared with has come, or while the clock stays
frozen where it was.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator


EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)  # leaves vendors room for date arithmetic (a year's subscription...)


@dataclass(frozen=True)
class Validity:
    """How long an answer stays what it was made as, as far as the time goes."""

    setting: int | None = None  # the clock's setting it holds under (None: made without the time)
    until: datetime | None = None  # the moment it stops holding (None: while the setting lasts)

    def holds(self, clock: "Clock") -> bool:
        if self.setting is None:
            return True
        if clock.setting != self.setting:
            return False
        return self.until is None or clock.unwatched_now() < self.until


TIMELESS = Validity()


class Readings:
    """What code inside a `watched()` block learned of the time: how many `now()` readings, and
    the earliest moment it compared the time with that has not come yet."""

    __slots__ = ("count", "ahead", "setting")

    def __init__(self, setting: int) -> None:
        self.count = 0
        self.ahead: datetime | None = None
        self.setting = setting  # the clock's setting when the block began

    def saw_ahead(self, moment: datetime) -> None:
        self.ahead = moment if self.ahead is None else min(self.ahead, moment)

    def add(self, other: "Readings") -> None:
        self.count += other.count
        if other.ahead is not None:
            self.saw_ahead(other.ahead)

    def validity(self, clock: "Clock") -> Validity | None:
        """How long what was made inside holds (None: not past this moment, the time it read
        keeps moving)."""
        if clock.setting != self.setting:
            return None  # the clock was set while it was made
        if self.count:
            return Validity(self.setting) if clock.mode == "frozen" else None
        if self.ahead is None:
            return TIMELESS
        return Validity(self.setting, self.ahead)


_WATCHED: contextvars.ContextVar[Readings | None] = contextvars.ContextVar("mockexp_clock_watched", default=None)


@contextlib.contextmanager
def watched(clock: "Clock") -> Iterator[Readings]:
    """What this task (a request) learns of the time inside the block; a block inside another
    adds what it saw to the outer one's."""
    outer = _WATCHED.get()
    readings = Readings(clock.setting)
    token = _WATCHED.set(readings)
    try:
        yield readings
    finally:
        _WATCHED.reset(token)
        if outer is not None:
            outer.add(readings)


def recall(validity: Validity) -> None:
    """Tells the current `watched()` block what an answer made earlier (and served again now)
    learned of the time, so that what is made from it holds no longer than it does."""
    watching = _WATCHED.get()
    if watching is None or validity.setting is None:
        return
    if validity.until is None:
        watching.count += 1
    else:
        watching.saw_ahead(validity.until)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    def __init__(self, source: Callable[[], datetime] = utc_now) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self.setting = 0  # how many times the clock has been set (frozen, moved, run real, restored)

    @property
    def mode(self) -> str:
        return "frozen" if self._frozen_at is not None else "real"

    def now(self) -> datetime:
        watching = _WATCHED.get()
        if watching is not None:
            watching.count += 1
        return self.unwatched_now()

    def passed(self, moment: datetime) -> bool:
        """Whether `moment` has come: for a rule that only compares the time with a moment (an
        expiry, a schedule), so that an answer made from it holds until that moment."""
        now = self.unwatched_now()
        if now >= moment:
            return True
        watching = _WATCHED.get()
        if watching is not None:
            watching.saw_ahead(moment)
        return False

    def unwatched_now(self) -> datetime:
        """The time, without telling a `watched()` block (for checking what was made before)."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return self._source() + self._offset

    def freeze(self, at: datetime) -> None:
        """Stop the clock at `at` (a naive time is taken as UTC), between 1970 and 9000."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        _check_range(at)
        with self._lock:
            self._frozen_at = at.astimezone(timezone.utc)
            self.setting += 1

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a frozen clock stays frozen at the later instant. The clock
        does not move past the year 9000 (ValueError, and it stays where it was)."""
        if not seconds >= 0:
            raise ValueError("the clock only moves forward")
        try:
            step = timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"the clock cannot move {seconds:g} seconds: it would pass {LATEST.year}") from None
        with self._lock:
            current = self._frozen_at if self._frozen_at is not None else self._source() + self._offset
            if LATEST - current < step:
                raise ValueError(f"the clock cannot move {seconds:g} seconds: it would pass {LATEST.year}")
            if self._frozen_at is not None:
                self._frozen_at += step
            else:
                self._offset += step
            self.setting += 1

    def run_real(self) -> None:
        """Follow the machine's real time again."""
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)
            self.setting += 1

    def saved(self) -> dict:
        """What to keep so a restarted mock's clock is where this one's is (frozen, or ahead)."""
        with self._lock:
            return {"frozen_at": self._frozen_at.isoformat() if self._frozen_at else None, "offset_seconds": self._offset.total_seconds()}

    def restore(self, saved: dict) -> None:
        with self._lock:
            self._frozen_at = datetime.fromisoformat(saved["frozen_at"]) if saved.get("frozen_at") else None
            self._offset = timedelta(seconds=saved.get("offset_seconds", 0))
            self.setting += 1

    def state(self) -> dict:
        now = self.now()
        return {
            "now": now.isoformat().replace("+00:00", "Z"),
            "mode": self.mode,
            "offset_seconds": round((now - self._source()).total_seconds(), 3),
        }


def _check_range(at: datetime) -> None:
    if not EARLIEST <= at <= LATEST:
        raise ValueError(f"the clock runs between {EARLIEST.year} and {LATEST.year}, not at {at.isoformat()}")
