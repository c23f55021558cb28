"""Faults and latency on purpose: rules matched by vendor, operationId, method and path
prefix, each delaying, failing (with the vendor's own error body) or dropping the requests it
matches, or changing its JSON answer (`patch`, a JSON merge patch), for the next N of them or
with a (seeded, so repeatable) probability."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from mockexp.errors import DomainError, Invalid

MATCHERS = ("vendor", "operationId", "method", "path")
EFFECTS = ("status", "headers", "latency_ms", "drop", "patch")


class InjectedFault(DomainError):
    """The error a fault rule answers with, in the vendor's error shape."""

    def __init__(self, status: int, headers: Mapping[str, str]) -> None:
        super().__init__(f"Injected fault: this request was answered {status} on purpose (a mockexp fault rule).", headers=dict(headers))
        self.status = status


@dataclass
class Rule:
    id: int
    definition: dict
    hits: int = 0
    remaining: int | None = None
    chance: random.Random = field(default_factory=random.Random)

    def matches(self, vendor: str, operation_id: str | None, method: str, path: str) -> bool:
        d = self.definition
        return ((d.get("vendor") in (None, vendor)) and (d.get("operationId") in (None, operation_id))
                and (d.get("method") is None or d["method"].upper() == method) and path.startswith(d.get("path", "")))

    def fires(self) -> bool:
        """Whether this matching request gets the rule's effects (its times left, its probability)."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        probability = self.definition.get("probability")
        if probability is not None and self.chance.random() >= probability:
            return False
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def latency(self) -> float:
        """Seconds to wait: the fixed `latency_ms`, or a draw from its [min, max]."""
        value = self.definition.get("latency_ms")
        if value is None:
            return 0.0
        return (self.chance.uniform(*value) if isinstance(value, list) else value) / 1000

    def to_json(self) -> dict:
        shown = {"id": self.id, **self.definition, "hits": self.hits}
        if self.remaining is not None:
            shown["remaining"] = self.remaining
        return shown


class Faults:
    def __init__(self, latency_ms: tuple[float, float] | None = None, seed: int = 0) -> None:
        self.rules: list[Rule] = []
        self.latency_ms = latency_ms  # every vendor request waits this long (`--latency MIN-MAX`)
        self._global = random.Random(seed)
        self._lock = threading.Lock()
        self._next = 1

    def install(self, definitions: list[dict]) -> list[dict]:
        """Replace the rules (each checked first: a rule with no effect is refused)."""
        for index, definition in enumerate(definitions):
            check(definition, index)
        with self._lock:
            self.rules = []
            for definition in definitions:
                rule = Rule(self._next, dict(definition), remaining=definition.get("times"), chance=random.Random(definition.get("seed", self._next)))
                self._next += 1
                self.rules.append(rule)
            return [rule.to_json() for rule in self.rules]

    def listed(self) -> list[dict]:
        with self._lock:
            return [rule.to_json() for rule in self.rules]

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def firing(self, vendor: str, operation_id: str | None, method: str, path: str) -> Rule | None:
        """The first rule that matches the request and fires for it."""
        with self._lock:
            return next((rule for rule in self.rules if rule.matches(vendor, operation_id, method, path) and rule.fires()), None)

    def base_latency(self) -> float:
        if self.latency_ms is None:
            return 0.0
        with self._lock:
            return self._global.uniform(*self.latency_ms) / 1000


def check(rule: Mapping[str, Any], index: int) -> None:
    """The rules a rule must keep beyond its schema's shape."""
    at = ("rules", index)
    if not any(rule.get(name) not in (None, False, {}) for name in EFFECTS):
        raise Invalid([(at, "A rule needs an effect: status, headers, latency_ms, drop or patch.")])
    latency = rule.get("latency_ms")
    if isinstance(latency, list) and latency[0] > latency[1]:
        raise Invalid([(at + ("latency_ms",), f"The range goes from {latency[0]} to {latency[1]}: min must not be above max.")])
    if rule.get("headers") and rule.get("status") is None:
        raise Invalid([(at + ("headers",), "Headers are sent with an injected status: give a status too.")])
    if rule.get("drop") and rule.get("status") is not None:
        raise Invalid([(at, "A dropped connection has no status: give drop or status, not both.")])
    if rule.get("patch") is not None and (rule.get("drop") or rule.get("status") is not None):
        raise Invalid([(at + ("patch",), "A patch changes the mock's own answer: give it without status or drop.")])
