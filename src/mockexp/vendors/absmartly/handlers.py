"""ABsmartly's HTTP face: who an API key acts as (and whether its permission allows a change),
and ABsmartly's error body. (Every operation is the model's own.)"""

from __future__ import annotations

from mockexp.errors import DomainError, Invalid, dotted
from mockexp.vendors.absmartly.models import ABsmartly

READS = ("GET", "HEAD", "OPTIONS")


def authenticate(absmartly: ABsmartly, scheme: str, credential: str, http_request, operation=None) -> str:
    """`Authorization: Api-Key <key>`: the key, if its permission allows the request."""
    word, _, value = credential.strip().partition(" ")
    key = absmartly.authenticate(value.strip() if word == "Api-Key" else "")
    absmartly.authorize(key, write=http_request.method not in READS)
    return key["value"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """ABsmartly's error body: `{"ok": false, "errors": [...]}`, one message per field at fault."""
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Api-Key"
    if isinstance(error, Invalid) and error.errors:
        messages = [f"{dotted(path)}: {reason}" if path else reason for path, reason in error.errors]
    else:
        messages = [error.message]
    return {"ok": False, "errors": messages}, headers
