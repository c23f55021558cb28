"""`GET /`: what this mock serves, with links to each vendor's API, Swagger UI and spec and to
the admin API, as JSON for programs; a browser (asking for HTML) gets the demo console."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockexp import console
from mockexp.control.about import wants_html


def listing(runtime: Any) -> dict:
    vendors = [{"name": name, "api": runtime.base_path(name), "ui": runtime.base_path(name) + "/ui/", "spec": runtime.base_path(name) + "/openapi.json",
                "title": runtime.specs[name].title, "operations": len(runtime.specs[name].operations)} for name in runtime.vendors]
    admin = runtime.admin_spec.base_path
    return {"vendors": vendors, "admin": {"api": admin, "ui": admin + "/ui/", "credentials": admin + "/credentials"}}


async def index(runtime: Any, scope: Scope, receive: Receive, send: Send) -> None:
    if wants_html(scope):
        response = Response(console.page(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
    else:
        response = Response(json.dumps(listing(runtime)), media_type="application/json")
    await response(scope, receive, send)
