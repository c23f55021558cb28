"""GrowthBook's HTTP face: which key a request carries (HTTP Basic with the key as the user
name, or Bearer) and whether its role allows the request, and GrowthBook's error body.
The SDK endpoint answers an unknown client key in its own body, as GrowthBook does."""

from __future__ import annotations

from typing import Any

from mockexp.errors import DomainError
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.sdk_connections import UnknownClientKey

READS = ("GET", "HEAD", "OPTIONS")
SUPER_ADMIN = "x-growthbook-super-admin"  # on an operation: only a super admin's personal access token may call it


def authenticate(growthbook: GrowthBook, scheme: str, credential: Any, http_request, operation=None) -> str:
    """The key: the user name of HTTP Basic auth (its password is ignored), or the bearer token."""
    value = credential[0] if scheme == "basic" else credential
    key = growthbook.authenticate(value.strip())
    super_admin = bool(operation is not None and operation.definition.get(SUPER_ADMIN))
    growthbook.authorize(key, write=http_request.method not in READS, super_admin=super_admin)
    return key["value"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """GrowthBook's error body: `{"message": "..."}`; the SDK endpoint's refusal of a client
    key, `{"status": 400, "error": "..."}`."""
    headers = dict(error.headers)
    if isinstance(error, UnknownClientKey):
        return {"status": 400, "error": error.message}, headers
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="GrowthBook", Bearer'
    return {"message": error.message}, headers
