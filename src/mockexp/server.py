"""The HTTP server under the app (uvicorn with httptools), with bounds no client can push it
past: the size and number of request headers (431), the time a request may take to arrive
(408, then the connection is closed), and the number of connections open at once (a new one
beyond it gets 503 and is closed at once, so the ones being served keep their file
descriptors). Every refusal is in the error shape of the API the request was for.
"""

from __future__ import annotations

import asyncio
import resource
from dataclasses import dataclass, field
from typing import Any, Callable

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockexp.errors import DomainError, RequestHeaderFieldsTooLarge, RequestTimeout, ServiceUnavailable

# (path, method, error) -> (status, headers, body): the error as the API at that path renders it
Render = Callable[[str, str, DomainError], tuple[int, list[tuple[bytes, bytes]], bytes]]


def default_max_connections() -> int:
    """Below the open-file limit, with room for the store's files and the logs."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(8, min(1000, soft - 64))


@dataclass(frozen=True)
class Limits:
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    request_timeout: float = 10.0
    max_connections: int = field(default_factory=default_max_connections)


DROP = "mockexp.drop"  # scope extension: closes the connection with no answer
SHUTDOWN = "mockexp.on_shutdown"  # scope extension: on_shutdown(callback), called when the server stops (a stream then ends its answer)


class Bounded(HttpToolsProtocol):
    """uvicorn's httptools protocol, bounded by `limits` (made per server by `protocol`); the
    uvicorn internals it relies on are listed in `compat.py`."""

    limits: Limits
    render: Render
    _timer: asyncio.TimerHandle | None = None
    _refused = False
    _too_large = False
    _header_bytes = 0
    _header_count = 0
    _on_shutdown: Callable[[], None] | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            _answer(transport, self.render("/", "GET", ServiceUnavailable("Too many connections are open; try again shortly.", headers={"Retry-After": "1"})))
            return
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.scope is not None:  # how the app may drop this connection (a fault rule's `drop`), or hear the server stop
            extensions = self.scope.setdefault("extensions", {})
            extensions[DROP], extensions[SHUTDOWN] = self._drop, self._when_shutting_down
        if self.cycle is not None:
            self.cycle.transport = joined = _OneWrite(self.cycle.transport)
            completed = self.cycle.on_response

            def on_response() -> None:  # this response's, whatever cycle comes next
                joined.flush()
                completed()

            self.cycle.on_response = on_response

    def _when_shutting_down(self, callback: Callable[[], None]) -> None:
        self._on_shutdown = callback

    def shutdown(self) -> None:
        """The server stops: an answer that would never end (a stream) is told, so that it ends."""
        callback, self._on_shutdown = self._on_shutdown, None
        if callback is not None:
            callback()
        super().shutdown()

    def _drop(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if not self._refused:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if self._too_large:
                self._close_with(RequestHeaderFieldsTooLarge(f"Request headers are limited to {self.limits.max_headers} fields and {self.limits.max_header_bytes} bytes."))
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._on_shutdown = None
        self._header_bytes = self._header_count = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count(len(url), 0)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, 1)
        super().on_header(name, value)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _count(self, size: int, fields: int) -> None:
        self._header_bytes += size
        self._header_count += fields
        if self._header_bytes > self.limits.max_header_bytes or self._header_count > self.limits.max_headers:
            self._too_large = True
            raise ValueError("request headers over the limit")

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = self.loop.call_later(self.limits.request_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if self.transport is not None and not self.transport.is_closing():
            self._close_with(RequestTimeout(f"The request did not arrive within {self.limits.request_timeout:g} seconds."))

    def _close_with(self, error: DomainError) -> None:
        path = _path_of(getattr(self, "url", b"") or b"/")
        method = (self.scope or {}).get("method", "GET") if self.scope else "GET"
        _answer(self.transport, self.render(path, method, error))


def protocol(limits: Limits, render: Render) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, bounded by `limits` (handed to uvicorn as its `http` class)."""
    return type("Bounded", (Bounded,), {"limits": limits, "render": staticmethod(render)})


class _OneWrite:
    """A response's transport that sends its head with the first part of its body, in one
    write (uvicorn writes them apart: two system calls and two packets per response). A head
    with no body after it (HEAD, or a response cut short) is sent when the response completes
    or the connection closes; an interim `100 Continue` goes at once."""

    __slots__ = ("transport", "held")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self.held is not None:
            data, self.held = self.held + data, None
        elif data.startswith(b"HTTP/1.1 ") and not data.startswith(b"HTTP/1.1 1"):
            self.held = data
            return
        self.transport.write(data)

    def flush(self) -> None:
        if self.held is not None:
            data, self.held = self.held, None
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _path_of(url: bytes) -> str:
    try:
        return httptools.parse_url(url).path.decode("ascii", "replace") or "/"
    except httptools.HttpParserInvalidURLError:
        return "/"


def _answer(transport: Any, response: tuple[int, list[tuple[bytes, bytes]], bytes]) -> None:
    status, headers, body = response
    head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}".encode()]
    head += [name + b": " + value for name, value in headers if name.lower() not in (b"content-length", b"connection")]
    head += [b"content-length: " + str(len(body)).encode(), b"connection: close"]
    transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    transport.close()


_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def config(app: Any, *, host: str, port: int, limits: Limits, render: Render, log_level: str = "info", **options: Any) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http=protocol(limits, render), **options)


class Announcing(uvicorn.Server):
    """A uvicorn server that says where it listens once its socket is bound (so `--port 0`,
    any free port, is announced with the port it got)."""

    def __init__(self, config: uvicorn.Config, announce: Callable[[int], None]) -> None:
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self.announce(self.servers[0].sockets[0].getsockname()[1])
