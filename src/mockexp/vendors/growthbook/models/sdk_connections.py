"""SDK connections (an SDK in one environment, for some projects, known by its client key) and
the payload each one's SDKs read."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid, NotFound
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import ENVIRONMENTS, FEATURES, ORGANIZATIONS, PROJECTS, SDK_CONNECTIONS, made_id
from mockexp.vendors.growthbook.models.definitions import definition
from mockexp.vendors.growthbook.models.revisions import Revisions

FLAGS = ("sdkVersion", "encryptPayload", "includeVisualExperiments", "includeDraftExperiments", "includeExperimentNames",
         "includeRedirectExperiments", "includeRuleIds", "proxyEnabled", "proxyHost", "hashSecureAttributes", "remoteEvalEnabled",
         "savedGroupReferencesEnabled")
DEFAULTS = {"sdkVersion": "", "encryptPayload": False, "includeVisualExperiments": False, "includeDraftExperiments": False,
            "includeExperimentNames": False, "includeRedirectExperiments": False, "includeRuleIds": False, "proxyEnabled": False,
            "proxyHost": "", "hashSecureAttributes": False, "remoteEvalEnabled": False, "savedGroupReferencesEnabled": False}


class UnknownClientKey(Invalid):
    """No SDK connection has the client key: GrowthBook answers it in the SDK endpoint's own
    body (`handlers.render_error`)."""

    def __init__(self) -> None:
        super().__init__(message="Invalid API key")


class SdkConnections(Revisions):
    def list_sdk_connections(self, caller: str, project_id: str | None = None, with_proxy: str | None = None, multi_org: str | None = None) -> Listing:
        test = (lambda c: project_id in c["projects"]) if project_id else None
        return Listing(self.org(caller).query(SDK_CONNECTIONS, test=test, order_by=lambda c: (c["dateCreated"], c["id"])))

    def post_sdk_connection(self, body: dict, caller: str) -> dict:
        org = self.org(caller)
        self._check_connection(org, body)
        id, now = self.new_id(org, "sdk_"), self.now()
        key = made_id("sdk-", "client key", id, org.name(SDK_CONNECTIONS))
        connection = {"id": id, "dateCreated": now, "dateUpdated": now, "name": body["name"], "organization": self.key(caller)["organization"],
                      "languages": [body["language"]], "environment": body["environment"], "projects": body.get("projects", []),
                      **DEFAULTS, **{flag: body[flag] for flag in FLAGS if flag in body}, "key": key,
                      "encryptionKey": made_id("", "encryption", key), "proxySigningKey": made_id("", "proxy", key), "sseEnabled": False}
        connection["project"] = (connection["projects"] or [""])[0]
        return {"sdkConnection": org.insert(SDK_CONNECTIONS, id, connection)}

    def get_sdk_connection(self, id: str, caller: str) -> dict:
        return {"sdkConnection": self.stored(self.org(caller), SDK_CONNECTIONS, id)}

    def put_sdk_connection(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        connection = self.stored(org, SDK_CONNECTIONS, id)
        self._check_connection(org, body)
        connection.update({name: body[name] for name in ("name", "environment", "projects", *FLAGS) if name in body})
        if "language" in body:
            connection["languages"] = [body["language"]]
        connection.update(project=(connection["projects"] or [""])[0], dateUpdated=self.now())
        return {"sdkConnection": org.replace(SDK_CONNECTIONS, id, connection)}

    def lookup_sdk_connection_by_key(self, key: str, caller: str) -> dict:
        return {"sdkConnection": self._by_key(self.org(caller), key)}

    def _check_connection(self, org: Tables, body: Mapping[str, Any]) -> None:
        if "environment" in body:
            self.must_exist(org, ENVIRONMENTS, body["environment"], "environment")
        self.must_exist(org, PROJECTS, body.get("projects"), "projects")

    @staticmethod
    def _by_key(org: Tables, key: str) -> dict:
        found = org.query(SDK_CONNECTIONS, {"key": key}, limit=1)
        if not found:
            raise NotFound(f"Could not find an SDK connection with the key {key}")
        return found[0]

    # -- what SDKs read -------------------------------------------------------------------------

    def get_sdk_payload(self, client_key: str) -> dict:
        """The payload of the connection with this client key (in any organization): its
        environment's enabled, unarchived features of its projects, as SDKs read them."""
        for org_doc in self.store.view(ORGANIZATIONS):
            org = self.store.tenant(org_doc["id"])
            found = org.query(SDK_CONNECTIONS, {"key": client_key}, limit=1)
            if found:
                return self._payload(org, found[0])
        raise UnknownClientKey()

    def _payload(self, org: Tables, connection: Mapping[str, Any]) -> dict:
        env, projects, passed = connection["environment"], connection["projects"], self.clock.passed

        def served(feature: Mapping) -> bool:
            entry = feature["environments"].get(env)
            return bool(entry and entry["enabled"]) and not feature["archived"] and (not projects or feature["project"] in projects)

        features = org.view(FEATURES, test=served, order_by=lambda f: f["id"])
        groups, experiments = self._groups(org), self._experiments(org)
        payload = {f["id"]: definition(f, f["environments"][env]["rules"], groups, experiments, passed) for f in features}
        updated = max((f["dateUpdated"] for f in features), default=None)
        return {"status": 200, "features": payload, "experiments": [], "dateUpdated": updated}
