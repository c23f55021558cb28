"""Projects and their environments, read-only: the `parent` links of experiments and metric
groups lead here."""

from __future__ import annotations

from typing import Any

from mockexp.vendors.launchdarkly.models.common import API, link
from mockexp.vendors.launchdarkly.models.world import World


class Projects(World):
    def get_project(self, project_key: str) -> dict:
        project = self.project_of(project_key)
        return {
            "_links": {"self": link(f"{API}/projects/{project_key}")},
            "_id": project["_id"],
            "key": project["key"],
            "includeInSnippetByDefault": False,
            "defaultClientSideAvailability": {"usingMobileKey": False, "usingEnvironmentId": False},
            "name": project["name"],
            "tags": [],
        }

    def get_environment(self, project_key: str, environment_key: str) -> dict:
        environment = self.environment_of(project_key, environment_key)
        path = f"{API}/projects/{project_key}"
        rep: dict[str, Any] = {
            "_links": {"project": link(path), "self": link(f"{path}/environments/{environment_key}")},
            "_id": environment["_id"],
            "key": environment["key"],
            "name": environment["name"],
            "apiKey": environment["apiKey"],
            "mobileKey": environment["mobileKey"],
            "color": environment["color"],
            "defaultTtl": 0,
            "secureMode": False,
            "defaultTrackEvents": False,
            "requireComments": False,
            "confirmChanges": False,
            "tags": [],
            "critical": environment["critical"],
        }
        return rep
