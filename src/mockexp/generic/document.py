"""A user's OpenAPI document made ready to serve, as the vendors' are: resolved and validated
by the spec pipeline (`specs.load`: one error naming the file and the place), then, in a copy,

* an operationId for each operation without one (`getPetsPetId` for `GET /pets/{petId}`);
* mounted where `--spec /base=FILE` says (else at its first server URL's path, `/` without one);
* without `x-openapi-router-controller` (the module of the handlers of a Connexion app that
  serves the document, which the mock's own handlers replace);
* JSON only where an operation offers JSON beside other media types (the mock speaks JSON:
  XML and form alternatives are left out, so clients and the contract suite send JSON);
* a `200` where an operation documents no success at all (Petstore's `DELETE /pet/{petId}`
  lists only 400: the mock's success must be documented for its answers to follow the spec),
  a `401` where a secured operation does not list one, and the document's refusal status
  (400, or 422 where it uses 422) where an operation that takes input lists no refusal;
* the bounds an integer's `format` implies (int32, int64) written out as minimum / maximum;
* `x-mockexp-contract.refusals`: the statuses the mock refuses a well-formed request with
  (an unknown id, a taken one), so the contract suite accepts them;
* `x-mockexp-pagination` on each list whose parameters and envelope say how it pages;
* an example body, made from the schema, for each create and update that has none;
* links from each create's answer to the read, update and delete of what it made (where the
  document has none), for the contract suite's stateful phase and `mockexp drift`.

An overlay beside the document (`<file>.mockexp.yaml`, or `.yml` / `.json`) is merged in before
inference: `{paths: {/pets: {get: {x-mockexp-role: search}}}}`, for what cannot be inferred.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import orjson
import yaml

from mockexp import specs
from mockexp.generic import inference
from mockexp.paging import DeclarationError, Pagination
from mockexp.specs import METHODS, Spec, SpecError

CONTROLLER = "x-openapi-router-controller"  # the Python module of the document's own server's handlers
IMPLIED = "(added by mockexp: the document lists no success answer)"
OVERLAY_SUFFIXES = (".mockexp.yaml", ".mockexp.yml", ".mockexp.json")


def load(path: str | Path, base_path: str | None = None) -> tuple[Spec, inference.Inferred]:
    """The served spec of a document and what was inferred from it (`SpecError` if it cannot
    be served)."""
    original = specs.load(path, strict=False)
    document = _copy(original.document)
    overlay = overlay_of(original.path)
    _overlay(document, overlay)
    if overlay is not None:
        specs.check_declarations(overlay, document)
    if base_path is not None:
        document["servers"] = [{"url": "/" + base_path.strip("/")}]
    _name_operations(document)
    refused = _refusal_status(document)
    for item in document.get("paths", {}).values():
        item.pop(CONTROLLER, None)
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                operation.pop(CONTROLLER, None)
                _json_only(operation)
                _implied_answers(operation, document, refused, has_input=bool(operation.get("parameters") or item.get("parameters") or operation.get("requestBody")))
    _integer_bounds(document)
    document.setdefault(specs.CONTRACT, {}).setdefault("refusals", sorted(_refusals(document)))
    spec = Spec(path=original.path, document=document)
    _check_roles(spec, overlay or original.path)
    inferred = inference.infer(spec)
    _declare_paging(spec, inferred)
    _declare_links(spec, inferred)
    _declare_examples(spec, inferred)
    spec = Spec(path=original.path, document=document)
    return spec, inference.infer(spec)


def _copy(document: dict) -> dict:
    """A copy to change (a JSON round trip: many times faster than a deep copy of a large
    resolved document, whose `$ref`s resolved into the same objects many times over)."""
    try:
        return orjson.loads(orjson.dumps(document))
    except TypeError:  # a value JSON does not hold (a YAML date...)
        return copy.deepcopy(document)


def _name_operations(document: dict) -> None:
    taken = {operation.get("operationId") for item in document.get("paths", {}).values() for method, operation in item.items()
             if method in METHODS and isinstance(operation, dict)}
    for template, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict) and not operation.get("operationId"):
                words = re.findall(r"[A-Za-z0-9]+", template)
                name = method + "".join(word[:1].upper() + word[1:] for word in words)
                while name in taken:
                    name += "_"
                operation["operationId"] = name
                taken.add(name)


def _check_roles(spec: Spec, where: Path) -> None:
    for operation in spec.operations:
        role = operation.definition.get(inference.ROLE)
        if role is not None and role not in inference.ROLES:
            raise SpecError(f"{where}: {operation.label} ({operation.operation_id}): {inference.ROLE} must be one of {', '.join(inference.ROLES)}, not {role!r}")
        update = operation.definition.get(inference.UPDATE)
        if update is not None and update not in inference.UPDATES:
            raise SpecError(f"{where}: {operation.label} ({operation.operation_id}): {inference.UPDATE} must be one of {', '.join(inference.UPDATES)}, not {update!r}")
        resource = operation.definition.get(inference.RESOURCE)
        if resource is not None and resource not in spec.document.get("paths", {}):
            raise SpecError(f"{where}: {operation.label} ({operation.operation_id}): {inference.RESOURCE} must name a path of the document, not {resource!r}")


def overlay_of(path: Path) -> Path | None:
    stem = path.with_suffix("")
    return next((found for suffix in OVERLAY_SUFFIXES if (found := stem.with_name(stem.name + suffix)).is_file()), None)


def _overlay(document: dict, path: Path | None) -> None:
    if path is None:
        return
    try:
        text = path.read_text(encoding="utf-8")
        extra = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot be read as an overlay: {exc}") from None
    if not isinstance(extra, dict):
        raise SpecError(f"{path}: an overlay is a mapping laid over the document")
    _merge(document, extra)


def _merge(target: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _json_only(operation: dict) -> None:
    bodies = [operation.get("requestBody") or {}] + list((operation.get("responses") or {}).values())
    for body in bodies:
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, dict) and any("json" in media for media in content) and len(content) > 1:
            body["content"] = {media: value for media, value in content.items() if "json" in media}


def _implied_answers(operation: dict, document: dict, refused: str, has_input: bool) -> None:
    responses = operation.setdefault("responses", {})
    codes = {str(code) for code in responses}
    if not any(code.startswith("2") for code in codes) and "default" not in codes:
        responses["200"] = {"description": IMPLIED}
    if operation.get("security", document.get("security")) and not codes & {"401", "4XX", "default"}:
        responses["401"] = {"description": "(added by mockexp: the operation is secured, so a request without credentials is refused)"}
    if has_input and not any(code.startswith("4") and code not in ("401", "403") for code in codes) and "default" not in codes:
        responses[refused] = {"description": "(added by mockexp: a request the schema refuses)"}


def _refusal_status(document: dict) -> str:
    """400, or 422 for a document that refuses with 422 and never 400."""
    listed = {str(code) for item in document.get("paths", {}).values() for method, operation in item.items()
              if method in METHODS and isinstance(operation, dict) for code in operation.get("responses", {})}
    return "422" if "422" in listed and "400" not in listed else "400"


def _refusals(document: dict) -> set[int]:
    listed = {int(code) for item in document.get("paths", {}).values() for method, operation in item.items()
              if method in METHODS and isinstance(operation, dict) for code in operation.get("responses", {}) if str(code).isdigit()}
    return {code for code in listed if 400 <= code < 500 and code not in (401, 403)} | {404, 409}


INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _integer_bounds(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("format") in INTEGER_BOUNDS:
            low, high = INTEGER_BOUNDS[node["format"]]
            node.setdefault("minimum", low)
            node.setdefault("maximum", high)
        for value in node.values():
            _integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integer_bounds(value)


def _declare_paging(spec: Spec, inferred: inference.Inferred) -> None:
    """Put each inferred paging declaration in the document, where the core's paging reads it."""
    for plan in inferred.plans.values():
        if plan.paging is None:
            continue
        item = spec.document["paths"][plan.operation.path][plan.operation.method.lower()]
        try:
            Pagination.parse(plan.paging, {**item, "parameters": plan.operation.parameters}, strict=True)
        except DeclarationError:
            continue
        item["x-mockexp-pagination"] = plan.paging


LINKED = ("read", "update", "delete")


def _declare_links(spec: Spec, inferred: inference.Inferred) -> None:
    """Links from a create's success answer to the operations on the object it made."""
    for create in inferred.plans.values():
        resource = create.resource
        if create.role != "create" or resource is None or not resource.id_field or create.answer is None or not resource.id_parameter:
            continue
        pointer = "/".join(part for part in ("", create.answer.envelope, resource.id_field) if part is not None)
        parameters = {name: f"$request.path.{name}" for name in resource.scope}
        links = {}
        for plan in inferred.plans.values():
            if plan.resource is resource and plan.role in LINKED and plan.operation.path.rstrip("/") == (resource.item or "").rstrip("/"):
                links[plan.operation.operation_id] = {"operationId": plan.operation.operation_id, "parameters": {**parameters, resource.id_parameter: f"$response.body#{pointer}"}}
        response = spec.document["paths"][create.operation.path][create.operation.method.lower()]["responses"].get(str(create.status))
        if links and isinstance(response, dict) and not response.get("links"):
            response["links"] = links


def _declare_examples(spec: Spec, inferred: inference.Inferred) -> None:
    """A made-up example body (without the id, which the server makes) for each create and
    update whose JSON body has none, as `mockexp drift` and the contract's examples use."""
    from mockexp.generic.values import Values

    made = Values(spec.path.stem)
    for plan in inferred.plans.values():
        if plan.role not in ("create", "update") or plan.request is None or plan.resource is None:
            continue
        content = spec.document["paths"][plan.operation.path][plan.operation.method.lower()]["requestBody"]["content"]
        media = next((value for key, value in content.items() if "json" in key), None)
        if media is None or "example" in media or "examples" in media or "example" in (media.get("schema") or {}):
            continue
        body = made.seeded("example", plan.operation.operation_id).object(plan.request.schema)
        body.pop(plan.resource.id_field or "", None)
        media["example"] = plan.request.wrap(body)
