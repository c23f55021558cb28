"""Vendors' rate limits, as their specs declare them, switched on per vendor (`mockexp serve
--rate-limits`, or the admin API): each credential gets `limit` requests per `window` seconds
of the mock's clock (so a test can move the clock past a window), then 429 in the vendor's own
error shape, with `Retry-After` and the headers that vendor sends.

A spec declares its limit at the top level (or a list of them, all counted: a request over
any is refused, and counts against none):

    x-mockexp-rate-limit:
      limit: 60            # requests per window, per credential
      window: 60           # seconds
      per: key             # key (default): all of a credential's requests; route: per credential and operation
      headers:             # the vendor's header names, by role (each optional)
        limit: RateLimit-Limit
        remaining: RateLimit-Remaining
        reset: RateLimit-Reset
      reset: seconds       # the reset header as seconds to wait (default), epoch_s or epoch_ms
      message: Too many requests, try again in {retry_after} seconds.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from mockexp.errors import DomainError, Invalid

EXTENSION = "x-mockexp-rate-limit"
RESETS = ("seconds", "epoch_s", "epoch_ms")
PER = ("key", "route")


class TooManyRequests(DomainError):
    status = 429
    default_message = "Too many requests; try again later."


@dataclass(frozen=True)
class Limit:
    limit: int
    window: float
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: str = "seconds"
    per: str = "key"
    message: str = "Too many requests: {limit} per {window_words} per key. Try again in {retry_after} seconds."

    @classmethod
    def of(cls, declared: Mapping[str, Any]) -> "Limit":
        limit, window = declared.get("limit"), declared.get("window")
        if not isinstance(limit, int) or limit < 1 or not isinstance(window, (int, float)) or window <= 0:
            raise ValueError(f"{EXTENSION} needs a positive integer limit and a positive window (seconds)")
        reset = declared.get("reset", "seconds")
        if reset not in RESETS:
            raise ValueError(f"{EXTENSION}.reset must be one of {', '.join(RESETS)}")
        unknown = set(declared.get("headers") or {}) - {"limit", "remaining", "reset"}
        if unknown:
            raise ValueError(f"{EXTENSION}.headers knows limit, remaining and reset, not {', '.join(sorted(unknown))}")
        per = declared.get("per", "key")
        if per not in PER:
            raise ValueError(f"{EXTENSION}.per must be one of {', '.join(PER)}")
        extra = {"message": declared["message"]} if "message" in declared else {}
        return cls(limit=limit, window=float(window), headers=dict(declared.get("headers") or {}), reset=reset, per=per, **extra)

    @classmethod
    def all_of(cls, declared: Any) -> tuple["Limit", ...]:
        """A spec's declaration: one limit, or a list of them."""
        items = declared if isinstance(declared, list) else [declared]
        if not items or not all(isinstance(item, Mapping) for item in items):
            raise ValueError(f"{EXTENSION} is a limit or a non-empty list of limits")
        return tuple(cls.of(item) for item in items)

    @property
    def window_words(self) -> str:
        return {60.0: "minute", 3600.0: "hour"}.get(self.window, f"{self.window:g} seconds")

    def to_json(self) -> dict:
        return {"limit": self.limit, "window_seconds": self.window, "per": self.per}

    def header_values(self, remaining: int, window_ends: datetime, now: datetime) -> dict[str, str]:
        wait = max(0, math.ceil((window_ends - now).total_seconds()))
        reset = {"seconds": str(wait), "epoch_s": str(math.ceil(window_ends.timestamp())), "epoch_ms": str(math.ceil(window_ends.timestamp() * 1000))}[self.reset]
        values = {"limit": str(self.limit), "remaining": str(max(0, remaining)), "reset": reset}
        return {name: values[role] for role, name in self.headers.items()}


class RateLimits:
    def __init__(self, clock: Any, declared: Mapping[str, tuple[Limit, ...]]) -> None:
        self.clock = clock
        self.declared = dict(declared)
        self.enabled: set[str] = set()
        self._windows: dict[tuple[str, int, str], tuple[datetime, int]] = {}
        self._lock = threading.Lock()

    def switch(self, vendors: list[str], on: bool) -> None:
        unknown = [name for name in vendors if name not in self.declared]
        if unknown:
            raise Invalid.field("vendors", f"{', '.join(unknown)} declares no rate limit; these do: {', '.join(sorted(self.declared)) or 'none'}.")
        with self._lock:
            (self.enabled.update if on else self.enabled.difference_update)(vendors)
            self._windows = {key: value for key, value in self._windows.items() if key[0] in self.enabled}

    def state(self) -> list[dict]:
        """Each vendor's limits (the first one's figures at the top, as before there were several)."""
        return [{"vendor": name, "enabled": name in self.enabled, "limit": limits[0].limit, "window_seconds": limits[0].window,
                 "limits": [limit.to_json() for limit in limits]} for name, limits in sorted(self.declared.items())]

    def take(self, vendor: str, key: str, route: str = "") -> dict[str, str]:
        """Count one request of `key` to `route` (its operation): the headers to send, or
        TooManyRequests (then it counts against no limit)."""
        if vendor not in self.enabled:
            return {}
        now = self.clock.now()
        with self._lock:
            windows = [(limit, (vendor, index, key if limit.per == "key" else f"{key} {route}")) for index, limit in enumerate(self.declared[vendor])]
            counted = [(limit, slot, *self._window(limit, slot, now)) for limit, slot in windows]
            full = [(limit, ends) for limit, _, _, used, ends in counted if used >= limit.limit]
            if full:
                limit, ends = max(full, key=lambda item: item[1])
                wait = max(1, math.ceil((ends - now).total_seconds()))
                headers = {"Retry-After": str(wait), **limit.header_values(0, ends, now)}
                raise TooManyRequests(limit.message.format(limit=limit.limit, window_words=limit.window_words, retry_after=wait), headers=headers)
            headers: dict[str, str] = {}
            for limit, slot, started, used, ends in counted:
                self._windows[slot] = (started, used + 1)
                headers.update(limit.header_values(limit.limit - used - 1, ends, now))
            return headers

    def _window(self, limit: Limit, slot: tuple, now: datetime) -> tuple[datetime, int, datetime]:
        """The current window of a slot: when it started, how much of it is used, when it ends."""
        started, used = self._windows.get(slot, (now, 0))
        if (now - started).total_seconds() >= limit.window or now < started:
            started, used = now, 0
        return started, used, started + timedelta(seconds=limit.window)


def declared_limits(specs: Mapping[str, Any]) -> dict[str, tuple[Limit, ...]]:
    return {name: Limit.all_of(spec.document[EXTENSION]) for name, spec in specs.items() if EXTENSION in spec.document}
