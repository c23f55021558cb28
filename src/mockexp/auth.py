"""Connexion's security hooks, handing each credential to the vendor whose API was called.

The functions here are named in the vendors' security schemes when the app is built
(`x-apikeyInfoFunc` and friends), so the specs stay free of mockexp's module names.
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.security import SECURITY_HANDLERS, AbstractSecurityHandler

RUNTIME = "mockexp.runtime"  # the scope key under which the app puts its Runtime
OPERATION = "mockexp.operation"  # and the spec's operation a request is for, where the control plane found one
API = "mockexp.api"  # and the (vendor, spec) it is for, where the control plane found them

INFO_FUNCS = {
    ("apiKey", None): ("x-apikeyInfoFunc", "mockexp.auth.api_key"),
    ("http", "basic"): ("x-basicInfoFunc", "mockexp.auth.basic"),
    ("http", "bearer"): ("x-bearerInfoFunc", "mockexp.auth.bearer"),
    ("oauth2", None): ("x-tokenInfoFunc", "mockexp.auth.oauth2"),
    ("openIdConnect", None): ("x-tokenInfoFunc", "mockexp.auth.oauth2"),  # an OpenID Connect access token: a bearer token with scopes, as OAuth 2's
}


def api_key(api_key: str, required_scopes: Any = None, *, request) -> dict:
    return _verify(request, "apiKey", api_key)


def basic(username: str, password: str, required_scopes: Any = None, *, request) -> dict:
    return _verify(request, "basic", (username, password))


def bearer(token: str, required_scopes: Any = None, *, request) -> dict:
    return _verify(request, "bearer", token)


def oauth2(token: str, required_scopes: Any = None, *, request) -> dict:
    """An OAuth 2 access token (sent as a bearer token): the scopes the operation asks for are
    the ones it grants, once the vendor accepts the token."""
    return {**_verify(request, "oauth2", token), "scope": list(required_scopes or [])}


def _verify(request, scheme: str, credential: Any) -> dict:
    """The vendor's authenticator gives the id of the user the credential acts as (or raises
    Unauthorized / Forbidden); operations that take a `caller` get it. It is told which
    operation of its spec the request is for (its declarations, such as required scopes)."""
    scope = request.scope
    path = scope["path"]  # what request.url.path gives, without building the whole URL
    runtime = scope[RUNTIME]
    vendor, spec = scope.get(API) or runtime.spec_at(path)
    operation = scope.get(OPERATION) or spec.operation_at(scope["method"], path)
    return {"sub": vendor.authenticate(runtime.models[vendor.name], scheme, credential, request, operation)}


class _SignatureOnce:
    """Connexion's security handlers ask, on every request, which keywords the hook takes
    (`inspect.signature` each time); the hooks never change, so ask once per hook."""

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def _accepts_kwarg(func: Any, keyword: str) -> bool:
        return AbstractSecurityHandler._accepts_kwarg(func, keyword)


# Connexion's handlers with the above: `AsyncApp(security_map=SECURITY_MAP)`
SECURITY_MAP = {name: type(handler.__name__, (_SignatureOnce, handler), {}) for name, handler in SECURITY_HANDLERS.items()}
SECURITY_MAP["openIdConnect"] = SECURITY_MAP["oauth2"]  # Connexion has no handler of its own for it (every request was 401)


def wire_security(document: dict) -> dict:
    """The spec's document with each security scheme pointed at the hooks above: a new
    document that shares everything else with the one given, which stays as it was (Connexion
    copies what it is given, twice; a third, whole copy made start-up slower)."""
    components = document.get("components")
    if components is None:
        return document
    schemes = {name: _wired(scheme) for name, scheme in components.get("securitySchemes", {}).items()}
    return {**document, "components": {**components, "securitySchemes": schemes}}


def _wired(scheme: dict) -> dict:
    kind = scheme.get("type")
    key = (kind, scheme.get("scheme", "").lower() if kind == "http" else None)
    if key not in INFO_FUNCS:
        return scheme
    extension, function = INFO_FUNCS[key]
    return {**scheme, extension: function}
