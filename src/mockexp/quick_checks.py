"""A request body schema made once into plain Python checks, to pass a valid body quickly.

jsonschema's validator walks the schema anew for every body, making a validator per
sub-schema it descends into: about 20 µs for a small object, most of a write's validation.
`quick_check(schema)` is a function of a parsed JSON value that answers True only where the
request validator (`validation._RequestValidator`: Draft 4, OpenAPI 3.0's `nullable`, the
formats of `validation.FORMATS`) finds nothing wrong. False means "invalid, or not known
here": jsonschema then decides, and names every problem, as before. So a keyword this module
does not know makes the part of the schema that uses it answer False, never True.

Parsed JSON holds only dicts, lists, str, int, float, bool and None, so types are compared
exactly (`type(x) is int`); a bool is never an integer or a number, and 1.0 is a number but not
a Draft 4 integer, as jsonschema reads them. `tests/test_quick_checks.py` checks the agreement
on every schema of every served document, with generated bodies.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from jsonschema import FormatChecker

Check = Callable[[Any], bool]

# keywords that do not constrain a value (jsonschema's Draft 4 ignores them); `components` is the
# document's, which Connexion puts beside each body schema for its `$ref`s to resolve in
_NOTES = {"title", "description", "default", "example", "examples", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs",
          "discriminator", "nullable", "format", "$schema", "id", "definitions", "components"}

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: type(value) is dict,
    "array": lambda value: type(value) is list,
    "string": lambda value: type(value) is str,
    "integer": lambda value: type(value) is int,
    "number": lambda value: type(value) in (int, float),
    "boolean": lambda value: type(value) is bool,
    "null": lambda value: value is None,
}


def _never(value: Any) -> bool:
    return False


def quick_check(schema: Any, formats: FormatChecker) -> Check:
    """The check of `schema` (see the module's notes); `formats`: the format checker the
    request validator uses."""
    return _compiled(schema, _Making(formats))


class _Making:
    """What compiling one schema carries: the format checker, the schemas being compiled (a
    resolved document can hold a schema inside itself; such a loop is left to jsonschema), and
    the checks made so far (a schema the document uses in many places is compiled once)."""

    def __init__(self, formats: FormatChecker) -> None:
        self.formats = formats
        self.open: set[int] = set()
        self.made: dict[int, Check] = {}


def _compiled(schema: Any, making: _Making) -> Check:
    if not isinstance(schema, dict) or id(schema) in making.open:
        return _never
    found = making.made.get(id(schema))
    if found is None:
        making.open.add(id(schema))
        try:
            found = making.made[id(schema)] = _of(schema, making)
        finally:
            making.open.discard(id(schema))
    return found


def _of(schema: dict, making: _Making) -> Check:
    nullable = bool(schema.get("nullable"))
    checks = []
    for keyword, value in schema.items():
        if keyword in _NOTES or keyword.startswith("x-"):
            continue
        make = _KEYWORDS.get(keyword)
        check = make(value, schema, making) if make is not None else None
        if check is None:
            return _never
        checks.append(_or_null(check) if nullable and keyword in _NULL_PASSES else check)
    if "format" in schema:
        checks.append(_format(schema["format"], making.formats))
    return _all(checks)


_NULL_PASSES = ("type", "enum", "allOf", "anyOf", "oneOf")  # what `nullable: true` lets null through (validation.py)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    checks = tuple(checks)

    def every(value: Any) -> bool:  # a loop: `all()` over a generator costs a few times more for so few
        for check in checks:
            if not check(value):
                return False
        return True

    return every


def _or_null(check: Check) -> Check:
    return lambda value: value is None or check(value)


# -- each keyword, applying (as in JSON Schema) only to the values of its type -----------------


def _type(wanted: Any, schema: dict, making: _Making) -> Check | None:
    names = wanted if isinstance(wanted, list) else [wanted]
    if not all(isinstance(name, str) and name in _TYPES for name in names):
        return None
    tests = [_TYPES[name] for name in names]
    return tests[0] if len(tests) == 1 else (lambda value: any(test(value) for test in tests))


def _enum(choices: Any, schema: dict, making: _Making) -> Check | None:
    if not isinstance(choices, list) or not all(choice is None or type(choice) is str for choice in choices):
        return None  # numbers, booleans and structures compare in ways left to jsonschema
    allowed = set(choices)
    return lambda value: (value is None or type(value) is str) and value in allowed


def _properties(properties: Any, schema: dict, making: _Making) -> Check | None:
    if not isinstance(properties, dict):
        return None
    checks = {name: _compiled(subschema, making) for name, subschema in properties.items()}

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        for name, item in value.items():
            sub = checks.get(name)
            if sub is not None and not sub(item):
                return False
        return True

    return check


def _additional(allowed: Any, schema: dict, making: _Making) -> Check | None:
    if "patternProperties" in schema:
        return None
    known = set(schema.get("properties") or {})
    if allowed is True:
        return lambda value: True
    extra = _never if allowed is False else _compiled(allowed, making)
    return lambda value: type(value) is not dict or all(name in known or extra(item) for name, item in value.items())


def _required(names: Any, schema: dict, making: _Making) -> Check | None:
    if not isinstance(names, list):
        return None
    return lambda value: type(value) is not dict or all(name in value for name in names)


def _count(of: type, compare: Callable[[int, Any], bool]) -> Callable[[Any, dict, _Making], Check | None]:
    def make(limit: Any, schema: dict, making: _Making) -> Check | None:
        if type(limit) is not int:
            return None
        return lambda value: type(value) is not of or compare(len(value), limit)

    return make


def _items(items: Any, schema: dict, making: _Making) -> Check | None:
    if not isinstance(items, dict):
        return None  # a list of schemas (one per position) is left to jsonschema
    each = _compiled(items, making)
    return lambda value: type(value) is not list or all(each(item) for item in value)


def _pattern(pattern: Any, schema: dict, making: _Making) -> Check | None:
    try:
        compiled = re.compile(pattern)
    except (re.error, TypeError):
        return None
    return lambda value: type(value) is not str or compiled.search(value) is not None


def _bound(name: str) -> Callable[[Any, dict, _Making], Check | None]:
    """minimum / maximum, with Draft 4's boolean exclusiveMinimum / exclusiveMaximum."""

    def make(limit: Any, schema: dict, making: _Making) -> Check | None:
        exclusive = schema.get("exclusiveMinimum" if name == "minimum" else "exclusiveMaximum", False)
        if type(limit) not in (int, float) or type(exclusive) is not bool or (type(limit) is float and not math.isfinite(limit)):
            return None
        if name == "minimum":
            fits = (lambda number: number > limit) if exclusive else (lambda number: number >= limit)
        else:
            fits = (lambda number: number < limit) if exclusive else (lambda number: number <= limit)
        return lambda value: type(value) not in (int, float) or fits(value)

    return make


def _exclusive(flag: Any, schema: dict, making: _Making) -> Check | None:
    """Read with its minimum or maximum; alone, it constrains nothing."""
    return (lambda value: True) if type(flag) is bool else None


def _unique(flag: Any, schema: dict, making: _Making) -> Check | None:
    return (lambda value: True) if flag is False else None  # unique items compare as jsonschema does: left to it


def _multiple(factor: Any, schema: dict, making: _Making) -> Check | None:
    if type(factor) is not int or factor <= 0:
        return None  # a fraction's remainder is left to jsonschema
    return lambda value: type(value) is not int and type(value) is not float or (type(value) is int and value % factor == 0)


def _format(name: Any, formats: FormatChecker) -> Check:
    if name not in formats.checkers:
        return lambda value: True  # a format the validator does not check
    return lambda value: formats.conforms(value, name)


def _combined(how: str) -> Callable[[Any, dict, _Making], Check | None]:
    def make(subschemas: Any, schema: dict, making: _Making) -> Check | None:
        if not isinstance(subschemas, list) or not subschemas:
            return None
        checks = [_compiled(subschema, making) for subschema in subschemas]
        if how == "allOf":
            return lambda value: all(check(value) for check in checks)
        if how == "anyOf":
            return lambda value: any(check(value) for check in checks)
        # oneOf: a False may mean "not known" rather than "invalid", so exactly one True is no
        # proof that the others fail: only a oneOf of one schema is decided here
        return checks[0] if len(checks) == 1 else None

    return make


_KEYWORDS: dict[str, Callable[[Any, dict, _Making], Check | None]] = {
    "type": _type,
    "enum": _enum,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "minItems": _count(list, lambda size, limit: size >= limit),
    "maxItems": _count(list, lambda size, limit: size <= limit),
    "minLength": _count(str, lambda size, limit: size >= limit),
    "maxLength": _count(str, lambda size, limit: size <= limit),
    "minProperties": _count(dict, lambda size, limit: size >= limit),
    "maxProperties": _count(dict, lambda size, limit: size <= limit),
    "pattern": _pattern,
    "minimum": _bound("minimum"),
    "maximum": _bound("maximum"),
    "exclusiveMinimum": _exclusive,
    "exclusiveMaximum": _exclusive,
    "uniqueItems": _unique,
    "multipleOf": _multiple,
    "allOf": _combined("allOf"),
    "anyOf": _combined("anyOf"),
    "oneOf": _combined("oneOf"),
}
