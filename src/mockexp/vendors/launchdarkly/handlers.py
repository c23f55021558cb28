"""LaunchDarkly's HTTP face: who an access token acts as, and LaunchDarkly's error body.
(Every operation is the model's own: nothing about them needs HTTP details beyond the spec.)"""

from __future__ import annotations

from mockexp.errors import DomainError, Forbidden, NotFound, Unauthorized
from mockexp.vendors.launchdarkly.models import LaunchDarkly

READS = ("GET", "HEAD", "OPTIONS")

CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_server_error",
}

# LaunchDarkly's words for the errors that carry the core's generic message
MESSAGES = {
    Unauthorized: "No access token: send it as the Authorization header, without a scheme word",
    Forbidden: "Access to the requested resource was denied",
    NotFound: "Unknown resource",
}


def authenticate(ld: LaunchDarkly, scheme: str, credential: str, http_request, operation=None) -> str:
    """`Authorization: <access token>`: the token's member, if the token may make this request
    (its role allows writing, and its custom role reaches the project)."""
    token = ld.authenticate(credential.strip())
    ld.authorize(token, http_request.path_params.get("projectKey"), write=http_request.method not in READS)
    return token["memberId"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """LaunchDarkly's error body: `{"code": "...", "message": "..."}`."""
    code = CODES.get(error.status) or ("invalid_request" if error.status < 500 else "internal_server_error")
    message = error.message
    for kind, words in MESSAGES.items():
        if type(error) is kind and message == kind.default_message:
            message = words
    return {"code": code, "message": message}, dict(error.headers)
