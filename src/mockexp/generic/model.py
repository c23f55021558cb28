"""The stateful mock of any document: one method per operationId (made at start-up, each
calling `GenericModel.call`), doing what the inference says the operation does, over the
store and the clock like every vendor's model.

Objects are stored as the document's answers show them, one table per resource, nested
resources in their parent's tenant (`/articles/{slug}/comments` under the article's slug).
"""

from __future__ import annotations

import functools
import json
from typing import Any, Mapping

from connexion import NoContent

from mockexp import ids
from mockexp.binding import argument_name
from mockexp.clock import Clock
from mockexp.generic import auth, filters, shapes
from mockexp.generic import ids as made_ids
from mockexp.generic.errors import refusal
from mockexp.generic.inference import Inferred, Plan, Resource, client_sends
from mockexp.generic.values import Values, merged, timestamp
from mockexp.paging import Listing
from mockexp.store import DuplicateKey, Tables
from mockexp.vendor import Credential

class GenericModel:
    """Subclassed per document by `model_class`, which sets these:"""

    api: str = ""
    document: dict = {}
    inferred: Inferred
    given: dict = {}  # scheme name -> the credentials the user gave (`--spec-credentials`)

    def __init__(self, tables: Tables, clock: Clock) -> None:
        self.store = tables
        self.clock = clock
        self.values = Values(self.api)
        self.accepted = auth.accepted(self.api, self.document, self.given)

    def credentials(self) -> list[Credential]:
        return auth.credentials(self.api, self.document, self.given)

    def call(self, operation_id: str, values: Mapping[str, Any]) -> Any:
        plan = self.inferred.plans[operation_id]
        path, query = {}, {}
        for parameter in plan.operation.parameters:
            name = argument_name(parameter["name"])
            if name in values:
                (path if parameter["in"] == "path" else query)[parameter["name"]] = values[name]
        self.check_not_gone(plan, path)
        answered = getattr(self, "_" + plan.role.replace("-", "_"))(plan, path, query, values.get("body"))
        self.mark_gone(plan, path)
        return answered

    # -- paths a DELETE emptied that no stored object stands for ------------------------------

    def check_not_gone(self, plan: Plan, path: Mapping[str, Any]) -> None:
        """A GET of a path an action's DELETE emptied: 404 (until something is written there)."""
        if plan.operation.method == "GET" and plan.operation.path in self.inferred.vanishing and self.store.peek(GONE, _path_key(plan, path)) is not None:
            raise refusal(plan.operation, 404, f"Nothing is left at {plan.operation.path}: it was deleted.")

    def mark_gone(self, plan: Plan, path: Mapping[str, Any]) -> None:
        """After a DELETE the mock ties to no stored object (an action) where a GET of the same
        path documents 404 / 410, that GET answers 404; a write to the path brings it back."""
        method = plan.operation.method
        if method == "DELETE" and plan.role == "action" and plan.operation.path in self.inferred.vanishing:
            self.store.replace(GONE, _path_key(plan, path), {"path": plan.operation.path})
        elif method in ("POST", "PUT", "PATCH") and plan.operation.path in self.inferred.vanishing:
            self.store.delete(GONE, _path_key(plan, path))

    # -- where objects live -------------------------------------------------------------------

    def tables(self, plan: Plan, resource: Resource, path: Mapping[str, Any]) -> Tables:
        """The tables of a resource's scope, once its parent is found (refused if it is not)."""
        if resource.parent is not None:
            parent = self.inferred.resources[resource.parent]
            key = path.get(parent.id_parameter or "")
            if key is not None and self.tables(plan, parent, path).peek(parent.name, str(key)) is None:
                raise refusal(plan.operation, 404, f"No {_singular(parent.name)} {key}.")
        scope = [str(path[name]) for name in resource.scope if name in path]
        return self.store.tenant(*scope) if scope else self.store

    def stored(self, plan: Plan, tables: Tables, key: Any) -> dict:
        found = tables.get(plan.resource.name, str(key))
        if found is None:
            raise refusal(plan.operation, 404, f"No {_singular(plan.resource.name)} {key}.")
        return found

    def answer(self, plan: Plan, item: Any) -> tuple[Any, int]:
        if plan.answer is None:
            return NoContent, plan.status
        return plan.answer.wrap(item), plan.status

    # -- the roles ------------------------------------------------------------------------------

    def _create(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        resource = plan.resource
        tables = self.tables(plan, resource, path)
        sent = plan.request.unwrap(body) if plan.request else body
        if not isinstance(sent, Mapping):
            raise refusal(plan.operation, 400, "The body must be an object.")
        with tables.transaction():
            item = self.made(resource, plan, dict(sent), tables)
            key = str(item.get(resource.id_field)) if resource.id_field else ids.uuid4()
            if not key.strip():
                raise refusal(plan.operation, 400, f"{resource.id_field}: This field may not be blank (it names the object in its path).")
            try:
                tables.insert(resource.name, key, item)
            except DuplicateKey:
                raise refusal(plan.operation, 409, f"{resource.id_field} {key} is taken.") from None
        return self.answer(plan, item)

    def _read(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        tables = self.tables(plan, plan.resource, path)
        return self.answer(plan, self.stored(plan, tables, path[plan.resource.id_parameter]))

    def _item_action(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        """The stored object the operation acts on; where its answer has more fields (a detail
        view), those made up, the same for the same object each time."""
        resource = plan.resource
        tables = self.tables(plan, resource, path)
        key = path[resource.id_parameter]
        item = self.stored(plan, tables, key)
        more = {name: schema for name, schema in shapes.properties(plan.answer.schema).items() if name not in resource.fields} if plan.answer else {}
        if more:
            made = self.values.seeded(resource.name, *tables.ids, str(key), plan.operation.operation_id)
            item = {**item, **{name: made.value(schema, name) for name, schema in more.items()}}
        return self.answer(plan, item)

    def _update(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        sent = plan.request.unwrap(body) if plan.request else body
        sent = sent if isinstance(sent, Mapping) else {}
        if plan.mask and query.get(plan.mask):
            sent = _masked(plan, sent, query[plan.mask])
        return self._change(plan, path, path[plan.resource.id_parameter], sent)

    def _query_update(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        fields = plan.resource.fields
        sent = {key: value for key, value in query.items() if key in fields}
        for key, value in sent.items():
            if not filters.fits(value, fields[key]):
                raise refusal(plan.operation, 400, f"{key}: {value!r} is not a valid {key}.")
        return self._change(plan, path, path[plan.resource.id_parameter], sent)

    def _replace(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        sent = plan.request.unwrap(body) if plan.request else body
        if not isinstance(sent, Mapping) or sent.get(plan.resource.id_field) is None:
            raise refusal(plan.operation, 400, f"{plan.resource.id_field}: This field is required.")
        return self._change(plan, path, sent[plan.resource.id_field], sent)

    def _change(self, plan: Plan, path: dict, key: Any, sent: Mapping[str, Any]) -> tuple[Any, int]:
        resource = plan.resource
        tables = self.tables(plan, resource, path)
        fields = resource.fields
        with tables.transaction():
            current = self.stored(plan, tables, key)
            kept = _made_by_server(resource, current, sent) if plan.replaces else current
            changed = {**kept, **{k: v for k, v in sent.items() if k != resource.id_field and (k in fields or not fields) and k not in resource.not_stored}}
            now = timestamp(self.clock.now())
            for name, schema in fields.items():
                if shapes.is_update_time(name, schema):
                    changed[name] = now
            tables.replace(resource.name, str(key), changed)
        return self.answer(plan, changed)

    def _delete(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        resource = plan.resource
        tables = self.tables(plan, resource, path)
        key = path[resource.id_parameter]
        with tables.transaction():
            item = self.stored(plan, tables, key)
            tables.delete(resource.name, str(key))
        if plan.answer is not None and shapes.same_kind(plan.answer.schema, resource.schema):
            return self.answer(plan, item)
        return NoContent, plan.status

    def _list(self, plan: Plan, path: dict, query: dict, body: Any) -> Any:
        tables = self.tables(plan, plan.resource, path)
        wanted = {plan.filters[name]: value for name, value in query.items() if name in plan.filters and value not in (None, "", [])}
        rows = filters.filtered(tables, plan.resource, wanted)
        pagination = plan.operation.pagination
        if pagination is not None:
            key = functools.partial(_sort_key, id_field=plan.resource.id_field)
            if pagination.style == "cursor":  # a cursor names a place in an order of the ids
                rows = sorted(rows, key=key)
            return Listing(rows, extra=self._envelope_extra(plan), key=key)
        return self._page(plan, list(rows), query)

    def _search(self, plan: Plan, path: dict, query: dict, body: Any) -> Any:
        if plan.operation.method != "POST":
            return self._list(plan, path, query, body)
        sent = body if isinstance(body, Mapping) else {}
        wanted = {plan.body_filters[name]: value for name, value in sent.items() if name in plan.body_filters and value not in (None, "", [])}
        resource = plan.resource
        if all(name in path for name in resource.scope):
            rows = list(filters.filtered(self.tables(plan, resource, path), resource, {}))
        else:
            rows = self.everywhere(resource)
        rows = [item for item in rows if all(filters.matches(item.get(name), value) for name, value in wanted.items())]
        return self._page(plan, rows, sent)

    def _page(self, plan: Plan, rows: list, asked: Mapping[str, Any]) -> tuple[Any, int]:
        """The page `asked` cuts of the rows (limit / offset), in the list's envelope."""
        body = plan.listing.wrap(filters.cut(rows, asked), len(rows))
        if isinstance(body, dict):
            body.update({key: value for key, value in self._envelope_extra(plan).items() if key not in body})
        return body, plan.status

    def everywhere(self, resource: Resource) -> list[dict]:
        """A resource's objects under every parent."""
        table = self.store.name(resource.name)
        return [item for name in self.store.tables() if name == table or name.startswith(table + "@") for _, item in self.store.store.items(name)]

    def _envelope_extra(self, plan: Plan) -> dict:
        """The other fields a list's envelope requires (made up from their schemas)."""
        schema = merged(plan.answer_schema or {})
        skip = {plan.listing.items, plan.listing.total}
        made = self.values.seeded(plan.operation.operation_id)
        return {name: made.value(sub, name) for name, sub in shapes.properties(schema).items() if name in (schema.get("required") or []) and name not in skip}

    def _action(self, plan: Plan, path: dict, query: dict, body: Any) -> tuple[Any, int]:
        if plan.answer_schema is None:
            return NoContent, plan.status
        example = _example(plan)
        if example is not None:
            return example, plan.status
        inputs = json.dumps([path, query], sort_keys=True, default=str)
        return self.values.seeded(plan.operation.operation_id, inputs).value(plan.answer_schema), plan.status

    # -- making objects -------------------------------------------------------------------------

    def made(self, resource: Resource, plan: Plan | None, sent: dict, tables: Tables) -> dict:
        """An object from what the client sent, with the fields the server makes filled in
        (made-up values seeded from the API, the parent and what was sent)."""
        fields = resource.fields
        item = {key: value for key, value in sent.items() if (key in fields or not fields) and key not in resource.not_stored}
        item.update(_parent_keys(resource, tables))
        made: Values | None = None
        for name, schema in fields.items():
            if name in item and (name != resource.id_field or plan is None or client_sends(plan.request, name)):
                continue
            if name == resource.id_field:
                item[name] = self.new_id(resource, tables, item)
            elif name in resource.times:
                item[name] = timestamp(self.clock.now())
            elif (name in resource.read_only or name in resource.required) and name not in resource.write_only:
                made = made or self.values.seeded(resource.name, *tables.ids, json.dumps(sent, sort_keys=True, default=str))
                item[name] = made.value(schema, name)
        return item

    def new_id(self, resource: Resource, tables: Tables, item: Mapping[str, Any]) -> Any:
        return made_ids.new_id(self.store, resource, tables, item)


def _singular(name: str) -> str:
    word = name.split(".")[-1]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


GONE = "deleted paths"  # an API's table of paths emptied by a DELETE (`check_not_gone`)


def _path_key(plan: Plan, path: Mapping[str, Any]) -> str:
    return plan.operation.path + " " + json.dumps(path, sort_keys=True, default=str)


def _masked(plan: Plan, sent: Mapping[str, Any], mask: Any) -> dict:
    """The fields of an update its mask names (a list, or a comma list); 400 naming a field
    the body does not carry or the client may not change."""
    names = [name.strip() for part in (mask if isinstance(mask, list) else [mask]) for name in str(part).split(",") if name.strip()]
    resource = plan.resource
    for name in names:
        if name not in sent or name == resource.id_field or name in resource.read_only or (resource.fields and name not in resource.fields):
            raise refusal(plan.operation, 400, f"{plan.mask}: {name!r} is unknown or cannot be updated.")
    return {name: sent[name] for name in names}


def _made_by_server(resource: Resource, current: Mapping[str, Any], sent: Mapping[str, Any]) -> dict:
    """What a replacing update keeps of the stored object: the fields a client does not send
    (its id, read-only fields, times, its parents' keys) and those the answer requires that
    were not sent; the rest is what was sent."""
    fields = resource.fields
    keep = {resource.id_field, *resource.read_only, *resource.times, *resource.scope, *(name for name in resource.required if name not in sent)}
    return {name: value for name, value in current.items() if name in keep or (fields and name not in fields)}


def _parent_keys(resource: Resource, tables: Tables) -> dict:
    """A nested object's fields named after its parents' path parameters (a dag run's
    `dag_id`), holding their keys."""
    count = len(resource.scope)
    keys = dict(zip(resource.scope, tables.ids[len(tables.ids) - count:])) if count and len(tables.ids) >= count else {}
    out = {}
    for name, key in keys.items():
        kind = merged(resource.fields.get(name, {})).get("type")
        if name not in resource.fields or kind not in (None, "string", "integer"):
            continue
        if kind == "integer":
            if not key.lstrip("-").isdigit():
                continue
            out[name] = int(key)
        else:
            out[name] = key
    return out


def _sort_key(item: Mapping[str, Any], id_field: str | None) -> Any:
    value = item.get(id_field) if id_field else None
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def _example(plan: Plan) -> Any:
    responses = plan.operation.definition.get("responses", {})
    response = responses.get(str(plan.status)) or responses.get("default") or {}
    for media_type, media in (response.get("content") or {}).items():
        if "json" in media_type:
            if "example" in media:
                return media["example"]
            for example in (media.get("examples") or {}).values():
                if isinstance(example, Mapping) and "value" in example:
                    return example["value"]
            if "example" in (media.get("schema") or {}):
                return media["schema"]["example"]
    return None


def model_class(api: str, document: dict, inferred: Inferred, given: Mapping[str, Any] | None = None) -> type[GenericModel]:
    """A model class for one document: a method per operationId, each doing its plan."""
    methods: dict[str, Any] = {"api": api, "document": document, "inferred": inferred, "given": dict(given or {})}
    from mockexp.binding import function_name

    for operation_id in inferred.plans:
        methods[function_name(operation_id)] = _method(operation_id)
    return type(f"GenericModel[{api}]", (GenericModel,), methods)


def _method(operation_id: str) -> Any:
    def method(self: GenericModel, **values: Any) -> Any:
        return self.call(operation_id, values)

    method.__name__ = operation_id
    return method
