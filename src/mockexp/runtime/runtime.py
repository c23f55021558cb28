"""One running mock, `Runtime`: its services (the store, the clock, the request journal, faults,
snapshots, rate limits and the vendors' models) and what it is made of, one job per module:

* `apis.py`: the specs it serves, checked against the models, and routing by base path;
* `demo_data.py`: demo worlds and world files, loaded at start-up and on a reset;
* `saved_clock.py`: the clock kept in the store from one start to the next;
* `rendering.py`: errors in the shape of the API called;
* `asgi.py`: the ASGI app (`build_app`), built from a runtime; it hands the runtime the API
  world files replay through (built on its own, by `api_app`, when a world file is loaded
  before any app is).
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from starlette.responses import Response
from starlette.types import ASGIApp

from mockexp.clock import Clock
from mockexp.control.faults import Faults
from mockexp.control.journal import Journal
from mockexp.control.ratelimits import RateLimits, declared_limits
from mockexp.control.snapshots import Snapshots
from mockexp.errors import DomainError
from mockexp.runtime import rendering
from mockexp.runtime.apis import ServedApis
from mockexp.runtime.asgi import api_app
from mockexp.runtime.demo_data import DemoData
from mockexp.runtime.saved_clock import restore_clock, save_clock
from mockexp.specs import Spec
from mockexp.store import Store
from mockexp.vendor import Credential, Vendor
from mockexp.worlds.files import WorldFile


class Runtime:
    """One running mock: its store, its clock, and the vendors it serves with their models
    and (resolved, validated) specs. Building it checks that every vendor can serve its spec
    (`binding.RegistrationError` otherwise)."""

    def __init__(self, store: Store, clock: Clock, vendors: Iterable[Vendor], *, journal_size: int = 1000,
                 latency_ms: tuple[float, float] | None = None, rate_limits: bool = False,
                 worlds: Mapping[str, WorldFile] | None = None, merge_worlds: bool = False,
                 world_api: Callable[["Runtime"], ASGIApp] = api_app) -> None:
        """`worlds`: a user's own demo data (world files) for some vendors, loaded on top of
        the generated demo world (`merge_worlds`) or in place of the objects its API makes.
        `world_api`: builds the API world files replay through, when none was handed over yet."""
        self.store = store
        self.clock = clock
        self.journal = Journal(journal_size)
        self.faults = Faults(latency_ms)
        self.snapshots = Snapshots(store)
        self.vendors = {vendor.name: vendor for vendor in vendors}
        self.apis = ServedApis(self.vendors)
        self.specs, self.more_specs, self.routes, self.admin_spec = self.apis.specs, self.apis.more_specs, self.apis.routes, self.apis.admin_spec
        self.models = {name: vendor.model(store.vendor(name), clock) for name, vendor in self.vendors.items()}
        self.rate_limits = RateLimits(clock, declared_limits(self.specs))
        restore_clock(store, clock)
        if rate_limits:
            self.rate_limits.switch(list(self.rate_limits.declared), True)
        self.inner_app: ASGIApp | None = None  # the API below the control plane, handed over by build_app, for world files
        self._world_api = world_api
        self.demo = DemoData(store, self.apis, self.models, worlds, merge_worlds)

    # -- the APIs served (apis.py) -------------------------------------------------------------

    def base_path(self, vendor: str) -> str:
        return self.apis.base_path(vendor)

    def slash_optional(self, path: str) -> bool:
        return self.apis.slash_optional(path)

    def mounted(self) -> list[tuple[str, Spec]]:
        return self.apis.mounted()

    def spec_at(self, path: str) -> tuple[Vendor, Spec] | None:
        return self.apis.spec_at(path)

    def vendor_at(self, path: str) -> Vendor | None:
        return self.apis.vendor_at(path)

    # -- demo data (demo_data.py) -------------------------------------------------------------

    def seed(self) -> list[str]:
        """Load the demo data of every vendor this store has never held, or held from another
        source (a world file that changed, or none where there is one now)."""
        return self.demo.seed(self._api)

    def reset(self, names: Iterable[str] | None = None) -> list[str]:
        """These vendors (default: every one) back to their demo data; the others untouched."""
        return self.demo.reset(names, self._api)

    def check_vendors(self, names: Iterable[str] | None) -> None:
        self.demo.check_vendors(names)

    @property
    def worlds(self) -> dict[str, WorldFile]:
        return self.demo.worlds

    @worlds.setter
    def worlds(self, worlds: dict[str, WorldFile]) -> None:
        self.demo.worlds = worlds

    @property
    def merge_worlds(self) -> bool:
        return self.demo.merge

    @merge_worlds.setter
    def merge_worlds(self, merge: bool) -> None:
        self.demo.merge = merge

    def _api(self) -> ASGIApp:
        if self.inner_app is None:
            self.inner_app = self._world_api(self)
        return self.inner_app

    # -- the clock (saved_clock.py) -----------------------------------------------------------

    def save_clock(self) -> None:
        """Keep the clock's state (frozen, or moved ahead) for the next start."""
        save_clock(self.store, self.clock)

    # -- credentials and errors ---------------------------------------------------------------

    def credentials(self) -> list[Credential]:
        return [credential for model in self.models.values() for credential in model.credentials()]

    def render_error(self, path: str, method: str, exc: BaseException) -> Response:
        return rendering.render_error(self.apis, path, method, exc)

    def render_raw(self, path: str, method: str, error: DomainError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """An error as status, headers and body, for the server to send on its own."""
        return rendering.render_raw(self.apis, path, method, error)
