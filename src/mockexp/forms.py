"""Form bodies (`application/x-www-form-urlencoded`, `multipart/form-data`) made into the
value the same request would carry as JSON, for specs that take both.

Nested fields use the bracket form web frameworks read (`qs`, Rails, PHP): `a[b]=1` is
`{"a": {"b": 1}}`, `a[]=x&a[]=y` and `a[0]=x&a[1]=y` are lists, as is a plain name given
more than once. (A form cannot write an empty list: `a=` is a list of one empty text.) Each text is then read as the type the schema gives its place (`true`,
`12`, `1.5`), so the body is checked and used exactly as JSON would be; a text that does
not read as its type stays text and fails validation with the usual reason.
"""

from __future__ import annotations

import re
import typing as t

MAX_FIELDS = 1000  # more fields than this is no form a client sends by hand: refused
MAX_DEPTH = 20
_PART = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A form whose field names cannot be read as one value (the message names the field)."""


def nested(fields: t.Iterable[tuple[str, t.Any]]) -> dict:
    """The value of a form's (name, value) pairs, with bracketed names nested."""
    root: dict = {}
    for count, (name, value) in enumerate(fields, 1):
        if count > MAX_FIELDS:
            raise FormError(f"A form of more than {MAX_FIELDS} fields.")
        keys = _keys(name)
        _put(root, keys, value, name)
    return _listed(root)


def _keys(name: str) -> list[str | None]:
    """`a[b][]` -> ["a", "b", None] (None: append)."""
    head, bracket, rest = name.partition("[")
    if not bracket or not head:
        return [name]
    rest = "[" + rest
    parts = _PART.findall(rest)
    if "".join(f"[{part}]" for part in parts) != rest:
        return [name]  # not the bracket form after all (`a[b`): the name as it is
    if len(parts) > MAX_DEPTH:
        raise FormError(f"{name}: nested deeper than {MAX_DEPTH} levels.")
    return [head, *[part if part != "" else None for part in parts]]


def _put(node: dict, keys: list[str | None], value: t.Any, name: str) -> None:
    key, rest = keys[0], keys[1:]
    if key is None:  # `a[]`: the next item of a list
        key = str(len(node))
    if not rest:
        present = node.get(key)
        if isinstance(present, dict):
            raise FormError(f"{name}: the field is given both as a value and as an object.")
        if key in node:
            node[key] = _Repeated([*present, value]) if isinstance(present, _Repeated) else _Repeated([present, value])
        else:
            node[key] = value
        return
    child = node.setdefault(key, {})
    if not isinstance(child, dict):
        raise FormError(f"{name}: the field is given both as a value and as an object.")
    _put(child, rest, value, name)


class _Repeated(list):
    """The values of a plain name given more than once."""


def _listed(node: t.Any) -> t.Any:
    """Objects whose keys are all 0..n-1 become lists (`a[0]`, `a[]`)."""
    if isinstance(node, _Repeated):
        return [_listed(item) for item in node]
    if not isinstance(node, dict):
        return node
    items = {key: _listed(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items) and sorted(int(key) for key in items) == list(range(len(items))):
        return [items[str(index)] for index in range(len(items))]
    return items


def typed(schema: dict, value: t.Any) -> t.Any:
    """`value` (texts from a form) with each text read as the type its place in `schema` has
    (a text stays text wherever a string is allowed)."""
    flat = _flat(schema)
    kinds = flat["type"]
    if isinstance(value, dict):
        extra = flat["additionalProperties"]
        return {key: typed(flat["properties"].get(key, extra), item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(flat["items"], item) for item in value]
    if not isinstance(value, str) or "string" in kinds:
        return value
    if "array" in kinds:
        return [typed(flat["items"], value)]  # one item, given once (a form cannot write an empty list)
    if "object" in kinds and value == "":
        return {}
    for kind in kinds:
        read = _READERS.get(kind)
        if read is not None:
            try:
                return read(value)
            except ValueError:
                continue
    if value == "" and flat["nullable"]:
        return None
    return value


def _flat(schema: t.Any) -> dict:
    """What typing needs of a schema, with its allOf / oneOf / anyOf parts merged in."""
    flat: dict = {"type": [], "properties": {}, "items": {}, "additionalProperties": {}, "nullable": False}
    _merge(flat, schema)
    return flat


def _merge(flat: dict, schema: t.Any) -> None:
    if not isinstance(schema, dict):
        return
    kinds = schema.get("type")
    flat["type"] += [kind for kind in (kinds if isinstance(kinds, list) else [kinds] if kinds else []) if kind not in flat["type"]]
    for key, sub in schema.get("properties", {}).items():
        flat["properties"].setdefault(key, sub)
    flat["items"] = flat["items"] or schema.get("items", {})
    extra = schema.get("additionalProperties")
    flat["additionalProperties"] = flat["additionalProperties"] or (extra if isinstance(extra, dict) else {})
    flat["nullable"] = flat["nullable"] or bool(schema.get("nullable"))
    for keyword in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(keyword, []):
            _merge(flat, part)


def _boolean(text: str) -> bool:
    """`true` or `false`, as JSON writes them (not 1 / 0: a number where a boolean goes is refused, as in JSON)."""
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(text)


def _number(text: str) -> float | int:
    number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", text.strip()) else number


_READERS: dict[str, t.Callable[[str], t.Any]] = {"boolean": _boolean, "integer": int, "number": _number}
