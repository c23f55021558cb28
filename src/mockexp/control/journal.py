"""The request journal: every request to a vendor's API, as it was asked and answered, kept
in memory (the newest `capacity`; older ones are dropped and counted) so a test can check
which calls its code made."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from mockexp.errors import Invalid

FILTERS = ("vendor", "operationId", "method", "path", "status", "since", "until")
SECRET_HEADERS = ("authorization", "cookie", "proxy-authorization", "x-api-key")


def masked(headers: Iterable[tuple[str, str]], secret: Iterable[str] = ()) -> dict[str, str]:
    """Request headers with credentials hidden: `Bearer ****` keeps only the scheme word."""
    hidden = set(SECRET_HEADERS) | {name.lower() for name in secret}
    shown: dict[str, str] = {}
    for name, value in headers:
        if name.lower() in hidden:
            word, space, _ = value.partition(" ")
            value = f"{word} ****" if space else "****"
        shown[name.lower()] = value
    return shown


@dataclass(frozen=True)
class Filter:
    """Which entries a query means: each given field must match (`path` as a prefix, `method`
    in any case, `since` / `until` as ISO 8601 times, inclusive)."""

    vendor: str | None = None
    operationId: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> "Filter":
        given = {name: values[name] for name in FILTERS if values.get(name) is not None}
        for name in ("since", "until"):
            if name in given:
                given[name] = _moment(name, given[name])
        return cls(**given)

    def matches(self, entry: Mapping[str, Any]) -> bool:
        return ((self.vendor is None or entry["vendor"] == self.vendor)
                and (self.operationId is None or entry["operationId"] == self.operationId)
                and (self.method is None or entry["method"] == self.method.upper())
                and (self.path is None or entry["path"].startswith(self.path))
                and (self.status is None or entry["status"] == self.status)
                and (self.since is None or entry["instant"] >= self.since)
                and (self.until is None or entry["instant"] <= self.until))


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._entries: deque[dict] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self.recorded = 0
        self.dropped = 0

    def record(self, entry: dict) -> None:
        with self._lock:
            if len(self._entries) == self.capacity:
                self.dropped += 1
            self.recorded += 1
            self._entries.append({"id": self.recorded, **entry})

    def entries(self, where: Filter = Filter()) -> list[dict]:
        with self._lock:
            return [_public(entry) for entry in self._entries if where.matches(entry)]

    def count(self, where: Filter = Filter()) -> int:
        with self._lock:
            return sum(1 for entry in self._entries if where.matches(entry))

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
            self.dropped = 0
            return cleared


def _moment(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise Invalid.field(name, f"{value!r} is not an ISO 8601 time, such as 2026-03-02T09:30:00Z.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _public(entry: Mapping[str, Any]) -> dict:
    return {name: value for name, value in entry.items() if name != "instant"}
