"""What the shared tests need to drive any registered vendor from its spec alone: its demo
credentials, a URL for an operation (tenant ids from the credential, other ids from the first
object its collection lists, found through the spec's links), and example request bodies."""

from __future__ import annotations

import re
from typing import Any

import httpx

from mockexp.app import Runtime
from mockexp.contract.follow import evaluate, items_of, links
from mockexp.specs import Operation, Spec
from tests.conftest import credential

WRITES = ("POST", "PUT", "PATCH")


def writer(runtime: Runtime, vendor: str) -> dict:
    return credential(runtime, vendor, can_write=True)


def headers(found: dict) -> dict[str, str]:
    return {found["header"]: found["value"]}


def operations(spec: Spec, *methods: str) -> list[Operation]:
    return [op for op in spec.operations if not methods or op.method in methods]


def with_json_body(spec: Spec) -> list[Operation]:
    return [op for op in spec.operations if any("json" in media for media in op.definition.get("requestBody", {}).get("content", {}))]


def example(operation: Operation) -> Any:
    """The first example of the operation's JSON request body, as its spec gives it."""
    for media_type, media in operation.definition.get("requestBody", {}).get("content", {}).items():
        if "json" not in media_type:
            continue
        if "example" in media:
            return media["example"]
        for named in (media.get("examples") or {}).values():
            if "value" in named:
                return named["value"]
    raise LookupError(f"{operation.label} has no example body in its spec")


def creates(spec: Spec) -> list[Operation]:
    """POSTs with an example body whose success response links to a read: the spec's creates."""
    found = []
    for op in operations(spec, "POST"):
        success = op.success_statuses
        if success and links(op.definition, success[0]) and has_example(op):
            found.append(op)
    return found


def has_example(op: Operation) -> bool:
    try:
        example(op)
    except LookupError:
        return False
    return True


def url(http: httpx.Client, runtime: Runtime, vendor: str, operation: Operation, who: dict) -> str:
    """A URL for the operation, on objects the demo data has."""
    spec = runtime.specs[vendor]
    values: dict[str, Any] = {}
    for name in re.findall(r"\{([^}]+)\}", operation.path):
        if name in who["tenant"]:
            values[name] = who["tenant"][name]
    missing = [name for name in re.findall(r"\{([^}]+)\}", operation.path) if name not in values]
    if missing:
        values.update(_from_a_listing(http, spec, operation, missing, values, who))
    return spec.base_path + re.sub(r"\{([^}]+)\}", lambda m: str(values[m.group(1)]), operation.path)


def _from_a_listing(http: httpx.Client, spec: Spec, operation: Operation, missing: list[str], known: dict, who: dict, depth: int = 0) -> dict:
    """Path parameters read from the first object a list shows, through a link of the list's
    response that gives them (to the object's read, say). A nested list (a fact table's filters)
    is first aimed at an object of its parent's list, the same way, by a link to that list
    itself where there is one (`id` names a project to one link, an experiment to another)."""
    candidates = [(listing, link) for listing in operations(spec, "GET") for link in links(listing.definition, 200).values()
                  if set(missing) <= set(link.get("parameters", {}))]
    if depth:
        candidates.sort(key=lambda pair: pair[1].get("operationId") != operation.operation_id)
    for listing, link in candidates:
        needed = sorted(set(re.findall(r"\{([^}]+)\}", listing.path)) - set(known))
        if needed and depth < 2:
            try:
                known = {**known, **_from_a_listing(http, spec, listing, needed, known, who, depth + 1)}
            except LookupError:
                continue
        elif needed:
            continue
        listed = http.get(spec.base_path + re.sub(r"\{([^}]+)\}", lambda m: str(known[m.group(1)]), listing.path), headers=headers(who))
        assert listed.status_code == 200 and items_of(listing.definition, listed.json()), f"{listing.label} lists nothing to aim {operation.label} at"
        case = _Case(known)
        return {name: evaluate(expression, case, listed.json(), listed.headers) for name, expression in link.get("parameters", {}).items()}
    raise LookupError(f"no list links to {operation.label}: cannot find an object for it")


class _Case:
    """Enough of a Schemathesis case for `evaluate` to read `$request.path.*`."""

    def __init__(self, path_parameters: dict) -> None:
        self.path_parameters = path_parameters
        self.query: dict = {}
        self.body = None


def state(runtime: Runtime, vendor: str) -> dict:
    """Everything a vendor holds."""
    return runtime.store.vendor(vendor).dump()
