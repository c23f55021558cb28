"""World files: a user's own demo data, one file per vendor (`<vendor>.yaml`, `.yml` or
`.json` in a directory), each a list of API calls that the mock makes through its own API
when it loads the world, so every object meets exactly the rules of the API:

    vendor: giosg                          # optional: the file's name says it
    credential: giosg-demo-admin-token     # optional: the default for every request
    requests:
      - operationId: createExperiment
        as: checkout                       # optional: later requests use ${checkout.id}
        path: {organization_id: ...}       # optional: the credential's own ids fill the rest
        query: {}
        body: {name: Checkout, ...}
      - operationId: updateExperiment
        path: {experiment_id: "${checkout.id}"}
        body: {is_draft: false}

This module reads and checks the files' shape; `replay` makes the calls."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

SUFFIXES = (".yaml", ".yml", ".json")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
FILE_KEYS = {"vendor", "credential", "requests"}
REQUEST_KEYS = {"operationId", "as", "credential", "path", "query", "body"}


class WorldFileError(Exception):
    """A world file that cannot be loaded: which file, which request, and the rule."""

    def __init__(self, file: Path | str, rule: str, where: str | None = None, index: int | None = None) -> None:
        self.file, self.where, self.rule, self.index = str(file), where, rule, index
        super().__init__(f"{self.file}: {where}: {rule}" if where else f"{self.file}: {rule}")


@dataclass(frozen=True)
class Request:
    index: int
    operation_id: str
    name: str | None = None
    credential: str | None = None
    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False

    @property
    def label(self) -> str:
        named = f", as {self.name}" if self.name else ""
        return f"requests[{self.index}] ({self.operation_id}{named})"


@dataclass(frozen=True)
class WorldFile:
    vendor: str
    path: Path
    digest: str
    requests: tuple[Request, ...]
    credential: str | None = None


def read_directory(directory: Path, vendors: Iterable[str]) -> dict[str, WorldFile]:
    """Every world file in `directory`, by vendor; `vendors` are the ones being served."""
    served = list(vendors)
    if not directory.is_dir():
        raise WorldFileError(directory, "not a directory (--fixtures takes a directory of <vendor>.yaml or .json files)")
    files = sorted(path for path in directory.iterdir() if path.suffix in SUFFIXES and path.is_file())
    if not files:
        raise WorldFileError(directory, f"holds no world file (<vendor>.yaml, .yml or .json; vendors: {', '.join(served)})")
    worlds: dict[str, WorldFile] = {}
    for path in files:
        world = read_file(path, served)
        if world.vendor in worlds:
            raise WorldFileError(path, f"a second file for {world.vendor} (the first is {worlds[world.vendor].path.name})")
        worlds[world.vendor] = world
    return worlds


def read_file(path: Path, served: list[str]) -> WorldFile:
    raw = path.read_bytes()
    try:
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise WorldFileError(path, f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise WorldFileError(path, "must be a mapping with `requests` (a list of API calls)")
    vendor = _vendor(path, data, served)
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        raise WorldFileError(path, f"unknown key {', '.join(map(str, unknown))} (a world file has {', '.join(sorted(FILE_KEYS))})")
    requests = data.get("requests")
    if not isinstance(requests, list):
        raise WorldFileError(path, "`requests` must be a list of API calls")
    parsed = tuple(_request(path, index, entry) for index, entry in enumerate(requests))
    _unique_names(path, parsed)
    return WorldFile(vendor, path, hashlib.sha256(raw).hexdigest(), parsed, _text(path, None, "credential", data.get("credential")))


def _vendor(path: Path, data: Mapping[str, Any], served: list[str]) -> str:
    vendor = data.get("vendor", path.stem)
    if vendor != path.stem:
        raise WorldFileError(path, f"says vendor {vendor!r} but is named for {path.stem!r}: name it {vendor}{path.suffix}")
    if vendor not in served:
        raise WorldFileError(path, f"{vendor!r} is not a vendor this mock serves ({', '.join(served)})")
    return vendor


def _request(path: Path, index: int, entry: Any) -> Request:
    where = f"requests[{index}]"
    if not isinstance(entry, dict):
        raise WorldFileError(path, "must be a mapping with operationId", where)
    unknown = sorted(set(entry) - REQUEST_KEYS)
    if unknown:
        raise WorldFileError(path, f"unknown key {', '.join(map(str, unknown))} (a request has {', '.join(sorted(REQUEST_KEYS))})", where)
    operation_id = _text(path, where, "operationId", entry.get("operationId"))
    if operation_id is None:
        raise WorldFileError(path, "operationId is required (the spec's name of the operation to call)", where)
    name = _text(path, where, "as", entry.get("as"))
    if name is not None and not NAME.match(name):
        raise WorldFileError(path, f"`as` must be a name of letters, digits, _ and -, not {name!r}", where)
    for key in ("path", "query"):
        if not isinstance(entry.get(key, {}), dict):
            raise WorldFileError(path, f"`{key}` must be a mapping of parameter names to values", where)
    return Request(index, operation_id, name, _text(path, where, "credential", entry.get("credential")), entry.get("path") or {},
                   entry.get("query") or {}, entry.get("body"), "body" in entry)


def _text(path: Path, where: str | None, key: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise WorldFileError(path, f"`{key}` must be a string", where)
    return value


def _unique_names(path: Path, requests: tuple[Request, ...]) -> None:
    seen: dict[str, Request] = {}
    for request in requests:
        if request.name in seen:
            raise WorldFileError(path, f"`as: {request.name}` is already the name of {seen[request.name].label}", request.label)
        if request.name:
            seen[request.name] = request
