"""The SDK side's read model: what LaunchDarkly's server-side SDKs download for an environment
(`GET /sdk/latest-all`, and the stream's `put`), built from the stored flags, so the REST API
and the SDKs never disagree; the environment an SDK key opens; and the events SDKs send.

The SDKs evaluate flags themselves, from this data: flags in LaunchDarkly's SDK data model
(variation values, targets, rules with clauses, rollouts, prerequisites, salt), segments
(none in the demo world). Archived flags are not sent (an SDK then answers the default).
A payload is built once per change of the environment's flags and kept, with its ETag.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

import orjson

from mockexp.clock import Clock
from mockexp.errors import Unauthorized
from mockexp.store import Tables
from mockexp.vendors.launchdarkly.models.common import ENVIRONMENTS, FLAG_TRAFFIC, FLAGS, PROJECTS
from mockexp.vendors.launchdarkly.models.rollouts import Rollouts

SDK_KEY_PREFIX = "sdk-"
MOBILE_KEY_PREFIX = "mob-"


@dataclass(frozen=True)
class Payload:
    """An environment's flags and segments as the SDKs read them, encoded once, and the
    environment's id (its client-side ID, which SDK answers name in `X-LD-EnvID`)."""

    environment_id: str
    fingerprint: tuple
    flags: dict[str, dict]
    segments: dict[str, dict]
    body: bytes = field(repr=False)
    etag: str


class SdkData(Rollouts):
    def __init__(self, store: Tables, clock: Clock) -> None:
        super().__init__(store, clock)
        self._payloads: dict[tuple[str, str], Payload] = {}

    def sdk_environment(self, key: str) -> tuple[str, str]:
        """The (project key, environment key) an SDK key opens; 401 for a mobile key (the mock
        serves only the server-side SDKs' endpoints) or a key no environment has."""
        for project in self.store.view(PROJECTS):
            for environment in self.project(project["key"]).view(ENVIRONMENTS):
                if environment["apiKey"] == key:
                    return project["key"], environment["key"]
                if environment["mobileKey"] == key:
                    raise Unauthorized("A mobile key cannot be used here: server-side SDK endpoints take the environment's SDK key (sdk-...)")
        if not key:
            raise Unauthorized("No SDK key: send the environment's SDK key (sdk-...) as the Authorization header")
        raise Unauthorized("Invalid SDK key")

    def sdk_payload(self, project_key: str, environment_key: str) -> Payload:
        """The environment's payload, rebuilt only when one of its flags changed."""
        docs = self.project(project_key).view(FLAGS)
        traffic = self.environment(project_key, environment_key)
        fingerprint = tuple(sorted(_fingerprint(flag, environment_key, traffic.peek(FLAG_TRAFFIC, flag["key"])) for flag in docs))
        kept = self._payloads.get((project_key, environment_key))
        if kept is not None and kept.fingerprint == fingerprint:
            return kept
        flags = {flag["key"]: sdk_flag(flag, self.configuration(flag, environment_key)) for flag in sorted(docs, key=lambda f: f["key"])
                 if flag["archivedDate"] is None and environment_key in flag["environments"]}
        body = orjson.dumps({"flags": flags, "segments": {}})
        environment = self.project(project_key).peek(ENVIRONMENTS, environment_key)
        payload = Payload(environment["_id"] if environment else "", fingerprint, flags, {}, body, f'"{hashlib.sha1(body).hexdigest()[:20]}"')
        self._payloads[project_key, environment_key] = payload
        return payload

    # -- events ------------------------------------------------------------------------------

    def ld_sdk_post_events(self, body: list) -> None:
        """Analytics events (`POST /bulk`): accepted and kept only in the request journal."""

    def ld_sdk_post_diagnostic(self, body: dict) -> None:
        """A diagnostic event (`POST /diagnostic`): accepted and kept only in the request journal."""


def _fingerprint(flag: Mapping[str, Any], environment_key: str, traffic: Mapping[str, Any] | None) -> tuple:
    """What changes whenever the flag's configuration in the environment does (its versions)."""
    config = flag["environments"].get(environment_key)
    return (flag["key"], flag["archivedDate"] is None, flag["_version"], config and config["version"], config and config["lastModified"],
            traffic and traffic["changes"], traffic and traffic["lastModified"])


def sdk_flag(flag: Mapping[str, Any], config: Mapping[str, Any]) -> dict:
    """One flag in LaunchDarkly's SDK data model, from its configuration in an environment."""
    return {
        "key": flag["key"],
        "version": config["version"],
        "on": config["on"],
        "variations": [variation["value"] for variation in flag["variations"]],
        "offVariation": config["offVariation"],
        "fallthrough": _serves(config["fallthrough"]),
        "targets": [{"values": list(t["values"]), "variation": t["variation"]} for t in config["targets"]],
        "contextTargets": _context_targets(config),
        "rules": [_rule(rule) for rule in config["rules"]],
        "prerequisites": [{"key": p["key"], "variation": p["variation"]} for p in config["prerequisites"]],
        "salt": config["salt"],
        "trackEvents": False,
        "trackEventsFallthrough": False,
        "debugEventsUntilDate": None,
        "clientSide": False,
        "clientSideAvailability": {"usingMobileKey": False, "usingEnvironmentId": False},
        "deleted": False,
    }


def _context_targets(config: Mapping[str, Any]) -> list[dict]:
    """Targets of other context kinds. Where there are any, the SDKs take their order from
    here, users included: each user target has a place here with no keys (its keys stay in
    `targets`), as LaunchDarkly sends it."""
    others = [{"contextKind": t["contextKind"], "values": list(t["values"]), "variation": t["variation"]} for t in config["contextTargets"]]
    if not others:
        return []
    return [{"contextKind": "user", "values": [], "variation": t["variation"]} for t in config["targets"]] + others


def _rule(rule: Mapping[str, Any]) -> dict:
    clauses = [{"attribute": c["attribute"], "op": c["op"], "values": list(c["values"]), "negate": c.get("negate", False),
                "contextKind": c.get("contextKind", "user")} for c in rule["clauses"]]
    return {"id": rule["_id"], "clauses": clauses, **_serves(rule), "trackEvents": rule["trackEvents"]}


def _serves(serves: Mapping[str, Any]) -> dict:
    if "rollout" in serves:
        rollout = serves["rollout"]
        return {"rollout": {**rollout, "variations": [dict(v) for v in rollout["variations"]]}}
    return {"variation": serves["variation"]}
