"""A fact table's columns, as GrowthBook derives them from its SQL: the names the SELECT list
gives, each with a datatype (and a number format) guessed from its name, as GrowthBook's
column detection would type a warehouse's answer. A later SQL keeps what was set on the
columns it still has and marks those it lost as deleted."""

from __future__ import annotations

import re
from typing import Any, Mapping

SELECT = re.compile(r"\bselect\b(.*?)\bfrom\b", re.IGNORECASE | re.DOTALL)
NUMBERS = {"amount", "revenue", "price", "count", "qty", "quantity", "value", "total", "duration", "seconds", "items", "score", "number", "age"}
FORMATS = {"amount": "currency", "revenue": "currency", "price": "currency", "total": "currency", "duration": "time:seconds", "seconds": "time:seconds"}
NOT_FOUND = "Could not find the column names: the SQL needs a SELECT list of named columns (not *) and a FROM."


def parsed(sql: str) -> list[str]:
    """The column names of the SQL's (first) SELECT list, or [] when it names none."""
    found = SELECT.search(sql)
    if not found:
        return []
    names = []
    for expression in _top_level(found.group(1)):
        words = re.split(r"\s+as\s+|\s+", expression.strip(), flags=re.IGNORECASE)
        name = words[-1].split(".")[-1].strip('`"[] ')
        if name and name != "*" and re.fullmatch(r"\w+", name) and name not in names:
            names.append(name)
    return names


def _top_level(select_list: str) -> list[str]:
    """The select list split at its commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for char in select_list:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def column(name: str, user_id_types: list[str], now: str) -> dict:
    return {"column": name, "datatype": _datatype(name, user_id_types), "numberFormat": _format(name), "jsonFields": {}, "name": name,
            "description": "", "alwaysInlineFilter": False, "deleted": False, "isAutoSliceColumn": False, "autoSlices": [],
            "dateCreated": now, "dateUpdated": now}


def _datatype(name: str, user_id_types: list[str]) -> str:
    lowered = name.lower()
    if name in user_id_types or lowered.endswith("_id"):
        return "string"
    if lowered in ("timestamp", "date", "time") or lowered.endswith(("_at", "_date", "_time")):
        return "date"
    if lowered.startswith(("is_", "has_")):
        return "boolean"
    return "number" if NUMBERS & set(lowered.split("_")) else "string"


def _format(name: str) -> str:
    return next((FORMATS[part] for part in name.lower().split("_") if part in FORMATS), "")


def derived(sql: str, user_id_types: list[str], before: list[Mapping[str, Any]], now: str) -> tuple[list[dict], str | None]:
    """The columns of `sql` (keeping what `before` set on each it still has, and `before`'s others
    marked deleted), and the columns error (None when the SQL names its columns)."""
    names = parsed(sql)
    kept = {c["column"]: dict(c) for c in before}
    columns = [{**kept.pop(name), "deleted": False} if name in kept else column(name, user_id_types, now) for name in names]
    columns += [{**c, "deleted": True} for c in kept.values()]
    return columns, None if names else NOT_FOUND
