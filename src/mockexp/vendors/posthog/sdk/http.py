"""The SDK endpoints' HTTP details: the flag definitions answer with an `ETag`, and with 304
and no body when the SDK's `If-None-Match` names it."""

from __future__ import annotations

from typing import Any

from connexion import NoContent, request

from mockexp.encoding import named_by
from mockexp.kept_reads import repeatable


def definitions_answer(posthog: Any, token: str | None) -> tuple:
    """The project's definitions (the token was checked with the key), or 304 if unchanged."""
    definitions, etag = posthog.versioned_definitions(posthog.project_for_token(token)["id"])
    if named_by(", ".join(request.headers.getlist("if-none-match")), etag):
        return NoContent, 304, {"ETag": etag}
    return definitions, 200, {"ETag": etag}


@repeatable
async def posthog_flag_definitions(posthog: Any, token: str | None = None, send_cohorts: str | None = None) -> tuple:
    """`GET /flags/definitions`."""
    return definitions_answer(posthog, token)


@repeatable
async def posthog_local_evaluation(posthog: Any, token: str | None = None, send_cohorts: str | None = None) -> tuple:
    """`GET /api/feature_flag/local_evaluation`."""
    return definitions_answer(posthog, token)
