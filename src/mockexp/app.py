"""Builds the one ASGI app: every vendor's spec mounted at its real base path, plus the
admin API, with every error leaving in the shape of the API that was called."""

from __future__ import annotations

import functools
import json
import logging
from typing import Iterable, Mapping

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockexp import admin, binding, fastpath, specs
from mockexp.auth import RUNTIME, SECURITY_MAP, wire_security
from mockexp.bodies import PlainBodies
from mockexp.clock import Clock
from mockexp.control.faults import Faults
from mockexp.control.index import index
from mockexp.control.journal import Journal
from mockexp.control.middleware import ControlPlane
from mockexp.control.ratelimits import RateLimits, declared_limits
from mockexp.control.snapshots import Snapshots
from mockexp.errors import DomainError, Invalid, MethodNotAllowed, from_exception
from mockexp.guard import Guard, Policy
from mockexp.query_lists import MergingURIParser
from mockexp.slashes import OptionalSlash
from mockexp.store import Store
from mockexp.validation import VALIDATOR_MAP
from mockexp.vendor import Credential, Vendor
from mockexp.worlds.files import WorldFile
from mockexp.worlds.replay import Replay

MAX_BODY_BYTES = 1 << 20
META = "mockexp.meta"


class _OneBodySchema(logging.Filter):
    """Connexion warns, on every request, that an operation accepting two media types
    validates against the first one's schema: by design here (LaunchDarkly's semantic patch
    comes as plain JSON and as `domain-model=launchdarkly.semanticpatch`, with one schema)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "accepts multiple content types" not in record.getMessage()


logging.getLogger("connexion.operations.openapi3").addFilter(_OneBodySchema())


class Runtime:
    """One running mock: its store, its clock, and the vendors it serves with their models
    and (resolved, validated) specs. Building it checks that every vendor can serve its spec
    (`binding.RegistrationError` otherwise)."""

    def __init__(self, store: Store, clock: Clock, vendors: Iterable[Vendor], *, journal_size: int = 1000,
                 latency_ms: tuple[float, float] | None = None, rate_limits: bool = False,
                 worlds: Mapping[str, WorldFile] | None = None, merge_worlds: bool = False) -> None:
        """`worlds`: a user's own demo data (world files) for some vendors, loaded on top of
        the generated demo world (`merge_worlds`) or in place of the objects its API makes."""
        self.store = store
        self.clock = clock
        self.journal = Journal(journal_size)
        self.faults = Faults(latency_ms)
        self.snapshots = Snapshots(store)
        self.vendors = {vendor.name: vendor for vendor in vendors}
        self.specs = {name: specs.load_named(vendor.spec) for name, vendor in self.vendors.items()}
        self.more_specs = {name: [specs.load_named(file) for file in vendor.more_specs] for name, vendor in self.vendors.items()}
        for name, vendor in self.vendors.items():
            for spec in [self.specs[name], *self.more_specs[name]]:
                binding.check(vendor, spec)
        self.models = {name: vendor.model(store.vendor(name), clock) for name, vendor in self.vendors.items()}
        self.admin_spec = specs.load_named(admin.SPEC)
        self.rate_limits = RateLimits(clock, declared_limits(self.specs))
        saved_clock = store.get(META, "clock")
        if saved_clock is not None:
            clock.restore(saved_clock)
        if rate_limits:
            self.rate_limits.switch(list(self.rate_limits.declared), True)
        self.worlds = dict(worlds or {})
        self.merge_worlds = merge_worlds
        self.inner_app: ASGIApp | None = None  # the API below the control plane, for world files
        for world in self.worlds.values():
            self._replay(world).check()

    def base_path(self, vendor: str) -> str:
        return self.specs[vendor].base_path

    def slash_optional(self, path: str) -> bool:
        """Whether `path` (without a trailing slash) is one of a vendor's paths that end in a
        slash, for a vendor that answers them either way."""
        found = self.spec_at(path)
        if found is None or not found[1].slash_optional:
            return False
        template = found[1].template_of(path)
        return template is not None and template.endswith("/")

    def mounted(self) -> list[tuple[str, specs.Spec]]:
        """Every vendor API served: (vendor name, spec), a vendor's main spec first."""
        return [(name, spec) for name in self.vendors for spec in [self.specs[name], *self.more_specs[name]]]

    def spec_at(self, path: str) -> tuple[Vendor, specs.Spec] | None:
        """The vendor and spec a request path belongs to (the longest matching base path)."""
        for base, found in self._by_base_path:
            if path.startswith(base) and (len(path) == len(base) or path[len(base)] == "/"):
                return found
        return None

    @functools.cached_property
    def _by_base_path(self) -> list[tuple[str, tuple[Vendor, specs.Spec]]]:
        """Every mounted spec by its base path, longest first (worked out once: asked per request)."""
        mounted = [(spec.base_path, (self.vendors[name], spec)) for name, spec in self.mounted()]
        return sorted(mounted, key=lambda entry: len(entry[0]), reverse=True)

    def vendor_at(self, path: str) -> Vendor | None:
        """The vendor whose API a request path belongs to."""
        found = self.spec_at(path)
        return found[0] if found else None

    def seed(self) -> list[str]:
        """Load the demo data of every vendor this store has never held, or held from another
        source (a world file that changed, or none where there is one now)."""
        seeded, sources = self._seeded(), self._sources()
        fresh = [name for name in self.vendors if name not in seeded or sources.get(name) != self._source(name)]
        if fresh:
            self._load(fresh, sorted(set(seeded) | set(fresh)))
        return fresh

    def reset(self, names: Iterable[str] | None = None) -> list[str]:
        """These vendors (default: every one) back to their demo data; the others untouched."""
        names = list(self.vendors) if names is None else list(dict.fromkeys(names))
        self.check_vendors(names)
        self._load(names, sorted(set(self._seeded()) | set(names)))
        return names

    def check_vendors(self, names: Iterable[str] | None) -> None:
        unknown = [name for name in names or () if name not in self.vendors]
        if unknown:
            raise Invalid.field("vendors", f"Unknown vendor {', '.join(unknown)}; this mock serves {', '.join(self.vendors)}.")

    def save_clock(self) -> None:
        """Keep the clock's state (frozen, or moved ahead) for the next start."""
        self.store.replace(META, "clock", self.clock.saved())

    def _seeded(self) -> list[str]:
        return (self.store.get(META, "seeded") or {"vendors": []})["vendors"]

    def _sources(self) -> dict[str, str]:
        return (self.store.get(META, "seeded") or {}).get("sources", {})

    def _source(self, name: str) -> str | None:
        """Where a vendor's demo data comes from: None for the generated world, else the world
        file's digest and mode."""
        world = self.worlds.get(name)
        return None if world is None else f"{world.digest}:{'merge' if self.merge_worlds else 'replace'}"

    def _load(self, names: list[str], seeded: list[str]) -> None:
        """The generated demo world of each vendor, then its world file's requests (if any):
        those run through the API, outside this transaction; if one is refused, the vendor's
        data is put back as it was and the error raised."""
        before = {name: self.store.vendor(name).dump() for name in names if name in self.worlds}
        with self.store.transaction():
            for name in names:
                self.store.vendor(name).drop_all()
                self.vendors[name].load_fixtures(self.models[name])
                if name in self.worlds and not self.merge_worlds:
                    self.store.vendor(name).drop_everywhere(self.vendors[name].api_made)
        try:
            for name in before:
                self._replay(self.worlds[name]).run(self._inner_app())
        except BaseException:
            with self.store.transaction():
                for name, tables in before.items():
                    self.store.vendor(name).restore(tables)
            raise
        sources = {**self._sources(), **{name: self._source(name) for name in names}}
        self.store.replace(META, "seeded", {"vendors": seeded, "sources": {name: source for name, source in sources.items() if source}})

    def _replay(self, world: WorldFile) -> Replay:
        model = self.models[world.vendor]
        return Replay(world, [self.specs[world.vendor], *self.more_specs[world.vendor]], model.credentials())

    def _inner_app(self) -> ASGIApp:
        if self.inner_app is None:
            build_app(self)
        assert self.inner_app is not None
        return self.inner_app

    def credentials(self) -> list[Credential]:
        return [credential for model in self.models.values() for credential in model.credentials()]

    def render_error(self, path: str, method: str, exc: BaseException) -> Response:
        error = from_exception(exc)
        vendor = self.vendor_at(path)
        if isinstance(error, MethodNotAllowed) and not (exc is error and "Allow" in error.headers):
            # the router's 405s, and a model's refusal of a method its spec has (not in Allow then)
            spec = self.spec_at(path)[1] if vendor else self.admin_spec
            allowed = [name for name in spec.allowed_methods(path) if exc is not error or name != method]
            message = error.message if exc is error and error.message != MethodNotAllowed.default_message else f'Method "{method}" not allowed.'
            error = MethodNotAllowed(message, headers={"Allow": ", ".join(allowed)})
        body, headers = (vendor.render_error if vendor else admin.render_error)(error)
        return Response(json.dumps(body), status_code=error.status, headers=headers, media_type="application/json")

    def render_raw(self, path: str, method: str, error: DomainError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """An error as status, headers and body, for the server to send on its own."""
        response = self.render_error(path, method, error)
        return response.status_code, list(response.raw_headers), bytes(response.body)


def build_app(runtime: Runtime, *, max_body_bytes: int = MAX_BODY_BYTES, policy: Policy = Policy()) -> ASGIApp:
    app = AsyncApp(__name__, strict_validation=True, validator_map=VALIDATOR_MAP, security_map=SECURITY_MAP, uri_parser_class=MergingURIParser,
                   jsonifier=fastpath.JSONIFIER, middlewares=list(fastpath.MIDDLEWARES))
    fastpath.install(app)
    ui = SwaggerUIOptions(swagger_ui=True, swagger_ui_path="/ui")
    mounts = [(name if spec is runtime.specs[name] else spec.name, spec, binding.bind(runtime.vendors[name], spec, runtime.models[name])) for name, spec in runtime.mounted()]
    mounts.append(("admin", runtime.admin_spec, admin.bind(runtime)))
    # Most specific base path first: a vendor at /api must not swallow one at /api/v2.
    for name, spec, functions in sorted(mounts, key=lambda mount: len(mount[1].base_path), reverse=True):
        app.add_api(
            fastpath.validated(wire_security(spec.document)),
            name=name,
            base_path=spec.base_path,
            resolver=Resolver(functions.__getitem__),
            swagger_ui_options=ui,
        )

    async def render(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        response = runtime.render_error(request.url.path, request.method, exc)
        return ConnexionResponse(status_code=response.status_code, body=response.body, mimetype="application/json", headers=dict(response.headers))

    for kind in (Exception, ProblemException, HTTPException, DomainError):
        app.add_error_handler(kind, render)

    async def reject(scope: Scope, receive: Receive, send: Send, error: DomainError) -> None:
        await runtime.render_error(scope["path"], scope["method"], error)(scope, receive, send)

    def admin_allows(method: str, path: str) -> bool:
        return method in runtime.admin_spec.allowed_methods(path) or method in ("HEAD", "OPTIONS")

    plain = PlainBodies(app, limit=max_body_bytes, reject=reject)
    runtime.inner_app = _WithRuntime(plain, runtime)
    guarded = Guard(plain, policy, runtime.admin_spec.base_path, reject, admin_allows)
    served: ASGIApp = ControlPlane(OptionalSlash(guarded, runtime.slash_optional), runtime)
    if policy.cors_origins:
        served = CORSMiddleware(served, allow_origins=list(policy.cors_origins), allow_methods=["*"], allow_headers=["*"],
                                expose_headers=["*"], max_age=600)
    return _WithRuntime(served, runtime)


class _WithRuntime:
    """Lets the security hooks find the runtime (it travels in the ASGI scope), and answers
    `GET /` with what the mock serves."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RUNTIME] = self.runtime
        if scope["type"] == "http" and scope["path"] == "/" and scope["method"] in ("GET", "HEAD"):
            await index(self.runtime, scope, receive, send)
            return
        await self.app(scope, receive, send)
