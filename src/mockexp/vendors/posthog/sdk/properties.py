"""Property filters of a flag's condition group, matched against the person (or group)
properties a request sends, with PostHog's operators. A property the request does not send
does not match (the mock keeps no persons); cohort and flag filters match no one here (the
mock keeps no cohorts)."""

from __future__ import annotations

import re
from typing import Any, Mapping

TEXT = ("icontains", "not_icontains", "starts_with", "not_starts_with", "ends_with", "not_ends_with")
NUMERIC = ("gt", "gte", "lt", "lte")


def matches_all(filters: list[Mapping[str, Any]], values: Mapping[str, Any]) -> bool:
    return all(matches(prop, values) for prop in filters)


def matches(prop: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    if prop.get("type") in ("cohort", "flag"):
        return False
    key, operator, wanted = prop.get("key"), prop.get("operator") or "exact", prop.get("value")
    if key not in values:
        return operator == "is_not_set"
    if operator in ("is_set", "is_not_set"):
        return operator == "is_set"
    given = values[key]
    if operator in NUMERIC:
        return _numeric(operator, wanted, given)
    if operator in ("exact", "is_not"):
        return _exact(wanted, given) == (operator == "exact")
    if operator in TEXT:
        return _text(operator, wanted, given)
    if operator in ("regex", "not_regex"):
        return _regex(wanted, given) == (operator == "regex")
    return False


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _exact(wanted: Any, given: Any) -> bool:
    choices = wanted if isinstance(wanted, list) else [wanted]
    return _text_of(given).lower() in [_text_of(choice).lower() for choice in choices]


def _text(operator: str, wanted: Any, given: Any) -> bool:
    have, want = _text_of(given).lower(), _text_of(wanted).lower()
    test = {"icontains": want in have, "starts_with": have.startswith(want), "ends_with": have.endswith(want)}
    matched = test[operator.removeprefix("not_")]
    return not matched if operator.startswith("not_") else matched


def _regex(wanted: Any, given: Any) -> bool:
    try:
        return re.search(str(wanted), _text_of(given)) is not None
    except re.error:
        return False


def _numeric(operator: str, wanted: Any, given: Any) -> bool:
    try:
        have, want = float(given), float(wanted)
    except (TypeError, ValueError):
        return False
    return {"gt": have > want, "gte": have >= want, "lt": have < want, "lte": have <= want}[operator]
