"""The ASGI app of a runtime: every vendor's spec mounted at its real base path, plus the admin
API, in Connexion, behind the body limit, the guard, the control plane and CORS, with every
error leaving in the shape of the API that was called. It reads the runtime it is given and
hands the runtime the API it serves (world files replay through it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mockexp import admin, binding, fastpath
from mockexp.auth import RUNTIME, SECURITY_MAP, wire_security
from mockexp.bodies import PlainBodies
from mockexp.control.about import BasePaths
from mockexp.control.index import index
from mockexp.control.middleware import ControlPlane
from mockexp.errors import DomainError
from mockexp.guard import Guard, Policy
from mockexp.kept_reads import KeptReads
from mockexp.query_lists import MergingURIParser
from mockexp.repeats import Repeats
from mockexp.routing import Mounted, Routes
from mockexp.slashes import OptionalSlash
from mockexp.validation import VALIDATOR_MAP

if TYPE_CHECKING:
    from mockexp.runtime.runtime import Runtime

MAX_BODY_BYTES = 1 << 20

Reject = Callable[[Scope, Receive, Send, DomainError], Awaitable[None]]  # sends the error response for a request


def build_app(runtime: Runtime, *, max_body_bytes: int = MAX_BODY_BYTES, policy: Policy = Policy()) -> ASGIApp:
    """The app `mockexp serve` serves; the runtime is handed its API below the control plane."""
    reject = _rejecter(runtime)
    plain = _plain_app(runtime, max_body_bytes, reject)
    runtime.inner_app = _WithRuntime(plain, runtime)

    def admin_allows(method: str, path: str) -> bool:
        return method in runtime.admin_spec.allowed_methods(path) or method in ("HEAD", "OPTIONS")

    guarded = Guard(BasePaths(plain, runtime), policy, runtime.admin_spec.base_path, reject, admin_allows)
    slashes = any(spec.slash_optional for _, spec in runtime.mounted())  # the layer only where an API takes paths either way
    served: ASGIApp = ControlPlane(OptionalSlash(guarded, runtime.slash_optional) if slashes else guarded, runtime)
    if policy.cors_origins:
        served = CORSMiddleware(served, allow_origins=list(policy.cors_origins), allow_methods=["*"], allow_headers=["*"],
                                expose_headers=["*"], max_age=600)
    return _WithRuntime(served, runtime)


def api_app(runtime: Runtime, *, max_body_bytes: int = MAX_BODY_BYTES) -> ASGIApp:
    """The API alone, below the control plane (no guard, journal, faults or rate limits): what
    world files replay through."""
    return _WithRuntime(_plain_app(runtime, max_body_bytes, _rejecter(runtime)), runtime)


def _connexion_app(runtime: Runtime) -> AsyncApp:
    app = fastpath.MockApp(__name__, strict_validation=True, validator_map=VALIDATOR_MAP, security_map=SECURITY_MAP, uri_parser_class=MergingURIParser)
    ui = SwaggerUIOptions(swagger_ui=True, swagger_ui_path="/ui")
    kept = {name: KeptReads(runtime.store, name, runtime.clock) for name in runtime.vendors}
    mounts = [Mounted(runtime.vendors[name], spec, binding.bind(runtime.vendors[name], spec, runtime.models[name], kept[name])) for name, spec in runtime.mounted()]
    mounts.append(Mounted("admin", runtime.admin_spec, admin.bind(runtime)))
    # Most specific base path first (`Routes`): a vendor at /api must not swallow one at /api/v2.
    for api in Routes(mounts).apis:
        app.add_api(
            wire_security(api.document),
            name=api.name,
            base_path=api.base_path,
            resolver=Resolver(api.functions().__getitem__),
            swagger_ui_options=ui,
        )

    async def render(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        response = runtime.render_error(request.url.path, request.method, exc)
        return ConnexionResponse(status_code=response.status_code, body=response.body, mimetype="application/json", headers=dict(response.headers))

    for kind in (Exception, ProblemException, HTTPException, DomainError):
        app.add_error_handler(kind, render)
    return app


def _plain_app(runtime: Runtime, max_body_bytes: int, reject: Reject) -> Repeats:
    return Repeats(PlainBodies(_connexion_app(runtime), limit=max_body_bytes, reject=reject), runtime.store, runtime.clock)


def _rejecter(runtime: Runtime) -> Reject:
    async def reject(scope: Scope, receive: Receive, send: Send, error: DomainError) -> None:
        await runtime.render_error(scope["path"], scope["method"], error)(scope, receive, send)

    return reject


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
