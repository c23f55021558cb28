"""What a schema says about the objects it carries: an item inside an envelope
(`{"project": {...}}`), a list inside one (`{"items": [...], "total": 3}`), and which fields
the server makes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from mockexp.generic.values import UPDATED, merged

COUNT_NAMES = re.compile(r"(total|count|size)", re.IGNORECASE)
TIME_NAMES = re.compile(r"(created|updated|modified|inserted|changed)", re.IGNORECASE)


def json_schema(content: Mapping[str, Any] | None) -> dict | None:
    """The schema of the JSON media type of a body (None when there is no JSON one)."""
    for media_type, media in (content or {}).items():
        if "json" in media_type:
            return merged(media.get("schema") or {})
    return None


def properties(schema: Mapping[str, Any] | None) -> dict:
    return dict((merged(schema or {})).get("properties") or {})


def is_object(schema: Mapping[str, Any] | None) -> bool:
    schema = merged(schema or {})
    return schema.get("type") == "object" or bool(schema.get("properties"))


@dataclass(frozen=True)
class Single:
    """One object, bare or inside an envelope key."""

    schema: dict
    envelope: str | None = None

    def wrap(self, item: Any) -> Any:
        return {self.envelope: item} if self.envelope else item

    def unwrap(self, body: Any) -> Any:
        if self.envelope and isinstance(body, Mapping):
            return body.get(self.envelope)
        return body


def single(schema: Mapping[str, Any] | None) -> Single | None:
    """The object a body carries: the body itself, or the one object property of an envelope."""
    if not is_object(schema):
        return None
    schema = merged(schema or {})
    fields = properties(schema)
    objects = [key for key, sub in fields.items() if is_object(sub) and properties(sub)]
    if len(fields) == 1 and objects:
        return Single(merged(fields[objects[0]]), objects[0])
    return Single(schema) if fields else None


@dataclass(frozen=True)
class Many:
    """A list of objects: a bare array, or an envelope's array (`items`) with a count (`total`)."""

    item: dict
    items: str | None = None
    total: str | None = None

    def wrap(self, page: list, total: int) -> Any:
        if self.items is None:
            return page
        body: dict[str, Any] = {self.items: page}
        if self.total:
            body[self.total] = total
        return body


def many(schema: Mapping[str, Any] | None) -> Many | None:
    schema = merged(schema or {})
    if schema.get("type") == "array" or "items" in schema and "properties" not in schema:
        item = merged(schema.get("items") or {})
        return Many(item) if properties(item) else None
    fields = properties(schema)
    arrays = [key for key, sub in fields.items() if merged(sub).get("type") == "array" and properties(merged(sub).get("items"))]
    if len(arrays) != 1:
        return None
    counts = [key for key, sub in fields.items() if merged(sub).get("type") == "integer" and COUNT_NAMES.search(key)]
    return Many(merged(merged(fields[arrays[0]]).get("items") or {}), arrays[0], counts[0] if counts else None)


def is_list(schema: Mapping[str, Any] | None) -> bool:
    """Whether a body is a list of objects: a bare array, or an envelope holding nothing but the
    array and its count (`{"dag_runs": [...], "total_entries": 3}`), not an object that happens
    to hold one array."""
    found = many(schema)
    if found is None or found.items is None:
        return found is not None
    return set(properties(schema)) <= {found.items, found.total}


def same_kind(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two object schemas describe the same objects (the same property names)."""
    return bool(properties(a)) and set(properties(a)) == set(properties(b))


def extends(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether objects of schema `a` are those of `b` with more fields (a detail view of them)."""
    return bool(properties(b)) and set(properties(b)) <= set(properties(a))


def is_time(name: str, schema: Mapping[str, Any]) -> bool:
    return merged(schema).get("format") == "date-time" and bool(TIME_NAMES.search(name) or name.lower().endswith("at"))


def is_update_time(name: str, schema: Mapping[str, Any]) -> bool:
    return merged(schema).get("format") == "date-time" and bool(UPDATED.search(name))


def server_made(item: Mapping[str, Any], request: Mapping[str, Any] | None) -> list[str]:
    """The item's fields the server fills: read-only ones, and those the answer requires but
    the request cannot send."""
    sent = properties(request) if request is not None else {}
    required = set(merged(item).get("required") or [])
    return [name for name, sub in properties(item).items() if merged(sub).get("readOnly") or (name in required and name not in sent)]
