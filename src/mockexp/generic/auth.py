"""The document's security schemes, enforced: a request must carry a credential in the
scheme's place and form (an API key in its header, query parameter or cookie; `Bearer` for
bearer and OAuth 2; `Basic` for basic), with one of the demo values listed in
`/__mockexp/credentials`: made from the API's name (so they stay the same from run to run),
or your own (`--spec-credentials FILE`: `{scheme name: value or [values]}`, a basic scheme's
as `user:password`)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from mockexp.errors import Unauthorized
from mockexp.vendor import Credential

USER = "demo"


Given = Mapping[str, Sequence[str]]  # scheme name -> the values it accepts


def tokens(api: str, scheme: str, given: Given) -> list[str]:
    """The values a scheme accepts: the ones given, else one made from the API's name."""
    return list(given.get(scheme) or [hashlib.sha256(f"mockexp:{api}:{scheme}".encode()).hexdigest()[:24]])


def read_given(path: str | Path) -> dict[str, list[str]]:
    """A `--spec-credentials` file (YAML or JSON): ValueError naming the file if it is not one."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, Mapping) or not all(isinstance(v, (str, list)) for v in data.values()):
        raise ValueError(f"{path}: give each security scheme's value(s): {{scheme name: value or [values]}}")
    return {str(name): [str(v) for v in ([value] if isinstance(value, str) else value)] for name, value in data.items()}


def credentials(api: str, document: dict, given: Given = {}) -> list[Credential]:
    """One demo credential per security scheme the document declares."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    made = [_credential(name, scheme, tokens(api, name, given)[0]) for name, scheme in schemes.items()]
    return [dataclasses.replace(found, vendor=api) for found in made if found is not None]


def _credential(name: str, scheme: dict, value: str) -> Credential | None:
    kind = scheme.get("type")
    if kind == "apiKey":
        where = scheme.get("in", "header")
        header, sent = {"header": (scheme.get("name", "X-API-Key"), value), "cookie": ("Cookie", f"{scheme.get('name')}={value}")}.get(where, (scheme.get("name", "api_key"), value))
        note = f"{name}: API key in the {where}" + (f" parameter {scheme.get('name')}" if where == "query" else "")
    elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        user, password = _user_password(value)
        header, sent, note = "Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(), f"{name}: HTTP basic, user {user}"
    elif kind in ("http", "oauth2", "openIdConnect"):
        header, sent, note = "Authorization", f"Bearer {value}", f"{name}: bearer token"
    else:
        return None
    return Credential(vendor="", header=header, value=sent, user=USER, role=f"security scheme {name}", permissions=("read", "write"),
                      can_write=True, note=note)


def accepted(api: str, document: dict, given: Given = {}) -> dict[str, set[Any]]:
    """What each kind of Connexion security hook may be handed: scheme kind -> values."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    out: dict[str, set[Any]] = {"apiKey": set(), "basic": set(), "bearer": set(), "oauth2": set()}
    for name, scheme in schemes.items():
        values, kind = tokens(api, name, given), scheme.get("type")
        if kind == "apiKey":
            out["apiKey"].update(values)
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            out["basic"].update(_user_password(value) for value in values)
        else:
            out["bearer"].update(values)
            out["oauth2"].update(values)
    return out


def _user_password(value: str) -> tuple[str, str]:
    """A basic scheme's value: `user:password`, or a password for the demo user."""
    user, sep, password = value.partition(":")
    return (user, password) if sep else (USER, value)


def authenticate(model: Any, scheme: str, credential: Any, http_request: Any = None, operation: Any = None) -> str:
    """The demo user, for a credential the API's demo credentials hold; else 401."""
    known = model.accepted.get(scheme, set())
    if credential in known or (isinstance(credential, str) and credential.split(" ")[-1] in known):
        return USER
    raise Unauthorized("The credential is not one of this API's (see /__mockexp/credentials).")
