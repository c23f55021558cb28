"""Copy isolation: callers get copies, so changing a returned document never changes the store,
and what is stored is plain JSON."""

from __future__ import annotations

import json
from typing import Any, Mapping

Doc = dict[str, Any]


def stored_copy(doc: Mapping[str, Any]) -> Doc:
    """A copy that is plain JSON (what is stored: checks that it can be written)."""
    return json.loads(json.dumps(doc, allow_nan=False))


def clone(value: Any) -> Any:
    """A deep copy of stored JSON (dicts, lists and immutable scalars), a few times cheaper than
    a JSON round trip."""
    kind = type(value)
    if kind is dict:
        return {key: clone(item) for key, item in value.items()}
    if kind is list:
        return [clone(item) for item in value]
    return value
