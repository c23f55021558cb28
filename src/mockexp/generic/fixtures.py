"""A generic API's demo world and its export.

`load(model)`: three objects of each top-level resource and two of each nested one under each
parent, made up from the resource's schema by Faker, seeded from the API's name (the same
world on every start). `export(model)`: the stored objects as the creates that make them
again (a world file, `mockexp export`)."""

from __future__ import annotations

from typing import Iterator

from mockexp.generic import shapes
from mockexp.generic.inference import Plan, Resource
from mockexp.generic.model import GenericModel
from mockexp.generic.values import merged
from mockexp.store import Tables
from mockexp.worlds.export import call, key_of

TOP_LEVEL = 3
NESTED = 2


def load(model: GenericModel) -> None:
    for resource in model.inferred.resources.values():
        if resource.parent is None and shapes.properties(resource.schema):
            _fill(model, resource, [])


def _fill(model: GenericModel, resource: Resource, scope: list[str]) -> None:
    tables = model.store.tenant(*scope) if scope else model.store
    for index in range(TOP_LEVEL if not scope else NESTED):
        sent = model.values.seeded("demo", resource.name, *scope, index).object(resource.schema)
        if resource.id_field and (merged(resource.id_schema).get("type") in ("integer", "number") or resource.id_field == "slug"):
            sent.pop(resource.id_field, None)
        for name, schema in shapes.properties(resource.schema).items():
            if shapes.is_time(name, schema):
                sent.pop(name)  # made by the clock, in order
        item = model.made(resource, None, sent, tables)
        key = str(item.get(resource.id_field)) if resource.id_field else str(index + 1)
        if tables.peek(resource.name, key) is not None:
            continue
        tables.insert(resource.name, key, item)
        for child in model.inferred.resources.values():
            if child.parent == resource.name:
                _fill(model, child, scope + [key])


def export(model: GenericModel) -> list[dict]:
    """Each stored object of a resource the API creates, parents first, as its create."""
    creates = {plan.resource.name: plan for plan in model.inferred.plans.values() if plan.role == "create" and plan.resource}
    requests: list[dict] = []
    for resource in model.inferred.resources.values():
        if resource.parent is None:
            requests += _exported(model, resource, creates, [])
    return requests


def _exported(model: GenericModel, resource: Resource, creates: dict[str, Plan], scope: list[str]) -> list[dict]:
    tables = model.store.tenant(*scope) if scope else model.store
    plan = creates.get(resource.name)
    out: list[dict] = []
    for key, item in _items(tables, resource):
        if plan is not None:
            sendable = shapes.properties(plan.request.schema) if plan.request else {}
            body = {name: value for name, value in item.items() if name in sendable and not merged(sendable[name]).get("readOnly")}
            path = dict(zip(resource.scope, scope))
            out.append(call(plan.operation.operation_id, plan.request.wrap(body) if plan.request else body, path=path, credential=_credential(model, plan)))
        for child in model.inferred.resources.values():
            if child.parent == resource.name:
                out += _exported(model, child, creates, scope + [key])
    return out


def _items(tables: Tables, resource: Resource) -> Iterator[tuple[str, dict]]:
    yield from tables.store.items(tables.name(resource.name))


def _credential(model: GenericModel, plan: Plan) -> str | None:
    """The demo credential of the first security scheme the create asks for."""
    required = plan.operation.definition.get("security", model.document.get("security")) or []
    names = [name for requirement in required for name in requirement]
    for credential in model.credentials():
        if names and credential.role == f"security scheme {names[0]}":
            return key_of(credential)
    return None
