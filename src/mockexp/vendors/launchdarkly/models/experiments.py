"""Experiments of an environment: listing (with filters, expansions and lifecycle states),
reading, and creating with a first, draft iteration."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mockexp.errors import Conflict, Invalid, NotFound, missing
from mockexp.paging import Listing
from mockexp.vendors.launchdarkly.models.common import (
    EXPANDABLE,
    EXPERIMENTS,
    FILTER_FIELDS,
    HOLDOUTS,
    LIFECYCLE_STATES,
    MEMBERS,
    RANDOM_IDS,
    STATUSES,
    Errors,
    Ids,
    env_path,
    iterations,
    link,
    split,
)
from mockexp.vendors.launchdarkly.models.world import World


class Experiments(World):
    # -- reading -------------------------------------------------------------------------------

    def get_experiments(self, project_key: str, environment_key: str, filter: str | None = None,
                        expand: str | None = None, lifecycle_state: str | None = None) -> Listing:
        """The environment's experiments, newest first: archived ones only if `lifecycleState` asks."""
        self.environment_of(project_key, environment_key)
        expanded = self._expand(expand)
        states = split(lifecycle_state) or ["active"]
        unknown = [state for state in states if state not in LIFECYCLE_STATES]
        if unknown:
            raise Invalid.field("lifecycleState", f'"{unknown[0]}" is not a lifecycle state; use active, archived or both.')
        tests = self._filters(filter)

        def wanted(doc: Mapping[str, Any]) -> bool:
            state = "archived" if doc["archivedDate"] is not None else "active"
            return state in states and all(test(doc) for test in tests)

        docs = self.environment(project_key, environment_key).view(EXPERIMENTS, test=wanted, order_by=lambda d: (d["_creationDate"], d["key"]), reverse=True)
        parent = {"_links": {"parent": link(env_path(project_key, environment_key))}}
        return Listing(docs, represent=lambda doc: self.represent(doc, expanded), extra=parent)

    def get_experiment(self, project_key: str, environment_key: str, experiment_key: str, expand: str | None = None) -> dict:
        return self.represent(self.experiment(project_key, environment_key, experiment_key), self._expand(expand))

    def status(self, experiment: Mapping[str, Any]) -> str:
        """The experiment's status: its current iteration's, or `not_started` before any has started."""
        current = experiment["currentIteration"]
        return current["status"] if current else "not_started"

    def experiment(self, project_key: str, environment_key: str, key: str) -> dict:
        """The stored experiment, or 404 naming what does not exist."""
        self.environment_of(project_key, environment_key)
        experiment = self.environment(project_key, environment_key).get(EXPERIMENTS, key)
        if experiment is None:
            raise NotFound(f'Unknown experiment "{key}" in environment {environment_key}')
        return experiment

    # -- creating ------------------------------------------------------------------------------

    def create_experiment(self, project_key: str, environment_key: str, caller: str, body: Mapping[str, Any], *,
                          at: int | None = None, ids: Ids = RANDOM_IDS) -> dict:
        """A new experiment with `body["iteration"]` as its draft iteration (no current one yet).
        `caller`: the member creating it. `at` and `ids` let the demo data choose creation
        times and stable ids."""
        with self.store.transaction():
            self.environment_of(project_key, environment_key)
            now = self.now() if at is None else at
            errors = missing(body, ("name", "key", "iteration"))
            if errors:
                raise Invalid(errors)
            if self.environment(project_key, environment_key).get(EXPERIMENTS, body["key"]) is not None:
                raise Conflict(f'An experiment with key "{body["key"]}" already exists in this environment')
            errors = self._experiment_errors(project_key, environment_key, body, caller)
            iteration, iteration_errors = self.new_iteration(project_key, environment_key, body["iteration"], now, ids, ("iteration",))
            if errors + iteration_errors:
                raise Invalid(errors + iteration_errors)
            experiment = self._new_experiment(project_key, environment_key, body, caller, now, ids)
            experiment["draftIteration"] = iteration
            self.environment(project_key, environment_key).insert(EXPERIMENTS, body["key"], experiment)
            return self.represent(experiment)

    def _experiment_errors(self, project_key: str, environment_key: str, body: Mapping[str, Any], caller: str) -> Errors:
        errors = []
        kind = body.get("type") or "experiment"
        if kind == "mab" and body.get("methodology") not in (None, "bayesian"):
            errors.append((("methodology",), "Multi-armed bandit experiments support only the bayesian methodology."))
        maintainer = body.get("maintainerId") or caller
        if self.store.get(MEMBERS, maintainer) is None:
            errors.append((("maintainerId",), f'Unknown member "{maintainer}".'))
        holdout_id = body.get("holdoutId")
        if holdout_id is not None and self.environment(project_key, environment_key).get(HOLDOUTS, holdout_id) is None:
            errors.append((("holdoutId",), f'Unknown holdout "{holdout_id}" in this environment.'))
        return errors + _analysis_config_errors(body.get("analysisConfig") or {})

    def _new_experiment(self, project_key: str, environment_key: str, body: Mapping[str, Any], caller: str, now: int, ids: Ids) -> dict:
        kind = body.get("type") or "experiment"
        return {
            "_id": ids.hex(),
            "projectKey": project_key,
            "environmentKey": environment_key,
            "key": body["key"],
            "name": body["name"],
            "description": body.get("description"),
            "_maintainerId": body.get("maintainerId") or caller,
            "_creationDate": now,
            "methodology": body.get("methodology") or "bayesian",
            "dataSource": body.get("dataSource") or "launchdarkly",
            "archivedDate": None,
            "tags": list(body.get("tags") or []),
            "holdoutId": body.get("holdoutId"),
            "type": kind,
            "analysisConfig": dict(body.get("analysisConfig") or {}),
            "currentIteration": None,
            "draftIteration": None,
            "previousIterations": [],
        }

    def save(self, experiment: Mapping[str, Any]) -> None:
        self.environment(experiment["projectKey"], experiment["environmentKey"]).replace(EXPERIMENTS, experiment["key"], experiment)

    # -- query parameters --------------------------------------------------------------------

    @staticmethod
    def _expand(expand: str | None) -> set[str]:
        fields = split(expand)
        unknown = [field for field in fields if field not in EXPANDABLE]
        if unknown:
            raise Invalid.field("expand", f'"{unknown[0]}" cannot be expanded; use {", ".join(EXPANDABLE)}.')
        return set(fields)

    def _filters(self, filter: str | None) -> list[Callable[[Mapping[str, Any]], bool]]:
        tests = []
        for part in split(filter):
            field, _, value = part.partition(":")
            if field not in FILTER_FIELDS or not value:
                raise Invalid.field("filter", f'"{part}" is not a filter; use field:value with field one of {", ".join(FILTER_FIELDS)}.')
            if field == "status":
                if value not in STATUSES:
                    raise Invalid.field("filter", f'"{value}" is not an iteration status; use one of {", ".join(STATUSES)}.')
                tests.append(lambda doc, value=value: self.status(doc) == value)
            elif field == "flagKey":
                tests.append(lambda doc, value=value: any(value in it["flags"] for it in iterations(doc)))
            else:
                tests.append(lambda doc, value=value: any(m["key"] == value for it in iterations(doc) for m in it["metrics"]))
        return tests


def _analysis_config_errors(config: Mapping[str, Any]) -> Errors:
    """Both thresholds are percentages as decimal strings: `bayesianThreshold` the probability
    to beat the baseline ("90"), `significanceThreshold` the significance level ("5")."""
    errors = []
    for field, top in (("bayesianThreshold", 100), ("significanceThreshold", 100)):
        value = config.get(field)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= top:
            errors.append((("analysisConfig", field), f'"{value}" is not a number from 0 to {top}.'))
    return errors
