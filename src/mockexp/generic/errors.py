"""Errors in the document's own shape: the schema its 4xx answers use (the most common one),
filled with the message and status; a plain `{"message": ...}` when it documents none.

A refusal takes the status the operation documents: an unknown id is 404 where the operation
lists 404, else the first 4xx it lists (not 401 / 403, which speak of credentials); a body the
schema refuses is 400, or 422 where the document lists 422 and never 400. RFC 7807 problem
details (`type`, `title`, `detail`) carry the message in `detail`."""

from __future__ import annotations

import json
from collections import Counter
from http import HTTPStatus
from typing import Any, Callable, Mapping

from mockexp.errors import DomainError, Invalid, NotFound
from mockexp.generic import shapes
from mockexp.generic.values import kind_of, merged
from mockexp.specs import Operation, Spec

MESSAGE_NAMES = ("message", "detail", "error", "title", "description", "msg", "reason", "body")
STATUS_NAMES = ("code", "status", "status_code", "statusCode")
CREDENTIALS = (401, 403)


class Refused(DomainError):
    """A refusal with the status the operation documents for it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def refusal(operation: Operation, preferred: int, message: str) -> Refused:
    responses = [str(code) for code in operation.definition.get("responses", {})]
    if str(preferred) in responses or "4XX" in responses:
        return Refused(preferred, message)
    listed = [int(code) for code in responses if code.isdigit() and 400 <= int(code) < 500 and int(code) not in CREDENTIALS]
    return Refused(listed[0] if listed else preferred, message)


def error_schema(spec: Spec) -> dict | None:
    """The schema most of the document's 4xx answers have; else that of its `default` answers
    (of operations that document their success apart)."""
    return _most_common(spec, lambda code, operation: str(code).startswith("4")) or _most_common(
        spec, lambda code, operation: code == "default" and bool(operation.success_statuses))


def _most_common(spec: Spec, wanted: Callable[[str, Operation], bool]) -> dict | None:
    found: Counter = Counter()
    schemas: dict[str, dict] = {}
    for operation in spec.operations:
        for code, response in operation.definition.get("responses", {}).items():
            if wanted(str(code), operation):
                schema = shapes.json_schema(response.get("content"))
                if schema and (schema.get("properties") or schema.get("type")):
                    key = json.dumps(schema, sort_keys=True)
                    found[key] += 1
                    schemas[key] = schema
    return schemas[found.most_common(1)[0][0]] if found else None


def invalid_status(spec: Spec) -> int:
    listed = {str(code) for operation in spec.operations for code in operation.definition.get("responses", {})}
    return 422 if "422" in listed and "400" not in listed else 400


def refine(spec: Spec, method: str, path: str, error: DomainError) -> DomainError:
    """The error as the operation documents it: a request the schema refuses (or whose path
    parameter is not of its type, which the router answers 404) with the operation's refusal
    status, 400 or 422."""
    if isinstance(error, Refused) or not isinstance(error, (Invalid, NotFound)):
        return error
    operation = spec.operation_at(method, path)
    if operation is None:
        return error
    router = isinstance(error, NotFound) and error.message == NotFound.default_message  # a path parameter the router could not read
    refined = refusal(operation, invalid_status(spec), "A path parameter is not of its type." if router else error.message)
    refined.headers.update(error.headers)
    return refined


def renderer(spec: Spec) -> Callable[[DomainError], tuple[Any, dict]]:
    schema = error_schema(spec)

    def render_error(error: DomainError) -> tuple[Any, dict]:
        headers = dict(error.headers)
        if error.status == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        body = filled(schema, error.message, error.status) if schema is not None else {"message": error.message}
        return body, headers

    return render_error


PROBLEM = {"type", "title", "detail"}  # RFC 7807 problem details


def _problem(body: dict, fields: Mapping[str, Any], status: int) -> dict:
    """Problem details as RFC 7807 fills them: `type` about:blank, `title` the status's phrase,
    `detail` the message (where the schema lets those be strings)."""
    for name, value in (("type", "about:blank"), ("title", _phrase(status))):
        if name in body and kind_of(merged(fields[name])) == "string" and not merged(fields[name]).get("enum"):
            body[name] = value
    return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def filled(schema: Mapping[str, Any], message: str, status: int, name: str = "") -> Any:
    """A value of the error schema carrying the message (in its text fields) and status."""
    schema = merged(schema)
    kind = kind_of(schema)
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object":
        fields = shapes.properties(schema)
        wanted = set(schema.get("required") or []) | {key for key in fields if key in MESSAGE_NAMES + STATUS_NAMES}
        body = {key: filled(sub, message, status, key) for key, sub in fields.items() if key in wanted}
        return _problem(body, fields, status) if PROBLEM <= set(fields) else body
    if kind == "array":
        return [filled(schema.get("items") or {}, message, status, name)]
    if kind in ("integer", "number"):
        return status if name in STATUS_NAMES or kind == "integer" else float(status)
    if kind == "boolean":
        return False
    return message if name not in STATUS_NAMES else str(status)
