"""PostHog's HTTP face: who a personal API key acts as (and whether its scopes and projects
allow the operation), and PostHog's error body. Every operation is the model's own but the
SDKs' flag definitions, which answer with an ETag (`sdk/http.py`)."""

from __future__ import annotations

from typing import Any

from mockexp.errors import DomainError, Invalid, Unauthorized
from mockexp.vendors.posthog.models import PostHog
from mockexp.vendors.posthog.sdk.http import posthog_flag_definitions, posthog_local_evaluation

TYPES = {400: "validation_error", 401: "authentication_error", 403: "authentication_error", 429: "throttled_error"}
CODES = {401: "authentication_failed", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
         409: "conflict", 413: "request_too_large", 415: "unsupported_media_type", 429: "throttled", 431: "headers_too_large", 503: "service_unavailable",
         507: "insufficient_storage"}
REASON_CODES = {"This field is required.": "required", "This field may not be null.": "null", "This field may not be blank.": "blank"}


__all__ = ["authenticate", "render_error", "posthog_flag_definitions", "posthog_local_evaluation"]
PROJECT_TOKEN = "x-project-token"  # on an operation: where the project API key that names the project comes


def authenticate(posthog: PostHog, scheme: str, credential: str, http_request, operation=None) -> int:
    """`Authorization: Bearer <personal API key>`: its user, if its scopes allow the operation
    (`x-required-scopes` in the spec) and it reaches the project (of the path, or of the
    project API key in the query where the operation says `x-project-token: query`)."""
    key = posthog.authenticate(credential.strip())
    declared = operation.definition if operation is not None else {}
    project_id = str(http_request.path_params.get("project_id") or "")
    posthog.authorize(key, int(project_id) if project_id.isdigit() else None, list(declared.get("x-required-scopes") or []))
    if declared.get(PROJECT_TOKEN) == "query":  # the flag definitions: the project API key names the project
        posthog.authorize(key, posthog.project_for_token(http_request.query_params.get("token"))["id"], [])
    return key["user_id"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """PostHog's error body: `{"type", "code", "detail", "attr"}`, the first field error for an invalid request."""
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    body: dict[str, Any] = {"type": _type(error), "code": _code(error), "detail": error.message, "attr": None}
    if isinstance(error, Invalid) and error.errors:
        path, reason = error.errors[0]
        body.update(detail=reason, attr="__".join(str(part) for part in path) or None, code=REASON_CODES.get(reason, "invalid_input"))
    if getattr(error, "code", None):  # an error that names PostHog's code for it (the project API key's)
        body["code"] = error.code
    change_request = getattr(error, "change_request", None)
    if change_request is not None:
        body.update(code="approval_required", change_request=change_request)
    return body, headers


def _type(error: DomainError) -> str:
    if error.status >= 500:
        return "server_error"
    if error.status == 400 and error.message.startswith(("JSON parse error", "Request body")):
        return "invalid_request"
    return TYPES.get(error.status, "invalid_request")


def _code(error: DomainError) -> str:
    if error.status == 400:
        return "parse_error" if error.message.startswith(("JSON parse error", "Request body")) else "invalid_input"
    if error.status == 401 and error.message == Unauthorized.default_message:
        return "not_authenticated"
    return CODES.get(error.status, "error")
