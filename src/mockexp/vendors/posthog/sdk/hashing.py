"""PostHog's bucketing: the first 15 hex digits of a sha1, as a share of 0xFFFFFFFFFFFFFFF.

A flag's rollout hashes `<flag key>.<distinct id>`, its variant `<flag key>.<distinct id>variant`,
and a holdout `holdout-<distinct id>` (one hash for every flag: a user is held out of every
experiment of the holdout or of none)."""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

LONG_SCALE = float(0xFFFFFFFFFFFFFFF)


def bucket(key: str, value: str, salt: str = "", separator: str = ".") -> float:
    """A share in [0, 1) for `value`, the same on every call and every server."""
    digest = hashlib.sha1(f"{key}{separator}{value}{salt}".encode("utf-8")).hexdigest()
    return int(digest[:15], 16) / LONG_SCALE


def in_rollout(flag_key: str, value: str, rollout_percentage: float | None) -> bool:
    return rollout_percentage is None or bucket(flag_key, value) <= rollout_percentage / 100


def variant_of(flag_key: str, value: str, variants: list[Mapping[str, Any]]) -> str | None:
    """The variant whose range of shares holds the value's variant hash (ranges in the variants' order)."""
    share = bucket(flag_key, value, salt="variant")
    low = 0.0
    for variant in variants:
        high = low + variant["rollout_percentage"] / 100
        if low <= share < high:
            return variant["key"]
        low = high
    return None


def held_out(holdout: Mapping[str, Any] | None, value: str) -> str | None:
    """`holdout-<id>` when the value falls in the holdout's excluded share, else None."""
    if not holdout or holdout.get("id") is None or holdout.get("exclusion_percentage") is None:
        return None
    percentage = min(max(float(holdout["exclusion_percentage"]), 0.0), 100.0)
    if percentage != 100.0 and bucket("holdout", value, separator="-") > percentage / 100:
        return None
    return f"holdout-{holdout['id']}"
