"""Ways to break the mock on purpose, as ASGI middleware around its app: each fault is what
some real implementation might get wrong, and names the check that must catch it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

EXPERIMENT_KEYS = {"is_draft", "group_reset_interval"}


class Fault:
    catches: str  # the check that must report this fault

    def request(self, method: str, path: str, query: dict, headers: dict, body: Any) -> tuple[int, Any] | None:
        """Answer instead of the mock (status, JSON body or None), or None to pass on."""
        return None

    def response(self, method: str, path: str, query: dict, status: int, body: Any) -> tuple[int, Any]:
        return status, body

    def __repr__(self) -> str:
        return type(self).__name__


def experiments(body: Any):
    """Every experiment object in a response body."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if EXPERIMENT_KEYS <= node.keys():
                yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class NameOfWrongType(Fault):
    catches = "response_schema_conformance"

    def response(self, method, path, query, status, body):
        for experiment in experiments(body):
            experiment["name"] = 12345
        return status, body


class CreatedAtMissing(Fault):
    catches = "response_schema_conformance"

    def response(self, method, path, query, status, body):
        for experiment in experiments(body):
            experiment.pop("created_at", None)
        return status, body


class CrashOnDraftUpdate(Fault):
    catches = "not_a_server_error"

    def request(self, method, path, query, headers, body):
        if method == "PUT" and isinstance(body, dict) and body.get("is_draft") is True:
            return 500, None
        return None


class AuthIgnored(Fault):
    catches = "ignored_auth"

    def __init__(self, token: str) -> None:
        self.token = token

    def request(self, method, path, query, headers, body):
        headers["authorization"] = self.token
        return None


class ReadOnlyIgnored(Fault):
    catches = "read_only_credential_cannot_write"

    def __init__(self, read_only: str, writer: str) -> None:
        self.read_only, self.writer = read_only, writer

    def request(self, method, path, query, headers, body):
        if headers.get("authorization") == self.read_only:
            headers["authorization"] = self.writer
        return None


class CreatedButUnreadable(Fault):
    catches = "created_object_is_retrievable"

    def __init__(self) -> None:
        self.created: set[str] = set()

    def request(self, method, path, query, headers, body):
        if method == "GET" and path.rsplit("/", 1)[-1] in self.created:
            return 404, {"detail": "Not found."}
        return None

    def response(self, method, path, query, status, body):
        if method == "POST" and status == 201 and isinstance(body, dict):
            self.created.add(body.get("id"))
        return status, body


class DeleteDoesNothing(Fault):
    catches = "deleted_object_is_gone"

    def request(self, method, path, query, headers, body):
        if method == "DELETE":
            return 204, None
        return None


class PercentagesOff(Fault):
    catches = "percentages_add_up"

    def response(self, method, path, query, status, body):
        for experiment in experiments(body):
            groups = experiment.get("groups") or []
            if not experiment["is_draft"] and groups and isinstance(groups[0].get("percentage"), int):
                groups[0]["percentage"] += 1 if groups[0]["percentage"] < 100 else -1
        return status, body


class UpdatedBeforeCreated(Fault):
    catches = "timestamps_never_go_backwards"

    def response(self, method, path, query, status, body):
        for experiment in experiments(body):
            if "updated_at" in experiment:
                experiment["updated_at"] = "2000-01-01T00:00:00.000Z"
        return status, body


class CursorIgnored(Fault):
    catches = "pagination_is_consistent"

    def request(self, method, path, query, headers, body):
        query.pop("cursor", None)
        return None


class Faulty:
    """ASGI middleware applying one fault to every request and response."""

    def __init__(self, app: Any, fault: Fault) -> None:
        self.app = app
        self.fault = fault

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        body = _parse(raw)
        method, path = scope["method"], scope["path"]
        answer = self.fault.request(method, path, query, headers, body)
        if answer is not None:
            await _send(send, *answer)
            return
        scope = {
            **scope,
            "query_string": urlencode(query).encode("latin-1"),
            "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()],
        }
        started: dict = {}
        chunks: list[bytes] = []

        async def replay():
            return {"type": "http.request", "body": raw, "more_body": False}

        async def capture(message):
            if message["type"] == "http.response.start":
                started.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        content = b"".join(chunks)
        status = started["status"]
        response_headers = [(n, v) for n, v in started.get("headers", []) if n.lower() not in (b"content-length",)]
        parsed = _parse(content)
        if parsed is not None:
            status, parsed = self.fault.response(method, path, query, status, parsed)
            content = json.dumps(parsed).encode()
        await send({"type": "http.response.start", "status": status, "headers": response_headers + [(b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


async def _send(send, status: int, body: Any) -> None:
    content = json.dumps(body).encode() if body is not None else (b"" if status == 204 else b"Internal Server Error")
    kind = b"application/json" if body is not None else b"text/plain"
    headers = [(b"content-length", str(len(content)).encode())] + ([(b"content-type", kind)] if content else [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
