"""Stand-in "real" APIs for the proxy, drift and record tests: the mock itself, optionally
with one answer deliberately altered, and any ASGI app served on a free port in a thread."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Any, Callable, Iterator

import uvicorn

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.testing import Mock, free_port
from mockexp.vendors import ALL

# (method, path, status, body) -> (status, body), or None to leave the answer alone
Alteration = Callable[[str, str, int, Any], "tuple[int, Any] | None"]


class Altered:
    """ASGI middleware that rewrites the JSON answers `alteration` picks."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.alteration: Alteration | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.alteration is None:
            await self.app(scope, receive, send)
            return
        start, chunks = {}, []

        async def keep(message):
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        body = b"".join(chunks)
        changed = self.alteration(scope["method"], scope["path"], start["status"], json.loads(body) if body else None)
        if changed is not None:
            start["status"], body = changed[0], json.dumps(changed[1]).encode()
            start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"] + [(b"content-length", str(len(body)).encode())]
        await send(start)
        await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def altered_mock(*vendors: str) -> Iterator[tuple[Mock, Altered]]:
    """A fresh in-memory mock whose answers a test may alter (`altered.alteration = ...`)."""
    runtime = Runtime(Store(), Clock(), [ALL[name] for name in vendors])
    runtime.seed()
    holder: list[Altered] = []
    with Mock(runtime, wrap=lambda app: holder.append(Altered(app)) or holder[0]) as mock:
        yield mock, holder[0]


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """Any ASGI app on a free port of 127.0.0.1 in a thread; its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
