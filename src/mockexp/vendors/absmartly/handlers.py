"""ABsmartly's HTTP face: who an API key acts as (a Web Console key and whether its permission
allows a change, or an SDK key of the Collector API), ABsmartly's error body, and the
Collector operations, which read the application and environment from the SDKs' headers."""

from __future__ import annotations

from connexion import request

from mockexp.errors import DomainError, Invalid, dotted
from mockexp.kept_reads import repeatable
from mockexp.vendors.absmartly.models import ABsmartly
from mockexp.vendors.absmartly.sdk.common import KEY_HEADER

READS = ("GET", "HEAD", "OPTIONS")
COLLECTOR_SCHEME = "absmartlyCollectorKey"


def authenticate(absmartly: ABsmartly, scheme: str, credential: str, http_request, operation=None) -> str:
    """`Authorization: Api-Key <key>`: the key, if its permission allows the request; or, on
    the Collector API, `X-API-Key: <SDK key>`."""
    if operation is not None and any(COLLECTOR_SCHEME in needed for needed in operation.definition.get("security") or []):
        return absmartly.sdk_key(credential.strip())["value"]
    word, _, value = credential.strip().partition(" ")
    key = absmartly.authenticate(value.strip() if word == "Api-Key" else "")
    absmartly.authorize(key, write=http_request.method not in READS)
    return key["value"]


def render_error(error: DomainError) -> tuple[dict, dict]:
    """ABsmartly's error body: `{"ok": false, "errors": [...]}`, one message per field at fault."""
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Api-Key"
    if isinstance(error, Invalid) and error.errors:
        messages = [f"{dotted(path)}: {reason}" if path else reason for path, reason in error.errors]
    else:
        messages = [error.message]
    return {"ok": False, "errors": messages}, headers


# -- the Collector API -----------------------------------------------------------------------


@repeatable
def collector_get_context(absmartly: ABsmartly, application: str, environment: str) -> dict:
    """`GET /context`: the SDKs send no key (the demo account's context); a key sent names the account."""
    return absmartly.collector_context(request.headers.get(KEY_HEADER), application, environment)


def collector_create_context(absmartly: ABsmartly, body: dict, caller: str) -> dict:
    return absmartly.collector_units_context(caller, *_named(), body)


def collector_publish(absmartly: ABsmartly, body: dict, caller: str) -> dict:
    return absmartly.collector_publish(caller, *_named(), [body])


def collector_publish_batch(absmartly: ABsmartly, body: list, caller: str) -> dict:
    return absmartly.collector_publish(caller, *_named(), body, batch=True)


def _named() -> tuple[str, str]:
    """The application and environment the SDK names in its headers (the spec requires both)."""
    return request.headers["X-Application"], request.headers["X-Environment"]
