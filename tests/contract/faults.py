"""Ways to break any vendor's mock on purpose, as ASGI middleware around the app: each fault
is what some real implementation might get wrong, reads what it needs from the vendor's spec
(so it works for every registered vendor), and names the check that must catch it."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from mockexp.contract.checks import TIMESTAMP, _objects, _totals
from mockexp.contract.follow import identity, links, pointer
from mockexp.errors import NotFound
from mockexp.specs import Operation, Spec
from mockexp.vendor import Vendor


@dataclass
class Target:
    """The vendor a fault breaks, and what it knows of it."""

    vendor: Vendor
    spec: Spec
    writer: dict   # header name -> value
    reader: dict   # a read-only credential of the same tenant, if the vendor has one

    def operation(self, method: str, path: str) -> Operation | None:
        return self.spec.operation_at(method, path)

    def not_found(self) -> dict:
        return self.vendor.render_error(NotFound())[0]


class Fault:
    catches: str  # the check that must report this fault
    phases: tuple[str, ...] = ("examples", "fuzzing")  # the phases that reach it
    examples = 2  # Schemathesis' budget per operation to reach it (each reaches its fault on every vendor with 2)

    def applies(self, target: Target) -> bool:
        return True

    def reaches(self, operation: Operation) -> bool:
        """Whether requests to this operation can meet the fault (the others are left out of
        the run: a vendor's run costs what its fault's operations cost, not its whole spec).
        A fault in any answer is looked for in all of them."""
        return True

    def left_out(self, target: Target) -> list[str]:
        """The operation ids of `target` the run leaves out (those this fault cannot reach)."""
        return [op.operation_id for op in target.spec.operations if not self.reaches(op)]

    def request(self, target: Target, method: str, path: str, query: dict, headers: dict, body: Any) -> tuple[int, Any] | None:
        """Answer instead of the mock (status, JSON body or None), or None to pass on."""
        return None

    def response(self, target: Target, method: str, path: str, query: dict, status: int, body: Any) -> tuple[int, Any]:
        return status, body

    def __repr__(self) -> str:
        return type(self).__name__


def _success_schema(target: Target, method: str, path: str, status: int) -> dict | None:
    operation = target.operation(method, path)
    return operation.response_schema(status) if operation is not None and 200 <= status < 300 else None


class FieldOfWrongType(Fault):
    """A string field of a successful answer (the first the schema declares, inside an
    envelope or a list if the answer is one) comes as a number."""

    catches = "response_schema_conformance"

    def response(self, target, method, path, query, status, body):
        found = _string_field(_success_schema(target, method, path, status) or {}, body)
        if found is not None:
            holder, name = found
            holder[name] = 12345
        return status, body


def _string_field(schema: dict, body: Any, depth: int = 0) -> tuple[dict, str] | None:
    """Where the first string field the schema declares is in the body, looking into the
    objects and lists it holds."""
    if not isinstance(body, dict) or depth > 3:
        return None
    properties = schema.get("properties") or {}
    for name, prop in properties.items():
        if prop.get("type") == "string" and isinstance(body.get(name), str):
            return body, name
    for name, prop in properties.items():
        value = body.get(name)
        inner = prop.get("items", {}) if isinstance(value, list) else prop
        item = value[0] if isinstance(value, list) and value else value
        found = _string_field(inner, item, depth + 1)
        if found is not None:
            return found
    return None


class RequiredFieldMissing(Fault):
    """A field the spec requires is left out of successful answers."""

    catches = "response_schema_conformance"

    def response(self, target, method, path, query, status, body):
        schema = _success_schema(target, method, path, status) or {}
        for name in schema.get("required") or []:
            if isinstance(body, dict) and name in body:
                del body[name]
                break
        return status, body


class CrashOnUpdate(Fault):
    """Every update is a 500."""

    catches = "not_a_server_error"

    def applies(self, target):
        return any(op.method in ("PUT", "PATCH") for op in target.spec.operations)

    def reaches(self, operation):
        return operation.method in ("PUT", "PATCH")

    def request(self, target, method, path, query, headers, body):
        return (500, None) if method in ("PUT", "PATCH") else None


class AuthIgnored(Fault):
    """Requests without a valid credential are served as the writer's."""

    catches = "ignored_auth"

    def request(self, target, method, path, query, headers, body):
        for name, value in target.writer.items():
            headers[name.lower()] = value
        return None


class ReadOnlyIgnored(Fault):
    """The read-only credential may write."""

    catches = "read_only_credential_cannot_write"

    def applies(self, target):
        return bool(target.reader)

    def reaches(self, operation):
        return operation.method in ("POST", "PUT", "PATCH", "DELETE")

    def request(self, target, method, path, query, headers, body):
        for name, value in target.reader.items():
            if headers.get(name.lower()) == value:
                headers[name.lower()] = target.writer[name]
        return None


class CreatedButUnreadable(Fault):
    """A created object cannot be read back."""

    catches = "created_object_is_retrievable"

    def __init__(self) -> None:
        self.created: set[str] = set()

    def applies(self, target):
        return any(op.method == "POST" and op.success_statuses and links(op.definition, op.success_statuses[0]) for op in target.spec.operations)

    def reaches(self, operation):
        return operation.method in ("POST", "GET")

    def request(self, target, method, path, query, headers, body):
        if method == "GET" and set(path.split("/")) & self.created:
            return 404, target.not_found()
        return None

    def response(self, target, method, path, query, status, body):
        if method != "POST" or not 200 <= status < 300:
            return status, body
        if identity(body) is not None:
            self.created.add(str(identity(body)))
        if isinstance(body, dict) and isinstance(body.get("key"), str):
            self.created.add(body["key"])
        operation = target.operation(method, path)
        for link in links(operation.definition, status).values() if operation is not None else ():
            for expression in link.get("parameters", {}).values():
                if isinstance(expression, str) and expression.startswith("$response.body#"):
                    with contextlib.suppress(LookupError, TypeError, ValueError):
                        self.created.add(str(pointer(body, expression[len("$response.body#"):])))
        return status, body


class DeleteDoesNothing(Fault):
    """A delete answers success and deletes nothing."""

    catches = "deleted_object_is_gone"
    phases = ("stateful",)
    examples = 30

    def applies(self, target):
        return any(op.method == "DELETE" for op in target.spec.operations)

    def reaches(self, operation):
        return operation.method in ("POST", "GET", "DELETE")

    def left_out(self, target):
        """Also the POSTs no link leads from to a delete (an update, or a create of what has no
        delete): the stateful budget goes to the chains that end in one."""
        deletes = {op.operation_id for op in target.spec.operations if op.method == "DELETE"}

        def leads_to_delete(op):
            links = [link for answer in op.definition.get("responses", {}).values() for link in (answer.get("links") or {}).values()]
            return any(link.get("operationId") in deletes for link in links)

        return [op.operation_id for op in target.spec.operations
                if not self.reaches(op) or (op.method == "POST" and not leads_to_delete(op))]

    def request(self, target, method, path, query, headers, body):
        return (204, None) if method == "DELETE" else None


class PercentagesOff(Fault):
    """Shares that must add up (the spec marks them with x-mockexp-total) are one off."""

    catches = "percentages_add_up"

    def applies(self, target):
        return "x-mockexp-total" in json.dumps(target.spec.document)

    def reaches(self, operation):
        return "x-mockexp-total" in json.dumps(operation.definition)

    def response(self, target, method, path, query, status, body):
        schema = _success_schema(target, method, path, status)
        for _, rule, values in _totals(schema or {}, body, "body"):
            first = values[0]
            if isinstance(first, dict) and rule["field"] in first:
                first[rule["field"]] = _one_off(first[rule["field"]])
        return status, body


def _one_off(value: Any) -> Any:
    if isinstance(value, str):
        return f"{float(value) + 1:g}"
    return value + 1 if isinstance(value, (int, float)) and value < 100 else value - 1


class TimestampsGoBack(Fault):
    """Every answer shows an object's server-set times a little earlier than the last one did."""

    catches = "timestamps_never_go_backwards"

    def __init__(self) -> None:
        self.answers = 0

    def response(self, target, method, path, query, status, body):
        self.answers += 1
        for obj in _objects(body):
            for name, value in list(obj.items()):
                if TIMESTAMP.match(name):
                    obj[name] = _earlier(value, self.answers)
        return status, body


def _earlier(value: Any, steps: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value - steps * 86_400_000
    if isinstance(value, str) and re.match(r"^\d{4}-", value):
        return f"{2000 - steps % 1000:04d}{value[4:]}"
    return value


class PagingIgnored(Fault):
    """Lists ignore where a page starts: every page is the first."""

    catches = "pagination_is_consistent"
    examples = 6  # only the paged lists run, so a few more cases each cost little and reach it every time

    def applies(self, target):
        return any(op.pagination for op in target.spec.operations)

    def reaches(self, operation):
        return operation.pagination is not None

    def request(self, target, method, path, query, headers, body):
        operation = target.operation(method, path)
        if operation is not None and operation.pagination is not None:
            query.pop(operation.pagination.position, None)
        return None


ALL_FAULTS = (FieldOfWrongType, RequiredFieldMissing, CrashOnUpdate, AuthIgnored, ReadOnlyIgnored, CreatedButUnreadable,
              DeleteDoesNothing, PercentagesOff, TimestampsGoBack, PagingIgnored)


class Faulty:
    """ASGI middleware applying one fault to every request and response of one vendor."""

    def __init__(self, app: Any, fault: Fault, target: Target) -> None:
        self.app = app
        self.fault = fault
        self.target = target

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.target.spec.base_path + "/"):
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
        method, path = scope["method"], scope["path"]
        answer = self.fault.request(self.target, method, path, query, headers, _parse(raw))
        if answer is not None:
            await _send(send, *answer)
            return
        scope = {
            **scope,
            "query_string": urlencode(query).encode("latin-1"),
            "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()],
        }
        started, chunks = await _call(self.app, scope, raw)
        content, status = b"".join(chunks), started["status"]
        response_headers = [(n, v) for n, v in started.get("headers", []) if n.lower() != b"content-length"]
        parsed = _parse(content)
        if parsed is not None:
            status, parsed = self.fault.response(self.target, method, path, query, status, parsed)
            content = json.dumps(parsed).encode()
        await send({"type": "http.response.start", "status": status, "headers": response_headers + [(b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})


async def _call(app: Any, scope: dict, raw: bytes) -> tuple[dict, list[bytes]]:
    started: dict = {}
    chunks: list[bytes] = []

    async def replay():
        return {"type": "http.request", "body": raw, "more_body": False}

    async def capture(message):
        if message["type"] == "http.response.start":
            started.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, replay, capture)
    return started, chunks


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
