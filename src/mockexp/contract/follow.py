"""What the domain checks need to make follow-up requests: the spec's links, the operation
that reads or lists a resource, the identity of an object, and every page of a list."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping
from urllib.parse import urljoin

import httpx

from mockexp.paging import Pagination

IDENTITY_FIELDS = ("id", "_id", "key")
MAX_PAGES = 200


class Target:
    """The API as one operation's response saw it: its base URL and the caller's headers."""

    def __init__(self, case: Any, response: Any) -> None:
        self.schema = case.operation.schema
        self.document: dict = self.schema.raw_schema
        self.base_url = self.schema.get_base_url().rstrip("/")
        sent = response.request.headers
        self.headers = {name: sent[name] for name in sent if name.lower() in ("authorization", "cookie") or name.lower().startswith("x-")}

    def client(self, headers: Mapping[str, str] | None = None) -> httpx.Client:
        return httpx.Client(headers={**self.headers, **(headers or {})}, timeout=30, follow_redirects=False)

    def operation(self, method: str, template: str) -> dict | None:
        return self.document.get("paths", {}).get(template, {}).get(method.lower())

    def operation_by_id(self, operation_id: str) -> tuple[str, str, dict] | None:
        for template, item in self.document.get("paths", {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                    return method.upper(), template, operation
        return None

    def url(self, template: str, parameters: Mapping[str, Any]) -> str:
        return self.base_url + format_path(template, parameters)


def format_path(template: str, parameters: Mapping[str, Any]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda match: str(parameters[match.group(1)]), template)


def parent_template(template: str) -> str | None:
    """`/things/{id}` -> `/things`: the collection a single resource is listed in."""
    if not template.rstrip("/").endswith("}"):
        return None
    return template.rstrip("/").rsplit("/", 1)[0] or None


def links(operation: Mapping[str, Any], status: int) -> dict[str, dict]:
    response = operation.get("responses", {}).get(str(status)) or operation.get("responses", {}).get(f"{str(status)[0]}XX") or {}
    return response.get("links", {}) or {}


def evaluate(expression: Any, case: Any, body: Any, headers: Mapping[str, str]) -> Any:
    """The value of an OpenAPI runtime expression (`$request.path.id`, `$response.body#/id`...)."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$request.path."):
        return case.path_parameters[expression[len("$request.path."):]]
    if expression.startswith("$request.query."):
        return case.query[expression[len("$request.query."):]]
    if expression.startswith("$response.header."):
        return headers[expression[len("$response.header."):]]
    if expression.startswith("$response.body#"):
        return pointer(body, expression[len("$response.body#"):])
    if expression.startswith("$request.body#"):
        return pointer(case.body, expression[len("$request.body#"):])
    raise KeyError(expression)


def pointer(document: Any, path: str) -> Any:
    node = document
    for part in [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def identity(item: Any, field: str | tuple[str, ...] | None = None) -> Any:
    """What tells an object apart: `field` (or fields, together) when its list declares one,
    else its id or key."""
    if isinstance(item, dict) and isinstance(field, tuple):
        parts = [item.get(name) for name in field]
        return None if None in parts else "/".join(map(str, parts))
    if isinstance(item, dict):
        for name in (field,) if field else IDENTITY_FIELDS:
            if item.get(name) is not None:
                return item[name]
    return None


def items_of(operation: Mapping[str, Any], body: Any) -> list | None:
    """The objects a list response holds: where its pagination declaration says, the body
    itself for a list that is a bare array, or the one array of an unpaged list that wraps
    it in an object (`{"archetypes": [...]}`)."""
    pagination = Pagination.of(operation)
    if pagination is not None:
        return pagination.items(body)
    if isinstance(body, list):
        return body
    key = wrapping_key(body)
    return body[key] if key is not None else None


def wrapping_key(body: Any) -> str | None:
    """The key of the only array in an object body, if it holds nothing else but scalars."""
    if not isinstance(body, dict):
        return None
    arrays = [key for key, value in body.items() if isinstance(value, list)]
    nested = [key for key, value in body.items() if isinstance(value, dict)]
    return arrays[0] if len(arrays) == 1 and not nested else None


def pages(client: httpx.Client, url: str, operation: Mapping[str, Any], page_size: int | None = None) -> Iterator[tuple[httpx.Response, Any]]:
    """Every page of a list, as its pagination declaration says to walk it: following the
    `next` URL the body gives, or moving the offset or page number on.

    Yields (response, parsed body); stops at the first response that is not a 200 list.
    """
    pagination = Pagination.of(operation)
    params: dict[str, Any] = {}
    if pagination is not None and page_size:
        params[pagination.size] = page_size
    if pagination is not None and pagination.style in ("offset", "page"):
        params[pagination.position] = 0 if pagination.style == "offset" else 1
    next_url = url
    for _ in range(MAX_PAGES):
        response = client.get(next_url, params=params or None)  # httpx: params={} would drop the URL's query
        if response.status_code != 200:
            yield response, None
            return
        body = _json(response)
        found = items_of(operation, body)
        yield response, body
        if found is None or pagination is None:
            return
        if "next" in pagination.body or "links" in pagination.body or pagination.style == "cursor":
            following = pagination.next_url(body)
            if not following:
                return
            next_url, params = urljoin(str(response.url), following), {}
            continue
        if _last_page(pagination, body, found, params.get(pagination.size)):
            return
        params[pagination.position] += len(found) if pagination.style == "offset" else 1
    return


def _last_page(pagination: Pagination, body: Any, found: list, requested: int | None) -> bool:
    if "has_more" in pagination.body and isinstance(body, Mapping):
        return not body.get(pagination.body["has_more"])
    return not found or (requested is not None and len(found) < requested)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None
