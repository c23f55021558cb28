"""The one clock every time-based rule reads.

It follows real time by default. It can be frozen at an instant, moved forward, and let run
again; `now()` is the only way mockexp code learns the time.

It counts its readings (`readings`, and those made inside `watched()` in the current task)
and its settings (`setting`: each freeze, move, return to real time or restore), so that an
answer kept for reuse (`kept_reads.py`) knows whether it was made from the time, and whether
that time is still the clock's.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator


EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)  # leaves vendors room for date arithmetic (a year's subscription...)


class Readings:
    """How many times the clock was read inside a `watched()` block."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_WATCHED: contextvars.ContextVar[Readings | None] = contextvars.ContextVar("mockexp_clock_watched", default=None)


@contextlib.contextmanager
def watched() -> Iterator[Readings]:
    """The clock's readings made by this task (a request) inside the block, whichever clock."""
    readings = Readings()
    token = _WATCHED.set(readings)
    try:
        yield readings
    finally:
        _WATCHED.reset(token)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    def __init__(self, source: Callable[[], datetime] = utc_now) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self.readings = 0  # how many times now() has been read
        self.setting = 0  # how many times the clock has been set (frozen, moved, run real, restored)

    @property
    def mode(self) -> str:
        return "frozen" if self._frozen_at is not None else "real"

    def now(self) -> datetime:
        watching = _WATCHED.get()
        if watching is not None:
            watching.count += 1
        with self._lock:
            self.readings += 1
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
