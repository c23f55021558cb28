"""The request journal: every request to a vendor's API, as it was asked and answered, kept
in memory (the newest `capacity`; older ones are dropped and counted) so a test can check
which calls its code made."""

from __future__ import annotations

import json
import threading
import zlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl

from mockexp.errors import Invalid

FILTERS = ("vendor", "operationId", "method", "path", "status", "since", "until")
GZIP_MAGIC = b"\x1f\x8b"
SHOWN_DECOMPRESSED = 1 << 20  # bytes of a compressed body's JSON shown at most
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


@dataclass(slots=True)
class Entry:
    """One request as it was asked and answered, kept raw: the JSON shape (masked headers,
    parsed body and query) is made when someone reads the journal, not on the request path.
    Never changed once recorded (not frozen: a frozen dataclass costs several times more to
    make, once per request)."""

    instant: datetime
    vendor: str
    operation_id: str | None
    method: str
    path: str
    query_string: bytes
    status: int
    duration_ms: float
    headers: Sequence[tuple[bytes, bytes]]
    secret: tuple[str, ...]  # the vendor's credential headers, masked when shown
    body: bytes
    response_headers: Sequence[tuple[bytes, bytes]]
    body_size: int

    def to_json(self, id: int) -> dict:
        return {
            "id": id, "time": self.instant.isoformat().replace("+00:00", "Z"), "vendor": self.vendor, "operationId": self.operation_id,
            "method": self.method, "path": self.path, "query": _query(self.query_string), "status": self.status, "duration_ms": self.duration_ms,
            "request": {"headers": masked(_text(self.headers), self.secret), "body": _body(self.body)},
            "response": {"headers": {name.lower(): value for name, value in _text(self.response_headers)}, "body_size": self.body_size},
        }


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

    def matches(self, entry: Entry) -> bool:
        return ((self.vendor is None or entry.vendor == self.vendor)
                and (self.operationId is None or entry.operation_id == self.operationId)
                and (self.method is None or entry.method == self.method.upper())
                and (self.path is None or entry.path.startswith(self.path))
                and (self.status is None or entry.status == self.status)
                and (self.since is None or entry.instant >= self.since)
                and (self.until is None or entry.instant <= self.until))


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._entries: deque[tuple[int, Entry]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self.recorded = 0
        self.dropped = 0

    def record(self, entry: Entry) -> None:
        with self._lock:
            if len(self._entries) == self.capacity:
                self.dropped += 1
            self.recorded += 1
            self._entries.append((self.recorded, entry))

    def entries(self, where: Filter = Filter()) -> list[dict]:
        with self._lock:
            found = [(id, entry) for id, entry in self._entries if where.matches(entry)]
        return [entry.to_json(id) for id, entry in found]

    def count(self, where: Filter = Filter()) -> int:
        with self._lock:
            return sum(1 for _, entry in self._entries if where.matches(entry))

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


def _text(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


def _query(raw: bytes) -> dict[str, Any]:
    """A query string as {name: value}, a repeated name's values as a list."""
    found: dict[str, Any] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        found[name] = [*found[name], value] if isinstance(found.get(name), list) else ([found[name], value] if name in found else value)
    return found


def _body(raw: bytes) -> Any:
    """The JSON body as sent (a gzip-compressed one decompressed), or its text (not JSON, cut
    off at the journal's limit, or nested too deep to read)."""
    if not raw:
        return None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, SHOWN_DECOMPRESSED)
        except zlib.error:
            return raw.decode("utf-8", errors="replace")
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text
