"""A stateful mock of any OpenAPI 3.0 / 3.1 document (`mockexp serve --spec FILE`).

At start-up each document becomes a `Vendor`, registered like the five built-in ones: its spec
(`document.load`: resolved, validated, made ready to serve), a model class with one method
per operationId doing what `inference` says the operation does (`model`, with envelopes and
server-made fields from `shapes`, `ids`, and list `filters`), its security schemes enforced
(`auth`), errors in its own shape (`errors`), a demo world made up from its schemas
(`fixtures`, with `values`); `explain` prints what was inferred. The core then serves it as it serves the vendors: routing and
validation, journal, faults, rate limits, snapshots, reset, world files, contract and drift.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from mockexp.specs import Spec, SpecError
from mockexp.vendor import Vendor


@dataclass(frozen=True)
class Source:
    """A `--spec` argument: a file, and where to mount it (None: its first server URL)."""

    file: Path
    base_path: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Source":
        """`FILE` or `/base=FILE`."""
        if text.startswith("/") and "=" in text:
            base, _, file = text.partition("=")
            return cls(Path(file), base.rstrip("/") or "/")
        return cls(Path(text))


def api_name(file: Path) -> str:
    """The name an API is served under (journal, reset, credentials): its file's name."""
    return re.sub(r"[^a-z0-9_-]+", "-", file.stem.lower()).strip("-") or "api"


def register(source: Source | str, name: str | None = None, credentials: Mapping[str, Sequence[str]] | None = None) -> Vendor:
    """The `Vendor` serving one document (`SpecError` naming the file and place if it cannot)."""
    from mockexp.generic import auth, document, errors, fixtures, model

    source = Source.parse(source) if isinstance(source, str) else source
    spec, inferred = document.load(source.file, source.base_path)
    name = name or api_name(spec.path)
    handlers = types.ModuleType(f"mockexp.generic.handlers[{name}]")
    handlers.authenticate = auth.authenticate
    handlers.render_error = errors.renderer(spec)
    cls = model.model_class(name, spec.document, inferred, credentials)
    made = tuple(plan.resource.name for plan in inferred.plans.values() if plan.role == "create" and plan.resource)
    return Vendor(name=name, spec=str(spec.path), model=cls, handlers=handlers, load_fixtures=fixtures.load,
                  api_made=tuple(dict.fromkeys(made)), export=fixtures.export, loader=_served(spec), refine=errors.refine)


def _served(spec: Spec):
    def load(file: str) -> Spec:
        return spec

    return load


def vendors(sources: Iterable[Source | str], alongside: Iterable[Vendor] = (), credentials: Mapping[str, Sequence[str]] | None = None) -> list[Vendor]:
    """A vendor for each document, checked against each other and the built-in vendors served
    with them: two APIs on one base path, or under one name, is a `SpecError` naming both.
    `credentials`: the values each security scheme accepts (`auth.read_given`)."""
    from mockexp import specs

    sources = list(sources)
    if not sources:
        return []
    taken: dict[str, str] = {}
    names: set[str] = set()
    for vendor in alongside:
        names.add(vendor.name)
        for file in vendor.specs:
            taken.setdefault(specs.load_named(file).base_path or "/", f"{vendor.name} ({file})")
    out = []
    for source in sources:
        vendor = register(source, credentials=credentials)
        if vendor.name in names:
            raise SpecError(f"{vendor.spec}: two APIs named {vendor.name!r}: rename the file (the API's name is its file's)")
        names.add(vendor.name)
        base = vendor.load_spec(vendor.spec).base_path or "/"
        if base in taken:
            raise SpecError(f"two APIs on the base path {base}: {taken[base]} and {vendor.name} ({vendor.spec}); mount one elsewhere with --spec /other={vendor.spec}")
        taken[base] = f"{vendor.name} ({vendor.spec})"
        out.append(vendor)
    return out


def chosen(name: str | None, spec: str | None) -> Vendor:
    """The vendor a command works with: a built-in one by name, or your own document (`spec`,
    `FILE` or `/BASE=FILE`) when no name is given; ValueError saying what is wrong."""
    from mockexp.vendors import ALL

    if name is None:
        if not spec:
            raise ValueError("name a VENDOR, or give your own document with --spec FILE")
        try:
            return register(spec)
        except SpecError as exc:
            raise ValueError(str(exc)) from None
    if name not in ALL:
        raise ValueError(f"unknown vendor {name!r}; known: {', '.join(ALL)}")
    return ALL[name]
