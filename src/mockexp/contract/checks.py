"""mockexp's domain checks, on top of Schemathesis' own: what a user of an experimentation
API relies on beyond "the response matches the schema". Each is a Schemathesis check,
switched off by its name like the built-in ones.

Importing this module registers nothing: the checks join Schemathesis' registry only for
the length of a mockexp contract run (`registered()`), so a user's other Schemathesis tests
in the same process never run them.
"""

from __future__ import annotations

import contextlib
import re
import threading
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

import schemathesis
from schemathesis.checks import CHECKS as SCHEMATHESIS_CHECKS
from schemathesis.core import NotSet

from mockexp.contract.follow import Target, evaluate, identity, items_of, links, pages, parent_template
from mockexp.paging import Pagination

NAMES: list[str] = []
_CLASSES: list[type] = []
_REGISTRY_LOCK = threading.RLock()
WRITES = ("POST", "PUT", "PATCH")
TIMESTAMP = re.compile(r"^_?(created|updated|modified|creation|lastModified|last_modified)(_?(at|date|time|on))?$|^date(Created|Updated|Modified)$", re.IGNORECASE)
TOTAL = "x-mockexp-total"  # on an array schema: {field, equals, unless: {sibling: value}}


def _check(name: str):
    """Name a class-based Schemathesis check (snake_case) and keep it for `registered()`."""

    def keep(cls):
        cls.__name__ = cls.__qualname__ = name
        NAMES.append(name)
        _CLASSES.append(cls)
        return cls

    return keep


@contextlib.contextmanager
def registered() -> Iterator[None]:
    """mockexp's checks in Schemathesis' registry while the block runs, and out again after."""
    with _REGISTRY_LOCK:
        added = [cls.__name__ for cls in _CLASSES if cls.__name__ not in SCHEMATHESIS_CHECKS.get_all_names()]
        for cls in _CLASSES:
            if cls.__name__ in added:
                schemathesis.check(cls)
        try:
            yield
        finally:
            for name in added:
                SCHEMATHESIS_CHECKS.unregister(name)


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@_check("created_object_is_retrievable")
class CreatedObjectIsRetrievable:
    """After a create, the object can be read back (by the spec's link to a read) and holds
    what was sent."""

    def after_response(self, ctx, response, case) -> None:
        if case.operation.method.upper() != "POST" or response.status_code not in (200, 201):
            return
        target = Target(case, response)
        operation = case.operation.definition.raw
        body = _body(response)
        for link in links(operation, response.status_code).values():
            found = target.operation_by_id(link.get("operationId", ""))
            if found is None or found[0] != "GET":
                continue
            _, template, read = found
            parameters = {name: evaluate(expression, case, body, response.headers) for name, expression in link.get("parameters", {}).items()}
            url = target.url(template, parameters)
            with target.client() as client:
                got = client.get(url)
            assert got.status_code == 200, f"The created object is not retrievable: GET {url} answered {got.status_code}"
            if isinstance(case.body, NotSet):  # a create with no body (GrowthBook's snapshot): nothing sent to hold
                continue
            mismatches = list(differences(case.body, _body(got), _request_schema(operation)))
            assert not mismatches, f"The created object does not hold what was sent (GET {url}): " + "; ".join(mismatches)
            return


@_check("deleted_object_is_gone")
class DeletedObjectIsGone:
    """After a delete, the object is 404 and absent from its collection's list."""

    def after_response(self, ctx, response, case) -> None:
        if case.operation.method.upper() != "DELETE" or not 200 <= response.status_code < 300 or not case.path_parameters:
            return
        target = Target(case, response)
        template = case.operation.path
        names = re.findall(r"\{([^}]+)\}", template)
        deleted = case.path_parameters.get(names[-1]) if names else None
        with target.client() as client:
            if target.operation("GET", template) is not None:
                url = target.url(template, case.path_parameters)
                got = client.get(url)
                assert got.status_code in (404, 410), f"The deleted object is still readable: GET {url} answered {got.status_code}"
            collection = parent_template(template)
            listing = target.operation("GET", collection) if collection else None
            if listing is None or deleted is None:
                return
            url = target.url(collection, case.path_parameters)
            for _, page in pages(client, url, listing):
                field = getattr(Pagination.of(listing), "identity", None)
                listed = [identity(item, field) for item in items_of(listing, page) or []]
                assert str(deleted) not in map(str, listed), f"The deleted object {deleted} is still listed by GET {url}"


@_check("pagination_is_consistent")
class PaginationIsConsistent:
    """Walking a list page by page, as its `x-mockexp-pagination` declaration says, visits
    every object once; each page holds at most the page size (and says so where the body
    counts it), the total matches, and a bigger page size lists the same objects."""

    def __init__(self) -> None:
        self.done: set[str] = set()

    def after_response(self, ctx, response, case) -> None:
        operation = case.operation.definition.raw
        pagination = Pagination.of(operation)
        if pagination is None or case.operation.method.upper() != "GET" or response.status_code != 200 or case.operation.label in self.done:
            return
        if pagination.items(_body(response)) is None:
            return
        self.done.add(case.operation.label)
        target = Target(case, response)
        url = target.url(case.operation.path, case.path_parameters or {})
        with target.client() as client:
            small = list(pages(client, url, operation, page_size=2))
            large = list(pages(client, url, operation, page_size=_largest(operation, pagination.size)))
        assert all(r.status_code == 200 for r, _ in small + large), f"A page of GET {url} failed: " + ", ".join(str(r.status_code) for r, _ in small + large if r.status_code != 200)
        walked = [identity(item, pagination.identity) for _, page in small for item in pagination.items(page) or []]
        repeated = sorted({str(i) for i in walked if walked.count(i) > 1})
        assert not repeated, f"Paging GET {url} by 2 listed {', '.join(repeated)} more than once"
        sizes = [len(pagination.items(page) or []) for _, page in small]
        assert all(size <= 2 for size in sizes), f"Pages of GET {url} with {pagination.size}=2 held {sizes} objects"
        if "count" in pagination.body:
            counted = [page.get(pagination.body["count"]) for _, page in small]
            assert counted == sizes, f"GET {url}: `{pagination.body['count']}` says {counted}, but the pages hold {sizes} objects"
        if "total" in pagination.body:
            total = small[0][1].get(pagination.body["total"])
            assert total == len(walked), f"GET {url} reports a `{pagination.body['total']}` of {total} but its pages hold {len(walked)} objects"
        everything = {str(identity(item, pagination.identity)) for _, page in large for item in pagination.items(page) or []}
        assert everything == {str(i) for i in walked}, f"GET {url} lists other objects page by page ({len(walked)}) than in large pages ({len(everything)})"


@_check("timestamps_never_go_backwards")
class TimestampsNeverGoBackwards:
    """A server-set timestamp of an object never moves back, and nothing is updated before it
    was created. An object is known by its id and its fields, as ids of objects of different
    kinds may be the same number (a holdout and an experiment both numbered 3)."""

    def __init__(self) -> None:
        self.latest: dict[tuple[str, str], Any] = {}

    def after_response(self, ctx, response, case) -> None:
        if not 200 <= response.status_code < 300:
            return
        for obj in _objects(_body(response)):
            key = None if identity(obj) is None else f"{identity(obj)} ({', '.join(sorted(obj)[:6])}...)"
            stamps = {name: moment for name, value in obj.items() if TIMESTAMP.match(name) and (moment := _moment(value)) is not None}
            created = [moment for name, moment in stamps.items() if re.search("creat", name, re.I)]
            for name, moment in stamps.items():
                if re.search("updat|modif", name, re.I):
                    assert not created or moment >= min(created), f"Object {key}: {name} is earlier than its creation time"
                if key is None:
                    continue
                seen = self.latest.get((str(key), name))
                assert seen is None or moment >= seen, f"Object {key}: {name} went back from {seen} to {moment}"
                self.latest[(str(key), name)] = moment if seen is None else max(seen, moment)


@_check("read_only_credential_cannot_write")
class ReadOnlyCredentialCannotWrite:
    """A write the main credential could make is refused (401/403) with a read-only
    credential. Runs only when one is configured (`headers`), and only on operations that take
    a credential (their spec gives them security: an SDK's event capture carries its public
    project key in the body instead)."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self.headers = dict(headers or {})

    def after_response(self, ctx, response, case) -> None:
        method = case.operation.method.upper()
        if not self.headers or method not in WRITES or not 200 <= response.status_code < 300 or not _secured(case.operation):
            return
        target = Target(case, response)
        replaced = {name.lower() for name in self.headers}
        target.headers = {name: value for name, value in target.headers.items() if name.lower() not in replaced}
        sent = response.request
        content_type = sent.headers.get("Content-Type")
        with target.client(self.headers) as client:
            replay = client.request(method, sent.url, content=sent.body, headers={"Content-Type": content_type} if content_type else {})
        assert replay.status_code in (401, 403), f"{method} {case.formatted_path} with the read-only credential answered {replay.status_code}, not 401 or 403"


def _secured(operation) -> bool:
    """Whether the operation asks for a credential (its own `security`, else the spec's)."""
    security = operation.definition.raw.get("security", operation.schema.raw_schema.get("security"))
    return bool(security) and any(requirement for requirement in security)


@_check("percentages_add_up")
class PercentagesAddUp:
    """Shares that must add up (groups' percentages, treatments' allocations) do, wherever
    the response's schema marks them with `x-mockexp-total`."""

    def after_response(self, ctx, response, case) -> None:
        if not 200 <= response.status_code < 300:
            return
        schema = _response_schema(case.operation.definition.raw, response.status_code)
        if schema is None:
            return
        for path, rule, values in _totals(schema, _body(response), "body"):
            field, equals = rule["field"], rule["equals"]
            total = sum(_number(item.get(field)) for item in values if isinstance(item, dict))
            assert abs(total - equals) < 1e-6, f"{path}: the {field} values add up to {total:g}, not {equals}"


@_check("credential_is_accepted")
class CredentialIsAccepted:
    """Some request of the run succeeded: a run in which the API refused everything (a
    wrong or expired credential, a wrong tenant id) proves nothing."""

    def __init__(self) -> None:
        self.statuses: set[int] = set()

    def after_response(self, ctx, response, case) -> None:
        self.statuses.add(response.status_code)

    def after_run(self, ctx) -> None:
        if self.statuses:
            assert any(200 <= status < 300 for status in self.statuses), f"No request succeeded; the API answered only {sorted(self.statuses)}: check the credential and the tenant ids"


# -- helpers ---------------------------------------------------------------------------


def _request_schema(operation: Mapping[str, Any]) -> dict | None:
    content = (operation.get("requestBody") or {}).get("content") or {}
    return next((media.get("schema") for media_type, media in content.items() if "json" in media_type), None)


def differences(sent: Any, got: Any, schema: Mapping[str, Any] | None = None, path: str = "") -> Iterator[str]:
    """Where a stored object disagrees with what was sent. Fields it does not show, fields the
    request's schema marks read-only (at any depth: the server sets them), and fields it does
    not declare where it declares some (servers may ignore them), are skipped."""
    if isinstance(sent, dict) and isinstance(got, dict):
        properties = _properties(schema)
        for name, value in sent.items():
            prop = properties.get(name)
            if name not in got or (isinstance(prop, dict) and prop.get("readOnly")) or (properties and name not in properties):
                continue
            yield from differences(value, got[name], prop, f"{path}.{name}" if path else name)
    elif isinstance(sent, list) and isinstance(got, list):
        if len(sent) != len(got):
            yield f"{path}: sent {len(sent)} items, stored {len(got)}"
            return
        items = (schema or {}).get("items") if isinstance(schema, dict) else None
        for index, (one, other) in enumerate(zip(sent, got)):
            yield from differences(one, other, items, f"{path}[{index}]")
    elif not _same(sent, got):
        yield f"{path}: sent {sent!r}, stored {got!r}"


def _properties(schema: Any) -> dict:
    """The properties a schema declares, through allOf / anyOf / oneOf."""
    if not isinstance(schema, dict):
        return {}
    found = dict(schema.get("properties") or {})
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found.update(_properties(part))
    return found


def _same(sent: Any, got: Any) -> bool:
    if sent == got:
        return True
    one, other = _moment(sent), _moment(got)
    if isinstance(one, datetime) and isinstance(other, datetime):
        return abs((one - other).total_seconds()) < 0.001
    return False


def _moment(value: Any) -> Any:
    """A timestamp as a comparable value: aware datetime for ISO 8601, int for epoch numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        try:
            moment = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def _objects(body: Any) -> Iterator[dict]:
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _response_schema(operation: Mapping[str, Any], status: int) -> dict | None:
    response = (operation.get("responses") or {}).get(str(status)) or {}
    for media_type, media in (response.get("content") or {}).items():
        if "json" in media_type:
            return media.get("schema")
    return None


def _totals(schema: Any, value: Any, path: str, parent: Any = None) -> Iterator[tuple[str, dict, list]]:
    """Arrays in `value` whose schema carries a total rule that applies, with their paths."""
    if not isinstance(schema, dict):
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _totals(sub, value, path, parent)
    rule = schema.get(TOTAL)
    if rule and isinstance(value, list) and value and not _exempt(parent, rule.get("unless")):
        yield path, rule, value
    if isinstance(value, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if name in value:
                yield from _totals(prop, value[name], f"{path}.{name}", value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _totals(schema.get("items"), item, f"{path}[{index}]", value)


def _number(value: Any) -> float:
    """A share as a number: some vendors send percentages as decimal strings ("33.5")."""
    try:
        return float(value) if value is not None and not isinstance(value, bool) else 0.0
    except (TypeError, ValueError):
        return 0.0


def _exempt(parent: Any, unless: Mapping[str, Any] | None) -> bool:
    return bool(unless) and isinstance(parent, dict) and all(parent.get(name) == expected for name, expected in unless.items())


def _largest(operation: Mapping[str, Any], name: str) -> int:
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == name:
            return int((parameter.get("schema") or {}).get("maximum") or 100)
    return 100
