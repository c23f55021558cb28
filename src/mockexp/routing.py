"""Routing by base path: which mounted spec a request path belongs to, and the APIs Connexion
serves, one per base path.

Connexion keeps one API per base path (its middlewares find an operation by the API's base
path), but some vendors serve two APIs under one: ABsmartly's Collector API beside its Web
Console API at `/v1`, SDK endpoints at the host's root (`/all`, `/flags`). Specs that share a
base path are served as one Connexion API whose paths and security schemes are the union of
theirs; a request belongs to the spec one of whose path templates it matches. Below a base path
of their own the first spec there (a vendor's main API) answers the paths none of them has, in
its vendor's shape; specs at the root claim only their own paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from mockexp.specs import METHODS, Spec, SpecError


@dataclass(frozen=True)
class Mounted:
    """One spec served by the mock, with who answers it (a vendor, or the admin API)."""

    owner: Any
    spec: Spec
    functions: dict[str, Callable] | None = None  # operationId -> function, once bound


@dataclass(frozen=True)
class Api:
    """What Connexion serves at one base path: the specs there, as one document."""

    base_path: str
    members: tuple[Mounted, ...]

    @property
    def name(self) -> str:
        return "+".join(member.spec.name for member in self.members)

    @property
    def document(self) -> dict:
        return self.members[0].spec.document if len(self.members) == 1 else united([member.spec for member in self.members])

    def functions(self) -> dict[str, Callable]:
        return {operation_id: function for member in self.members for operation_id, function in (member.functions or {}).items()}

    def member_at(self, path: str) -> Mounted | None:
        """The spec whose template the path matches; else, below a base path of its own, the
        first spec there (a vendor's main API answers its unknown paths); at the root, the spec
        whose paths alone start with the path's first segment (`/sdk/...`), if one does."""
        if len(self.members) > 1 or not self.base_path:
            for member in self.members:
                if member.spec.template_of(path) is not None:
                    return member
        if self.base_path:
            return self.members[0]
        first = path.split("/")[1] if path.count("/") > 1 else None
        owners = [member for member in self.members if first in self._first_segments(member)]
        return owners[0] if len(owners) == 1 else None

    @staticmethod
    def _first_segments(member: Mounted) -> set[str]:
        """The first segments of a root spec's paths that have more segments after them."""
        return {template.split("/")[1] for template in member.spec.document.get("paths", {}) if template.count("/") > 1 and not template.startswith("/{")}


class Routes:
    """Every mounted spec by base path, longest first (worked out once: asked per request)."""

    def __init__(self, mounted: Iterable[Mounted]) -> None:
        by_base: dict[str, list[Mounted]] = {}
        for entry in mounted:
            by_base.setdefault(entry.spec.base_path, []).append(entry)
        self.apis = [Api(base, tuple(members)) for base, members in sorted(by_base.items(), key=lambda item: len(item[0]), reverse=True)]
        for api in self.apis:
            check_shared(api.members)

    def at(self, path: str) -> Mounted | None:
        """The spec a request path belongs to: the longest base path that claims it."""
        for api in self.apis:
            base = api.base_path
            if path.startswith(base) and (len(path) == len(base) or path[len(base)] == "/"):
                return api.member_at(path)
        return None


def check_shared(members: Iterable[Mounted]) -> None:
    """Specs served as one API may not both define a path, an operationId or a security
    scheme name (the one would silently hide the other)."""
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for member in members:
        spec = member.spec
        names = [("path", template) for template in spec.document.get("paths", {})]
        names += [("operationId", operation.operation_id) for operation in spec.operations]
        names += [("security scheme", name) for name in spec.document.get("components", {}).get("securitySchemes", {})]
        for key in names:
            if key in seen and seen[key] != str(spec.path):
                clashes.append(f"{key[0]} {key[1]!r} is in both {seen[key]} and {spec.path} (served at the same base path {spec.base_path or '/'!r})")
            seen.setdefault(key, str(spec.path))
    if clashes:
        raise SpecError("; ".join(clashes))


def united(specs: list[Spec]) -> dict:
    """One document serving every path of these specs: each operation keeps the security its
    own spec gives it (a spec's top-level `security` moves onto its operations)."""
    first = specs[0].document
    paths: dict[str, Any] = {}
    schemes: dict[str, Any] = {}
    for spec in specs:
        security = spec.document.get("security")
        for template, item in spec.document.get("paths", {}).items():
            paths[template] = item if security is None else _secured(item, security)
        schemes.update(spec.document.get("components", {}).get("securitySchemes", {}))
    document = {key: value for key, value in first.items() if key != "security"}
    return {**document, "paths": paths, "components": {**first.get("components", {}), "securitySchemes": schemes}}


def _secured(item: dict, security: list) -> dict:
    return {key: ({"security": security, **value} if key in METHODS and isinstance(value, dict) else value) for key, value in item.items()}
