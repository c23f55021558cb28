"""Who may do what: access tokens, their members and roles, and the demo credentials."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Forbidden, Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.launchdarkly.models.common import ENVIRONMENTS, MEMBERS, PROJECTS, TOKENS
from mockexp.vendors.launchdarkly.models.world import World

SDK_SPEC = "launchdarkly-sdk.yaml"


class Access(World):
    def authenticate(self, token: str) -> dict:
        """The access token record (with its member), for the raw `Authorization` value."""
        record = self.store.get(TOKENS, token) if token else None
        member = self.store.get(MEMBERS, record["memberId"]) if record else None
        if member is None:
            raise Unauthorized("Invalid access token")
        return {**record, "member": member}

    def authorize(self, token: Mapping[str, Any], project_key: str | None, *, write: bool) -> None:
        if token["projects"] is not None and project_key not in token["projects"]:
            raise Forbidden(f"Access to the requested resource was denied: this access token may only act in project {', '.join(token['projects'])}")
        if write and token["role"] == "reader":
            raise Forbidden("Access to the requested resource was denied: this access token has the reader role and cannot make changes")

    def credentials(self) -> list[Credential]:
        """The access tokens (REST API), then each environment's SDK key, mobile key and client-side ID."""
        order = lambda t: (t["projects"] is not None, t["role"] != "writer", t["token"])  # noqa: E731
        tokens = [self._credential(record) for record in self.store.query(TOKENS, order_by=order)]
        return tokens + [key for project in self.store.query(PROJECTS, order_by=lambda p: p["position"])
                         for environment in self.project(project["key"]).query(ENVIRONMENTS, order_by=lambda e: e["position"])
                         for key in _environment_keys(project, environment)]

    def _credential(self, record: Mapping[str, Any]) -> Credential:
        member = self.store.get(MEMBERS, record["memberId"])
        limited = record["projects"]
        projects = limited or [project["key"] for project in self.store.query(PROJECTS, order_by=lambda p: p["position"])]
        environments = self.project(projects[0]).query(ENVIRONMENTS, order_by=lambda e: e["position"])
        writer = record["role"] == "writer"
        notes = []
        if limited is not None:
            notes.append(f"limited to project {', '.join(limited)}: other projects answer 403")
        if not writer:
            notes.append("read-only: creating or changing experiments answers 403")
        tenant = {"projectKey": projects[0]}
        if environments:
            tenant["environmentKey"] = environments[0]["key"]
        return Credential(
            vendor="launchdarkly",
            header="Authorization",
            value=record["token"],
            user=f"{member['firstName']} {member['lastName']}",
            role=record["role"] if limited is None else f"{record['role']} in project {', '.join(limited)} only (custom role)",
            permissions=("read experiments",) + (("write experiments",) if writer else ()),
            can_write=writer,
            tenant=tenant,
            note="; ".join(notes) or None,
        )


def _environment_keys(project: Mapping[str, Any], environment: Mapping[str, Any]) -> list[Credential]:
    """An environment's SDK credentials: the SDK key the server-side SDKs send (to the SDK
    endpoints, `launchdarkly-sdk.yaml`), the mobile key and the client-side ID (listed for
    completeness: the mock serves no mobile or client-side SDK endpoint)."""
    tenant = {"projectKey": project["key"], "environmentKey": environment["key"]}
    where = f"{project['name']} / {environment['name']}"
    return [
        Credential(vendor="launchdarkly", header="Authorization", value=environment["apiKey"], user=f"server-side SDKs ({where})",
                   role="SDK key", permissions=("read flags", "send events"), can_write=True, tenant=tenant, spec=SDK_SPEC,
                   note="for the SDK endpoints (/sdk/latest-all, /all, /bulk, /diagnostic); the REST API answers it 401"),
        Credential(vendor="launchdarkly", header="Authorization", value=environment["mobileKey"], user=f"mobile SDKs ({where})",
                   role="mobile key", permissions=(), can_write=False, tenant=tenant, spec=SDK_SPEC,
                   note="for mobile SDKs' endpoints, which the mock does not serve: the server-side SDK endpoints answer it 401"),
        Credential(vendor="launchdarkly", header="", value=environment["_id"], user=f"client-side SDKs ({where})",
                   role="client-side ID", permissions=(), can_write=False, tenant=tenant, spec=SDK_SPEC,
                   note="goes in client-side SDKs' URL paths, which the mock does not serve"),
    ]
