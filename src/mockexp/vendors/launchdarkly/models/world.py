"""The world around experiments: projects and their environments, flags, metrics and metric
groups, members and access tokens, holdouts, covariate files and layers. The demo data sets
it up; experiments read it."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from mockexp.clock import Clock
from mockexp.errors import NotFound
from mockexp.store import Tables
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


class World:
    def __init__(self, store: Tables, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> int:
        return millis(self.clock.now())

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

    def add_environment(self, project_key: str, key: str, name: str, *, id: str) -> dict:
        """Environments keep the order they were added in (the first is the project's main one)."""
        project = self.project(project_key)
        return project.insert(ENVIRONMENTS, key, {"_id": id, "projectKey": project_key, "key": key, "name": name, "position": project.count(ENVIRONMENTS)})

    def add_flag(self, project_key: str, key: str, name: str, *, variations: list[dict], environments: Mapping[str, Mapping[str, Any]]) -> dict:
        """`variations`: [{_id, name, value}]; `environments`: environment key ->
        {version, rules: [{_id, description, clauses}]}."""
        return self.project(project_key).insert(FLAGS, key, {
            "projectKey": project_key,
            "key": key,
            "name": name,
            "variations": [dict(variation) for variation in variations],
            "environments": {env: {"version": config["version"], "rules": list(config["rules"])} for env, config in environments.items()},
        })

    def add_metric(self, project_key: str, key: str, name: str, *, kind: str, version_id: str, is_numeric: bool = False,
                   unit_aggregation_type: str | None = None, event_key: str | None = None, randomization_units: Iterable[str] = ("user",)) -> dict:
        return self.project(project_key).insert(METRICS, key, {
            "projectKey": project_key,
            "key": key,
            "name": name,
            "kind": kind,
            "_versionId": version_id,
            "isNumeric": is_numeric,
            "unitAggregationType": unit_aggregation_type if is_numeric else None,
            "eventKey": event_key if kind == "custom" else None,
            "randomizationUnits": list(randomization_units),
        })

    def add_metric_group(self, project_key: str, key: str, name: str, *, kind: str, version_id: str, metrics: list[dict]) -> dict:
        """`metrics`: [{key, nameInGroup}] in order (a funnel's steps)."""
        for member in metrics:
            if self.metric(project_key, member["key"]) is None:
                raise LookupError(f"metric group {key} names unknown metric {member['key']}")
        return self.project(project_key).insert(METRIC_GROUPS, key, {
            "projectKey": project_key, "key": key, "name": name, "kind": kind, "_versionId": version_id, "metrics": [dict(m) for m in metrics],
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

    def environment_of(self, project_key: str, environment_key: str) -> dict:
        """The environment, or 404 naming what does not exist."""
        if self.store.get(PROJECTS, project_key) is None:
            raise NotFound(f'Unknown project "{project_key}"')
        environment = self.project(project_key).get(ENVIRONMENTS, environment_key)
        if environment is None:
            raise NotFound(f'Unknown environment "{environment_key}" in project {project_key}')
        return environment
