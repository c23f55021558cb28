"""Personal data and secrets in recorded bodies replaced by Faker values, consistently: the
same real value always becomes the same fake one (within a recording, and from one recording
to the next, as each fake is drawn from a Faker seeded with the real value)."""

from __future__ import annotations

import re
import zlib
from typing import Any, Callable

from faker import Faker

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# field name (lower case, without _ or -) -> what Faker makes for it
BY_FIELD: dict[str, Callable[[Faker], str]] = {
    **{name: lambda f: f.first_name() for name in ("firstname", "givenname")},
    **{name: lambda f: f.last_name() for name in ("lastname", "familyname", "surname")},
    **{name: lambda f: f.name() for name in ("fullname", "displayname", "username", "personname", "author", "owner")},
    **{name: lambda f: f.phone_number() for name in ("phone", "phonenumber", "mobile")},
    **{name: lambda f: f.sha1() for name in ("token", "secret", "password", "apikey", "accesstoken", "secretkey", "clientsecret")},
}


class Anonymiser:
    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def fake(self, kind: str, real: str, make: Callable[[Faker], str]) -> str:
        key = (kind, real)
        if key not in self.seen:
            faker = Faker()
            faker.seed_instance(zlib.crc32(f"{kind}:{real}".encode()))
            self.seen[key] = make(faker)
        return self.seen[key]

    def value(self, value: Any, field: str | None = None) -> Any:
        """`value` with its personal data and secrets replaced, at any depth."""
        if isinstance(value, dict):
            return {key: self.value(item, str(key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, field) for item in value]
        if not isinstance(value, str) or not value:
            return value
        name = re.sub(r"[_\-]", "", field or "").lower()
        if name in BY_FIELD and not EMAIL.fullmatch(value):
            return self.fake(name, value, BY_FIELD[name])
        return EMAIL.sub(lambda match: self.fake("email", match.group(0).lower(), lambda f: f.email()), value)
