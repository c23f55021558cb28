"""Ids the mock makes, as the schema types them: integers from a sequence (one per resource,
unique across parents), a `slug` from the object's title or name, a uuid for other strings."""

from __future__ import annotations

import re
from typing import Any, Mapping

from mockexp import ids
from mockexp.generic.inference import Resource
from mockexp.generic.values import merged
from mockexp.store import Tables


def new_id(store: Tables, resource: Resource, tables: Tables, item: Mapping[str, Any]) -> Any:
    """A free id for a new object of `resource` in `tables` (its parent's), counted in `store`
    (the API's own tables)."""
    schema = merged(resource.id_schema)
    if schema.get("type") in ("integer", "number"):  # one sequence for all parents (ids unique API-wide)
        number = store.next_number(resource.name)
        while tables.peek(resource.name, str(number)) is not None:
            number = store.next_number(resource.name)
        return number
    if resource.id_field == "slug" and (item.get("title") or item.get("name")):
        base = re.sub(r"[^a-z0-9]+", "-", str(item.get("title") or item.get("name")).lower()).strip("-") or "item"
        slug, count = base, 1
        while tables.peek(resource.name, slug) is not None:
            count += 1
            slug = f"{base}-{count}"
        return slug
    return ids.uuid4()

