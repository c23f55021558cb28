"""Copy isolation: callers get copies, so changing a returned document never changes the store,
and what is stored is plain JSON."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

Doc = dict[str, Any]


def stored_copy(doc: Mapping[str, Any]) -> Doc:
    """A copy that is plain JSON (what is stored: checks that it can be written). A document
    of plain JSON values is copied as it is; anything else goes through JSON, as written
    (tuples become lists, other keys strings; what JSON cannot hold raises as it did)."""
    try:
        return _plain(doc)
    except _NotPlain:
        return json.loads(json.dumps(doc, allow_nan=False))


class _NotPlain(Exception):
    """A value the copy cannot take as it is (its JSON text is not what it is)."""


_SCALARS = (str, int, bool, type(None))


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            copied[key] = _plain(item)
        return copied
    if kind is list:
        return [_plain(item) for item in value]
    if kind in _SCALARS:
        return value
    if kind is float and math.isfinite(value):
        return value
    raise _NotPlain


def clone(value: Any) -> Any:
    """A deep copy of stored JSON (dicts, lists and immutable scalars), a few times cheaper than
    a JSON round trip."""
    kind = type(value)
    if kind is dict:
        return {key: clone(item) for key, item in value.items()}
    if kind is list:
        return [clone(item) for item in value]
    return value
