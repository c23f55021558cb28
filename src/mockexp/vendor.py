"""What a vendor gives the core, and what the core checks of it.

Every vendor package (`mockexp.vendors.<name>`) has the same files and exports one `VENDOR`:

* `models.py` (or a `models/` package, one module per resource) — the `model` class, built
  from (tables, clock): the vendor's rules as plain Python. It has one method per operationId
  of the spec (snake_case: `listExperiments` -> `list_experiments`), taking the operation's
  path and query parameters by name (snake_case, so `projectKey` -> `project_key`), `body`
  for the request body, and `caller` for the id of the user the credential acts as. A list
  operation returns a `paging.Listing`; the core pages it as the spec declares. It also
  offers `credentials()`, the demo credentials (`Credential`s).
* `handlers.py` — the vendor's HTTP face: `authenticate(model, scheme, credential, request,
  operation)` (`operation`: the spec's `Operation` the request is for, with its declarations)
  returns the caller's id or raises `Unauthorized` / `Forbidden`; `render_error(error)` turns
  a `DomainError` into the vendor's error body and headers. An operation that needs HTTP
  details the spec cannot state may have a handler here, `async def <operation>(model, ...)`,
  which then wins over the model's method.
* `fixtures.py` — `load(model)`, which fills the vendor's empty tables with its demo world.

The core does the rest: the success status comes from the spec (the one 2xx it documents),
paging from the spec's `x-mockexp-pagination`, storage is scoped per vendor and tenant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any, Callable, Mapping, Protocol

from mockexp.clock import Clock
from mockexp.store import Tables


@dataclass(frozen=True)
class Credential:
    """A demo credential: the header to send, who it acts as and what it may do.

    `tenant` holds the ids it works in, keyed by the spec's path parameter names (so a
    contract run can fill them in); `permissions` is empty when it may do nothing at all.
    `can_write` means it may make every change the vendor's API offers in its tenant; one
    that may make only some (a key with some write scopes) says which in `permissions`.
    """

    vendor: str
    header: str
    value: str
    user: str
    role: str
    permissions: tuple[str, ...]
    can_write: bool
    tenant: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    spec: str | None = None  # the file of the vendor's other spec it is for (an SDK key's), None for its main API

    @property
    def can_read(self) -> bool:
        return bool(self.permissions)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["permissions"] = list(self.permissions)
        data["tenant"] = dict(self.tenant)
        return data


class VendorModel(Protocol):
    """What the core needs of every vendor's model (beyond one method per operationId)."""

    def __init__(self, tables: Tables, clock: Clock) -> None: ...

    def credentials(self) -> list[Credential]: ...


@dataclass(frozen=True)
class Vendor:
    name: str
    spec: str
    model: Callable[[Tables, Clock], VendorModel]
    handlers: ModuleType
    load_fixtures: Callable[[Any], None]
    more_specs: tuple[str, ...] = ()  # specs of the vendor's other APIs at their own base paths (GrowthBook's SDK endpoint), served by the same model
    # the tables the vendor's API makes: what a world file replaces (`serve --fixtures`); the
    # rest (accounts, keys, what the API only reads) stays as the demo world has it
    api_made: tuple[str, ...] = ()
    # the current state as world-file requests (`mockexp export`): export(model) -> list of dicts
    export: Callable[[Any], list[dict]] | None = None

    @property
    def specs(self) -> tuple[str, ...]:
        return (self.spec, *self.more_specs)

    @property
    def authenticate(self) -> Callable[..., str] | None:
        return getattr(self.handlers, "authenticate", None)

    @property
    def render_error(self) -> Callable[..., tuple[dict, dict]] | None:
        return getattr(self.handlers, "render_error", None)
