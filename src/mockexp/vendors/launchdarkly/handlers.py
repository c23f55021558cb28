"""LaunchDarkly's HTTP face: who an access token (REST API) or an SDK key (SDK endpoints)
acts as, LaunchDarkly's error body, and the two SDK answers that need HTTP details: the
polling payload with its ETag (304 when the SDK holds it already) and the event stream."""

from __future__ import annotations

from connexion.context import request
from starlette.responses import Response

from mockexp.encoding import named_by
from mockexp.errors import DomainError, Forbidden, NotFound, Unauthorized
from mockexp.kept_reads import repeatable
from mockexp.vendors.launchdarkly.models import LaunchDarkly
from mockexp.vendors.launchdarkly.sdk.stream import EventStream, watch

READS = ("GET", "HEAD", "OPTIONS")
SDK_OPERATIONS = "ldSdk"  # the prefix of the SDK spec's operationIds (launchdarkly-sdk.yaml)
ENVIRONMENT_ID = "X-LD-EnvID"  # the header LaunchDarkly's SDK answers name their environment by

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
    Unauthorized: "No access token (or, on the SDK endpoints, SDK key): send it as the Authorization header, without a scheme word",
    Forbidden: "Access to the requested resource was denied",
    NotFound: "Unknown resource",
}


def authenticate(ld: LaunchDarkly, scheme: str, credential: str, http_request, operation=None) -> str:
    """`Authorization: <access token>`: the token's member, if the token may make this request
    (its role allows writing, and its custom role reaches the project). On the SDK endpoints,
    `Authorization: <SDK key>`: its environment, as `project/environment`."""
    if operation is not None and operation.operation_id.startswith(SDK_OPERATIONS):
        return "/".join(ld.sdk_environment(credential.strip()))
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


# -- the SDK endpoints -----------------------------------------------------------------------


@repeatable
async def ld_sdk_get_latest_all(ld: LaunchDarkly, caller: str) -> Response:
    """`GET /sdk/latest-all`: the environment's payload, encoded once per change, with its
    ETag; 304 with no body when `If-None-Match` names the current one."""
    project_key, environment_key = caller.split("/", 1)
    payload = ld.sdk_payload(project_key, environment_key)
    headers = {"ETag": payload.etag, ENVIRONMENT_ID: payload.environment_id}
    if named_by(request.headers.get("if-none-match"), payload.etag):
        return Response(status_code=304, headers=headers)
    return Response(payload.body, headers=headers, media_type="application/json")


async def ld_sdk_stream_all(ld: LaunchDarkly, caller: str) -> EventStream:
    """`GET /all`: the server-sent events of the environment (`sdk/stream.py`)."""
    project_key, environment_key = caller.split("/", 1)
    return EventStream(watch(ld, project_key, environment_key), {ENVIRONMENT_ID: ld.sdk_payload(project_key, environment_key).environment_id})
