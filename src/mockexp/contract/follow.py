"""What the domain checks need to make follow-up requests: the spec's links, the operation
that reads or lists a resource, the identity of an object, and every page of a list."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping
from urllib.parse import urljoin

import httpx

IDENTITY_FIELDS = ("id", "_id", "key")
ITEM_LISTS = ("results", "items", "data", "experiments")
PAGE_SIZE_PARAMETERS = ("page_size", "limit", "items", "per_page")
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


def identity(item: Any) -> Any:
    if isinstance(item, dict):
        for name in IDENTITY_FIELDS:
            if item.get(name) is not None:
                return item[name]
    return None


def items_of(body: Any) -> list | None:
    """The objects a list response holds."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for name in ITEM_LISTS:
            if isinstance(body.get(name), list):
                return body[name]
    return None


def total_of(body: Any) -> int | None:
    if isinstance(body, dict):
        for name in ("count", "total_count", "total", "totalCount"):
            if isinstance(body.get(name), int) and not isinstance(body.get(name), bool):
                return body[name]
    return None


def page_size_parameter(operation: Mapping[str, Any]) -> str | None:
    names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
    return next((name for name in PAGE_SIZE_PARAMETERS if name in names), None)


def pages(client: httpx.Client, url: str, operation: Mapping[str, Any], page_size: int | None = None, query: Mapping[str, Any] | None = None) -> Iterator[tuple[httpx.Response, Any]]:
    """Every page of a list, following `next` URLs, offsets or page numbers as the API does.

    Yields (response, parsed body); stops at the first response that is not a 200 list.
    """
    names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
    size_name = page_size_parameter(operation)
    params: dict[str, Any] = dict(query or {})
    if page_size and size_name:
        params[size_name] = page_size
    offset_style = "offset" in names
    page_style = "page" in names and not offset_style
    if page_style:
        params["page"] = 1
    if offset_style:
        params["offset"] = 0
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        response = client.get(next_url, params=params or None)  # httpx: params={} would drop the URL's query
        if response.status_code != 200:
            yield response, None
            return
        body = _json(response)
        found = items_of(body)
        yield response, body
        if found is None:
            return
        if isinstance(body, dict) and "next" in body:
            if not body["next"]:
                return
            next_url, params = urljoin(str(response.url), body["next"]), {}
            continue
        if offset_style or page_style:
            requested = params.get(size_name) if size_name else None
            total = total_of(body)
            if not found or (requested and len(found) < requested):
                return
            if offset_style:
                params["offset"] += len(found)
                if total is not None and params["offset"] >= total:
                    return
            else:
                params["page"] += 1
            continue
        return


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None
