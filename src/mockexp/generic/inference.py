"""The resources of an OpenAPI document and what each operation does to them, inferred from
the paths, methods and schemas (what `mockexp specs --explain FILE` prints).

A path ending in a parameter whose parent path is also a path is a resource: the parent is
its collection, the path its item (`/pet` + `/pet/{petId}`), nested ones scoped by their
parents' parameters (`/articles/{slug}/comments/{id}`). A POST-only path whose parent is no
resource is a collection too (`/users`). Then, by method and path:

* GET collection: list; POST collection: create; PUT collection with the id in the body: replace
* GET item: read; PUT / PATCH item, or POST item with a body: update (only the fields an
  `update_mask` / `updateMask` query parameter names, where it has one); POST item with query
  parameters that name fields: update from the query; DELETE item: delete
* GET elsewhere answering a list of a resource's objects: search (`/pet/findByStatus`); a POST
  answering one: a search with its filters in the body, across the parents its path does not
  name (Airflow's `POST /dags/~/dagRuns/list`)
* anything else: an action, answered with the document's example or a body made from its schema

An update replaces the object with what is sent (keeping the fields the server makes) when it
is a PUT whose body requires fields, else changes only the fields sent.

`x-mockexp-role` on an operation (`create`, `read`, `list`, `update`, `replace`, `delete`,
`search`, `action`), `x-mockexp-resource` (a collection path) and `x-mockexp-update`
(`replace` or `merge`) state what cannot be inferred.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from mockexp.generic import shapes
from mockexp.generic.shapes import Many, Single
from mockexp.generic.values import merged
from mockexp.specs import Operation, Spec

ROLE = "x-mockexp-role"
UPDATE = "x-mockexp-update"  # on an update: "replace" (what is sent becomes the object) or "merge" (what is sent changes it)
UPDATES = ("replace", "merge")
RESOURCE = "x-mockexp-resource"
ROLES = ("create", "read", "list", "update", "query-update", "replace", "delete", "search", "item-action", "action")
MASK_NAMES = ("update_mask", "updateMask")  # a query parameter naming the fields an update changes
ID_NAMES = ("id", "_id", "uuid", "key", "slug", "username", "name")
PARAMETER = re.compile(r"^\{([^}]+)\}$")


@dataclass
class Resource:
    name: str
    collection: str | None
    item: str | None
    id_parameter: str | None
    schema: dict = field(default_factory=dict, repr=False)
    id_field: str | None = None
    scope: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def id_schema(self) -> dict:
        return self.fields.get(self.id_field or "", {}) if self.id_field else {}

    # what a request needs of the schema, worked out at the first (after inference has set it)
    @functools.cached_property
    def fields(self) -> dict:
        return shapes.properties(self.schema)

    @functools.cached_property
    def read_only(self) -> frozenset:
        return frozenset(name for name, sub in self.fields.items() if merged(sub).get("readOnly"))

    @functools.cached_property
    def write_only(self) -> frozenset:
        """Fields a client sends and no answer shows (a password): the mock keeps none of them."""
        return frozenset(name for name, sub in self.fields.items() if merged(sub).get("writeOnly"))

    @functools.cached_property
    def not_stored(self) -> frozenset:
        """What a client sends that the mock does not keep: read-only and write-only fields."""
        return self.read_only | self.write_only

    @functools.cached_property
    def required(self) -> frozenset:
        return frozenset(merged(self.schema).get("required") or [])

    @functools.cached_property
    def times(self) -> frozenset:
        """The fields the clock fills: creation and change times."""
        return frozenset(name for name, sub in self.fields.items() if shapes.is_time(name, sub))


@dataclass
class Plan:
    """What one operation does."""

    operation: Operation
    role: str
    resource: Resource | None = None
    answer: Single | None = None  # the object the success answer carries
    answer_schema: dict | None = field(default=None, repr=False)  # the success answer's whole schema
    request: Single | None = None  # the object the request body carries
    listing: Many | None = None
    filters: dict[str, str] = field(default_factory=dict)  # query parameter -> item field
    paging: dict | None = None  # an inferred x-mockexp-pagination
    mask: str | None = None  # an update's query parameter naming the fields it changes
    replaces: bool = False  # an update that replaces the object with what is sent (`_replaces`), not merges it in
    body_filters: dict[str, str] = field(default_factory=dict)  # a POST search's body field -> item field
    status: int = 200
    notes: list[str] = field(default_factory=list)


@dataclass
class Inferred:
    resources: dict[str, Resource]
    plans: dict[str, Plan]

    @functools.cached_property
    def vanishing(self) -> frozenset:
        """The paths whose DELETE is an action and whose GET documents 404 or 410: what the
        DELETE empties the GET no longer finds."""
        deletes = {plan.operation.path for plan in self.plans.values() if plan.operation.method == "DELETE" and plan.role == "action"}
        return frozenset(plan.operation.path for plan in self.plans.values() if plan.operation.method == "GET" and plan.operation.path in deletes
                         and {"404", "410"} & {str(code) for code in plan.operation.definition.get("responses", {})})


def infer(spec: Spec) -> Inferred:
    operations = spec.operations
    resources = _resources(spec.document.get("paths", {}), operations)
    plans = {operation.operation_id: _plan(operation, resources) for operation in operations}
    for resource in resources.values():
        _describe(resource, [plan for plan in plans.values() if plan.resource is resource])
    _drop_unfindable(resources, plans)
    for plan in plans.values():
        _finish(plan, resources)
    return Inferred(resources, plans)


def _strip(template: str) -> str:
    return template.rstrip("/") or "/"


def _segments(template: str) -> list[str]:
    return [part for part in _strip(template).split("/") if part]


def _parent(template: str) -> str:
    return "/" + "/".join(_segments(template)[:-1])


def _parameters(template: str) -> tuple[str, ...]:
    return tuple(match.group(1) for part in _segments(template) if (match := PARAMETER.match(part)))


def _name(template: str) -> str:
    words = [part for part in _segments(template) if not PARAMETER.match(part)]
    return ".".join(words) or "root"


def _resources(paths: dict, operations: list[Operation]) -> dict[str, Resource]:
    templates = {_strip(template) for template in paths}
    declared = {_strip(op.definition[RESOURCE]) for op in operations if isinstance(op.definition.get(RESOURCE), str)}
    found: dict[str, Resource] = {}
    for template in sorted(templates, key=lambda t: (len(_segments(t)), t)):
        parts = _segments(template)
        if not parts or not PARAMETER.match(parts[-1]):
            continue
        parent = _parent(template)
        collection = parent if parent in templates and not PARAMETER.match((_segments(parent) or [""])[-1]) else None
        name = _name(template)
        if name in found:
            continue
        found[name] = Resource(name, collection, template, _parameters(template)[-1], scope=_parameters(template)[:-1])
    claimed = {r.collection for r in found.values()} | {r.item for r in found.values()}
    posts = {_strip(op.path) for op in operations if op.method == "POST" and not _answers_a_list(op)}
    for template in sorted((posts - claimed) | (declared - claimed), key=lambda t: (len(_segments(t)), t)):
        if template in declared or (_parent(template) not in claimed and not PARAMETER.match(_segments(template)[-1] if _segments(template) else "")):
            resource = Resource(_name(template), template, None, None, scope=_parameters(template))
            found.setdefault(resource.name, resource)
            claimed.add(template)
    for resource in found.values():
        if resource.collection is not None:
            resource.parent = next((other.name for other in found.values() if other.item == _parent(resource.collection)), None)
    return found


def _answers_a_list(operation: Operation) -> bool:
    """Whether an operation's success answer is a list of objects (bare or in an envelope)."""
    return shapes.is_list(_success(operation)[1])


def _success(operation: Operation) -> tuple[int, dict | None]:
    """The success status and the JSON schema of its answer."""
    responses = operation.definition.get("responses", {})
    for code in operation.success_statuses:
        return code, shapes.json_schema(responses[str(code)].get("content"))
    if "default" in responses:
        return 200, shapes.json_schema(responses["default"].get("content"))
    return 200, None


def _plan(operation: Operation, resources: dict[str, Resource]) -> Plan:
    status, answer = _success(operation)
    request = shapes.json_schema(operation.definition.get("requestBody", {}).get("content")) if operation.has_body else None
    path = _strip(operation.path)
    plan = Plan(operation, "action", status=status, answer=shapes.single(answer), answer_schema=answer, request=shapes.single(request))
    declared = operation.definition.get(ROLE)
    by_collection = {r.collection: r for r in resources.values() if r.collection}
    by_item = {r.item: r for r in resources.values() if r.item}
    query = {p["name"] for p in operation.parameters_in("query")}
    if isinstance(operation.definition.get(RESOURCE), str):
        resource = by_collection.get(_strip(operation.definition[RESOURCE]))
        plan.resource = resource
    method = operation.method
    if path in by_item:
        plan.resource = by_item[path]
        if method == "GET":
            plan.role = "read"
        elif method == "DELETE":
            plan.role = "delete"
        elif method in ("PUT", "PATCH") or (method == "POST" and plan.request is not None):
            plan.role = "update"
        elif method == "POST" and query:
            plan.role = "query-update"
    elif path in by_collection:
        plan.resource = by_collection[path]
        if method == "GET":
            plan.role = "list"
        elif method == "POST" and plan.request is not None:
            plan.role = "create"
        elif method in ("PUT", "PATCH") and plan.request is not None and not shapes.is_list(answer):
            plan.role = "replace"
        elif method in ("PUT", "PATCH"):
            plan.notes.append("changes many objects at once (its answer is a list)")
    elif method == "GET" and answer is not None:
        # a list of a resource's objects (by the path's first segment here; by schema in _finish)
        first = _segments(path)[:1]
        plan.resource = next((r for r in resources.values() if shapes.many(answer) and r.collection and _segments(r.collection)[:1] == first), None)
        if plan.resource is not None:
            plan.role = "search"
    if declared in ROLES:
        plan.role = declared
        plan.notes.append(f"role declared by {ROLE}")
    if plan.role in ("list", "search"):
        plan.listing = shapes.many(answer)
        if plan.listing is None:
            plan.role = "action"
            plan.notes.append("its answer is not a list of objects")
    if plan.role == "action":
        plan.resource = None
    return plan


def _describe(resource: Resource, plans: list[Plan]) -> None:
    """The resource's item schema and id field, from the answers of its operations."""
    order = ("read", "create", "update", "replace", "list", "search")
    for role in order:
        for plan in plans:
            if plan.role == role:
                schema = plan.listing.item if plan.listing and role in ("list", "search") else (plan.answer.schema if plan.answer else None)
                if schema and shapes.properties(schema):
                    resource.schema = schema
                    break
        if resource.schema:
            break
    fields = shapes.properties(resource.schema)
    candidates = []
    if resource.id_parameter:
        parameter = resource.id_parameter
        singular = resource.name.split(".")[-1].rstrip("s").lower()
        stripped = re.sub(rf"^{re.escape(singular)}_?", "", parameter, flags=re.IGNORECASE)
        candidates += [parameter, stripped[:1].lower() + stripped[1:], stripped.lower()]
        words = parameter.split("_")
        candidates += ["_".join(words[start:]) for start in range(1, len(words))]  # task_try_number: try_number
    candidates += list(ID_NAMES)
    resource.id_field = next((name for name in candidates if name in fields), None)


def _drop_unfindable(resources: dict[str, Resource], plans: dict[str, Plan]) -> None:
    """A path ending in a parameter with no collection beside it and no field its objects are
    named by (`/config/section/{section}/option/{option}`) is no resource the mock could fill
    (nothing creates or lists its objects, nothing names them): its operations are actions."""
    parents = {resource.parent for resource in resources.values()}
    for name, resource in list(resources.items()):
        if resource.collection is None and resource.id_field is None and name not in parents:
            del resources[name]
            for plan in plans.values():
                if plan.resource is resource:
                    plan.role, plan.resource = "action", None
                    plan.notes.append("no collection lists these objects nor field names them")


def _finish(plan: Plan, resources: dict[str, Resource]) -> None:
    if plan.role == "action" and plan.operation.method == "POST" and shapes.is_list(plan.answer_schema):
        _body_search(plan, resources)
    if plan.role == "search" and plan.resource is not None and plan.listing and not shapes.same_kind(plan.listing.item, plan.resource.schema):
        plan.role, plan.resource = "action", None  # a list of something else (a DAG's details list its tags)
    if plan.role == "action" and plan.answer is not None:
        path = _strip(plan.operation.path)
        plan.resource = next((r for r in resources.values() if r.item and path.startswith(r.item + "/") and _answers(plan, r)), None)
        if plan.resource is not None:
            plan.role = "item-action"
            plan.notes.append(f"answers the {plan.resource.name} object it acts on" + ("" if shapes.same_kind(plan.answer.schema, plan.resource.schema) else
                                                                                    ", with the fields its answer adds made up"))
    resource = plan.resource
    if plan.role in ("list", "search") and resource is not None:
        fields = shapes.properties(resource.schema)
        for parameter in plan.operation.parameters_in("query"):
            target = _field_for(parameter["name"], fields)
            if target:
                plan.filters[parameter["name"]] = target
        plan.paging = _paging(plan)
        for name in plan.paging["parameters"].values() if plan.paging else ():
            plan.filters.pop(name, None)
    if plan.role == "update":
        plan.mask = next((p["name"] for p in plan.operation.parameters_in("query") if p["name"] in MASK_NAMES), None)
    if plan.role in ("update", "replace"):
        plan.replaces = _replaces(plan)
        if plan.replaces:
            plan.notes.append("replaces the object with what is sent (the server's fields kept)")
    if plan.role == "replace" and resource is not None and not (resource.id_field and client_sends(plan.request, resource.id_field)):
        plan.role, plan.resource = "action", None
        plan.notes.append("a PUT to the collection whose body has no id the client may send")


def _answers(plan: Plan, resource: Resource) -> bool:
    """Whether an operation under an item answers that item: the same fields, or (a GET) more
    of them (Airflow's `GET /dags/{dag_id}/details`)."""
    answer = plan.answer.schema if plan.answer else {}
    return shapes.same_kind(answer, resource.schema) or (plan.operation.method == "GET" and shapes.extends(answer, resource.schema))


def _replaces(plan: Plan) -> bool:
    """Whether an update replaces the object: as `x-mockexp-update` says (`replace` or
    `merge`), else for a PUT whose body requires fields (a whole object, as the Petstore's
    `PUT /pet`). A PUT whose body requires nothing changes what it carries, as a PATCH does
    (RealWorld's `PUT /articles/{slug}` sends only the fields that change)."""
    declared = plan.operation.definition.get(UPDATE)
    if declared in UPDATES:
        return declared == "replace"
    return plan.operation.method == "PUT" and plan.mask is None and bool(plan.request and merged(plan.request.schema).get("required"))


def _body_search(plan: Plan, resources: dict[str, Resource]) -> None:
    """A POST answering a list of a resource's objects searches them (across all parents the
    path does not name), with filters in the body: `{"dag_ids": [...], "states": [...]}`."""
    listing = shapes.many(plan.answer_schema)
    plan.resource = next((r for r in resources.values() if r.collection and shapes.same_kind(listing.item, r.schema)), None)
    if plan.resource is None:
        plan.notes.append("a POST answering a list (a change of many, its inputs in the body)")
        return
    plan.role, plan.listing = "search", listing
    fields = shapes.properties(plan.resource.schema)
    sendable = shapes.properties(plan.request.schema) if plan.request else {}
    plan.body_filters = {name: target for name in sendable if (target := _field_for(name, fields))}
    plan.notes.append("a POST search, its filters in the body" + (": " + ", ".join(f"{k}->{v}" for k, v in plan.body_filters.items()) if plan.body_filters else ""))


def client_sends(request: Single | None, name: str) -> bool:
    """Whether a request body may carry a field (it has it, not read-only)."""
    fields = shapes.properties(request.schema) if request is not None else {}
    return name in fields and not merged(fields[name]).get("readOnly")


def _field_for(parameter: str, fields: dict) -> str | None:
    for name in (parameter, parameter + "s", parameter + "List", parameter + "_list", parameter.removesuffix("s")):
        if name in fields:
            return name
    return None


PAGING = {"offset": ("limit", "offset"), "page": ("size", "page")}
SIZE_NAMES = ("limit", "per_page", "perPage", "page_size", "pageSize", "size", "count")
POSITION_NAMES = {"offset": ("offset", "skip", "start"), "page": ("page", "page_number", "pageNumber")}
CURSOR_NAMES = ("cursor", "after", "page_token", "pageToken", "starting_after")
NEXT_NAMES = ("next", "next_url", "nextUrl", "next_page_url")  # the answer's link to the next page


def _paging(plan: Plan) -> dict | None:
    """An x-mockexp-pagination for a list whose query parameters page it and whose answer is
    an envelope (a bare array has nowhere to say more; the model cuts it itself)."""
    declared = plan.operation.definition.get("x-mockexp-pagination")
    if declared is not None or plan.listing is None or plan.listing.items is None or (plan.resource and not plan.resource.id_field):
        return None  # (without a field naming its objects, a walk through the pages cannot be checked)
    query = {p["name"]: p for p in plan.operation.parameters_in("query")}
    size = next((name for name in SIZE_NAMES if name in query and isinstance((query[name].get("schema") or {}).get("default"), int)), None)
    if size is None:
        return None
    for style, names in (("offset", POSITION_NAMES["offset"]), ("page", POSITION_NAMES["page"]), ("cursor", CURSOR_NAMES)):
        position = next((name for name in names if name in query), None)
        if position is not None and position != size:
            body = {"items": plan.listing.items}
            if plan.listing.total:
                body["total"] = plan.listing.total
            following = next((name for name in NEXT_NAMES if name in shapes.properties(plan.answer_schema)), None)
            if following is not None:
                body["next"] = following
            elif style == "cursor":  # a cursor is only of use where the answer links the next page
                continue
            declared = {"style": style, "parameters": {"size": size, style: position}, "body": body}
            if plan.resource and plan.resource.id_field not in (None, "id", "_id", "key"):
                declared["identity"] = plan.resource.id_field
            return declared
    return None
