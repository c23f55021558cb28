"""What a vendor gives the core: its registration.

Every vendor package (`mockexp.vendors.<name>`) has the same files and exports one `VENDOR`:

* `models.py`   a class built from (store, clock) holding the vendor's rules; it offers
                `credentials()`: the demo credentials, for the admin API, the banner and
                `mockexp contract --auth-from-mock`. Each is a dict: vendor, header, value,
                user, role, permissions (empty if the credential can do nothing; a
                permission naming "write" lets it write), tenant (ids keyed by the spec's
                path parameter names, plus readable names) and note;
* `handlers.py` one async function per operationId (snake_case), taking the model first;
                `authenticate(model, scheme, credential, request)` (the security check,
                returning the caller) and `render_error(error)` (a `DomainError` as the
                vendor's body and headers);
* `fixtures.py` `load(model)`, which fills an empty store with the vendor's demo world.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from mockexp.clock import Clock
from mockexp.store import Store


@dataclass(frozen=True)
class Vendor:
    name: str
    spec: str
    model: Callable[[Store, Clock], Any]
    handlers: ModuleType
    load_fixtures: Callable[[Any], None]

    @property
    def table_prefix(self) -> str:
        return f"{self.name}."
