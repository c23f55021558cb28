"""Ids the server makes up (uuids, hex tokens): random, except while a world file is loaded,
when they come from a seeded generator so that the same file gives the same ids on every
load (a user's app can keep them in its configuration)."""

from __future__ import annotations

import contextlib
import contextvars
import random
import secrets
import uuid
from typing import Iterator

_SOURCE: contextvars.ContextVar[random.Random | None] = contextvars.ContextVar("mockexp_ids", default=None)


@contextlib.contextmanager
def repeatable(seed: str) -> Iterator[None]:
    """Ids made inside (in this context) repeat for the same seed."""
    token = _SOURCE.set(random.Random(seed))
    try:
        yield
    finally:
        _SOURCE.reset(token)


def uuid4() -> str:
    source = _SOURCE.get()
    if source is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


def token_hex(nbytes: int) -> str:
    source = _SOURCE.get()
    if source is None:
        return secrets.token_hex(nbytes)
    return source.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()
