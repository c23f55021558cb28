"""Objects a recording only reads (they were in the real account before it began) turned into
the creates that make them in a mock: a read or list operation's objects belong to the create
operation whose answer links to that read (the specs link every create to its read), and the
create's body is what of the object the create's request schema takes (read-only fields and
fields it does not know are left out, at every depth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from mockexp.specs import Operation, Spec


@dataclass(frozen=True)
class Made:
    """A create, and where its answer and a read's (or a list item) hold the object."""

    create: Operation
    answer_prefix: str  # "" or "experiment." (a dotted path into the create's answer)
    read_key: str | None  # the key the object is under in a read's answer, or None


class Creates:
    """For one vendor's specs: which create makes the objects each read or list answers (a
    read the create links to, answering the object the create answers, at the top or under
    a key; a list that links to such a read and whose items are that object)."""

    def __init__(self, specs: list[Spec]) -> None:
        self.by_read: dict[str, Made] = {}
        operations = {operation.operation_id: operation for spec in specs for operation in spec.operations}
        for create in operations.values():
            if create.method.upper() == "POST" and create.has_body:
                for target in _linked(create):
                    read = operations.get(target)
                    if read is not None and read.method.upper() == "GET" and read.pagination is None:
                        self._pair(create, read)
        for listing in operations.values():
            if listing.method.upper() == "GET" and listing.pagination is not None:
                made = next((self.by_read[target] for target in _linked(listing) if target in self.by_read), None)
                items = _items_schema(listing)
                if made is not None and items is not None and items == dict(_objects(_answer_schema(made.create))).get(made.answer_prefix):
                    self.by_read.setdefault(listing.operation_id, Made(made.create, made.answer_prefix, None))

    def _pair(self, create: Operation, read: Operation) -> None:
        """The read shows what the create makes where both hold the same object schema; of
        several such places, the one sharing most fields with what the create takes."""
        sent = set(_merged(_request_schema(create) or {}).get("properties", {}))
        pairs = [(len(sent & set(_merged(schema).get("properties", {}))), prefix, read_prefix)
                 for read_prefix, schema in _objects(_answer_schema(read))
                 for prefix, candidate in _objects(_answer_schema(create)) if candidate == schema]
        if pairs:
            shared, prefix, read_prefix = max(pairs, key=lambda pair: pair[0])
            if shared:
                self.by_read.setdefault(read.operation_id, Made(create, prefix, read_prefix.rstrip(".") or None))

    def objects(self, operation: Operation, answer: Any) -> Iterator[tuple[Made, dict, dict]]:
        """(the create, the object as read, the create's body) for each object `answer` holds."""
        made = self.by_read.get(operation.operation_id)
        if made is None or not isinstance(answer, dict):
            return
        schema = _request_schema(made.create)
        paging = operation.pagination
        items = answer.get(paging.body["items"]) if paging is not None else [answer.get(made.read_key) if made.read_key else answer]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                body = writable(item, schema)
                if body:
                    yield made, item, body


def writable(value: Any, schema: Mapping[str, Any] | None) -> Any:
    """`value` cut down to what `schema` lets a client send."""
    if not schema:
        return value
    schema = _merged(schema)
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        return {key: writable(item, properties[key]) for key, item in value.items()
                if key in properties and not _merged(properties[key]).get("readOnly")}
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [writable(item, schema["items"]) for item in value]
    return value


def _merged(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema with its `allOf` parts folded in (properties joined)."""
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in schema["allOf"]:
        part = _merged(part)
        merged["properties"] = {**merged.get("properties", {}), **part.get("properties", {})}
        merged.update({key: value for key, value in part.items() if key not in ("properties",)})
    return merged


def _answer_schema(operation: Operation) -> Mapping[str, Any] | None:
    return next((operation.response_schema(status) for status in operation.success_statuses), None)


def _objects(schema: Mapping[str, Any] | None) -> list[tuple[str, Mapping[str, Any]]]:
    """Where an answer may hold an object: itself (""), or one of its object properties
    ("experiment.")."""
    if not schema:
        return []
    found = [("", _merged(schema))]
    for name, value in _merged(schema).get("properties", {}).items():
        if _merged(value).get("type") == "object" or "properties" in _merged(value):
            found.append((f"{name}.", value))
    return found


def _items_schema(listing: Operation) -> Mapping[str, Any] | None:
    field = listing.pagination.body["items"]
    return (_merged(_answer_schema(listing) or {}).get("properties", {}).get(field) or {}).get("items")


def _request_schema(operation: Operation) -> Mapping[str, Any] | None:
    content = operation.definition.get("requestBody", {}).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema")


def _linked(operation: Operation) -> Iterator[str]:
    """The operations an operation's success answers link to."""
    for status, response in operation.definition.get("responses", {}).items():
        if str(status).startswith("2"):
            for link in (response.get("links") or {}).values():
                if "operationId" in link:
                    yield link["operationId"]
