"""A list's filters: a query parameter that names an item field keeps the objects whose field
equals it, holds it (an array; an object in it by its id or name), or any of a comma list of
values (or of a repeated parameter); and limit / offset on a bare array (or on a POST search,
from its body)."""

from __future__ import annotations

import bisect
from typing import Any, Mapping

from mockexp.generic.inference import Resource
from mockexp.generic.values import merged
from mockexp.store import Tables

FILTER_KEYS = ("id", "name", "username", "slug", "key")  # how an object in a field is named by a filter
SIZE_NAMES = ("limit", "per_page", "page_size", "pageSize", "size", "page_limit")
OFFSET_NAMES = ("offset", "skip", "page_offset")


TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether a query parameter's value may be stored in a field (its type and enum)."""
    schema = merged(schema)
    if schema.get("enum") and value not in schema["enum"]:
        return False
    expected = TYPES.get(schema.get("type", ""))
    return expected is None or (isinstance(value, expected) and not (isinstance(value, bool) and schema.get("type") != "boolean"))


def filtered(tables: Tables, resource: Resource, wanted: Mapping[str, Any]) -> Any:
    """The resource's objects the filters let through, in the order they were made. One plain
    equality is a binary search in the store's kept order of that field (kept from read to read
    and updated write by write, so a list stays fast however many objects a run creates);
    several are the store's lookup by fields; the rest are tested one by one."""
    fields = resource.fields
    equal = {field: value for field, value in wanted.items() if _scalar(value, merged(fields.get(field, {})).get("type"))}
    rest = {field: value for field, value in wanted.items() if field not in equal}
    test = (lambda item: all(matches(item.get(field), value) for field, value in rest.items())) if rest else None
    if len(equal) == 1 and test is None:
        (field, value), = equal.items()
        key = field_key(field)
        rows = tables.view(resource.name, order_by=key)
        keys = rows.keys_for(key)
        if keys is not None:
            mark = str(value)
            return rows[bisect.bisect_left(keys, mark):bisect.bisect_right(keys, mark)]
    return tables.view(resource.name, equal or None, test=test)


_FIELD_KEYS: dict[str, Any] = {}


def field_key(field: str) -> Any:
    """A sort key reading one field, whose order the store keeps (one per field name)."""
    found = _FIELD_KEYS.get(field)
    if found is None:
        found = _FIELD_KEYS[field] = FieldText(field)
    return found


class FieldText:
    """One field of an item as text ('' where it has none): a sort key whose order the store
    keeps from read to read (`order_identity`, see `store.rows.key_identity`)."""

    __slots__ = ("field", "order_identity")

    def __init__(self, field: str) -> None:
        self.field = field
        self.order_identity = ("generic field as text", field)

    def __call__(self, item: Any) -> str:
        value = item.get(self.field)
        return "" if value is None else str(value)


def _scalar(value: Any, kind: Any) -> bool:
    """A filter value that a field of this type equals, or not (one value of the field's type,
    not a list nor a comma list): the store compares those itself."""
    if kind == "string":
        return isinstance(value, str) and "," not in value
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return kind == "boolean" and isinstance(value, bool)


def matches(stored: Any, wanted: Any) -> bool:
    """A filter: equality, membership in an array, any of a comma list (or of a repeated parameter)."""
    choices = wanted if isinstance(wanted, list) else (wanted.split(",") if isinstance(wanted, str) else [wanted])
    candidates = stored if isinstance(stored, list) else [stored]
    return any(_equal(candidate, choice) for candidate in candidates for choice in choices)


def _equal(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, Mapping):
        return any(_equal(stored.get(key), wanted) for key in FILTER_KEYS if key in stored)
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return str(stored).lower() == str(wanted).lower()
    return stored == wanted or str(stored) == str(wanted)


def cut(rows: list, query: Mapping[str, Any]) -> list:
    """limit / offset on a bare array (a list with no envelope to say more)."""
    limit = next((query[name] for name in SIZE_NAMES if isinstance(query.get(name), int)), None)
    offset = next((query[name] for name in OFFSET_NAMES if isinstance(query.get(name), int)), 0)
    return rows[offset:offset + limit] if limit is not None else rows[offset:]
