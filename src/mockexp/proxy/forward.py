"""The validation proxy as an ASGI app: every request forwarded to the upstream unchanged
(credentials included, never kept), its answer streamed back, and both checked against the
vendor's spec on the way; what breaks the spec goes to the violations journal, served at
`GET /__mockexp/violations`."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import httpx
from starlette.types import Receive, Scope, Send

from mockexp import admin
from mockexp.clock import Clock
from mockexp.control.journal import Filter
from mockexp.errors import DomainError, from_exception
from mockexp.proxy.check import Exchange, Problem, error_shapes, operation_of, request_problems, response_problems_of, spec_for
from mockexp.proxy.violations import Violation, Violations
from mockexp.server import DROP
from mockexp.specs import Spec
from mockexp.vendor import Vendor

MAX_BODY_BYTES = 1 << 20  # bytes of a body kept for checking; beyond, it is streamed unchecked
VIOLATIONS_PATH = "/__mockexp/violations"
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"host"}
log = logging.getLogger("mockexp.proxy")


class UpstreamError(DomainError):
    """The proxy's own answer: the upstream could not be reached, was too slow, or broke the spec."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class RequestBody:
    """A request's body as a stream for the upstream, keeping its first `limit` bytes."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive, self.limit = receive, limit
        self.kept = bytearray()
        self.whole = True

    async def stream(self):
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                return
            chunk = message.get("body", b"")
            if self.whole and len(self.kept) + len(chunk) > self.limit:
                self.whole = False
                self.kept.clear()
            elif self.whole:
                self.kept += chunk
            if chunk:
                yield chunk
            if not message.get("more_body"):
                return

    @property
    def value(self) -> bytes | None:
        return bytes(self.kept) if self.whole else None


class Sending:
    """The client's `send`, knowing whether the answer has started."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Any) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


class Proxy:
    def __init__(self, vendor: Vendor, specs: Iterable[Spec], upstream: str, violations: Violations, *, clock: Clock | None = None,
                 fail_on_violation: bool = False, timeout: float = 30.0, body_limit: int = MAX_BODY_BYTES,
                 observers: Iterable[Callable[[Exchange], None]] = ()) -> None:
        self.vendor, self.specs, self.upstream = vendor, list(specs), upstream.rstrip("/")
        self.violations, self.clock = violations, clock or Clock()
        self.fail_on_violation, self.timeout, self.body_limit = fail_on_violation, timeout, body_limit
        self.observers = list(observers)
        self.shapes = [shape for spec in self.specs for shape in error_shapes(spec)]
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        for name in ("Accept", "Accept-Encoding", "User-Agent"):  # httpx's own defaults: only what the client sent goes on
            del self.client.headers[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self.client.aclose)
        elif scope["type"] == "http" and scope["path"].rstrip("/") == VIOLATIONS_PATH:
            await self._violations_api(scope, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = RequestBody(receive, self.body_limit)
        headers = [(name, value) for name, value in scope["headers"] if name.lower() not in HOP_BY_HOP]
        request = self.client.build_request(scope["method"], self._url(scope), headers=headers, content=body.stream() if _has_body(scope) else None)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            await self._refuse(scope, send, UpstreamError(504, f"mockexp proxy: the upstream {self.upstream} did not answer within {self.timeout:g} seconds."))
            return
        except httpx.HTTPError as exc:
            await self._refuse(scope, send, UpstreamError(502, f"mockexp proxy: cannot reach the upstream {self.upstream}: {type(exc).__name__}: {exc}"))
            return
        sending = Sending(send)
        try:
            await self._relay(scope, body, response, sending)
        except httpx.HTTPError as exc:
            await self._broken_off(scope, sending, f"mockexp proxy: the upstream {self.upstream} broke off its answer: {type(exc).__name__}: {exc}")
        finally:
            await response.aclose()

    async def _broken_off(self, scope: Scope, sending: "Sending", message: str) -> None:
        """The upstream's answer stopped halfway: a 502 if nothing was sent on yet, else the
        client's connection is closed (its answer cannot be finished)."""
        if not sending.started:
            await self._refuse(scope, sending, UpstreamError(502, message))
            return
        log.warning("%s", message)
        drop = scope.get("extensions", {}).get(DROP)
        if drop is not None:
            drop()

    async def _relay(self, scope: Scope, body: RequestBody, response: httpx.Response, send: Send) -> None:
        """Send the upstream's answer on, checked: held back whole (up to the body limit) when a
        violation must replace it, else passed on chunk by chunk as it comes."""
        chunks = response.aiter_raw()
        held, whole = bytearray(), True
        start = {"type": "http.response.start", "status": response.status_code,
                 "headers": [(name, value) for name, value in response.headers.raw if name.lower() not in HOP_BY_HOP]}
        if not self.fail_on_violation:
            await send(start)
        async for chunk in chunks:
            if whole and len(held) + len(chunk) > self.body_limit:
                whole = False
                if self.fail_on_violation:
                    held += chunk
                    break
            if whole:
                held += chunk
            if not self.fail_on_violation:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        problems = self._checked(scope, body, response, bytes(held) if whole else None)
        if not self.fail_on_violation:
            await send({"type": "http.response.body", "body": b""})
        elif problems:
            first = problems[0]
            await self._refuse(scope, send, UpstreamError(502, f"mockexp proxy: the upstream's answer ({response.status_code}) breaks the spec: {first.kind}: {first.message}"))
        else:
            await send(start)
            await send({"type": "http.response.body", "body": bytes(held), "more_body": True})
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})

    def _checked(self, scope: Scope, body: RequestBody, response: httpx.Response, answer: bytes | None) -> list[Problem]:
        """Check the exchange, journal its violations; the answer's (not the request's) returned."""
        exchange = Exchange(
            method=scope["method"], path=scope["path"], query=parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
            headers={name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}, body=body.value,
            status=response.status_code, response_headers={name.lower(): value for name, value in response.headers.items()}, response_body=answer,
        )
        spec = spec_for(self.specs, exchange.path)
        asked, answered = request_problems(spec, exchange), response_problems_of(spec, exchange, self.shapes)
        operation = operation_of(spec, exchange)
        self.violations.exchanges += 1
        for problem in asked + answered:
            log.warning("violation: %s %s %s %s: %s", exchange.status, exchange.method, exchange.path, problem.kind, problem.message)
            self.violations.record(Violation(self.clock.now(), self.vendor.name, operation.operation_id if operation else None,
                                             exchange.method, exchange.path, exchange.status, problem.kind, problem.message))
        for observe in self.observers:
            observe(exchange)
        return answered

    def _url(self, scope: Scope) -> str:
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        return self.upstream + path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")

    async def _refuse(self, scope: Scope, send: Send, error: DomainError) -> None:
        body, headers = self.vendor.render_error(error)
        await _json(send, error.status, body, headers)

    async def _violations_api(self, scope: Scope, send: Send) -> None:
        """`GET /__mockexp/violations` (filtered as the request journal is), `DELETE` to clear."""
        if scope["method"] == "DELETE":
            await _json(send, 200, {"cleared": self.violations.clear()})
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _json(send, 405, {"detail": f'Method "{scope["method"]}" not allowed.'}, {"Allow": "GET, HEAD, DELETE"})
            return
        query = {name: values[-1] for name, values in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        try:
            where = Filter.of({**query, "status": int(query["status"]) if query.get("status", "").isdigit() else query.get("status")})
        except DomainError as exc:
            body, headers = admin.render_error(from_exception(exc))
            await _json(send, exc.status, body, headers)
            return
        await _json(send, 200, {"violations": self.violations.entries(where), "exchanges": self.violations.exchanges,
                                "dropped": self.violations.dropped, "capacity": self.violations.capacity})


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return b"transfer-encoding" in headers or headers.get(b"content-length", b"0") not in (b"0", b"")


async def _json(send: Send, status: int, body: Any, headers: dict | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(name.lower().encode("latin-1"), str(value).encode("latin-1")) for name, value in (headers or {}).items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


async def _lifespan(receive: Receive, send: Send, on_shutdown: Callable[[], Any]) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await on_shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
