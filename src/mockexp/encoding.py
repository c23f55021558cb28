"""JSON as the mock sends it: encoded with orjson (the same JSON as Connexion's standard
library encoder, without spaces after separators and with non-ASCII characters as UTF-8 rather
than escapes), with Connexion's newline at the end of an answer; and the weak `ETag` of an
answer's bytes where an operation declares one."""

from __future__ import annotations

import base64
import decimal
import hashlib
import json
from typing import Any

import orjson


def _default(value: Any) -> Any:
    """What Connexion's JSONEncoder adds to JSON beyond orjson's own (datetimes, dates and UUIDs
    orjson writes itself; a naive datetime as UTC, `+00:00` where Connexion wrote `Z`; the
    models hand out times as text anyway)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode(data: Any) -> bytes:
    try:
        return orjson.dumps(data, default=_default, option=orjson.OPT_NAIVE_UTC)
    except TypeError:
        # orjson holds integers to 64 bits; an answer that echoes a larger one a client
        # sent (JSON allows it) goes out through the standard library's encoder instead
        return json.dumps(data, default=_default, separators=(",", ":"), ensure_ascii=False).encode()


def answer_body(data: Any) -> bytes:
    """An answer's body: its JSON and a newline, as Connexion sends it."""
    return encode(data) + b"\n"


def weak_etag(body: bytes) -> str:
    """The weak ETag an Express server (GrowthBook's API) gives a body: its length in hex and
    the start of its SHA-1 in base64."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]
    return f'W/"{len(body):x}-{digest}"'


def named_by(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (compared weakly, as HTTP asks for
    If-None-Match; `*` names any)."""
    if not if_none_match:
        return False
    wanted = _opaque(etag)
    return any(tag.strip() == "*" or _opaque(tag.strip()) == wanted for tag in if_none_match.split(","))


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag
