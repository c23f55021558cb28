"""Error rendering: every error leaves in the shape of the API that was called (a vendor's
error body, or the admin API's), with the methods a path allows on a 405."""

from __future__ import annotations

import json

from starlette.responses import Response

from mockexp import admin
from mockexp.errors import DomainError, MethodNotAllowed, from_exception
from mockexp.runtime.apis import ServedApis


def render_error(apis: ServedApis, path: str, method: str, exc: BaseException) -> Response:
    error = from_exception(exc)
    vendor = apis.vendor_at(path)
    if isinstance(error, MethodNotAllowed) and not (exc is error and "Allow" in error.headers):
        # the router's 405s, and a model's refusal of a method its spec has (not in Allow then)
        spec = apis.spec_at(path)[1] if vendor else apis.admin_spec
        allowed = [name for name in spec.allowed_methods(path) if exc is not error or name != method]
        message = error.message if exc is error and error.message != MethodNotAllowed.default_message else f'Method "{method}" not allowed.'
        error = MethodNotAllowed(message, headers={"Allow": ", ".join(allowed)})
    body, headers = (vendor.render_error if vendor else admin.render_error)(error)
    return Response(json.dumps(body), status_code=error.status, headers=headers, media_type="application/json")


def render_raw(apis: ServedApis, path: str, method: str, error: DomainError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """An error as status, headers and body, for the server to send on its own."""
    response = render_error(apis, path, method, error)
    return response.status_code, list(response.raw_headers), bytes(response.body)
