"""Feature values: written as strings, parsed as the feature's `valueType`."""

from __future__ import annotations

import json
import math
from typing import Any

from mockexp.errors import Invalid

BOOLEANS = {"true": True, "false": False}


def parse(value_type: str, text: str) -> Any:
    """The value `text` stands for, or ValueError saying why it is not a `value_type`."""
    if value_type == "boolean":
        if text not in BOOLEANS:
            raise ValueError('A boolean value must be "true" or "false".')
        return BOOLEANS[text]
    if value_type == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError("A number value must be a number.") from None
        if not math.isfinite(number):
            raise ValueError("A number value must be finite.")
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if value_type == "json":
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("A json value must be valid JSON.") from None
    return text


def check(value_type: str, text: str, field: str) -> None:
    try:
        parse(value_type, text)
    except ValueError as why:
        raise Invalid.field(field, f"{why} The feature's valueType is {value_type}.") from None


def condition(text: str, field: str) -> dict | None:
    """A targeting condition: "" (everyone) or a JSON object."""
    if not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        raise Invalid.field(field, "A condition must be a JSON object.") from None
    if not isinstance(parsed, dict):
        raise Invalid.field(field, "A condition must be a JSON object.")
    return parsed
