"""A fault rule's `patch`: the mock's JSON answer changed by a JSON merge patch (RFC 7386)
before it leaves, so a second mock can play a real API that deviates from its contract
(a field renamed, of another type, missing), for `mockexp proxy` and `mockexp drift`."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Send


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, `null` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


class PatchedAnswer:
    """An ASGI `send` that holds the answer back, patches its JSON body and sends it whole
    (with its Content-Length set again). A body that is not JSON leaves unchanged."""

    def __init__(self, send: Send, patch: dict) -> None:
        self._send = send
        self.patch = patch
        self.start: Message | None = None
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self._send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body"):
            return
        body = self._patched(bytes(self.body))
        headers = [(name, value) for name, value in self.start.get("headers", []) if name.lower() != b"content-length"]
        await self._send({**self.start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await self._send({"type": "http.response.body", "body": body})

    def _patched(self, body: bytes) -> bytes:
        try:
            answer = json.loads(body)
        except ValueError:
            return body
        return json.dumps(merge_patch(answer, self.patch)).encode()
