"""Vendors' rate limits, as their specs declare them, switched on per vendor (`mockexp serve
--rate-limits`, or the admin API): each credential gets `limit` requests per `window` seconds
of the mock's clock (so a test can move the clock past a window), then 429 in the vendor's own
error shape, with `Retry-After` and the headers that vendor sends.

A spec declares its limit at the top level:

    x-mockexp-rate-limit:
      limit: 60            # requests per window, per credential
      window: 60           # seconds
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


class TooManyRequests(DomainError):
    status = 429
    default_message = "Too many requests; try again later."


@dataclass(frozen=True)
class Limit:
    limit: int
    window: float
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: str = "seconds"
    message: str = "Too many requests: {limit} a {window_words} per key. Try again in {retry_after} seconds."

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
        extra = {"message": declared["message"]} if "message" in declared else {}
        return cls(limit=limit, window=float(window), headers=dict(declared.get("headers") or {}), reset=reset, **extra)

    def header_values(self, remaining: int, window_ends: datetime, now: datetime) -> dict[str, str]:
        wait = max(0, math.ceil((window_ends - now).total_seconds()))
        reset = {"seconds": str(wait), "epoch_s": str(math.ceil(window_ends.timestamp())), "epoch_ms": str(math.ceil(window_ends.timestamp() * 1000))}[self.reset]
        values = {"limit": str(self.limit), "remaining": str(max(0, remaining)), "reset": reset}
        return {name: values[role] for role, name in self.headers.items()}


class RateLimits:
    def __init__(self, clock: Any, declared: Mapping[str, Limit]) -> None:
        self.clock = clock
        self.declared = dict(declared)
        self.enabled: set[str] = set()
        self._windows: dict[tuple[str, str], tuple[datetime, int]] = {}
        self._lock = threading.Lock()

    def switch(self, vendors: list[str], on: bool) -> None:
        unknown = [name for name in vendors if name not in self.declared]
        if unknown:
            raise Invalid.field("vendors", f"{', '.join(unknown)} declares no rate limit; these do: {', '.join(sorted(self.declared)) or 'none'}.")
        with self._lock:
            (self.enabled.update if on else self.enabled.difference_update)(vendors)
            self._windows = {key: value for key, value in self._windows.items() if key[0] in self.enabled}

    def state(self) -> list[dict]:
        return [{"vendor": name, "enabled": name in self.enabled, "limit": limit.limit, "window_seconds": limit.window}
                for name, limit in sorted(self.declared.items())]

    def take(self, vendor: str, key: str) -> dict[str, str]:
        """Count one request of `key`: the headers to send, or TooManyRequests."""
        if vendor not in self.enabled:
            return {}
        limit = self.declared[vendor]
        now = self.clock.now()
        with self._lock:
            started, used = self._windows.get((vendor, key), (now, 0))
            if (now - started).total_seconds() >= limit.window or now < started:
                started, used = now, 0
            ends = started + timedelta(seconds=limit.window)
            if used >= limit.limit:
                wait = max(1, math.ceil((ends - now).total_seconds()))
                headers = {"Retry-After": str(wait), **limit.header_values(0, ends, now)}
                window_words = f"{limit.window:g} seconds" if limit.window != 60 else "minute"
                raise TooManyRequests(limit.message.format(limit=limit.limit, window_words=window_words, retry_after=wait), headers=headers)
            self._windows[(vendor, key)] = (started, used + 1)
            return limit.header_values(limit.limit - used - 1, ends, now)


def declared_limits(specs: Mapping[str, Any]) -> dict[str, Limit]:
    return {name: Limit.of(spec.document[EXTENSION]) for name, spec in specs.items() if EXTENSION in spec.document}
