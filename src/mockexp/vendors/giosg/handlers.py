"""Giosg's HTTP face: who a token acts as, and Giosg's error body. (Every operation is the
model's own: nothing about them needs HTTP details beyond what the spec states.)"""

from __future__ import annotations

from typing import Any

from mockexp.errors import DomainError, Invalid, Unauthorized
from mockexp.vendors.giosg.models import Giosg

READS = ("GET", "HEAD", "OPTIONS")


def authenticate(giosg: Giosg, scheme: str, credential: str, http_request, operation=None) -> str:
    """`Authorization: Token <token>`: the user it belongs to, if they may make this request."""
    word, _, token = credential.strip().partition(" ")
    if word != "Token" or not token.strip():
        raise Unauthorized("Invalid token header. Use 'Token <api token>'.")
    user = giosg.authenticate(token.strip())
    organization_id = http_request.path_params.get("organization_id")
    giosg.authorize(user, organization_id, write=http_request.method not in READS)
    return user["id"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """Giosg's error body: `{"detail": "..."}`, or, for invalid fields, one key per field with
    its reasons (a list of objects, one per item, for a list of objects), as Django REST
    framework writes them."""
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Token"
    if isinstance(error, Invalid) and error.errors:
        return _field_errors(error.errors), headers
    return {"detail": error.message}, headers


def _field_errors(errors: list[tuple[tuple, str]]) -> dict:
    tree: dict = {}
    for path, reason in errors:
        node = tree
        for part in path or ("non_field_errors",):
            node = node.setdefault(part, {})
        node.setdefault(None, []).append(reason)
    return {str(key): _render(node) for key, node in tree.items() if key is not None}


def _render(node: dict) -> Any:
    reasons = node.get(None, [])
    items = {key: child for key, child in node.items() if isinstance(key, int)}
    fields = {key: child for key, child in node.items() if isinstance(key, str)}
    if items:
        listed: list[Any] = [_render(items[i]) if i in items else {} for i in range(max(items) + 1)]
        return [entry if isinstance(entry, dict) else {"non_field_errors": entry} for entry in listed] + reasons
    if fields:
        rendered = {key: _render(child) for key, child in fields.items()}
        if reasons:
            rendered["non_field_errors"] = reasons
        return rendered
    return reasons
