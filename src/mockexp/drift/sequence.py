"""The stateful sequence drift runs on each side: create an object with the create's example
body, then follow the spec's links from the create to read it, update it and delete it, list
its collection, and read it once more after the delete."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Mapping

import httpx

from mockexp.contract.follow import evaluate, format_path, links
from mockexp.specs import Operation, Spec

UPDATES = ("PUT", "PATCH")


class PlanError(Exception):
    """The spec offers no sequence to run (the message says why)."""


@dataclass(frozen=True)
class Step:
    name: str  # create, read, update, list, delete, read after delete
    operation: Operation
    link: Mapping[str, Any] = field(default_factory=dict)  # parameters, from the create's link
    body: Any = None


@dataclass(frozen=True)
class Observed:
    """One step as one side answered it."""

    step: Step
    path: str
    status: int
    body: Any


def example_body(operation: Operation) -> Any:
    """The first example the spec gives the operation's JSON request body, if any."""
    content = (operation.definition.get("requestBody") or {}).get("content") or {}
    for media_type, media in content.items():
        if "json" not in media_type:
            continue
        if "example" in media:
            return media["example"]
        for example in (media.get("examples") or {}).values():
            if "value" in example:
                return example["value"]
    return None


def plan(spec: Spec, operation_id: str | None = None, bodies: Mapping[str, Any] | None = None) -> list[Step]:
    """The steps for the chosen create (default: the first with an example body and a link to
    a read); `bodies` may replace the create's and the update's example bodies."""
    bodies = {name: body for name, body in (bodies or {}).items() if body is not None}
    creates = [op for op in spec.operations if op.method == "POST" and _linked(spec, op, ("GET",))
               and (operation_id is None or op.operation_id == operation_id) and (bodies.get("create") is not None or example_body(op) is not None)]
    if not creates:
        which = f"operation {operation_id}" if operation_id else "create"
        raise PlanError(f"{spec.path.name} has no {which} with an example body and a link to a read")
    create = creates[0]
    steps = [Step("create", create, body=bodies.get("create", example_body(create)))]
    read = _linked(spec, create, ("GET",))
    steps.append(Step("read", *read))
    update = _linked(spec, create, UPDATES)
    if update is not None and (bodies.get("update") is not None or example_body(update[0]) is not None):
        steps.append(Step("update", *update, body=bodies.get("update", example_body(update[0]))))
    listing = next((op for op in spec.operations if op.method == "GET" and op.path == create.path), None)
    if listing is not None:
        steps.append(Step("list", listing))
    delete = _linked(spec, create, ("DELETE",)) or _same_path(spec, create, read[0], "DELETE")
    if delete is not None:
        steps += [Step("delete", *delete), Step("read after delete", *read)]
    return steps


def _linked(spec: Spec, create: Operation, methods: tuple[str, ...]) -> tuple[Operation, Mapping[str, Any]] | None:
    """The first operation with one of `methods` that a success of `create` links to."""
    by_id = {op.operation_id: op for op in spec.operations}
    for status in create.success_statuses:
        for link in links(create.definition, status).values():
            target = by_id.get(link.get("operationId", ""))
            if target is not None and target.method in methods:
                return target, link.get("parameters", {})
    return None


def _same_path(spec: Spec, create: Operation, read: Operation, method: str) -> tuple[Operation, Mapping[str, Any]] | None:
    found = next((op for op in spec.operations if op.path == read.path and op.method == method), None)
    link = _linked(spec, create, ("GET",))
    return (found, link[1]) if found is not None and link is not None else None


def run(steps: list[Step], client: httpx.Client, base_url: str, parameters: Mapping[str, Any]) -> list[Observed]:
    """Run the steps on one side; the create's answer fills in the later steps' parameters.
    A step whose parameters cannot be filled (the create failed) is left out."""
    observed: list[Observed] = []
    created: Any = None
    case = SimpleNamespace(path_parameters=dict(parameters), query={}, body=steps[0].body)
    for step in steps:
        try:
            values = {**parameters, **{name: evaluate(expression, case, created, {}) for name, expression in step.link.items()}}
            path = format_path(step.operation.path, values)
        except (KeyError, IndexError, TypeError):
            continue
        sent = {"content": json.dumps(step.body), "headers": {"Content-Type": _media_type(step.operation)}} if step.operation.has_body else {}
        response = client.request(step.operation.method, base_url + path, **sent)
        body = _json(response)
        observed.append(Observed(step, path, response.status_code, body))
        if step.name == "create":
            created = body
    return observed


def _media_type(operation: Operation) -> str:
    """The operation's first JSON media type (LaunchDarkly's semantic patch has its own)."""
    content = (operation.definition.get("requestBody") or {}).get("content") or {}
    return next((media_type for media_type in content if "json" in media_type), "application/json")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return response.text
