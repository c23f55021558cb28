"""`mockexp export`: a vendor's current state as a world file (the API calls that make it
again), from each vendor's `export(model)`; and the little builders those use."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Callable, Hashable, Iterable, Mapping, TypeVar

import yaml

from mockexp.errors import DomainError, Invalid, NotFound


def world_of(runtime, name: str) -> dict:
    vendor = runtime.vendors.get(name)
    if vendor is None:
        raise NotFound(f"This mock serves no vendor {name!r}; it serves {', '.join(runtime.vendors)}.")
    if vendor.export is None:
        raise Invalid.field("vendor", f"{name} cannot write its state as a world file yet (its package gives no export).")
    return {"vendor": name, "requests": vendor.export(runtime.models[name])}


def call(operation_id: str, body: Any = None, *, path: Mapping[str, Any] | None = None, query: Mapping[str, Any] | None = None,
         name: str | None = None, credential: str | None = None) -> dict:
    """One request of a world file (empty parts left out)."""
    request: dict[str, Any] = {"operationId": operation_id}
    if name:
        request["as"] = name
    if credential:
        request["credential"] = credential
    if path:
        request["path"] = dict(path)
    if query:
        request["query"] = dict(query)
    if body is not None:
        request["body"] = body
    return request


def ref(name: str, *fields: str) -> str:
    """A reference to a field of an earlier answer: `${name.field...}`."""
    return "${" + ".".join((name, *fields)) + "}"


def only(source: Mapping[str, Any], keys: Iterable[str]) -> dict:
    """The keys of `source` that are there (a create body from a stored object)."""
    return {key: source[key] for key in keys if key in source}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict:
    """The keys of `after` whose values `before` does not have (an update's body)."""
    return {key: value for key, value in after.items() if key not in before or before[key] != value}


Item = TypeVar("Item")


def parents_first(items: Iterable[Item], key: Callable[[Item], Hashable], parents: Callable[[Item], Iterable[Hashable]]) -> list[Item]:
    """`items` in their order, except that each comes after the items it names as parents
    (an environment's parent, a feature's prerequisites), so a create never names one not
    yet made. Parents not among `items` are left alone; a cycle is broken where it closes."""
    by_key = {key(item): item for item in items}
    done: set = set()
    ordered: list[Item] = []

    def visit(item: Item, path: set) -> None:
        name = key(item)
        if name in done or name in path:
            return
        path.add(name)
        for parent in parents(item):
            if parent in by_key:
                visit(by_key[parent], path)
        done.add(name)
        ordered.append(item)

    for item in by_key.values():
        visit(item, set())
    return ordered


def key_of(credential) -> str:
    """A credential as a world file names it: its key without the header's scheme."""
    return credential.value.split(" ", 1)[-1]


def first_writer(credentials: Iterable, may: Callable[[Any], object]) -> Any | None:
    """The first credential that can write and that `may(credential)` lets act where the
    requests go (it raises the API's refusal, a `DomainError`, where it does not); None if
    no credential can."""
    for credential in credentials:
        if not credential.can_write:
            continue
        try:
            may(credential)
        except DomainError:
            continue
        return credential
    return None


class Names:
    """`as` names for a world file's requests: readable (made from a key or a name), valid
    (letters, digits, _ and -, not starting with a digit or -) and each given once (`-2`,
    `-3`... after a name already given)."""

    def __init__(self) -> None:
        self.given: set[str] = set()

    def __call__(self, *parts: Any) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(str(part) for part in parts)).strip("-") or "request"
        if not re.match(r"[A-Za-z_]", base):
            base = f"_{base}"
        name, number = base, 2
        while name in self.given:
            name, number = f"{base}-{number}", number + 1
        self.given.add(name)
        return name


def write(world: Mapping[str, Any], fmt: str, out=sys.stdout) -> None:
    if fmt == "json":
        json.dump(world, out, indent=2)
        out.write("\n")
    else:
        out.write(f"# mockexp world file for {world['vendor']}: load it with `mockexp serve --fixtures DIR` (this file as DIR/{world['vendor']}.yaml)\n")
        yaml.safe_dump(dict(world), out, sort_keys=False, allow_unicode=True, width=120)
