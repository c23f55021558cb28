"""A GET repeated exactly is answered with the first one's response, while nothing it was made
from has changed: what many apps polling the same payload, or a dashboard refreshing a list,
send again and again.

The first request goes through the whole app (routing, security, validation, the model). Its
response is kept when it is a success (or a 304 to a conditional read) answered by a vendor's kept read (`kept_reads.py`), no
write to that vendor happened while it was made, and what it learned of the time still holds
(`clock.Validity`: for ever without the time; until the next moment an expiry or schedule
compared with; while a frozen clock stays where it is). A later request with the
same path, query, scheme and every header alike gets the kept response's bytes, until the next
write to the vendor (any: an API call, a reset, a snapshot restored) moves the store's count.

This sits inside the control plane: the journal, faults, latency and rate limits see every
request, repeated or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockexp.clock import Clock, Validity, watched
from mockexp.kept_reads import KeptReads, answered
from mockexp.store import Store

_BODY_HEADERS = (b"content-length", b"transfer-encoding")


@dataclass(frozen=True)
class _Sent:
    by: KeptReads
    changes: int  # the vendor's count of writes the response was made at
    validity: Validity  # how long it holds, as far as the time goes
    start: Message
    body: bytes


class Repeats:
    # responses kept, and their bytes: a fuzzer's endless variety of requests must not pile up
    # (past either, every kept response is let go and keeping starts again)
    MOST_KEPT = 4096
    MOST_BYTES = 64 << 20

    def __init__(self, app: ASGIApp, store: Store, clock: Clock) -> None:
        self.app, self.store, self.clock = app, store, clock
        self._sent: dict[Hashable, _Sent] = {}
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        found = self._sent.get(key)
        if found is not None and self._fresh(found):
            await send(dict(found.start))
            await send({"type": "http.response.body", "body": found.body})
            return
        await self._answer(key, scope, receive, send)

    def _fresh(self, sent: _Sent) -> bool:
        return sent.by.store.changes(sent.by.vendor) == sent.changes and sent.validity.holds(self.clock)

    async def _answer(self, key: Hashable, scope: Scope, receive: Receive, send: Send) -> None:
        before = self.store.written()
        start: list[Message] = []
        body: list[bytes] = []

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.append(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            made = readings.count, readings.ahead
            await send(message)
            readings.count, readings.ahead = made  # what the control plane reads of the clock (the journal's time) is not the answer's

        with watched(self.clock) as readings, answered() as reply:
            await self.app(scope, receive, sending)
        by = reply.by
        if by is None or not start or not _kept_status(start[0]["status"]) or by.store.changes(by.vendor) > before:
            return
        validity = readings.validity(self.clock)
        if validity is None:
            return
        sent = b"".join(body)
        stale = self._sent.pop(key, None)
        self._bytes -= len(stale.body) if stale else 0
        if len(self._sent) >= self.MOST_KEPT or self._bytes + len(sent) > self.MOST_BYTES:
            self._sent.clear()
            self._bytes = 0
        kept_start = {"type": "http.response.start", "status": start[0]["status"], "headers": list(start[0].get("headers", []))}
        self._sent[key] = _Sent(by, by.store.changes(by.vendor), validity, kept_start, sent)
        self._bytes += len(sent)


def _kept_status(status: int) -> bool:
    return 200 <= status < 300 or status == 304  # a success, or "not modified" to a conditional read


def _key(scope: Scope) -> Hashable | None:
    """What the request is made of, for a GET without a body (None for any other request)."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    headers: Any = tuple((name, value) for name, value in scope["headers"])
    if any(name in _BODY_HEADERS and value != b"0" for name, value in headers):
        return None
    return scope["path"], scope["query_string"], scope.get("root_path", ""), scope.get("scheme"), headers
