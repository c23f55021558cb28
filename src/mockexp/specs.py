"""The spec pipeline: read a vendor's OpenAPI file, resolve its `$ref`s (also across files)
with prance, and validate the result once. Everything downstream (Connexion's routing and
validation, Schemathesis, Swagger UI) works from the resolved document.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import prance
from prance.util.formats import ParseError
from prance.util.url import ResolutionError

from mockexp import speccache
from mockexp.paging import DeclarationError, Pagination
from mockexp.resources import specs_dir

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CONTRACT = "x-mockexp-contract"  # at the top: {refusals: [statuses]}, see `Spec.refusals`
SLASH = "x-mockexp-trailing-slash"  # at the top: "optional", see `Spec.slash_optional`
RATE_LIMIT = "x-mockexp-rate-limit"  # at the top: the vendor's rate limit, see `control/ratelimits.py`
STREAM = "x-mockexp-stream"  # on an operation: its answer is a stream that stays open (server-sent events); contract runs leave it out
ETAG = "x-mockexp-etag"
MOST_PATHS_KEPT = 4096  # request paths whose template `Spec.template_of` keeps


class SpecError(Exception):
    """A spec that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Operation:
    """One operation of a resolved spec, with its path's parameters merged into its own."""

    method: str
    path: str
    operation_id: str
    definition: dict = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def parameters(self) -> list[dict]:
        return self.definition.get("parameters", [])

    def parameters_in(self, where: str) -> list[dict]:
        return [parameter for parameter in self.parameters if parameter.get("in") == where]

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.definition

    @property
    def success_statuses(self) -> list[int]:
        return sorted(int(code) for code in self.definition.get("responses", {}) if str(code).isdigit() and 200 <= int(code) < 300)

    @property
    def pagination(self) -> Pagination | None:
        return Pagination.of(self.definition)

    @property
    def etag(self) -> bool:
        """Whether the answer carries a weak ETag of its body, 304 to an `If-None-Match` that
        names it (`x-mockexp-etag: weak`, on a read a model method answers)."""
        return self.definition.get(ETAG) == "weak"

    @property
    def streams(self) -> bool:
        """Whether the answer is a stream that stays open (`x-mockexp-stream`)."""
        return bool(self.definition.get(STREAM))

    def response_schema(self, status: int) -> dict | None:
        """The JSON schema of a response with this status (or its range, or `default`)."""
        responses = self.definition.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if response is None:
            return None
        for media_type, media in (response.get("content") or {}).items():
            if "json" in media_type:
                return media.get("schema") or {}
        return {}

    def documents(self, status: int) -> bool:
        responses = self.definition.get("responses", {})
        return str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses


@dataclass(frozen=True)
class Spec:
    path: Path
    document: dict = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        return self.document["info"]["title"]

    @functools.cached_property
    def base_path(self) -> str:
        """The path part of the first server URL: where the API lives on a host."""
        servers = self.document.get("servers") or [{"url": "/"}]
        return urlparse(servers[0]["url"]).path.rstrip("/")

    @functools.cached_property
    def operations(self) -> list[Operation]:
        return _operations(self.document)

    @functools.cached_property
    def path_parameter_names(self) -> set[str]:
        """The names of every path parameter of the spec's operations."""
        return {parameter["name"] for operation in self.operations for parameter in operation.parameters_in("path")}

    @functools.cached_property
    def credential_headers(self) -> set[str]:
        """The headers (lower case) its security schemes read a credential from: an API key's
        own header, `Authorization` for HTTP schemes."""
        schemes = self.document.get("components", {}).get("securitySchemes", {}).values()
        return {(scheme.get("name", "") if scheme.get("type") == "apiKey" else "Authorization").lower() for scheme in schemes}

    @functools.cached_property
    def has_links(self) -> bool:
        """Whether some response links to another operation (what Schemathesis' stateful phase follows)."""
        return any(response.get("links") for operation in self.operations for response in operation.definition.get("responses", {}).values())

    @functools.cached_property
    def _templates(self) -> list[tuple[re.Pattern, str]]:
        """Each path template as a pattern, literal paths first; a path matches its template
        with or without the template's last slash."""
        ordered = sorted(self.document.get("paths", {}), key=lambda t: t.count("{"))
        return [(re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(t.rstrip("/"))) + "/?$"), t) for t in ordered]

    @property
    def refusals(self) -> list[int] | None:
        """The statuses with which this API may refuse a request whose shape the spec allows,
        because it breaks a rule no schema can state (percentages, unknown ids, state)."""
        declared = self.document.get(CONTRACT, {}).get("refusals")
        return [int(status) for status in declared] if declared is not None else None

    @property
    def slash_optional(self) -> bool:
        """Whether the API answers its paths with and without their trailing slash alike."""
        return self.document.get(SLASH) == "optional"

    def template_of(self, path: str) -> str | None:
        """The spec's path template a request path (base path included) falls under (kept per
        path: every request asks, some several times)."""
        known = self._template_for
        if path in known:
            return known[path]
        if len(known) >= MOST_PATHS_KEPT:  # ids a client or a fuzzer makes up must not pile up
            known.clear()
        found = known[path] = self._find_template(path)
        return found

    def _find_template(self, path: str) -> str | None:
        if not (path == self.base_path or path.startswith(self.base_path + "/")):
            return None
        relative = path[len(self.base_path):] or "/"
        return next((template for pattern, template in self._templates if pattern.match(relative)), None)

    @functools.cached_property
    def _template_for(self) -> dict[str, str | None]:
        return {}

    def operation_at(self, method: str, path: str) -> Operation | None:
        """The operation a request (method, path with the base path) is for, if any."""
        return self._by_method_and_template.get((method.upper(), self.template_of(path)))

    @functools.cached_property
    def _by_method_and_template(self) -> dict[tuple[str, str], Operation]:
        return {(op.method, op.path): op for op in reversed(self.operations)}  # the first, if two were the same

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the spec defines for a request path (base path included), for `Allow`."""
        template = self.template_of(path)
        if template is None:
            return []
        item = self.document["paths"][template]
        methods = [method.upper() for method in METHODS if method in item]
        return methods + (["HEAD"] if "GET" in methods and "HEAD" not in methods else [])

    def fresh_document(self) -> dict:
        """A copy to hand to a consumer that may change it."""
        return copy.deepcopy(self.document)


_LOADED: dict[tuple, Spec] = {}


def load(path: str | Path, *, strict: bool = True) -> Spec:
    """Resolve and validate one spec file, or raise `SpecError` saying what is wrong. A file
    loaded before and not changed since is not resolved again (specs are read-only; consumers
    that change a document take `fresh_document()`). Not `strict`: status codes may be YAML
    integers (`200:`, as many published documents have them), read as strings, and operations
    may lack an operationId (the caller names them)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise SpecError(f"{path}: no such spec file")
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size, strict) if _self_contained(path) else None
    if key is not None and key in _LOADED:
        return _LOADED[key]
    spec = _resolve(path, strict)
    if key is not None:
        _LOADED[key] = spec
    return spec


def _self_contained(path: Path) -> bool:
    """Whether a spec names no other file (a split spec's parts could change unseen)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return all(target.startswith("#") for target in re.findall(r"""\$ref['"]?\s*:\s*['"]?([^'"\s,}]+)""", text))


def _resolve(path: Path, strict: bool = True) -> Spec:
    key = speccache.digest(path) + ("" if strict else "-lenient")
    document = speccache.get(key)
    if document is None:
        document = _resolved(path, strict)
        _check_operation_ids(path, document, required=strict)
        _check_links(path, document)
        check_declarations(path, document)
        speccache.put(key, document)
    return Spec(path=path, document=document)


def _resolved(path: Path, strict: bool = True) -> dict:
    """The spec resolved and validated by prance (`SpecError` saying what is wrong)."""
    try:
        parser = prance.ResolvingParser(str(path), backend="openapi-spec-validator", strict=strict)
    except prance.ValidationError as exc:
        raise SpecError(f"{path}: invalid OpenAPI document: {_first_line(exc)}") from None
    except ResolutionError as exc:
        raise SpecError(f"{path}: unresolvable $ref: {_first_line(exc)}") from None
    except ParseError as exc:
        raise SpecError(f"{path}: cannot be parsed: {_first_line(exc)}") from None
    except Exception as exc:  # prance lets some parser errors through unwrapped
        raise SpecError(f"{path}: {type(exc).__name__}: {_first_line(exc)}") from None
    return parser.specification


def load_named(file_name: str) -> Spec:
    return load(specs_dir() / file_name)


def _check_operation_ids(path: Path, document: dict, required: bool = True) -> None:
    """Each operation's operationId is its own (and, `required`, there)."""
    seen: dict[str, str] = {}
    for route, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operation_id = operation.get("operationId")
            where = f"{method.upper()} {route}"
            if not operation_id:
                if not required:
                    continue
                raise SpecError(f"{path}: {where} has no operationId")
            if operation_id in seen:
                raise SpecError(f"{path}: operationId {operation_id} is used by both {seen[operation_id]} and {where}")
            seen[operation_id] = where


def _check_links(path: Path, document: dict) -> None:
    """Each response link names an operation of the spec and only parameters it has (a link
    that cannot be followed is an error in Schemathesis' stateful phase)."""
    operations = {operation.operation_id: operation for operation in _operations(document)}
    for operation in operations.values():
        for status, response in operation.definition.get("responses", {}).items():
            for name, link in (response.get("links") or {}).items():
                target = operations.get(link.get("operationId", ""))
                where = f"{operation.label} -> [{status}] {name}"
                if target is None:
                    raise SpecError(f"{path}: {where}: no operation {link.get('operationId')!r} to link to")
                unknown = sorted(set(link.get("parameters", {})) - {p["name"] for p in target.parameters} - {f"{p['in']}.{p['name']}" for p in target.parameters})
                if unknown:
                    raise SpecError(f"{path}: {where}: {target.label} has no parameter {', '.join(unknown)}")


def _operations(document: dict) -> list[Operation]:
    found = []
    for route, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in METHODS:
                continue
            own = operation.get("parameters", [])
            names = {(p.get("name"), p.get("in")) for p in own}
            merged = own + [p for p in shared if (p.get("name"), p.get("in")) not in names]
            found.append(Operation(method.upper(), route, operation.get("operationId", ""), {**operation, "parameters": merged}))
    return found


def check_declarations(path: Path, document: dict) -> None:
    """mockexp's own extensions must say something usable."""
    if document.get(SLASH, "optional") != "optional":
        raise SpecError(f"{path}: {SLASH} can only be \"optional\"")
    refusals = document.get(CONTRACT, {}).get("refusals", [])
    if not isinstance(refusals, list) or not all(isinstance(s, int) and 400 <= s < 500 for s in refusals):
        raise SpecError(f"{path}: {CONTRACT}.refusals must be a list of 4xx statuses")
    if RATE_LIMIT in document:
        from mockexp.control.ratelimits import Limit

        try:
            Limit.all_of(document[RATE_LIMIT])
        except ValueError as exc:
            raise SpecError(f"{path}: {exc}") from None
    for operation in _operations(document):
        try:
            Pagination.of(operation.definition, strict=True)
        except DeclarationError as exc:
            raise SpecError(f"{path}: {operation.label} ({operation.operation_id}): {exc}") from None


def _first_line(exc: BaseException) -> str:
    """The gist of an error: prance's carry the whole document and meta-schema after it."""
    cause = getattr(exc.__cause__, "message", None)
    text = (cause or (exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc))).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])
