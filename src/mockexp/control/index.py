"""`GET /`: what this mock serves, with links to each vendor's API and Swagger UI and to the
admin API (JSON for programs, a small HTML page for a browser)."""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send


def listing(runtime: Any) -> dict:
    vendors = [{"name": name, "api": runtime.base_path(name), "ui": runtime.base_path(name) + "/ui/", "spec": runtime.base_path(name) + "/openapi.json",
                "title": runtime.specs[name].document.get("info", {}).get("title", name)} for name in runtime.vendors]
    admin = runtime.admin_spec.base_path
    return {"vendors": vendors, "admin": {"api": admin, "ui": admin + "/ui/", "credentials": admin + "/credentials"}}


async def index(runtime: Any, scope: Scope, receive: Receive, send: Send) -> None:
    found = listing(runtime)
    accept = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])).get("accept", "")
    if "text/html" in accept:
        rows = "".join(f'<li><b>{html.escape(v["name"])}</b> — {html.escape(v["title"])}: <a href="{v["api"]}">{v["api"]}</a> '
                       f'(<a href="{v["ui"]}">Swagger UI</a>)</li>' for v in found["vendors"])
        admin = found["admin"]
        page = (f"<!doctype html><title>mockexp</title><h1>mockexp</h1><ul>{rows}</ul>"
                f'<p>Admin API: <a href="{admin["ui"]}">{admin["api"]}</a> — demo credentials: <a href="{admin["credentials"]}">{admin["credentials"]}</a></p>')
        response: Response = HTMLResponse(page)
    else:
        response = Response(json.dumps(found), media_type="application/json")
    await response(scope, receive, send)
