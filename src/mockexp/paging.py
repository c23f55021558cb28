"""How a list operation pages, declared once in its spec and read by both the server and the
contract suite (so neither guesses).

A list operation carries `x-mockexp-pagination`:

    x-mockexp-pagination:
      style: cursor | offset | page
      parameters:            # the query parameters, by role
        size: page_size      #   how many objects a page holds (needs a `default`)
        cursor: cursor       #   cursor style: where the page starts (an opaque value)
        offset: offset       #   offset style: how many objects to skip
        page: page           #   page style: the page number, from 1
      body:                  # the response's fields, by role, in the order they are sent
        items: results       #   the page's objects (required)
        total: count         #   how many objects the whole list holds
        count: count         #   how many objects this page holds
        limit: limit         #   the page size used
        offset: offset       #   the offset used
        page: page           #   the page number used
        has_more: hasMore    #   whether a later page exists
        next_offset: nextOffset  # the next page's offset, or null
        next: next           #   the next page's URL, or null
        previous: previous   #   the previous page's URL, or null
        links: _links        #   {self, first, last, next?, prev?}, each {href, type}
      urls: absolute | path  # next / previous / links as full URLs (default) or paths
      identity: version      # the item field that tells items apart (default: id, _id or key),
                             #   or a list of fields that together do ([feature, repo, branch])

A model's list operation returns a `Listing` (every object of the list, in order); the core
cuts the page the request asks for and writes the envelope the declaration describes.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlencode

from mockexp.errors import NotFound

EXTENSION = "x-mockexp-pagination"
STYLES = {"cursor": ("size", "cursor"), "offset": ("size", "offset"), "page": ("size", "page")}
BODY_ROLES = ("items", "total", "count", "limit", "offset", "page", "has_more", "next_offset", "next", "previous", "links")
URLS = ("absolute", "path")
JSON = "application/json"


class DeclarationError(ValueError):
    """A pagination declaration that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Pagination:
    style: str
    parameters: Mapping[str, str]
    body: Mapping[str, str]
    urls: str = "absolute"
    default_size: int = 20
    identity: str | tuple[str, ...] | None = None

    @classmethod
    def of(cls, operation: Mapping[str, Any], *, strict: bool = False) -> "Pagination | None":
        """The declaration of a (resolved) operation, or None for an operation that does not page.
        `strict` also checks it against the operation (its query parameters, which must then
        include the path's, and its 200 response), as the spec pipeline does at load time."""
        declared = operation.get(EXTENSION)
        return None if declared is None else cls.parse(declared, operation, strict=strict)

    @classmethod
    def parse(cls, declared: Any, operation: Mapping[str, Any], *, strict: bool = False) -> "Pagination":
        if not isinstance(declared, Mapping):
            raise DeclarationError(f"{EXTENSION} must be a mapping")
        style = declared.get("style")
        if style not in STYLES:
            raise DeclarationError(f"{EXTENSION}.style must be one of {', '.join(STYLES)}, not {style!r}")
        parameters, body = dict(declared.get("parameters") or {}), dict(declared.get("body") or {})
        query = {p.get("name"): p for p in operation.get("parameters", []) if p.get("in") == "query"}
        for role in STYLES[style]:
            name = parameters.get(role)
            if not isinstance(name, str) or (strict and name not in query):
                raise DeclarationError(f"{EXTENSION}.parameters.{role} must name a query parameter of the operation, not {name!r}")
        extra = set(parameters) - set(STYLES[style])
        if extra:
            raise DeclarationError(f"{EXTENSION}.parameters: {', '.join(sorted(extra))} do not apply to the {style} style")
        unknown = set(body) - set(BODY_ROLES)
        if unknown or "items" not in body:
            raise DeclarationError(f"{EXTENSION}.body needs `items` and knows only {', '.join(BODY_ROLES)}" + (f"; not {', '.join(sorted(unknown))}" if unknown else ""))
        if strict:
            _check_fields(body, operation)
        urls = declared.get("urls", "absolute")
        if urls not in URLS:
            raise DeclarationError(f"{EXTENSION}.urls must be absolute or path, not {urls!r}")
        identity = declared.get("identity")
        if isinstance(identity, list) and identity and all(isinstance(name, str) for name in identity):
            identity = tuple(identity)
        elif identity is not None and not isinstance(identity, str):
            raise DeclarationError(f"{EXTENSION}.identity must name a field of the items (or list fields), not {identity!r}")
        default = query.get(parameters["size"], {}).get("schema", {}).get("default")
        if strict and not isinstance(default, int):
            raise DeclarationError(f"the page size parameter {parameters['size']} needs an integer default")
        return cls(style=style, parameters=parameters, body=body, urls=urls, default_size=default if isinstance(default, int) else 20, identity=identity)

    @property
    def size(self) -> str:
        return self.parameters["size"]

    @property
    def position(self) -> str:
        """The query parameter that says where a page starts."""
        return self.parameters[STYLES[self.style][1]]

    def items(self, body: Any) -> list | None:
        value = body.get(self.body["items"]) if isinstance(body, Mapping) else None
        return value if isinstance(value, list) else None

    def next_url(self, body: Any) -> str | None:
        """Where the page after this one is, as the response says (for cursor-style lists, and
        any list whose body carries a `next` or `links`)."""
        if not isinstance(body, Mapping):
            return None
        if "next" in self.body:
            return body.get(self.body["next"])
        if "links" in self.body:
            link = (body.get(self.body["links"]) or {}).get("next")
            return link.get("href") if isinstance(link, Mapping) else None
        return None


def _check_fields(body: Mapping[str, str], operation: Mapping[str, Any]) -> None:
    """Every field named must be a property of the 200 response's schema (when it lists them)."""
    content = ((operation.get("responses") or {}).get("200") or {}).get("content") or {}
    schema = next((media.get("schema") or {} for media in content.values()), {})
    properties = _properties(schema)
    if properties is None:
        return
    missing = [f"{role}: {name}" for role, name in body.items() if name not in properties]
    if missing:
        raise DeclarationError(f"{EXTENSION}.body names fields the 200 response does not have ({', '.join(missing)})")


def _properties(schema: Mapping[str, Any]) -> set[str] | None:
    if "properties" in schema:
        return set(schema["properties"])
    parts = [_properties(part) for part in schema.get("allOf", [])]
    known = [part for part in parts if part is not None]
    return set().union(*known) if known else None


@dataclass
class Listing:
    """What a model's list operation returns: every object of the list in its order (already
    filtered), how to show one, and for cursor-style lists the sort key of an object (unique,
    ascending unless `descending`). `extra` fields are added to the envelope."""

    items: Sequence[Any]
    represent: Callable[[Any], Any] = lambda item: item
    key: Callable[[Any], Any] | None = None
    descending: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """What paging needs of the request: its URL parts and query parameters."""

    origin: str
    path: str
    query: Sequence[tuple[str, str]]

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)


def render(pagination: Pagination, listing: Listing, request: Request) -> dict:
    """The envelope of the page the request asks for."""
    size = _integer(request.value(pagination.size), pagination.default_size)
    total = len(listing.items)
    if pagination.style == "cursor":
        start, stop, following, preceding = _cursor_window(pagination, listing, request, size)
    else:
        if pagination.style == "offset":
            start = _integer(request.value(pagination.position), 0)
        else:
            start = (_integer(request.value(pagination.position), 1) - 1) * size
        stop = start + size
        following = stop if stop < total else None
        preceding = max(0, start - size) if start > 0 else None
    page = [listing.represent(item) for item in listing.items[start:stop]]
    url = functools.partial(_url, pagination, request, size)
    values = {
        "items": page,
        "total": total,
        "count": len(page),
        "limit": size,
        "offset": start,
        "page": start // size + 1,
        "has_more": stop < total,
        "next_offset": stop if stop < total else None,
        "next": url(following) if following is not None else None,
        "previous": url(preceding) if preceding is not None else None,
    }
    if "links" in pagination.body:
        values["links"] = _links(url, start, following, preceding, size, total)
    envelope = {name: values[role] for role, name in pagination.body.items()}
    return _merge(envelope, listing.extra)


def _integer(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _url(pagination: Pagination, request: Request, size: int, position: Any) -> str:
    """The request's URL, at another page: paging parameters first, then the others as sent."""
    if pagination.style == "page":
        position = position // size + 1
    paging = {pagination.size: size, pagination.position: position}
    others = [(key, value) for key, value in request.query if key not in paging]
    query = urlencode(list(paging.items()) + others)
    path = f"{request.path}?{query}"
    return request.origin + path if pagination.urls == "absolute" else path


def _links(url: Callable[[Any], str], start: int, following: Any, preceding: Any, size: int, total: int) -> dict:
    def link(position: Any) -> dict:
        return {"href": url(position), "type": JSON}

    links = {"self": link(start), "first": link(0), "last": link(max(0, (total - 1) // size * size))}
    if following is not None:
        links["next"] = link(following)
    if preceding is not None:
        links["prev"] = link(preceding)
    return links


def _merge(envelope: dict, extra: Mapping[str, Any]) -> dict:
    for name, value in extra.items():
        if isinstance(value, Mapping) and isinstance(envelope.get(name), dict):
            envelope[name] = _merge(envelope[name], value)
        else:
            envelope[name] = value
    return envelope


# -- cursors --------------------------------------------------------------------------------
# A cursor names the object a page starts after (or, going back, before) by its sort key,
# so pages stay stable while objects are added: Django REST framework's cursor pagination.


def _cursor_window(pagination: Pagination, listing: Listing, request: Request, size: int) -> tuple[int, int, str | None, str | None]:
    """Where the page starts and stops, and the cursors of the pages after and before it."""
    if listing.key is None:
        raise TypeError("a cursor-paged Listing needs a key")
    raw = request.value(pagination.position)
    direction, position = _decode(raw) if raw else ("next", None)
    keys = _keys(listing)
    if position is not None and keys and not _same_shape(position, keys[0]):
        raise NotFound("Invalid cursor.")
    order = _Reversed if listing.descending else None
    mark = _Reversed(position) if listing.descending and position is not None else position
    try:
        if direction == "next":
            start = 0 if position is None else bisect.bisect_right(keys, mark, key=order)
            stop = min(start + size, len(keys))
        else:
            stop = bisect.bisect_left(keys, mark, key=order)
            start = max(0, stop - size)
    except TypeError:
        raise NotFound("Invalid cursor.") from None
    following = _encode("next", keys[stop - 1]) if start < stop < len(keys) else None
    preceding = _encode("previous", keys[start]) if 0 < start < stop else None
    return start, stop, following, preceding


def _keys(listing: Listing) -> Sequence[Any]:
    """The sort key of each item: as the store kept them (a `view` sorted by the same key
    function), or worked out here."""
    keys_for = getattr(listing.items, "keys_for", None)
    known = keys_for(listing.key) if keys_for is not None else None
    return known if known is not None else [listing.key(item) for item in listing.items]


def _same_shape(position: Any, key: Any) -> bool:
    """Whether a cursor's position could be a key of this listing (same length and types)."""
    if isinstance(key, tuple):
        return isinstance(position, tuple) and len(position) == len(key) and all(type(a) is type(b) for a, b in zip(position, key))
    return type(position) is type(key)


@functools.total_ordering
class _Reversed:
    """A sort key compared the other way round (to search a descending list)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value


def _encode(direction: str, position: Any) -> str:
    raw = json.dumps({"d": direction, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        direction, position = data["d"], data["p"]
        if direction not in ("next", "previous"):
            raise ValueError(cursor)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise NotFound("Invalid cursor.") from None
    return direction, tuple(position) if isinstance(position, list) else position
