"""Where one step's answers differ, the real API's and the mock's: status, fields present in
one only, JSON types, the created object's place in its list, an error body's shape. Values
are not compared (ids, names and times differ between any two worlds); shapes are.

Each difference is classified by what the spec says at that place:
* spec gap: the real API does something the spec does not describe, within what the spec allows
  (an undeclared field, an order the spec does not state, a type both sides' schema allows);
* mock gap: the mock differs from the real API where the real API keeps to its documented
  contract (and only there);
* vendor deviation: the real API breaks what its spec documents: a status the spec does not
  list or a server error (5xx: the real API failed, whatever the mock answered), a required
  field left out, a type the spec does not allow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterator, Mapping

from mockexp.contract.checks import _properties
from mockexp.contract.follow import identity, items_of, wrapping_key
from mockexp.drift.sequence import Observed
from mockexp.paging import Pagination
from mockexp.validation import schema_problems

SPEC_GAP, MOCK_GAP, VENDOR_DEVIATION = "spec gap", "mock gap", "vendor deviation"


@dataclass(frozen=True)
class Difference:
    step: str
    operation_id: str
    kind: str  # status, field, type, ordering, error shape (field or type of an error body)
    where: str  # a field's path in the body, or "status", "order"
    real: str
    mock: str
    classification: str

    def to_json(self) -> dict:
        return {**asdict(self), "operationId": self.operation_id}


def compare(real: Observed, mock: Observed, created: tuple[Any, Any] = (None, None)) -> list[Difference]:
    """The differences of one step (`created`: each side's create answer, for the list's order)."""
    step, operation = real.step, real.step.operation

    def difference(kind: str, where: str, one: str, other: str, classification: str) -> Difference:
        error = real.status >= 400 and kind in ("field", "type")
        return Difference(step.name, operation.operation_id, "error shape" if error else kind, where, one, other, classification)

    if real.status != mock.status:
        return [difference("status", "status", str(real.status), str(mock.status), _status_class(operation, real.status, mock.status))]
    schema = operation.response_schema(real.status)
    bodies = (real.body, mock.body)
    if step.name == "list" and real.status == 200:
        bodies = tuple(_focused(operation.definition, body, _identity(made)) for body, made in zip(bodies, created))
    found = [difference(*shape) for shape in _shapes(*bodies, schema or None, "")]
    if step.name == "list" and real.status == 200:
        found += [difference(*order) for order in _order(operation.definition, real.body, mock.body, created)]
    return found


def _focused(operation: Mapping[str, Any], body: Any, wanted: Any) -> Any:
    """A list's body with only the created object among its items (the other objects are of
    two different worlds: which optional fields each has tells nothing)."""
    pagination = Pagination.of(operation)
    items = items_of(operation, body)
    if items is None:
        return body
    kept = [item for item in items if wanted is not None and identity(item) == wanted]
    if pagination is None:
        key = wrapping_key(body)
        return kept if key is None else {**body, key: kept}
    return {**body, pagination.body["items"]: kept}


def _status_class(operation, real: int, mock: int) -> str:
    """The real API's status against the mock's: the mock's to match only where the real API
    answered within its documented contract."""
    if real >= 500 or not operation.documents(real):
        return VENDOR_DEVIATION
    return MOCK_GAP


def _shapes(real: Any, mock: Any, schema: Mapping[str, Any] | None, path: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(kind, where, real, mock, classification) for each place the two bodies' shapes differ."""
    real_type, mock_type = _type(real), _type(mock)
    if real_type != mock_type:
        yield "type", path or "body", real_type, mock_type, _type_class(schema, real, mock)
        return
    if real_type == "object":
        properties = _properties(schema)
        for name in sorted(set(real) | set(mock), key=str):
            where = f"{path}.{name}" if path else str(name)
            declared = properties.get(name) if isinstance(properties.get(name), dict) else None
            if name not in mock:
                yield "field", where, "present", "absent", _real_only_class(schema, name, real[name], declared)
            elif name not in real:
                yield "field", where, "absent", "present", _mock_only_class(schema, name, real)
            else:
                yield from _shapes(real[name], mock[name], declared, where)
    elif real_type == "array" and real and mock:
        items = schema.get("items") if isinstance(schema, dict) else None
        yield from _shapes(real[0], mock[0], items, f"{path}[0]")


def _real_only_class(schema: Mapping[str, Any] | None, name: str, value: Any, declared: Any) -> str:
    """A field only the real API sends: the mock's to add if the spec declares it; the real
    API's fault if the spec's object forbids it; else the spec's silence."""
    if declared is not None:
        return MOCK_GAP
    if isinstance(schema, dict) and schema_problems({**schema, "required": [], "minProperties": 0}, {name: value}):
        return VENDOR_DEVIATION
    return SPEC_GAP


def _mock_only_class(schema: Mapping[str, Any] | None, name: str, real: Mapping[str, Any]) -> str:
    """A field only the mock sends: the real API's fault if the spec requires it or the real
    object breaks its schema anyway (another shape altogether); else the mock's."""
    if name in _required(schema) or (isinstance(schema, dict) and schema_problems(dict(schema), real)):
        return VENDOR_DEVIATION
    return MOCK_GAP


def _type_class(schema: Mapping[str, Any] | None, real: Any, mock: Any) -> str:
    if not schema:
        return SPEC_GAP
    real_ok, mock_ok = not schema_problems(dict(schema), real), not schema_problems(dict(schema), mock)
    if not mock_ok:
        return MOCK_GAP
    return VENDOR_DEVIATION if not real_ok else SPEC_GAP


def _required(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    found = set(schema.get("required") or [])
    for part in schema.get("allOf", []):
        found |= _required(part)
    return found


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)


def _order(operation: Mapping[str, Any], real: Any, mock: Any, created: tuple[Any, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """Where the created object stands in the first page of its list, if the sides disagree on
    whether it comes first (newest first, or oldest first)."""
    places = [_place(items_of(operation, body), _identity(made)) for body, made in zip((real, mock), created)]
    if None not in places and (places[0] == "first") != (places[1] == "first"):
        yield "ordering", "order", f"the created object {places[0]}", f"the created object {places[1]}", SPEC_GAP


def _identity(created: Any) -> Any:
    """The created object's id or key (also inside a one-field envelope, as ABsmartly's)."""
    found = identity(created)
    if found is None and isinstance(created, dict) and len(created) == 1:
        found = identity(next(iter(created.values())))
    return found


def _place(items: list | None, wanted: Any) -> str | None:
    if items is None or wanted is None:
        return None
    ids = [identity(item) for item in items]
    if wanted not in ids:
        return "not on the first page"
    return "first" if ids.index(wanted) == 0 else f"at position {ids.index(wanted) + 1}"
