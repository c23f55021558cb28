"""Values made up from a JSON schema, the same for the same seed.

Faker makes them, chosen by the schema's `format` (date-time, email, uuid, uri...), then by
the property's name (email, username, first name, city, title...), then by the `example` the
document gives, then by type within the schema's bounds (minimum / maximum, min / max length,
enum, const). Only a `pattern` is handed to Hypothesis (`from_regex`, drawn with `find` from a
seeded random): Faker has no regex generator.

Why not hypothesis-jsonschema (inside Schemathesis) for all of it: it draws from a strategy
inside a test engine; outside one there is no supported way to draw one value from a given
seed (`strategy.example()` warns, is not seedable, and takes tens of milliseconds), its values
are built to find bugs ("", 0, "\\x00") rather than to look like data a user reads in a demo,
and a mock answering every create would pay its start-up per call. Faker gives a readable
value in microseconds from a seeded instance.
"""

from __future__ import annotations

import functools
import random
import re
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from faker import Faker

MAX_ITEMS = 2
MAX_DEPTH = 6

# a property's name (lower case, without _ and -) -> what Faker makes for it
BY_NAME: dict[str, Callable[[Faker], Any]] = {
    "email": lambda fake: fake.email(),
    "username": lambda fake: fake.user_name(),
    "login": lambda fake: fake.user_name(),
    "firstname": lambda fake: fake.first_name(),
    "lastname": lambda fake: fake.last_name(),
    "fullname": lambda fake: fake.name(),
    "name": lambda fake: fake.first_name(),
    "title": lambda fake: fake.sentence(nb_words=4).rstrip("."),
    "description": lambda fake: fake.sentence(),
    "summary": lambda fake: fake.sentence(),
    "body": lambda fake: fake.paragraph(nb_sentences=2),
    "bio": lambda fake: fake.sentence(),
    "phone": lambda fake: fake.phone_number(),
    "street": lambda fake: fake.street_address(),
    "city": lambda fake: fake.city(),
    "state": lambda fake: fake.state_abbr(),
    "zip": lambda fake: fake.postcode(),
    "country": lambda fake: fake.country_code(),
    "company": lambda fake: fake.company(),
    "url": lambda fake: fake.url(),
    "image": lambda fake: fake.image_url(),
    "password": lambda fake: fake.password(length=12),
    "slug": lambda fake: fake.slug(),
    "color": lambda fake: fake.color_name(),
}

BY_FORMAT: dict[str, Callable[[Faker], Any]] = {
    "date-time": lambda fake: fake.date_time_between("-1y", "now", tzinfo=timezone.utc).isoformat().replace("+00:00", "Z"),
    "date": lambda fake: fake.date_between("-1y", "today").isoformat(),
    "email": lambda fake: fake.email(),
    "uuid": lambda fake: fake.uuid4(),
    "uri": lambda fake: fake.url(),
    "url": lambda fake: fake.url(),
    "hostname": lambda fake: fake.hostname(),
    "ipv4": lambda fake: fake.ipv4(),
    "ipv6": lambda fake: fake.ipv6(),
    "password": lambda fake: fake.password(length=12),
    "byte": lambda fake: fake.pystr(min_chars=8, max_chars=8).encode().hex(),
}


def timestamp(moment: datetime) -> str:
    """A date-time as the mock writes it: UTC, seconds, `Z`."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Values:
    """Makes values from schemas with one Faker, seeded again for each object (`seeded`)."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.fake = Faker()

    def seeded(self, *parts: Any) -> "Values":
        """The same generator, seeded from `parts` (the vendor, the table, the key...)."""
        self.fake.seed_instance("/".join([self.seed, *map(str, parts)]))
        return self

    def value(self, schema: Mapping[str, Any], name: str = "", depth: int = 0) -> Any:
        schema = merged(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.fake.random_element([v for v in schema["enum"] if v is not None] or [None])
        kind = kind_of(schema)
        if kind == "object":
            return self.object(schema, depth) if depth < MAX_DEPTH else {}
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return float(self.integer(schema, default_high=1000)) + self.fake.random_int(0, 99) / 100 if "multipleOf" not in schema else float(self.integer(schema))
        if kind == "boolean":
            return self.fake.boolean()
        if kind == "null":
            return None
        return self.string(schema, name)

    def object(self, schema: Mapping[str, Any], depth: int = 0, only_required: bool = False) -> dict:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out = {}
        for key, sub in properties.items():
            if only_required and key not in required:
                continue
            out[key] = self.value(sub, key, depth + 1)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and extra:
            for _ in range(MAX_ITEMS):
                out[self.fake.word()] = self.value(extra, "", depth + 1)
        return _in_order(out, properties)

    def array(self, schema: Mapping[str, Any], name: str, depth: int) -> list:
        low = schema.get("minItems", 1)
        high = max(low, min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS))
        items = schema.get("items") or {"type": "string"}
        made = [self.value(items, _singular(name), depth + 1) for _ in range(self.fake.random_int(low, high))]
        if schema.get("uniqueItems"):
            unique = []
            for item in made:
                if item not in unique:
                    unique.append(item)
            made = unique
        return made

    def integer(self, schema: Mapping[str, Any], default_high: int = 1000) -> int:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and low <= -(2**31):  # only a format's bound (int32, int64): as if none
            low = None
        if high is not None and high >= 2**31 - 1:
            high = None
        if low is None:
            low = 0 if high is None or high >= 0 else high - default_high
        if high is None:
            high = max(low, 0) + default_high
        low, high = _exclusive(schema, "exclusiveMinimum", low, 1), _exclusive(schema, "exclusiveMaximum", high, -1)
        low, high = int(-(-low // 1)), int(high // 1)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first = -(-low // step) * step
            return first if first > high else first + step * self.fake.random_int(0, (high - first) // step)
        return self.fake.random_int(low, max(low, high))

    def string(self, schema: Mapping[str, Any], name: str) -> str:
        if schema.get("pattern"):
            return self.matching(schema["pattern"])
        made = self._named_or_formatted(schema, name)
        if made is None:
            made = self.fake.word()
        return _fit(str(made), schema, self.fake)

    def _named_or_formatted(self, schema: Mapping[str, Any], name: str) -> Any:
        fmt = schema.get("format")
        if fmt in BY_FORMAT:
            return BY_FORMAT[fmt](self.fake)
        key = re.sub(r"[^a-z]", "", name.lower())
        for hint in (key, key.removesuffix("name") if key.endswith("name") and key != "name" else None):
            if hint and hint in BY_NAME:
                return BY_NAME[hint](self.fake)
        for hint, make in BY_NAME.items():
            if len(hint) > 3 and key.endswith(hint):
                return make(self.fake)
        example = schema.get("example")
        if isinstance(example, str):
            return example
        return None

    def matching(self, pattern: str) -> str:
        return _matching(pattern, self.fake.random_int(0, 1 << 30))


@functools.lru_cache(maxsize=512)
def _matching(pattern: str, seed: int) -> str:
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st

    # the first value drawn: no shrinking nor explaining (a third of a second per pattern)
    quiet = settings(database=None, max_examples=50, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    return find(st.from_regex(pattern, fullmatch=True), lambda _: True, settings=quiet, random=random.Random(seed))


CREATED = re.compile(r"(created|inserted)", re.IGNORECASE)
UPDATED = re.compile(r"(updated|modified|changed)", re.IGNORECASE)


def _in_order(made: dict, properties: Mapping[str, Any]) -> dict:
    """An object's made-up times in the order their names say: updated not before created."""
    created = [made[k] for k in made if CREATED.search(k) and merged(properties.get(k, {})).get("format") == "date-time" and isinstance(made[k], str)]
    if created:
        for key in made:
            if UPDATED.search(key) and merged(properties.get(key, {})).get("format") == "date-time" and isinstance(made[key], str):
                made[key] = max(made[key], *created)
    return made


def _exclusive(schema: Mapping[str, Any], key: str, bound: float, step: int) -> float:
    """A bound moved inside an exclusive one (a flag in OpenAPI 3.0, a number in 3.1)."""
    value = schema.get(key)
    if isinstance(value, bool):
        return bound + step if value else bound
    if isinstance(value, (int, float)):
        return value + step
    return bound


def _fit(text: str, schema: Mapping[str, Any], fake: Faker) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    while len(text) < low:
        text += fake.word()
    return text[:high] if high is not None else text


def kind_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind:
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def merged(schema: Mapping[str, Any]) -> dict:
    """One schema for an `allOf` (its parts merged), the first choice of a `oneOf` / `anyOf`."""
    if not isinstance(schema, Mapping):
        return {}
    if "allOf" in schema:
        out: dict = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            part = merged(part)
            out.setdefault("properties", {}).update(part.get("properties") or {})
            out["required"] = sorted(set(out.get("required") or []) | set(part.get("required") or []))
            for key, value in part.items():
                if key not in ("properties", "required"):
                    out.setdefault(key, value)
        return out
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            options = [merged(option) for option in schema[choice]]
            return next((option for option in options if kind_of(option) != "null"), options[0])
    return dict(schema)


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name
