"""The spec pipeline: read a vendor's OpenAPI file, resolve its `$ref`s (also across files)
with prance, and validate the result once. Everything downstream (Connexion's routing and
validation, Schemathesis, Swagger UI) works from the resolved document.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import prance
from prance.util.formats import ParseError
from prance.util.url import ResolutionError

from mockexp.resources import specs_dir

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """A spec that cannot be used; the message names the file and the problem."""


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

    @property
    def base_path(self) -> str:
        """The path part of the first server URL: where the API lives on a host."""
        servers = self.document.get("servers") or [{"url": "/"}]
        return urlparse(servers[0]["url"]).path.rstrip("/")

    @property
    def operations(self) -> list[tuple[str, str, str]]:
        """(METHOD, path, operationId) of every operation."""
        return [
            (method.upper(), path, operation.get("operationId", ""))
            for path, item in self.document.get("paths", {}).items()
            for method, operation in item.items()
            if method in METHODS
        ]

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the spec defines for a request path (base path included), for `Allow`."""
        if not path.startswith(self.base_path):
            return []
        relative = path[len(self.base_path):] or "/"
        for template, item in self.document.get("paths", {}).items():
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "/?$"
            if re.match(pattern, relative):
                methods = [method.upper() for method in METHODS if method in item]
                return methods + (["HEAD"] if "GET" in methods and "HEAD" not in methods else [])
        return []

    def fresh_document(self) -> dict:
        """A copy to hand to a consumer that may change it."""
        return copy.deepcopy(self.document)


def load(path: str | Path) -> Spec:
    """Resolve and validate one spec file, or raise `SpecError` saying what is wrong."""
    path = Path(path).resolve()
    if not path.is_file():
        raise SpecError(f"{path}: no such spec file")
    try:
        parser = prance.ResolvingParser(str(path), backend="openapi-spec-validator", strict=True)
    except prance.ValidationError as exc:
        raise SpecError(f"{path}: invalid OpenAPI document: {_first_line(exc)}") from None
    except ResolutionError as exc:
        raise SpecError(f"{path}: unresolvable $ref: {_first_line(exc)}") from None
    except ParseError as exc:
        raise SpecError(f"{path}: cannot be parsed: {_first_line(exc)}") from None
    except Exception as exc:  # prance lets some parser errors through unwrapped
        raise SpecError(f"{path}: {type(exc).__name__}: {_first_line(exc)}") from None
    document = parser.specification
    _check_operation_ids(path, document)
    return Spec(path=path, document=document)


def load_named(file_name: str) -> Spec:
    return load(specs_dir() / file_name)


def _check_operation_ids(path: Path, document: dict) -> None:
    seen: dict[str, str] = {}
    for route, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operation_id = operation.get("operationId")
            where = f"{method.upper()} {route}"
            if not operation_id:
                raise SpecError(f"{path}: {where} has no operationId")
            if operation_id in seen:
                raise SpecError(f"{path}: operationId {operation_id} is used by both {seen[operation_id]} and {where}")
            seen[operation_id] = where


def _first_line(exc: BaseException) -> str:
    """The gist of an error: prance's carry the whole document and meta-schema after it."""
    cause = getattr(exc.__cause__, "message", None)
    text = (cause or (exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc))).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])
