"""A vendor's base path (`/api/v2`) and the admin API's (`/__mockexp`) answered on their own:
what is served there — its title, Swagger UI, spec and operations — as JSON, or a small page
for a browser. Every link of the index then leads somewhere."""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockexp.specs import Spec


def about(served: list[tuple[Spec, str]]) -> dict:
    """What is served at one base path: one spec, or several sharing it (their operations together)."""
    base = served[0][0].base_path
    operations = [{"operationId": op.operation_id, "method": op.method.upper(), "path": base + op.path,
                   "summary": op.definition.get("summary", "")} for spec, _ in served for op in spec.operations]
    return {"name": " + ".join(name for _, name in served), "title": " + ".join(spec.title for spec, _ in served), "api": base,
            "ui": base + "/ui/", "spec": base + "/openapi.json", "operations": operations}


def page(found: dict) -> str:
    rows = "".join(f"<tr><td>{html.escape(op['method'])}</td><td><code>{html.escape(op['path'])}</code></td>"
                   f"<td>{html.escape(op['operationId'])}</td><td>{html.escape(op['summary'])}</td></tr>" for op in found["operations"])
    title = html.escape(found["title"])
    return (f'<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>body{{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:70rem}}"
            f"td{{padding:.2rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}}code{{word-break:break-all}}</style>"
            f'<p><a href="/">mockexp console</a></p><h1>{title}</h1>'
            f'<p><a href="{html.escape(found["ui"])}">Swagger UI</a> · <a href="{html.escape(found["spec"])}">OpenAPI spec (JSON)</a> · '
            f"{len(found['operations'])} operations</p><table><thead><tr><th>Method</th><th>Path</th><th>operationId</th><th>Summary</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></html>")


def wants_html(scope: Scope) -> bool:
    """Whether the caller (a browser) asks for HTML before JSON."""
    accept = next((value.decode("latin-1") for name, value in scope.get("headers", []) if name.lower() == b"accept"), "")
    return "text/html" in accept


class BasePaths:
    """ASGI middleware: GET (or HEAD) of a mounted API's base path, with or without its
    trailing slash, answers what is served there; every other request passes on."""

    def __init__(self, app: ASGIApp, runtime: Any) -> None:
        self.app = app
        mounted = [(spec, name if spec is runtime.specs[name] else spec.name) for name, spec in runtime.mounted()]
        self.pages: dict[str, list[tuple[Spec, str]]] = {}
        for spec, name in [*mounted, (runtime.admin_spec, "admin")]:
            if spec.base_path:  # an API at the host's root has the index there
                self.pages.setdefault(spec.base_path, []).append((spec, name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.pages.get(scope["path"].rstrip("/")) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await self.app(scope, receive, send)
            return
        described = about(found)
        response = HTMLResponse(page(described)) if wants_html(scope) else Response(json.dumps(described), media_type="application/json")
        await response(scope, receive, send)
