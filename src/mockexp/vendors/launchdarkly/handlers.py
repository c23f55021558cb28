"""LaunchDarkly's HTTP face: access tokens, one handler per operation, and its error body."""

from __future__ import annotations

from mockexp.auth import caller
from mockexp.errors import DomainError, Forbidden, NotFound, Unauthorized
from mockexp.vendors.launchdarkly.models import DEFAULT_LIMIT, LaunchDarkly

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


def authenticate(ld: LaunchDarkly, scheme: str, credential: str, http_request) -> dict:
    """`Authorization: <access token>`: the token's member, if the token may make this request
    (its role allows writing, and its custom role reaches the project)."""
    token = ld.authenticate(credential.strip())
    ld.authorize(token, http_request.path_params.get("projectKey"), write=http_request.method not in READS)
    return {"sub": token["memberId"], "token": token["token"], "role": token["role"]}


async def get_experiments(ld: LaunchDarkly, project_key: str, environment_key: str, limit: int = DEFAULT_LIMIT, offset: int = 0,
                          filter_: str | None = None, expand: str | None = None, lifecycle_state: str | None = None) -> dict:
    return ld.list_experiments(project_key, environment_key, limit=limit, offset=offset, filter=filter_, expand=expand, lifecycle_state=lifecycle_state)


async def create_experiment(ld: LaunchDarkly, project_key: str, environment_key: str, body: dict) -> tuple[dict, int]:
    return ld.create_experiment(project_key, environment_key, caller()["sub"], body), 201


async def get_experiment(ld: LaunchDarkly, project_key: str, environment_key: str, experiment_key: str, expand: str | None = None) -> dict:
    return ld.get_experiment(project_key, environment_key, experiment_key, expand=expand)


async def patch_experiment(ld: LaunchDarkly, project_key: str, environment_key: str, experiment_key: str, body: dict) -> dict:
    return ld.patch_experiment(project_key, environment_key, experiment_key, body)


async def create_iteration(ld: LaunchDarkly, project_key: str, environment_key: str, experiment_key: str, body: dict) -> dict:
    return ld.create_iteration(project_key, environment_key, experiment_key, body)


def render_error(error: DomainError) -> tuple[dict, dict]:
    """LaunchDarkly's error body: `{"code": "...", "message": "..."}`."""
    code = error.code or CODES.get(error.status) or ("invalid_request" if error.status < 500 else "internal_server_error")
    message = error.message
    for kind, words in MESSAGES.items():
        if type(error) is kind and message == kind.default_message:
            message = words
    return {"code": code, "message": message}, dict(error.headers)
