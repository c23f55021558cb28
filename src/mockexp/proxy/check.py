"""What is wrong with one exchange (a request and its answer) by a vendor's spec: the
operation it is for, its parameters and body, the answer's status, headers and body, and an
error answer's shape. Schemas are checked by `mockexp.validation`, as the mock checks its
own requests and the test suite its answers."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from mockexp.errors import dotted
from mockexp.specs import Operation, Spec
from mockexp.validation import response_problems, schema_problems

KINDS = ("unknown_operation", "request_parameter", "request_body", "undocumented_status", "response_header", "response_body", "error_shape")


@dataclass(frozen=True)
class Problem:
    kind: str  # one of KINDS
    message: str


@dataclass(frozen=True)
class Exchange:
    """A request and its answer as the proxy saw them (bodies as far as the body limit)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes | None  # None: over the limit, not checked
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes | None


def spec_for(specs: Iterable[Spec], path: str) -> Spec | None:
    """The vendor's spec a request path belongs to (the longest matching base path)."""
    matching = [spec for spec in specs if path == spec.base_path or path.startswith(spec.base_path + "/")]
    return max(matching, key=lambda spec: len(spec.base_path), default=None)


def operation_of(spec: Spec | None, exchange: Exchange) -> Operation | None:
    """The operation an exchange is for (a HEAD is its GET's)."""
    method = "GET" if exchange.method == "HEAD" else exchange.method
    return spec.operation_at(method, exchange.path) if spec is not None else None


def request_problems(spec: Spec | None, exchange: Exchange) -> list[Problem]:
    if exchange.method == "OPTIONS":
        return []  # a browser's CORS preflight, not an operation
    operation = operation_of(spec, exchange)
    if operation is None:
        return [Problem("unknown_operation", f"{exchange.method} {exchange.path} is no operation of the vendor's spec")]
    found = [Problem("request_parameter", text) for text in _parameter_problems(spec, operation, exchange)]
    return found + [Problem("request_body", text) for text in _body_problems(operation, exchange)]


def response_problems_of(spec: Spec | None, exchange: Exchange, error_shapes: list[dict]) -> list[Problem]:
    operation = operation_of(spec, exchange)
    if operation is None:
        return []
    status = exchange.status
    if not operation.documents(status):
        found = [Problem("undocumented_status", f"{operation.label} ({operation.operation_id}) answered {status}, which its spec does not document")]
        if status >= 400 and not _in_some_shape(exchange, error_shapes):
            found.append(Problem("error_shape", f"{operation.label} answered {status} with a body in none of the vendor's error shapes"))
        return found
    found = [Problem("response_header", text) for text in _header_problems(operation, exchange)]
    body = decoded(exchange)
    if body is None:
        return found
    kind = "error_shape" if status >= 400 else "response_body"
    return found + [Problem(kind, text) for text in response_problems(operation, status, exchange.response_headers.get("content-type"), body)]


def error_shapes(spec: Spec) -> list[dict]:
    """The schemas the spec gives its error answers (4xx): the vendor's error shapes."""
    shapes: list[dict] = []
    for operation in spec.operations:
        for code in operation.definition.get("responses", {}):
            schema = operation.response_schema(int(code)) if str(code).isdigit() and int(code) >= 400 else None
            if schema and schema not in shapes:
                shapes.append(schema)
    return shapes


def _in_some_shape(exchange: Exchange, shapes: list[dict]) -> bool:
    body = decoded(exchange)
    if body is None or not shapes:
        return True  # not seen whole, or nothing to compare with
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return any(not schema_problems(schema, value) for schema in shapes)


def _parameter_problems(spec: Spec, operation: Operation, exchange: Exchange) -> list[str]:
    values = {"query": {name: values[-1] for name, values in exchange.query.items()}, "header": exchange.headers,
              "path": path_values(spec, operation, exchange.path)}
    found = []
    for where, given in values.items():
        for parameter in operation.parameters_in(where):
            name = parameter["name"]
            value = given.get(name.lower() if where == "header" else name)
            if value is None:
                if parameter.get("required"):
                    found.append(f"{operation.label}: the {where} parameter {name} is required but was not sent")
                continue
            schema = parameter.get("schema") or {}
            shown = "" if where == "header" else f"={value!r}"  # a header may carry a credential: never shown
            for path, reason in schema_problems(schema, _typed(schema, value)):
                found.append(f"{operation.label}: {where} parameter {dotted((name, *path))}{shown}: {reason}")
    known = {parameter["name"] for parameter in operation.parameters_in("query")}
    found += [f"{operation.label}: unknown query parameter {name}" for name in exchange.query if name not in known]
    return found


def path_values(spec: Spec, operation: Operation, path: str) -> dict[str, str]:
    names = re.findall(r"\{([^}]+)\}", operation.path)
    pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(spec.base_path + operation.path.rstrip("/"))) + "/?$"
    match = re.match(pattern, path)
    return dict(zip(names, match.groups())) if match else {}


def _typed(schema: Mapping[str, Any], text: str) -> Any:
    """A parameter's text as the type its schema says (as a server would read it)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "array":
        return text.split(",")
    return text


def _body_problems(operation: Operation, exchange: Exchange) -> list[str]:
    content = (operation.definition.get("requestBody") or {}).get("content") or {}
    schema = next((media.get("schema") for media_type, media in content.items() if "json" in media_type), None)
    body = exchange.body
    if body is None or schema is None:
        return []
    if not body.strip():
        required = (operation.definition.get("requestBody") or {}).get("required")
        return [f"{operation.label}: the request body is required but none was sent"] if required else []
    try:
        value = json.loads(body)
    except ValueError as exc:
        return [f"{operation.label}: the request body is not JSON: {exc}"]
    return [f"{operation.label}: request body {dotted(path) or 'body'}: {reason}" for path, reason in schema_problems(schema, value)]


def _header_problems(operation: Operation, exchange: Exchange) -> list[str]:
    responses = operation.definition.get("responses", {})
    status = str(exchange.status)
    declared = (responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default") or {}).get("headers") or {}
    found = []
    for name, header in declared.items():
        value = exchange.response_headers.get(name.lower())
        if value is None:
            if header.get("required"):
                found.append(f"{operation.label} {status}: the header {name} is required but was not sent")
            continue
        schema = header.get("schema") or {}
        found += [f"{operation.label} {status}: header {name}={value!r}: {reason}" for _, reason in schema_problems(schema, _typed(schema, value))]
    return found


def decoded(exchange: Exchange) -> bytes | None:
    """The answer's body without its content coding, or None if it cannot be checked."""
    body, coding = exchange.response_body, exchange.response_headers.get("content-encoding", "identity").lower()
    if body is None or coding == "identity":
        return body
    if coding in ("gzip", "deflate"):
        try:
            return zlib.decompress(body, 47 if coding == "gzip" else 15)
        except zlib.error:
            return None
    return None
