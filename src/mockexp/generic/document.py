"""A user's OpenAPI document made ready to serve, as the vendors' are: resolved and validated
by the spec pipeline (`specs.load`: one error naming the file and the place), then, in a copy,

* mounted where `--spec /base=FILE` says (else at its first server URL's path, `/` without one);
* JSON only where an operation offers JSON beside other media types (the mock speaks JSON:
  XML and form alternatives are left out, so clients and the contract suite send JSON);
* a `200` where an operation documents no success at all (Petstore's `DELETE /pet/{petId}`
  lists only 400: the mock's success must be documented for its answers to follow the spec);
* `x-mockexp-pagination` on each list whose parameters and envelope say how it pages.

An overlay beside the document (`<file>.mockexp.yaml`, or `.yml` / `.json`) is merged in before
inference: `{paths: {/pets: {get: {x-mockexp-role: search}}}}`, for what cannot be inferred.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from mockexp import specs
from mockexp.generic import inference
from mockexp.paging import DeclarationError, Pagination
from mockexp.specs import METHODS, Spec, SpecError

IMPLIED = "(added by mockexp: the document lists no success answer)"
OVERLAY_SUFFIXES = (".mockexp.yaml", ".mockexp.yml", ".mockexp.json")


def load(path: str | Path, base_path: str | None = None) -> tuple[Spec, inference.Inferred]:
    """The served spec of a document and what was inferred from it (`SpecError` if it cannot
    be served)."""
    original = specs.load(path)
    document = copy.deepcopy(original.document)
    _overlay(document, overlay_of(original.path))
    if base_path is not None:
        document["servers"] = [{"url": "/" + base_path.strip("/")}]
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                _json_only(operation)
                _implied_success(operation)
    spec = Spec(path=original.path, document=document)
    inferred = inference.infer(spec)
    _declare_paging(spec, inferred)
    spec = Spec(path=original.path, document=document)
    return spec, inference.infer(spec)


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


def _implied_success(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    if not any(str(code).startswith("2") or str(code) == "2XX" for code in responses) and "default" not in responses:
        responses["200"] = {"description": IMPLIED}


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
