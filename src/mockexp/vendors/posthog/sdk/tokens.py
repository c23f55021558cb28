"""Project API keys (`phc_...`): the public key a project's SDKs send with every flags
request and event, which names the project. One per project, from the demo world's seed."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.posthog.models.access import Access
from mockexp.vendors.posthog.models.common import PROJECTS

ROLE = "project-api-key"
WHERE = "not a header: sent as `token` or `api_key` in the JSON body, or as `?token=`"


class MissingToken(Unauthorized):
    code = "missing_api_key"
    default_message = "API key not provided. You can find your project API key in PostHog project settings."


class InvalidToken(Unauthorized):
    code = "invalid_api_key"
    default_message = "Project API key invalid. You can find your project API key in PostHog project settings."


class ProjectTokens(Access):
    def project_for_token(self, token: Any) -> dict:
        """The project whose project API key this is (401 in PostHog's words otherwise)."""
        if not isinstance(token, str) or not token.strip():
            raise MissingToken()
        found = next((project for project in self.store.view(PROJECTS) if project.get("api_token") == token.strip()), None)
        if found is None:
            raise InvalidToken()
        return found

    def credentials(self) -> list[Credential]:
        """The personal API keys, then each project's project API key."""
        return super().credentials() + [self._project_key(project) for project in self.store.query(PROJECTS, order_by=lambda p: p["id"]) if project.get("api_token")]

    def _project_key(self, project: Mapping[str, Any]) -> Credential:
        return Credential(vendor="posthog", header="token", value=project["api_token"], user=f"project {project['id']} ({project['name']})", role=ROLE,
                          permissions=("evaluate feature flags", "send events"), can_write=False, tenant={"project_id": str(project["id"])}, note=WHERE)
