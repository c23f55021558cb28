"""Request bodies made plain before Connexion reads them.

* A body over the limit is refused with 413, whether it declares its length or not.
* A chunked body (no Content-Length) is read up to the limit and passed on with its length
  declared: Connexion only reads bodies that declare one.
* A body without a Content-Type is taken as `application/octet-stream` (as HTTP says a
  recipient may), so an operation that consumes JSON answers 415 instead of guessing.
* A body sent compressed (`Content-Encoding: gzip` or `deflate`, as PostHog's SDKs send
  their events) is passed on decompressed, so Connexion validates, the operation reads and the
  journal shows the JSON inside: 400 if it does not decompress, 413 past the limit once
  decompressed.
"""

from __future__ import annotations

import zlib
from typing import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockexp.errors import DomainError, Invalid, PayloadTooLarge

WBITS = {b"gzip": 16 + zlib.MAX_WBITS, b"x-gzip": 16 + zlib.MAX_WBITS, b"deflate": zlib.MAX_WBITS}


def decompressed(body: bytes, encoding: bytes, limit: int) -> bytes:
    """The body decompressed; `Invalid` if it is not in that encoding, `PayloadTooLarge` past `limit`."""
    decoder = zlib.decompressobj(WBITS[encoding])
    try:
        plain = decoder.decompress(body, limit + 1)
    except zlib.error as exc:
        raise Invalid(message=f"Request body could not be decompressed ({encoding.decode()}): {exc}") from None
    if len(plain) > limit:
        raise PayloadTooLarge()
    if not decoder.eof:
        raise Invalid(message=f"Request body could not be decompressed ({encoding.decode()}): it ends early.")
    return plain


class PlainBodies:
    def __init__(self, app: ASGIApp, *, limit: int, reject: Callable[[Scope, Receive, Send, DomainError], Awaitable[None]]) -> None:
        """`reject` sends the error response for a request."""
        self.app = app
        self.limit = limit
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.strip().isdigit():
            if int(declared) > self.limit:
                await self.reject(scope, receive, send, PayloadTooLarge())
                return
            if int(declared) > 0 and b"content-type" not in headers:
                scope = _with_headers(scope, {b"content-type": b"application/octet-stream"})
            if headers.get(b"content-encoding", b"").strip().lower() not in WBITS:
                await self.app(scope, self._counted(receive), send)
                return
        elif b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)
            return
        body = await self._read(scope, receive, send)
        if body is None:
            return
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding in WBITS:
            try:
                body = decompressed(body, encoding, self.limit)
            except DomainError as error:
                await self.reject(scope, _replay(b"", receive), send, error)
                return
        added = {b"content-length": str(len(body)).encode()}
        if body and b"content-type" not in headers:
            added[b"content-type"] = b"application/octet-stream"
        scope = _with_headers(scope, added, drop=b"transfer-encoding")
        await self.app(_with_headers(scope, {}, drop=b"content-encoding") if encoding in WBITS else scope, _replay(body, receive), send)

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, up to the limit (None when refused, or the client went away)."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self.reject(scope, receive, send, PayloadTooLarge())
                return None
            if not message.get("more_body", False):
                return bytes(body)

    def _counted(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise PayloadTooLarge()
            return message

        return counted


def _with_headers(scope: Scope, added: dict[bytes, bytes], drop: bytes | None = None) -> Scope:
    kept = [(name, value) for name, value in scope["headers"] if name not in added and name != drop]
    return {**scope, "headers": kept + list(added.items())}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
