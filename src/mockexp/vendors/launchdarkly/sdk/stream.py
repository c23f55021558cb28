"""`GET /all`: one environment's stream of server-sent events, fed by a `broadcast.Watch` of
its payload (one per environment with open streams, shared by them: each change is worked out
and encoded once, whatever the number of streams)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockexp.broadcast import Listener, Watch
from mockexp.vendors.launchdarkly.models import LaunchDarkly
from mockexp.vendors.launchdarkly.models.sdk import Payload
from mockexp.vendors.launchdarkly.sdk import events

HEARTBEAT_SECONDS = 30.0  # LaunchDarkly's SDKs give up on a stream silent for 5 minutes
DROP = "mockexp.drop"  # the server's scope extensions: close the connection at once,
SHUTDOWN = "mockexp.on_shutdown"  # and call back when the server stops

_watches: "weakref.WeakKeyDictionary[LaunchDarkly, dict[tuple[str, str], Watch[Payload]]]" = weakref.WeakKeyDictionary()


def watch(ld: LaunchDarkly, project_key: str, environment_key: str) -> Watch[Payload]:
    """The one watch of an environment's payload (made on its first stream)."""
    mine = _watches.setdefault(ld, {})
    found = mine.get((project_key, environment_key))
    if found is None:
        model = weakref.ref(ld)  # the watch must not keep the model (its key here) alive
        found = mine[project_key, environment_key] = Watch(lambda: model().sdk_payload(project_key, environment_key), events.changes)
    return found


class EventStream(Response):
    """The ASGI answer: the `put`, then what the watch hands over, with a heartbeat whenever
    nothing was sent for `heartbeat` seconds; it ends when the client goes, or when the watch
    dropped it (it stopped reading): the connection is then closed; when the server stops, the
    answer ends. (A Starlette response, so Connexion hands it on as it is, with no length.)"""

    media_type = "text/event-stream"

    def __init__(self, source: Watch[Payload], headers: dict[str, str], *, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.source = source
        self.status_code = 200
        self.background = None
        self.raw_headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
                        *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())]
        self.heartbeat = heartbeat

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        listener, payload = self.source.listen()
        extensions = scope.get("extensions", {})
        stopping = asyncio.Event()
        if SHUTDOWN in extensions:
            extensions[SHUTDOWN](stopping.set)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": events.put(payload), "more_body": True})
            ended = await _first(self._forward(listener, send), _disconnected(receive), listener.dropped.wait(), stopping.wait())
            if ended == 2 and DROP in extensions:
                extensions[DROP]()
            elif ended == 3:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.source.leave(listener)

    async def _forward(self, listener: Listener, send: Send) -> None:
        while True:
            try:
                item = await asyncio.wait_for(listener.queue.get(), self.heartbeat)
            except asyncio.TimeoutError:
                item = events.HEARTBEAT
            await send({"type": "http.response.body", "body": item, "more_body": True})


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _first(*waits: Any) -> int:
    """Run these together until one ends (or fails: a client gone mid-write); cancel the rest.
    The index of the one that ended."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    return next(index for index, task in enumerate(tasks) if task in done)
