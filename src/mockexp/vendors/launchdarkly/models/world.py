"""The world around experiments: projects and their environments, flags, metrics and metric
groups, members and access tokens, holdouts, covariate files and layers. The demo data sets
it up; experiments read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from mockexp import ids
from mockexp.errors import NotFound
from mockexp.store import Tables
from mockexp.vendors import world
from mockexp.vendors.launchdarkly.models.common import (
    COVARIATES,
    ENVIRONMENTS,
    FLAGS,
    HOLDOUTS,
    LAYERS,
    MEMBERS,
    METRIC_GROUPS,
    METRICS,
    PROJECTS,
    TOKENS,
    millis,
)


class World(world.World):
    def stamp(self, moment: datetime) -> int:
        return millis(moment)

    def project(self, project_key: str) -> Tables:
        """The tables of one project."""
        return self.store.tenant(project_key)

    def environment(self, project_key: str, environment_key: str) -> Tables:
        """The tables of one environment of a project."""
        return self.store.tenant(project_key, environment_key)

    # -- adding to the world -------------------------------------------------------------------

    def add_project(self, key: str, name: str, *, id: str, context_kinds: Iterable[str]) -> dict:
        """Projects keep the order they were added in (the first is the demo tokens' main one)."""
        position = self.store.count(PROJECTS)
        return self.store.insert(PROJECTS, key, {"_id": id, "key": key, "name": name, "contextKinds": list(context_kinds), "position": position})

    def add_environment(self, project_key: str, key: str, name: str, *, id: str, api_key: str | None = None,
                        mobile_key: str | None = None, color: str = "417505", critical: bool = False) -> dict:
        """Environments keep the order they were added in (the first is the project's main one).
        The SDK keys are made up when not given."""
        project = self.project(project_key)
        return project.insert(ENVIRONMENTS, key, {
            "_id": id, "projectKey": project_key, "key": key, "name": name, "position": project.count(ENVIRONMENTS),
            "apiKey": api_key or f"sdk-{ids.uuid4()}", "mobileKey": mobile_key or f"mob-{ids.uuid4()}", "color": color, "critical": critical,
        })

    def add_flag(self, project_key: str, key: str, name: str, *, variations: list[dict], environments: Mapping[str, Mapping[str, Any]],
                 description: str = "", tags: Iterable[str] = (), temporary: bool = True, created: int = 0, version: int = 1,
                 maintainer_id: str | None = None, archived_date: int | None = None) -> dict:
        """`variations`: [{_id, name, value}]; `environments`: environment key -> {version,
        rules: [{_id, description, clauses, variation or rollout}], on (default true), salt,
        lastModified, and optionally targets, contextTargets, fallthrough, offVariation,
        prerequisites (see `_flag_config`)}. A flag with an `archived_date` is archived (in
        every environment)."""
        return self.project(project_key).insert(FLAGS, key, {
            "projectKey": project_key,
            "key": key,
            "name": name,
            "description": description,
            "variations": [dict(variation) for variation in variations],
            "tags": list(tags),
            "temporary": temporary,
            "creationDate": created,
            "_version": version,
            "maintainerId": maintainer_id,
            "archivedDate": archived_date,
            "environments": {env: _flag_config(config, created) for env, config in environments.items()},
        })

    def add_metric(self, project_key: str, key: str, name: str, *, kind: str, version_id: str, is_numeric: bool = False,
                   unit_aggregation_type: str | None = None, event_key: str | None = None, randomization_units: Iterable[str] = ("user",),
                   id: str | None = None, description: str = "", tags: Iterable[str] = (), created: int = 0, maintainer_id: str | None = None) -> dict:
        return self.project(project_key).insert(METRICS, key, {
            "_id": id or ids.token_hex(12),
            "projectKey": project_key,
            "key": key,
            "name": name,
            "kind": kind,
            "_versionId": version_id,
            "isNumeric": is_numeric,
            "unitAggregationType": unit_aggregation_type if is_numeric else None,
            "eventKey": event_key if kind == "custom" else None,
            "randomizationUnits": list(randomization_units),
            "description": description,
            "tags": list(tags),
            "_creationDate": created,
            "maintainerId": maintainer_id,
        })

    def add_metric_group(self, project_key: str, key: str, name: str, *, kind: str, version_id: str, metrics: list[dict],
                         id: str | None = None, description: str = "", created: int = 0, maintainer_id: str | None = None) -> dict:
        """`metrics`: [{key, nameInGroup}] in order (a funnel's steps)."""
        for member in metrics:
            if self.metric(project_key, member["key"]) is None:
                raise LookupError(f"metric group {key} names unknown metric {member['key']}")
        return self.project(project_key).insert(METRIC_GROUPS, key, {
            "_id": id or ids.token_hex(12), "projectKey": project_key, "key": key, "name": name, "kind": kind, "_versionId": version_id,
            "description": description, "_creationDate": created, "maintainerId": maintainer_id, "metrics": [dict(m) for m in metrics],
        })

    def add_member(self, id: str, email: str, first_name: str, last_name: str, role: str) -> dict:
        return self.store.insert(MEMBERS, id, {"_id": id, "email": email, "firstName": first_name, "lastName": last_name, "role": role})

    def add_token(self, token: str, name: str, member_id: str, role: str, *, projects: Iterable[str] | None = None) -> dict:
        """`role` is `writer` or `reader`; `projects` limits the token to those projects
        (a custom role), None reaches every project."""
        return self.store.insert(TOKENS, token, {
            "token": token, "name": name, "memberId": member_id, "role": role, "projects": list(projects) if projects is not None else None,
        })

    def add_holdout(self, project_key: str, environment_key: str, id: str, key: str, name: str) -> dict:
        return self.environment(project_key, environment_key).insert(HOLDOUTS, id, {"id": id, "key": key, "name": name})

    def add_covariate(self, project_key: str, environment_key: str, id: str, file_name: str, created_at: int) -> dict:
        return self.environment(project_key, environment_key).insert(COVARIATES, id, {"id": id, "fileName": file_name, "createdAt": created_at})

    def add_layer(self, project_key: str, environment_key: str, key: str, name: str, reservations: Mapping[str, int]) -> dict:
        """`reservations`: experiment key -> percent of the layer's traffic reserved for it."""
        return self.environment(project_key, environment_key).insert(LAYERS, key, {"key": key, "name": name, "reservations": dict(reservations)})

    # -- looking things up ---------------------------------------------------------------------

    def flag(self, project_key: str, key: str) -> dict | None:
        return self.project(project_key).get(FLAGS, key)

    def metric(self, project_key: str, key: str) -> dict | None:
        return self.project(project_key).get(METRICS, key)

    def metric_group(self, project_key: str, key: str) -> dict | None:
        return self.project(project_key).get(METRIC_GROUPS, key)

    def project_of(self, project_key: str) -> dict:
        """The project, or 404."""
        project = self.store.get(PROJECTS, project_key)
        if project is None:
            raise NotFound(f'Unknown project "{project_key}"')
        return project

    def environment_of(self, project_key: str, environment_key: str) -> dict:
        """The environment, or 404 naming what does not exist."""
        self.project_of(project_key)
        environment = self.project(project_key).get(ENVIRONMENTS, environment_key)
        if environment is None:
            raise NotFound(f'Unknown environment "{environment_key}" in project {project_key}')
        return environment


def _flag_config(config: Mapping[str, Any], created: int) -> dict:
    """A flag's configuration in one environment, as stored (in the shape LaunchDarkly's SDKs
    read it): on unless told otherwise, its version, individual targets (`targets` for users,
    `contextTargets` for other context kinds: [{contextKind, values, variation}]), targeting
    rules (each serving a `variation`, the first unless it says otherwise, or a `rollout`),
    the `fallthrough` and `offVariation`, and `prerequisites` ([{key, variation}])."""
    rules = [{**rule, "trackEvents": rule.get("trackEvents", False)} for rule in config["rules"]]
    for rule in rules:
        if "rollout" not in rule:
            rule["variation"] = rule.get("variation", 0)
    return {
        "on": config.get("on", True),
        "version": config["version"],
        "targets": [dict(target) for target in config.get("targets", ())],
        "contextTargets": [dict(target) for target in config.get("contextTargets", ())],
        "rules": rules,
        "fallthrough": dict(config.get("fallthrough") or {"variation": 0}),
        "offVariation": config.get("offVariation", 0),
        "prerequisites": [dict(prerequisite) for prerequisite in config.get("prerequisites", ())],
        "salt": config.get("salt") or ids.token_hex(16),
        "lastModified": config.get("lastModified", created),
    }
