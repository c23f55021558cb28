"""Giosg's HTTP face: credentials, one handler per operation, and its error body."""

from __future__ import annotations

from typing import Any

from connexion import NoContent, request

from mockexp.auth import caller
from mockexp.errors import DomainError, Invalid, Unauthorized
from mockexp.vendors.giosg.models import Giosg

READS = ("GET", "HEAD", "OPTIONS")


def authenticate(giosg: Giosg, scheme: str, credential: str, http_request) -> dict:
    """`Authorization: Token <token>`: the user it belongs to, if they may make this request."""
    word, _, token = credential.strip().partition(" ")
    if word != "Token" or not token.strip():
        raise Unauthorized("Invalid token header. Use 'Token <api token>'.")
    user = giosg.authenticate(token.strip())
    organization_id = http_request.path_params.get("organization_id")
    giosg.authorize(user, organization_id, write=http_request.method not in READS)
    return {"sub": user["id"], "user": user}


async def list_experiments(giosg: Giosg, organization_id: str, page_size: int = 30, cursor: str | None = None) -> dict:
    results, next_cursor, previous_cursor = giosg.list_experiments(organization_id, cursor=cursor, page_size=page_size)
    return {"next": _page_url(next_cursor), "previous": _page_url(previous_cursor), "results": results}


async def create_experiment(giosg: Giosg, organization_id: str, body: dict) -> tuple[dict, int]:
    return giosg.create_experiment(organization_id, caller()["sub"], body), 201


async def retrieve_experiment(giosg: Giosg, organization_id: str, experiment_id: str) -> dict:
    return giosg.get_experiment(organization_id, experiment_id)


async def update_experiment(giosg: Giosg, organization_id: str, experiment_id: str, body: dict) -> dict:
    return giosg.update_experiment(organization_id, experiment_id, caller()["sub"], body)


async def delete_experiment(giosg: Giosg, organization_id: str, experiment_id: str) -> tuple[Any, int]:
    giosg.delete_experiment(organization_id, experiment_id)
    return NoContent, 204


def _page_url(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


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
