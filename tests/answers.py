"""Reading an answer beside the spec's schema for it: each value with the schema of its place."""

from __future__ import annotations

from typing import Any, Iterator


def walk(schema: dict, value: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict, Any]]:
    """(path, schema, value) of every value in an answer, with the schema the spec gives it
    (the parts of an allOf each given as well)."""
    for part in schema.get("allOf", []):
        yield from ((p, s, v) for p, s, v in walk(part, value, path) if p != path)
    yield path, schema, value
    if isinstance(value, dict):
        properties = {name: sub for part in [schema, *schema.get("allOf", [])] for name, sub in part.get("properties", {}).items()}
        for name, child in value.items():
            if name in properties:
                yield from walk(properties[name], child, path + (name,))
    elif isinstance(value, list) and "items" in schema:
        for index, child in enumerate(value):
            yield from walk(schema["items"], child, path + (index,))


def nullable(schema: dict) -> bool:
    return bool(schema.get("nullable")) or any(nullable(part) for part in schema.get("allOf", []))


def required(schema: dict) -> set[str]:
    """The fields a schema (with its allOf parts) requires."""
    return set(schema.get("required", [])).union(*(required(part) for part in schema.get("allOf", [])))
