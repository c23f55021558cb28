"""The document's security schemes, enforced: a request must carry a credential in the
scheme's place and form (an API key in its header, query parameter or cookie; `Bearer` for
bearer and OAuth 2; `Basic` for basic), with one of the demo values listed in
`/__mockexp/credentials` (made from the API's name, so they stay the same from run to run)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from mockexp.errors import Unauthorized
from mockexp.vendor import Credential

USER = "demo"


def token(api: str, scheme: str) -> str:
    return hashlib.sha256(f"mockexp:{api}:{scheme}".encode()).hexdigest()[:24]


def credentials(api: str, document: dict) -> list[Credential]:
    """One demo credential per security scheme the document declares."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return [found for name, scheme in schemes.items() if (found := _credential(api, name, scheme)) is not None]


def _credential(api: str, name: str, scheme: dict) -> Credential | None:
    value = token(api, name)
    kind = scheme.get("type")
    if kind == "apiKey":
        where = scheme.get("in", "header")
        header, sent = {"header": (scheme.get("name", "X-API-Key"), value), "cookie": ("Cookie", f"{scheme.get('name')}={value}")}.get(where, (scheme.get("name", "api_key"), value))
        note = f"{name}: API key in the {where}" + (f" parameter {scheme.get('name')}" if where == "query" else "")
    elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        header, sent, note = "Authorization", "Basic " + base64.b64encode(f"{USER}:{value}".encode()).decode(), f"{name}: HTTP basic, user {USER}"
    elif kind in ("http", "oauth2", "openIdConnect"):
        header, sent, note = "Authorization", f"Bearer {value}", f"{name}: bearer token"
    else:
        return None
    return Credential(vendor=api, header=header, value=sent, user=USER, role=f"security scheme {name}", permissions=("read", "write"),
                      can_write=True, note=note)


def accepted(api: str, document: dict) -> dict[str, set[Any]]:
    """What each kind of Connexion security hook may be handed: scheme kind -> values."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    out: dict[str, set[Any]] = {"apiKey": set(), "basic": set(), "bearer": set(), "oauth2": set()}
    for name, scheme in schemes.items():
        value, kind = token(api, name), scheme.get("type")
        if kind == "apiKey":
            out["apiKey"].add(value)
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            out["basic"].add((USER, value))
        else:
            out["bearer"].add(value)
            out["oauth2"].add(value)
    return out


def authenticate(model: Any, scheme: str, credential: Any, http_request: Any = None, operation: Any = None) -> str:
    """The demo user, for a credential the API's demo credentials hold; else 401."""
    known = model.accepted.get(scheme, set())
    if credential in known or (isinstance(credential, str) and credential.split(" ")[-1] in known):
        return USER
    raise Unauthorized("The credential is not one of this API's (see /__mockexp/credentials).")
