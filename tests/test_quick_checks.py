"""A request body the quick checks pass is one the request validator finds nothing wrong with:
checked on every request body schema of every document mockexp serves or is tested with,
against bodies made from each schema and changed field by field."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Iterator

import pytest

from mockexp import specs
from mockexp.generic.values import Values
from mockexp.quick_checks import quick_check
from mockexp.validation import FORMATS, schema_problems

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(ROOT.glob("specs/*.yaml")) + sorted((ROOT / "tests" / "specs").glob("*.yaml"))

# what a field is changed to: every JSON type, empty and edge values, and the formats' edges
REPLACEMENTS: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, 2**63, "", "x", "a" * 300, [], [None], {}, {"x": 1},
    "2026-03-02T09:30:00Z", "0001-01-01T00:00:00+01:00", "2026-13-40", "2026-03-02", "not-a-uuid",
    "123e4567-e89b-12d3-a456-426614174000", "\U0001F600", "#000",
]


def _body_schemas(document: Path) -> Iterator[tuple[str, dict]]:
    spec = specs.load(document, strict=document.parent.name == "specs" and document.parent.parent == ROOT)
    for operation in spec.operations:
        for media, content in operation.definition.get("requestBody", {}).get("content", {}).items():
            if isinstance(content.get("schema"), dict):
                yield f"{operation.operation_id} {media}", content["schema"]


def _filled(schema: Any, values: Values, depth: int = 0) -> Any:
    """A value for `schema` with every property it names (not only the required ones)."""
    if not isinstance(schema, dict) or depth > 4:
        return None
    for combined in ("allOf", "anyOf", "oneOf"):
        if schema.get(combined):
            first = _filled(schema[combined][0], values, depth + 1)
            if combined == "allOf" and isinstance(first, dict):
                for other in schema[combined][1:]:
                    more = _filled(other, values, depth + 1)
                    if isinstance(more, dict):
                        first.update(more)
            return first
    if "properties" in schema or schema.get("type") == "object":
        return {name: _filled(sub, values, depth + 1) for name, sub in (schema.get("properties") or {}).items()}
    if schema.get("type") == "array":
        return [_filled(schema.get("items", {}), values, depth + 1)]
    return values.value(schema)


def _variants(value: Any, depth: int = 0) -> Iterator[Any]:
    """`value` itself, then copies with one field (at any depth) changed, removed or added."""
    yield value
    if depth > 3:
        return
    if isinstance(value, dict):
        yield {**value, "unknown_field": 1}
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for replacement in itertools.chain(REPLACEMENTS, _variants(value[key], depth + 1)):
                yield {**value, key: replacement}
    elif isinstance(value, list) and value:
        for replacement in itertools.chain(REPLACEMENTS[:8], _variants(value[0], depth + 1)):
            yield [replacement, *value[1:]]
        yield value + value


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_a_body_the_quick_checks_pass_is_one_the_validator_accepts(document: Path) -> None:
    checked = passed = 0
    for name, schema in _body_schemas(document):
        check = quick_check(schema, FORMATS)
        for variant in itertools.islice(_variants(_filled(schema, Values(name).seeded(name))), 3000):
            checked += 1
            if check(variant):
                passed += 1
                assert schema_problems(schema, variant) == [], f"{document.name} {name}: the quick checks passed {variant!r}"
    if checked:
        assert passed, f"{document.name}: the quick checks passed none of {checked} bodies (they would never speed anything up)"


SEMANTICS: list[tuple[dict, Any]] = [
    ({"type": "integer"}, 1.0),  # Draft 4: 1.0 is a number, not an integer
    ({"type": "integer"}, True),
    ({"type": "number"}, False),
    ({"enum": ["a", "b"]}, "c"),
    ({"enum": [1, 2]}, True),
    ({"type": "string", "nullable": True}, None),
    ({"type": "string", "enum": ["a"], "nullable": True}, None),
    ({"allOf": [{"type": "string"}], "nullable": True}, None),
    ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "x"),
    ({"oneOf": [{"type": "string"}, {"minLength": 1}]}, "x"),  # both match: not one of
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1.5),
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, {"a": "x"}),
    ({"type": "object", "required": ["a"]}, {}),
    ({"type": "string", "pattern": "^[a-z]+$"}, "abc1"),
    ({"type": "string", "maxLength": 2}, "\U0001F600ab"),  # three characters
    ({"type": "string", "format": "uuid"}, "not-a-uuid"),
    ({"type": "string", "format": "date-time"}, "0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
    ({"type": "string", "format": "date"}, "2026-02-30"),
    ({"type": "string", "format": "email"}, "not an email"),  # a format the validator does not check
    ({"type": "number", "minimum": 1, "exclusiveMinimum": True}, 1),
    ({"type": "number", "maximum": 1, "exclusiveMaximum": True}, 1.0),
    ({"type": "integer", "multipleOf": 3}, 4),
    ({"type": "number", "multipleOf": 0.1}, 0.3),
    ({"type": "array", "uniqueItems": True}, [1, True]),
    ({"type": "array", "items": {"type": "integer"}, "maxItems": 1}, [1, 2]),
    ({"type": "object", "patternProperties": {"^x": {"type": "integer"}}}, {"xa": "y"}),
    ({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}, {"a": 1}),
    ({"not": {"type": "string"}}, "x"),
]


@pytest.mark.parametrize(("schema", "value"), SEMANTICS, ids=lambda item: repr(item)[:60])
def test_the_quick_checks_agree_with_the_validator_on_json_schemas_corners(schema: dict, value: Any) -> None:
    valid = schema_problems(schema, value) == [] if "$ref" not in repr(schema) else False
    assert quick_check(schema, FORMATS)(value) in ((True, False) if valid else (False,))


def test_a_schema_that_holds_itself_is_left_to_the_validator() -> None:
    node: dict = {"type": "object", "properties": {}}
    node["properties"]["child"] = node
    check = quick_check(node, FORMATS)
    assert check({"child": {"child": {}}}) is False
    assert schema_problems(node, {"child": {"child": {}}}) == []


def test_a_petstore_pet_passes_the_quick_checks_with_the_documents_components_beside_it() -> None:
    spec = specs.load(ROOT / "tests" / "specs" / "petstore3.yaml", strict=False)
    add_pet = next(operation for operation in spec.operations if operation.operation_id == "addPet")
    schema = add_pet.definition["requestBody"]["content"]["application/json"]["schema"]
    as_connexion_gives_it = {**schema, "components": spec.document.get("components", {})}
    check = quick_check(as_connexion_gives_it, FORMATS)
    assert check({"name": "doggie", "photoUrls": []}) is True
    assert check({"name": "doggie"}) is False  # photoUrls is required
