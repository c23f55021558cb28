"""Paths with or without their trailing slash, for vendors whose API takes both.

A spec whose paths end in `/` and that declares `x-mockexp-trailing-slash: optional` (as
PostHog's API answers `/experiments` and `/experiments/` alike) gets every request path under
its base path without the slash routed as if it had it."""

from __future__ import annotations

from typing import Callable

from starlette.types import ASGIApp, Receive, Scope, Send


class OptionalSlash:
    def __init__(self, app: ASGIApp, wants_slash: Callable[[str], bool]) -> None:
        """`wants_slash(path)`: whether the API this path belongs to takes paths either way."""
        self.app = app
        self.wants_slash = wants_slash

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not path.endswith("/") and self.wants_slash(path):
            scope = {**scope, "path": path + "/", "raw_path": scope.get("raw_path", path.encode()) + b"/"}
        await self.app(scope, receive, send)
