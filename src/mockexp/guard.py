"""What keeps a web page from using the mock: requests must name a host the mock answers
(so a DNS-rebinding page cannot reach it under its own name), and the admin API's changes
need a JSON content type (a cross-site form cannot send one), refuse cross-origin browser
requests, and, when the mock listens beyond loopback, an admin token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from mockexp.errors import DomainError, Forbidden, Invalid, Unauthorized, UnsupportedMediaType

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
READS = ("GET", "HEAD", "OPTIONS")
ANY_ADDRESS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def hosts_for(bound: str, extra: list[str] | None) -> frozenset[str] | None:
    """The Host names to answer when bound to `bound`: loopback names and the bound address;
    None (every name) when bound to every address and no names are given."""
    if extra and "*" in extra:
        return None
    if bound in ANY_ADDRESS and not extra:
        return None
    return LOOPBACK | {bound.strip("[]")} | set(extra or [])


BODIED = ("POST", "PUT", "PATCH")  # changes that must say they send JSON (a cross-site form can only POST; DELETE is preflighted)


@dataclass(frozen=True)
class Policy:
    allowed_hosts: frozenset[str] | None = LOOPBACK
    admin_token: str | None = None
    cors_origins: tuple[str, ...] = ()  # browser apps of these origins may call the vendors' APIs


class Guard:
    def __init__(self, app: ASGIApp, policy: Policy, admin_path: str, reject: Callable[[Scope, Receive, Send, DomainError], Awaitable[None]],
                 allows: Callable[[str, str], bool] = lambda method, path: True) -> None:
        """`allows(method, path)`: whether the admin API has that method there (one it has not is
        the router's 405, not a refused change)."""
        self.app = app
        self.policy = policy
        self.admin_path = admin_path
        self.reject = reject
        self.allows = allows

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            error = self.refusal(scope)
            if error is not None:
                await self.reject(scope, receive, send, error)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> DomainError | None:
        if self.policy.allowed_hosts is not None:
            host = _host_name(_host(scope))
            if host not in self.policy.allowed_hosts:
                names = ", ".join(sorted(self.policy.allowed_hosts))
                return Invalid(message=f'This mock does not answer to the host name "{host}"; it answers {names} (see mockexp serve --allowed-host).')
        path = scope["path"]
        if not (path == self.admin_path or path.startswith(self.admin_path + "/")):
            return None
        headers = _headers(scope)
        if not self.allows(scope["method"], path):
            return self._token_refusal(headers)
        return self._admin_refusal(scope["method"], headers)

    def _token_refusal(self, headers: dict[str, str]) -> DomainError | None:
        token = self.policy.admin_token
        if token is not None:
            word, _, given = headers.get("authorization", "").partition(" ")
            if word.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return Unauthorized("The admin API needs its token: Authorization: Bearer <the token the banner shows>.", headers={"WWW-Authenticate": "Bearer"})
        return None

    def _admin_refusal(self, method: str, headers: dict[str, str]) -> DomainError | None:
        refused = self._token_refusal(headers)
        if refused is not None:
            return refused
        if method in READS:
            return None
        if _cross_origin(headers):
            return Forbidden("The admin API refuses changes asked by a page of another origin.")
        if method in BODIED and headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return UnsupportedMediaType("Changes to the admin API need Content-Type: application/json (an empty body is fine).")
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def _host(scope: Scope) -> str:
    """The Host header (the last, as `_headers` reads it; none: empty), without decoding every header."""
    found = b""
    for name, value in scope["headers"]:
        if name.lower() == b"host":
            found = value
    return found.decode("latin-1")


def _host_name(host: str) -> str:
    """The name part of a Host header: `[::1]:8080` -> `::1`, `localhost:8080` -> `localhost`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cross_origin(headers: dict[str, Any]) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != headers.get("host", "").strip().lower()
