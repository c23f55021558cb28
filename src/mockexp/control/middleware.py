"""The control plane's place in every request to a vendor: fault rules and latency applied
before the mock answers, and the request and its answer written to the journal as the answer's
last part goes out (so a client holding its answer finds the request journalled)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from mockexp.auth import API, OPERATION
from mockexp.control.faults import InjectedFault
from mockexp.control.journal import Entry
from mockexp.control.patching import PatchedAnswer
from mockexp.control.ratelimits import TooManyRequests

BODY_KEPT = 64 * 1024  # bytes of a request body the journal keeps
ANSWER_KEPT = 2048  # bytes of an error answer kept for the log line's reason
log = logging.getLogger("mockexp.requests")
DROP = "mockexp.drop"


class ControlPlane:
    """ASGI middleware; `runtime` holds the journal and the fault rules."""

    def __init__(self, app: ASGIApp, runtime: Any) -> None:
        self.app = app
        self.runtime = runtime
        self.secret = {name: _secret_headers(spec) for name, spec in runtime.specs.items()}
        self.credential_headers = {name: {header.lower().encode("latin-1") for header in (*secret, "authorization")} for name, secret in self.secret.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.runtime.spec_at(scope["path"]) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        vendor, spec = found
        scope[API] = found
        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        operation = spec.operation_at(method, path)
        operation_id = operation.operation_id if operation is not None else None
        if operation is not None:
            scope[OPERATION] = operation  # for the credential check (auth), which needs it too
        seen = Seen(receive, send)

        def record() -> None:  # before the answer's last byte goes out, so a client that has its answer finds it journalled
            seen.on_end = None
            duration = (time.perf_counter() - started) * 1000
            if log.isEnabledFor(logging.INFO):
                reason = f"  {seen.reason()}" if 400 <= seen.status < 500 else ""
                log.info("%s %s %s %s %s %.1f ms%s", vendor.name, operation_id or "-", method, path, seen.status or "dropped", duration, reason)
            self.runtime.journal.record(Entry(
                instant=self.runtime.clock.now(), vendor=vendor.name, operation_id=operation_id, method=method, path=path,
                query_string=scope.get("query_string", b""), status=seen.status, duration_ms=round(duration, 3),
                headers=scope.get("headers", []), secret=self.secret[vendor.name], body=bytes(seen.body),
                response_headers=seen.response_headers, body_size=seen.size,
            ))

        seen.on_end = record
        await self._answer(scope, seen, vendor.name, operation_id, limited=spec is self.runtime.specs[vendor.name])
        if seen.on_end is not None:  # no answer was sent (a dropped connection)
            record()

    async def _answer(self, scope: Scope, seen: "Seen", vendor: str, operation_id: str | None, *, limited: bool = True) -> None:
        """`limited`: whether the vendor's rate limit counts this request (one to the API that
        declares it, not to its SDK endpoints)."""
        faults = self.runtime.faults
        rule = faults.firing(vendor, operation_id, scope["method"], scope["path"])
        wait = faults.base_latency() + (rule.latency() if rule else 0.0)
        if wait:
            await asyncio.sleep(wait)
        if rule is not None and rule.definition.get("drop"):
            drop = scope.get("extensions", {}).get(DROP)
            if drop is not None:
                drop()
                seen.status = 0  # no answer
                await asyncio.sleep(0)
                return
        if rule is not None and rule.definition.get("status") is not None:
            await self._refuse(scope, seen, InjectedFault(rule.definition["status"], rule.definition.get("headers") or {}))
            return
        try:
            limits = self.runtime.rate_limits
            if limited and vendor in limits.enabled:
                seen.extra_headers = limits.take(vendor, self._credential_of(vendor, scope), operation_id or scope["path"])
        except TooManyRequests as error:
            await self._refuse(scope, seen, error)
            return
        send = PatchedAnswer(seen.send, rule.definition["patch"]) if rule is not None and rule.definition.get("patch") is not None else seen.send
        await self.app(scope, seen.receive, send)

    async def _refuse(self, scope: Scope, seen: "Seen", error: Any) -> None:
        await seen.drain()  # the journal keeps what was sent, answered or not
        await self.runtime.render_error(scope["path"], scope["method"], error)(scope, seen.receive, seen.send)

    def _credential_of(self, vendor: str, scope: Scope) -> str:
        """What a rate limit counts by: the credential the request carries."""
        wanted = self.credential_headers[vendor]
        return next((value.decode("latin-1") for name, value in scope.get("headers", []) if name.lower() in wanted), "")


class Seen:
    """Passes a request's messages through, keeping what the journal needs of them."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive, self._send = receive, send
        self.body = bytearray()
        self.status = 0
        self.size = 0
        self.response_headers: list[tuple[bytes, bytes]] = []
        self.extra_headers: dict[str, str] = {}  # added to the answer (a rate limit's)
        self.answer = bytearray()  # the start of an error answer
        self.on_end: Callable[[], None] | None = None  # called once, before the answer's last body message is sent

    async def receive(self) -> Any:
        message = await self._receive()
        if message.get("type") == "http.request" and len(self.body) < BODY_KEPT:
            self.body += message.get("body", b"")[: BODY_KEPT - len(self.body)]
        return message

    async def drain(self) -> None:
        while (await self.receive()).get("more_body"):
            pass

    async def send(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            if self.extra_headers:
                message = {**message, "headers": [*message.get("headers", []), *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.extra_headers.items())]}
            self.status = message["status"]
            self.response_headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.status >= 400 and len(self.answer) < ANSWER_KEPT:
                self.answer += chunk[: ANSWER_KEPT - len(self.answer)]
            if not message.get("more_body") and self.on_end is not None:
                self.on_end()
        await self._send(message)

    def reason(self) -> str:
        """An error answer's message: its first text, whatever the vendor's error shape."""
        try:
            return next(_texts(json.loads(bytes(self.answer))), "")[:300]
        except (ValueError, RecursionError):
            return bytes(self.answer).decode("utf-8", errors="replace")[:300]


def _secret_headers(spec: Any) -> tuple[str, ...]:
    """The headers a vendor's security schemes carry credentials in."""
    schemes = spec.document.get("components", {}).get("securitySchemes", {}).values()
    return tuple(scheme["name"] for scheme in schemes if scheme.get("type") == "apiKey" and scheme.get("in") == "header")


MESSAGE_KEYS = ("message", "detail", "errors", "error")


def _texts(value: Any):
    """The texts of an error answer, its message first (a field's name with its reason)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in [k for k in MESSAGE_KEYS if k in value] + [k for k in value if k not in MESSAGE_KEYS]:
            named = key not in MESSAGE_KEYS and isinstance(value[key], (list, str))
            for text in _texts(value[key]):
                yield f"{key}: {text}" if named else text
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
