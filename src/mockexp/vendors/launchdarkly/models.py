"""LaunchDarkly's rules: projects, environments, flags, metrics, members and access tokens,
and experiments with their iterations, changed through semantic-patch instructions.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, enums, patterns); these are the rules the spec cannot state.
Every time is Unix milliseconds read from the clock.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlencode

from mockexp.clock import Clock
from mockexp.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from mockexp.store import Store

PROJECTS = "launchdarkly.projects"
ENVIRONMENTS = "launchdarkly.environments"
FLAGS = "launchdarkly.flags"
METRICS = "launchdarkly.metrics"
METRIC_GROUPS = "launchdarkly.metric_groups"
MEMBERS = "launchdarkly.members"
TOKENS = "launchdarkly.tokens"
HOLDOUTS = "launchdarkly.holdouts"
COVARIATES = "launchdarkly.covariates"
LAYERS = "launchdarkly.layers"
EXPERIMENTS = "launchdarkly.experiments"

API = "/api/v2"
JSON = "application/json"

EXPANDABLE = ("previousIterations", "draftIteration", "secondaryMetrics", "treatments", "analysisConfig")
LIFECYCLE_STATES = ("active", "archived")
FILTER_FIELDS = ("flagKey", "metricKey", "status")
STATUSES = ("not_started", "running", "stopped")
METHODOLOGIES = ("bayesian", "frequentist", "export_only")
DATA_SOURCES = ("launchdarkly", "snowflake")
TYPES = ("experiment", "mab", "holdout")
DEFAULT_LIMIT = 20
FALLTHROUGH = "fallthrough"

REQUIRED = "This field is required."
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def millis(moment: datetime) -> int:
    """Unix milliseconds, LaunchDarkly's only time format."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True)
class Ids:
    """Where new ids come from: `hex` for experiments and iterations (24 hex digits, like
    LaunchDarkly's), `uuid` for treatments. The demo data passes Faker's, for stable ids."""

    hex: Callable[[], str] = lambda: secrets.token_hex(12)
    uuid: Callable[[], str] = lambda: str(uuid.uuid4())


RANDOM_IDS = Ids()


def _link(href: str) -> dict:
    return {"href": href, "type": JSON}


def _env_path(project_key: str, environment_key: str) -> str:
    return f"{API}/projects/{project_key}/environments/{environment_key}"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _percent(value: Any) -> float | None:
    """An `allocationPercent` as a number, or None when it is not a decimal number 0-100."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 <= number <= 100 and value.strip() == value and "e" not in value.lower() else None


class LaunchDarkly:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> int:
        return millis(self.clock.now())

    # -- the world around experiments (set up by fixtures) ---------------------------------

    def add_project(self, key: str, name: str, *, id: str, context_kinds: Iterable[str]) -> dict:
        """Projects keep the order they were added in (the first is the demo tokens' main one)."""
        position = self.store.count(PROJECTS)
        return self.store.insert(PROJECTS, key, {"_id": id, "key": key, "name": name, "contextKinds": list(context_kinds), "position": position})

    def add_environment(self, project_key: str, key: str, name: str, *, id: str) -> dict:
        """Environments keep the order they were added in (the first is the project's main one)."""
        position = len(self.store.query(ENVIRONMENTS, {"projectKey": project_key}))
        return self.store.insert(ENVIRONMENTS, f"{project_key}/{key}", {"_id": id, "projectKey": project_key, "key": key, "name": name, "position": position})

    def add_flag(self, project_key: str, key: str, name: str, *, variations: list[dict], environments: Mapping[str, Mapping[str, Any]]) -> dict:
        """`variations`: [{_id, name, value}]; `environments`: environment key ->
        {version, rules: [{_id, description, clauses}]}."""
        return self.store.insert(FLAGS, f"{project_key}/{key}", {
            "projectKey": project_key,
            "key": key,
            "name": name,
            "variations": [dict(variation) for variation in variations],
            "environments": {env: {"version": config["version"], "rules": list(config["rules"])} for env, config in environments.items()},
        })

    def add_metric(self, project_key: str, key: str, name: str, *, kind: str, version_id: str, is_numeric: bool = False,
                   unit_aggregation_type: str | None = None, event_key: str | None = None, randomization_units: Iterable[str] = ("user",)) -> dict:
        return self.store.insert(METRICS, f"{project_key}/{key}", {
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
            if self.store.get(METRICS, f"{project_key}/{member['key']}") is None:
                raise LookupError(f"metric group {key} names unknown metric {member['key']}")
        return self.store.insert(METRIC_GROUPS, f"{project_key}/{key}", {
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
        return self.store.insert(HOLDOUTS, id, {"id": id, "key": key, "name": name, "projectKey": project_key, "environmentKey": environment_key})

    def add_covariate(self, project_key: str, environment_key: str, id: str, file_name: str, created_at: int) -> dict:
        return self.store.insert(COVARIATES, id, {"id": id, "fileName": file_name, "createdAt": created_at, "projectKey": project_key, "environmentKey": environment_key})

    def add_layer(self, project_key: str, environment_key: str, key: str, name: str, reservations: Mapping[str, int]) -> dict:
        """`reservations`: experiment key -> percent of the layer's traffic reserved for it."""
        return self.store.insert(LAYERS, f"{project_key}/{environment_key}/{key}", {
            "projectKey": project_key, "environmentKey": environment_key, "key": key, "name": name, "reservations": dict(reservations),
        })

    # -- who may do what ---------------------------------------------------------------------

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

    def credentials(self) -> list[dict]:
        out = []
        for record in self.store.query(TOKENS, order_by=lambda t: (t["projects"] is not None, t["role"] != "writer", t["token"])):
            member = self.store.get(MEMBERS, record["memberId"])
            projects = record["projects"] or [project["key"] for project in self.store.query(PROJECTS, order_by=lambda p: p["position"])]
            project = self.store.get(PROJECTS, projects[0])
            environments = self.store.query(ENVIRONMENTS, {"projectKey": project["key"]}, order_by=lambda e: e["position"])
            permissions = ["read experiments"] + (["write experiments"] if record["role"] == "writer" else [])
            role = record["role"] if record["projects"] is None else f"{record['role']} in project {', '.join(record['projects'])} only (custom role)"
            notes = []
            if record["projects"] is not None:
                notes.append(f"limited to project {', '.join(record['projects'])}: other projects answer 403")
            if record["role"] == "reader":
                notes.append("read-only: creating or changing experiments answers 403")
            out.append({
                "vendor": "launchdarkly",
                "header": "Authorization",
                "value": record["token"],
                "user": f"{member['firstName']} {member['lastName']}",
                "role": role,
                "permissions": permissions,
                "tenant": {
                    "projectKey": project["key"],
                    "project": project["name"],
                    "environmentKey": environments[0]["key"] if environments else None,
                    "memberId": member["_id"],
                },
                "note": "; ".join(notes) or None,
            })
        return out

    # -- reading experiments -----------------------------------------------------------------

    def list_experiments(self, project_key: str, environment_key: str, *, limit: int = DEFAULT_LIMIT, offset: int = 0,
                         filter: str | None = None, expand: str | None = None, lifecycle_state: str | None = None) -> dict:
        """One page of the environment's experiments, newest first, as `{items, total_count, _links}`."""
        self._environment(project_key, environment_key)
        if limit < 1:
            raise Invalid.field("limit", "Ensure this value is greater than or equal to 1.")
        if offset < 0:
            raise Invalid.field("offset", "Ensure this value is greater than or equal to 0.")
        expanded = self._expand(expand)
        states = _split(lifecycle_state) or ["active"]
        unknown = [state for state in states if state not in LIFECYCLE_STATES]
        if unknown:
            raise Invalid.field("lifecycleState", f'"{unknown[0]}" is not a lifecycle state; use active, archived or both.')
        tests = self._filters(filter)

        def wanted(doc: Mapping[str, Any]) -> bool:
            state = "archived" if doc["archivedDate"] is not None else "active"
            return state in states and all(test(doc) for test in tests)

        docs = self.store.query(EXPERIMENTS, {"projectKey": project_key, "environmentKey": environment_key}, test=wanted,
                                order_by=lambda d: (d["_creationDate"], d["key"]), reverse=True)
        page = docs[offset:offset + limit]
        collection = _env_path(project_key, environment_key) + "/experiments"
        kept = {name: value for name, value in (("filter", filter), ("expand", expand), ("lifecycleState", lifecycle_state)) if value}

        def at(position: int) -> dict:
            return _link(f"{collection}?{urlencode({'limit': limit, 'offset': position, **kept})}")

        links = {"self": at(offset), "first": at(0), "last": at(max(0, (len(docs) - 1) // limit * limit)),
                 "parent": _link(_env_path(project_key, environment_key))}
        if offset + limit < len(docs):
            links["next"] = at(offset + limit)
        if offset > 0:
            links["prev"] = at(max(0, offset - limit))
        return {"items": [self.represent(doc, expanded) for doc in page], "total_count": len(docs), "_links": links}

    def get_experiment(self, project_key: str, environment_key: str, key: str, *, expand: str | None = None) -> dict:
        return self.represent(self._experiment(project_key, environment_key, key), self._expand(expand))

    def status(self, experiment: Mapping[str, Any]) -> str:
        """The experiment's status: its current iteration's, or `not_started` before any has started."""
        current = experiment["currentIteration"]
        return current["status"] if current else "not_started"

    # -- creating ------------------------------------------------------------------------------

    def create_experiment(self, project_key: str, environment_key: str, member_id: str, body: Mapping[str, Any], *,
                          at: int | None = None, ids: Ids = RANDOM_IDS) -> dict:
        """A new experiment with `body["iteration"]` as its draft iteration (no current one yet).
        `at` and `ids` let the demo data choose creation times and stable ids."""
        with self.store.transaction():
            self._environment(project_key, environment_key)
            now = self.now() if at is None else at
            errors = _missing(body, ("name", "key", "iteration"))
            if errors:
                raise Invalid(errors)
            key = body["key"]
            if self.store.get(EXPERIMENTS, f"{project_key}/{environment_key}/{key}") is not None:
                raise Conflict(f'An experiment with key "{key}" already exists in this environment')
            kind = body.get("type") or "experiment"
            methodology = body.get("methodology") or ("bayesian" if kind == "mab" else "frequentist")
            if kind == "mab" and methodology != "bayesian":
                errors.append((("methodology",), "Multi-armed bandit experiments support only the bayesian methodology."))
            maintainer = body.get("maintainerId") or member_id
            if self.store.get(MEMBERS, maintainer) is None:
                errors.append((("maintainerId",), f'Unknown member "{maintainer}".'))
            holdout_id = body.get("holdoutId")
            if holdout_id is not None:
                holdout = self.store.get(HOLDOUTS, holdout_id)
                if holdout is None or (holdout["projectKey"], holdout["environmentKey"]) != (project_key, environment_key):
                    errors.append((("holdoutId",), f'Unknown holdout "{holdout_id}" in this environment.'))
            errors += _analysis_config_errors(body.get("analysisConfig") or {})
            iteration, iteration_errors = self._new_iteration(project_key, environment_key, body["iteration"], now, ids, ("iteration",))
            errors += iteration_errors
            if errors:
                raise Invalid(errors)
            experiment = {
                "_id": ids.hex(),
                "projectKey": project_key,
                "environmentKey": environment_key,
                "key": key,
                "name": body["name"],
                "description": body.get("description"),
                "_maintainerId": maintainer,
                "_creationDate": now,
                "methodology": methodology,
                "dataSource": body.get("dataSource") or "launchdarkly",
                "archivedDate": None,
                "tags": list(body.get("tags") or []),
                "holdoutId": holdout_id,
                "type": kind,
                "analysisConfig": dict(body.get("analysisConfig") or {}),
                "currentIteration": None,
                "draftIteration": iteration,
                "previousIterations": [],
            }
            self.store.insert(EXPERIMENTS, f"{project_key}/{environment_key}/{key}", experiment)
            return self.represent(experiment)

    def create_iteration(self, project_key: str, environment_key: str, key: str, body: Mapping[str, Any], *,
                         at: int | None = None, ids: Ids = RANDOM_IDS) -> dict:
        """A new draft iteration (status `not_started`), replacing a draft that was never started."""
        with self.store.transaction():
            experiment = self._experiment(project_key, environment_key, key)
            now = self.now() if at is None else at
            iteration, errors = self._new_iteration(project_key, environment_key, body, now, ids, ())
            if errors:
                raise Invalid(errors)
            experiment["draftIteration"] = iteration
            self._save(experiment)
            return self._represent_iteration(experiment, iteration)

    def _new_iteration(self, project_key: str, environment_key: str, body: Any, now: int, ids: Ids, at: tuple) -> tuple[dict | None, list]:
        """The stored form of an iteration from its input, and what is wrong with the input."""
        if not isinstance(body, Mapping):
            return None, [(at, "Expected object.")]
        errors = _missing(body, ("hypothesis", "metrics", "treatments", "flags"), at)
        if errors:
            return None, errors
        project = self.store.get(PROJECTS, project_key)
        # flags
        for field, kind in (("flags", Mapping), ("treatments", list), ("metrics", list)):
            if not isinstance(body[field], kind):
                errors.append((at + (field,), f"Expected {'object' if kind is Mapping else 'array'}."))
        if errors:
            return None, errors
        flags: dict[str, dict] = {}
        if not body["flags"]:
            errors.append((at + ("flags",), "An iteration needs at least one flag."))
        for flag_key, config in body["flags"].items():
            where = at + ("flags", flag_key)
            flag = self.store.get(FLAGS, f"{project_key}/{flag_key}")
            if flag is None:
                errors.append((where, f'Unknown flag "{flag_key}" in project {project_key}.'))
                continue
            missing = _missing(config, ("ruleId", "flagConfigVersion"), where)
            errors += missing
            if not isinstance(config, Mapping):
                continue
            environment = flag["environments"].get(environment_key)
            rule_id = config.get("ruleId")
            if environment is None:
                errors.append((where, f'Flag "{flag_key}" has no configuration in environment {environment_key}.'))
            elif rule_id is not None and rule_id != FALLTHROUGH and rule_id not in {rule["_id"] for rule in environment["rules"]}:
                errors.append((where + ("ruleId",), f'Flag "{flag_key}" has no rule "{rule_id}" in environment {environment_key}; use one of its rule ids or "fallthrough".'))
            outside = config.get("notInExperimentVariationId")
            if outside is not None and outside not in {variation["_id"] for variation in flag["variations"]}:
                errors.append((where + ("notInExperimentVariationId",), f'Flag "{flag_key}" has no variation "{outside}".'))
            flags[flag_key] = {"ruleId": rule_id, "flagConfigVersion": config.get("flagConfigVersion"), "notInExperimentVariationId": outside}
        # treatments
        treatments = []
        baselines = 0
        for index, treatment in enumerate(body["treatments"]):
            where = at + ("treatments", index)
            missing = _missing(treatment, ("name", "baseline", "allocationPercent", "parameters"), where)
            errors += missing
            if missing or not isinstance(treatment["parameters"], list):
                errors += [] if missing else [(where + ("parameters",), "Expected array.")]
                continue
            if _percent(treatment["allocationPercent"]) is None:
                errors.append((where + ("allocationPercent",), f'"{treatment["allocationPercent"]}" is not a percentage from 0 to 100.'))
            baselines += 1 if treatment["baseline"] else 0
            if not treatment["parameters"]:
                errors.append((where + ("parameters",), "A treatment needs at least one flag variation."))
            for number, parameter in enumerate(treatment["parameters"]):
                place = where + ("parameters", number)
                missing = _missing(parameter, ("flagKey", "variationId"), place)
                errors += missing
                if missing:
                    continue
                flag_key, variation_id = parameter["flagKey"], parameter["variationId"]
                flag = self.store.get(FLAGS, f"{project_key}/{flag_key}")
                if flag_key not in body["flags"]:
                    errors.append((place + ("flagKey",), f'Flag "{flag_key}" is not one of the iteration\'s flags.'))
                elif flag is not None and variation_id not in {variation["_id"] for variation in flag["variations"]}:
                    errors.append((place + ("variationId",), f'Flag "{flag_key}" has no variation "{variation_id}".'))
            treatments.append({
                "_id": ids.uuid(),
                "name": treatment["name"],
                "allocationPercent": treatment["allocationPercent"],
                "baseline": bool(treatment["baseline"]),
                "parameters": [{"flagKey": p.get("flagKey"), "variationId": p.get("variationId")} for p in treatment["parameters"] if isinstance(p, Mapping)],
            })
        if body["treatments"] and baselines != 1:
            errors.append((at + ("treatments",), f"Exactly one treatment must be the baseline; {baselines} are."))
        if not body["treatments"]:
            errors.append((at + ("treatments",), "An iteration needs at least one treatment."))
        # a flag whose variation outside the experiment is not given gets the baseline's
        baseline = next((t for t in treatments if t["baseline"]), None)
        for flag_key, config in flags.items():
            if config["notInExperimentVariationId"] is None and baseline is not None:
                config["notInExperimentVariationId"] = next((p["variationId"] for p in baseline["parameters"] if p["flagKey"] == flag_key), None)
        # metrics
        metrics = []
        unit = body.get("randomizationUnit")
        if unit is not None and unit not in project["contextKinds"]:
            errors.append((at + ("randomizationUnit",), f'"{unit}" is not a context kind of project {project_key}; use one of {", ".join(project["contextKinds"])}.'))
            unit = None
        if not body["metrics"]:
            errors.append((at + ("metrics",), "An iteration needs at least one metric."))
        seen = set()
        for index, metric in enumerate(body["metrics"]):
            where = at + ("metrics", index)
            missing = _missing(metric, ("key",), where)
            errors += missing
            if missing:
                continue
            is_group = bool(metric.get("isGroup"))
            key = metric["key"]
            if (key, is_group) in seen:
                errors.append((where + ("key",), f'{"Metric group" if is_group else "Metric"} "{key}" is listed twice.'))
            seen.add((key, is_group))
            found = self.store.get(METRIC_GROUPS if is_group else METRICS, f"{project_key}/{key}")
            if found is None:
                errors.append((where + ("key",), f'Unknown {"metric group" if is_group else "metric"} "{key}" in project {project_key}.'))
                continue
            singles = [self.store.get(METRICS, f"{project_key}/{m['key']}") for m in found["metrics"]] if is_group else [found]
            if unit is not None:
                for single in singles:
                    if unit not in single["randomizationUnits"]:
                        errors.append((where + ("key",), f'Metric "{single["key"]}" cannot be randomized by "{unit}"; it supports {", ".join(single["randomizationUnits"])}.'))
            analysis_unit = metric.get("analysisUnit")
            if analysis_unit is not None and not is_group and analysis_unit not in found["randomizationUnits"]:
                errors.append((where + ("analysisUnit",), f'Metric "{key}" cannot be analysed by "{analysis_unit}"; it supports {", ".join(found["randomizationUnits"])}.'))
            metrics.append({"key": key, "isGroup": is_group, "analysisUnit": analysis_unit if not is_group else None, "primary": bool(metric.get("primary"))})
        primary = None
        single_key, funnel_key = body.get("primarySingleMetricKey"), body.get("primaryFunnelKey")
        if single_key is not None and funnel_key is not None:
            errors.append((at + ("primaryFunnelKey",), "Give either primarySingleMetricKey or primaryFunnelKey, not both."))
        elif single_key is not None:
            if not any(m["key"] == single_key and not m["isGroup"] for m in metrics):
                errors.append((at + ("primarySingleMetricKey",), f'"{single_key}" is not one of the iteration\'s metrics.'))
            primary = {"key": single_key, "isGroup": False}
        elif funnel_key is not None:
            group = self.store.get(METRIC_GROUPS, f"{project_key}/{funnel_key}")
            if not any(m["key"] == funnel_key and m["isGroup"] for m in metrics):
                errors.append((at + ("primaryFunnelKey",), f'"{funnel_key}" is not one of the iteration\'s metric groups.'))
            elif group["kind"] != "funnel":
                errors.append((at + ("primaryFunnelKey",), f'Metric group "{funnel_key}" is not a funnel.'))
            primary = {"key": funnel_key, "isGroup": True}
        elif metrics:
            chosen = next((m for m in metrics if m["primary"]), metrics[0])
            primary = {"key": chosen["key"], "isGroup": chosen["isGroup"]}
        # covariates
        covariate_id = body.get("covariateId")
        if covariate_id is not None:
            covariate = self.store.get(COVARIATES, covariate_id)
            if covariate is None or (covariate["projectKey"], covariate["environmentKey"]) != (project_key, environment_key):
                errors.append((at + ("covariateId",), f'Unknown covariate file "{covariate_id}" in this environment.'))
        iteration = {
            "_id": ids.hex(),
            "hypothesis": body["hypothesis"],
            "status": "not_started",
            "createdAt": now,
            "startedAt": None,
            "endedAt": None,
            "winningTreatmentId": None,
            "winningReason": None,
            "canReshuffleTraffic": body.get("canReshuffleTraffic", True),
            "flags": flags,
            "reallocationFrequencyMillis": body.get("reallocationFrequencyMillis"),
            "version": 0,
            "metrics": [{k: m[k] for k in ("key", "isGroup", "analysisUnit")} for m in metrics],
            "primary": primary,
            "randomizationUnit": body.get("randomizationUnit"),
            "attributes": list(body.get("attributes") or []),
            "treatments": treatments,
            "covariateId": covariate_id,
            "layerSnapshot": None,
            "changeJustification": None,
        }
        return iteration, errors

    # -- semantic patch --------------------------------------------------------------------------

    def patch_experiment(self, project_key: str, environment_key: str, key: str, body: Mapping[str, Any], *, at: int | None = None) -> dict:
        """Apply every instruction in order, all or nothing: the first that fails (unknown, missing
        a field, or not possible in the experiment's state at that point) is a 400 naming it."""
        with self.store.transaction():
            experiment = self._experiment(project_key, environment_key, key)
            instructions = body.get("instructions") if isinstance(body, Mapping) else None
            if instructions is None:
                raise Invalid.field("instructions", REQUIRED)
            if not isinstance(instructions, list) or not instructions:
                raise Invalid.field("instructions", "Give at least one instruction, e.g. {\"kind\": \"updateName\", \"value\": \"...\"}.")
            now = self.now() if at is None else at
            working = copy.deepcopy(experiment)
            for index, instruction in enumerate(instructions):
                where = ("instructions", index)
                if not isinstance(instruction, Mapping):
                    raise Invalid.field(where, "An instruction is an object with a kind.")
                kind = instruction.get("kind")
                if kind is None:
                    raise Invalid.field(where + ("kind",), REQUIRED)
                apply = INSTRUCTIONS.get(kind) if isinstance(kind, str) else None
                if apply is None:
                    raise Invalid.field(where + ("kind",), f'Unknown instruction kind "{kind}"; use one of {", ".join(INSTRUCTIONS)}.')
                apply(self, working, instruction, where, now)
            if working != experiment:
                self._save(working)
            return self.represent(working)

    def _update_name(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        value = _text(instruction, "value", where, "updateName")
        if not value:
            raise Invalid.field(where + ("value",), "updateName needs a non-empty value.")
        experiment["name"] = value

    def _update_description(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        experiment["description"] = _text(instruction, "value", where, "updateDescription")

    def _start_iteration(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        draft, current = experiment["draftIteration"], experiment["currentIteration"]
        justification = _text(instruction, "changeJustification", where, "startIteration", required=False)
        if experiment["archivedDate"] is not None:
            raise Invalid.field(where, "startIteration: the experiment is archived; restore it (restoreExperiment) before starting an iteration.")
        if draft is None:
            raise Invalid.field(where, "startIteration: there is no draft iteration to start; create one first (POST .../iterations).")
        if current is not None and current["status"] == "running" and not justification:
            raise Invalid.field(where + ("changeJustification",), "startIteration needs a changeJustification while an iteration is running.")
        problems = []
        if not draft["randomizationUnit"]:
            problems.append("its randomizationUnit is not set")
        percents = [_percent(t["allocationPercent"]) or 0.0 for t in draft["treatments"]]
        zero = [t["name"] for t, p in zip(draft["treatments"], percents) if p == 0]
        if zero:
            problems.append(f"treatment {', '.join(repr(name) for name in zero)} has a zero allocationPercent")
        if abs(sum(percents) - 100) > 1e-9:
            problems.append(f"the treatments' allocationPercent add up to {sum(percents):g}, not 100")
        if problems:
            raise Invalid.field(where, f"startIteration: the draft iteration cannot start: {'; '.join(problems)}.")
        if current is not None:
            if current["status"] == "running":
                current.update(status="stopped", endedAt=now, version=current["version"] + 1)
                current["layerSnapshot"] = self._layer_snapshot(experiment)
            experiment["previousIterations"].insert(0, current)
        draft.update(status="running", startedAt=now, version=draft["version"] + 1, changeJustification=justification)
        experiment["currentIteration"], experiment["draftIteration"] = draft, None

    def _stop_iteration(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        current = experiment["currentIteration"]
        winner = _text(instruction, "winningTreatmentId", where, "stopIteration")
        reason = _text(instruction, "winningReason", where, "stopIteration", required=False)
        if current is None or current["status"] != "running":
            raise Invalid.field(where, "stopIteration: the experiment has no running iteration.")
        ids = [treatment["_id"] for treatment in current["treatments"]]
        if winner not in ids:
            raise Invalid.field(where + ("winningTreatmentId",), f'stopIteration: "{winner}" is not a treatment of the current iteration; use one of {", ".join(ids)}.')
        current.update(status="stopped", endedAt=now, winningTreatmentId=winner, winningReason=reason, version=current["version"] + 1)
        current["layerSnapshot"] = self._layer_snapshot(experiment)

    def _archive_experiment(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        current = experiment["currentIteration"]
        if current is not None and current["status"] == "running":
            raise Invalid.field(where, "archiveExperiment: the experiment has a running iteration; stop it (stopIteration) before archiving.")
        if experiment["archivedDate"] is None:
            experiment["archivedDate"] = now

    def _restore_experiment(self, experiment: dict, instruction: Mapping, where: tuple, now: int) -> None:
        experiment["archivedDate"] = None

    def _layer_snapshot(self, experiment: Mapping[str, Any]) -> dict | None:
        """The layer the experiment reserves traffic in, as it is when an iteration stops."""
        for layer in self.store.query(LAYERS, {"projectKey": experiment["projectKey"], "environmentKey": experiment["environmentKey"]}):
            if experiment["key"] in layer["reservations"]:
                mine = layer["reservations"][experiment["key"]]
                return {"key": layer["key"], "name": layer["name"], "reservationPercent": mine,
                        "otherReservationPercent": sum(layer["reservations"].values()) - mine}
        return None

    # -- representation --------------------------------------------------------------------------

    def represent(self, experiment: Mapping[str, Any], expand: set[str] | None = None) -> dict:
        """The experiment as LaunchDarkly shows it. `expand=None` gives everything (create and
        patch answer so); a set gives the default representation plus those expansions, and
        an expansion that is empty is left out."""
        full = expand is None
        expand = set(EXPANDABLE) if full else expand
        rep: dict[str, Any] = {
            "_id": experiment["_id"],
            "key": experiment["key"],
            "name": experiment["name"],
        }
        if experiment["description"] is not None:
            rep["description"] = experiment["description"]
        rep.update({
            "_maintainerId": experiment["_maintainerId"],
            "_creationDate": experiment["_creationDate"],
            "environmentKey": experiment["environmentKey"],
            "methodology": experiment["methodology"],
            "dataSource": experiment["dataSource"],
        })
        if experiment["archivedDate"] is not None:
            rep["archivedDate"] = experiment["archivedDate"]
        rep["tags"] = list(experiment["tags"])
        path = _env_path(experiment["projectKey"], experiment["environmentKey"])
        rep["_links"] = {"parent": _link(path), "self": _link(f"{path}/experiments/{experiment['key']}")}
        if experiment["holdoutId"] is not None:
            rep["holdoutId"] = experiment["holdoutId"]
        options = {"treatments": "treatments" in expand, "secondary": "secondaryMetrics" in expand}
        if experiment["currentIteration"] is not None:
            rep["currentIteration"] = self._represent_iteration(experiment, experiment["currentIteration"], **options)
        rep["type"] = experiment["type"]
        if "draftIteration" in expand and experiment["draftIteration"] is not None:
            rep["draftIteration"] = self._represent_iteration(experiment, experiment["draftIteration"], **options)
        if "previousIterations" in expand and experiment["previousIterations"]:
            rep["previousIterations"] = [self._represent_iteration(experiment, it, **options) for it in experiment["previousIterations"]]
        if "analysisConfig" in expand and experiment["analysisConfig"]:
            rep["analysisConfig"] = dict(experiment["analysisConfig"])
        return rep

    def _represent_iteration(self, experiment: Mapping[str, Any], iteration: Mapping[str, Any], *, treatments: bool = True, secondary: bool = True) -> dict:
        project_key = experiment["projectKey"]
        rep: dict[str, Any] = {"_id": iteration["_id"], "hypothesis": iteration["hypothesis"], "status": iteration["status"], "createdAt": iteration["createdAt"]}
        for field in ("startedAt", "endedAt", "winningTreatmentId", "winningReason"):
            if iteration[field] is not None:
                rep[field] = iteration[field]
        rep["canReshuffleTraffic"] = iteration["canReshuffleTraffic"]
        rep["flags"] = {key: self._represent_flag(experiment, key, config) for key, config in iteration["flags"].items()}
        if iteration["reallocationFrequencyMillis"] is not None:
            rep["reallocationFrequencyMillis"] = iteration["reallocationFrequencyMillis"]
        rep["version"] = iteration["version"]
        primary = iteration["primary"]
        if primary is not None:
            rep["primaryMetric"] = self._metric_or_group(project_key, primary["key"], primary["isGroup"])
            if not primary["isGroup"]:
                rep["primarySingleMetric"] = self._single_metric(project_key, primary["key"])
            else:
                group = self.store.get(METRIC_GROUPS, f"{project_key}/{primary['key']}")
                if group["kind"] == "funnel":
                    rep["primaryFunnel"] = self._group_with_metrics(group)
        if iteration["randomizationUnit"] is not None:
            rep["randomizationUnit"] = iteration["randomizationUnit"]
        rep["attributes"] = list(iteration["attributes"])
        if treatments:
            rep["treatments"] = [copy.deepcopy(treatment) for treatment in iteration["treatments"]]
        if secondary:
            others = [m for m in iteration["metrics"] if not m["isGroup"] and (primary is None or (m["key"], m["isGroup"]) != (primary["key"], primary["isGroup"]))]
            if others:
                rep["secondaryMetrics"] = [self._single_metric(project_key, m["key"]) for m in others]
        rep["metrics"] = [self._metric_or_group(project_key, m["key"], m["isGroup"], m["analysisUnit"]) for m in iteration["metrics"]]
        if iteration["layerSnapshot"] is not None:
            rep["layerSnapshot"] = dict(iteration["layerSnapshot"])
        if iteration["covariateId"] is not None:
            covariate = self.store.get(COVARIATES, iteration["covariateId"])
            rep["covariateInfo"] = {"id": covariate["id"], "fileName": covariate["fileName"], "createdAt": covariate["createdAt"]}
        return rep

    def _represent_flag(self, experiment: Mapping[str, Any], key: str, config: Mapping[str, Any]) -> dict:
        flag = self.store.get(FLAGS, f"{experiment['projectKey']}/{key}")
        rules = {rule["_id"]: rule for rule in flag["environments"].get(experiment["environmentKey"], {}).get("rules", [])}
        rule = rules.get(config["ruleId"])
        rep = {"targetingRule": config["ruleId"]}
        if rule is not None:
            rep["targetingRuleDescription"] = rule["description"]
        rep["targetingRuleClauses"] = copy.deepcopy(rule["clauses"]) if rule is not None else []
        rep["flagConfigVersion"] = config["flagConfigVersion"]
        if config["notInExperimentVariationId"] is not None:
            rep["notInExperimentVariationId"] = config["notInExperimentVariationId"]
        rep["_links"] = {"self": _link(f"{API}/flags/{experiment['projectKey']}/{key}")}
        return rep

    def _metric_base(self, metric: Mapping[str, Any]) -> dict:
        rep = {"key": metric["key"], "_versionId": metric["_versionId"], "name": metric["name"], "kind": metric["kind"], "isNumeric": metric["isNumeric"]}
        if metric["unitAggregationType"] is not None:
            rep["unitAggregationType"] = metric["unitAggregationType"]
        if metric["eventKey"] is not None:
            rep["eventKey"] = metric["eventKey"]
        rep["_links"] = {"self": _link(f"{API}/metrics/{metric['projectKey']}/{metric['key']}")}
        return rep

    def _single_metric(self, project_key: str, key: str) -> dict:
        return self._metric_base(self.store.get(METRICS, f"{project_key}/{key}"))

    def _in_group(self, group: Mapping[str, Any]) -> list[dict]:
        out = []
        for member in group["metrics"]:
            metric = self.store.get(METRICS, f"{group['projectKey']}/{member['key']}")
            rep = self._metric_base(metric)
            if member.get("nameInGroup") is not None:
                rep["nameInGroup"] = member["nameInGroup"]
            rep["randomizationUnits"] = list(metric["randomizationUnits"])
            out.append(rep)
        return out

    def _group_links(self, group: Mapping[str, Any]) -> dict:
        project = f"{API}/projects/{group['projectKey']}"
        return {"parent": _link(project), "self": _link(f"{project}/metric-groups/{group['key']}")}

    def _group_with_metrics(self, group: Mapping[str, Any]) -> dict:
        return {"key": group["key"], "name": group["name"], "kind": group["kind"], "_links": self._group_links(group), "metrics": self._in_group(group)}

    def _metric_or_group(self, project_key: str, key: str, is_group: bool, analysis_unit: str | None = None) -> dict:
        if is_group:
            group = self.store.get(METRIC_GROUPS, f"{project_key}/{key}")
            return {"key": key, "_versionId": group["_versionId"], "name": group["name"], "kind": group["kind"],
                    "_links": self._group_links(group), "isGroup": True, "metrics": self._in_group(group)}
        rep = self._single_metric(project_key, key)
        rep.pop("unitAggregationType", None)
        rep["isGroup"] = False
        if analysis_unit is not None:
            rep["analysisUnit"] = analysis_unit
        return rep

    # -- helpers ---------------------------------------------------------------------------------

    def _environment(self, project_key: str, environment_key: str) -> dict:
        if self.store.get(PROJECTS, project_key) is None:
            raise NotFound(f'Unknown project "{project_key}"')
        environment = self.store.get(ENVIRONMENTS, f"{project_key}/{environment_key}")
        if environment is None:
            raise NotFound(f'Unknown environment "{environment_key}" in project {project_key}')
        return environment

    def _experiment(self, project_key: str, environment_key: str, key: str) -> dict:
        self._environment(project_key, environment_key)
        experiment = self.store.get(EXPERIMENTS, f"{project_key}/{environment_key}/{key}")
        if experiment is None:
            raise NotFound(f'Unknown experiment "{key}" in environment {environment_key}')
        return experiment

    def _save(self, experiment: Mapping[str, Any]) -> None:
        self.store.replace(EXPERIMENTS, f"{experiment['projectKey']}/{experiment['environmentKey']}/{experiment['key']}", experiment)

    @staticmethod
    def _expand(expand: str | None) -> set[str]:
        fields = _split(expand)
        unknown = [field for field in fields if field not in EXPANDABLE]
        if unknown:
            raise Invalid.field("expand", f'"{unknown[0]}" cannot be expanded; use {", ".join(EXPANDABLE)}.')
        return set(fields)

    def _filters(self, filter: str | None) -> list[Callable[[Mapping[str, Any]], bool]]:
        tests = []
        for part in _split(filter):
            field, _, value = part.partition(":")
            if field not in FILTER_FIELDS or not value:
                raise Invalid.field("filter", f'"{part}" is not a filter; use field:value with field one of {", ".join(FILTER_FIELDS)}.')
            if field == "status":
                if value not in STATUSES:
                    raise Invalid.field("filter", f'"{value}" is not an iteration status; use one of {", ".join(STATUSES)}.')
                tests.append(lambda doc, value=value: self.status(doc) == value)
            elif field == "flagKey":
                tests.append(lambda doc, value=value: any(value in it["flags"] for it in _iterations(doc)))
            else:
                tests.append(lambda doc, value=value: any(m["key"] == value for it in _iterations(doc) for m in it["metrics"]))
        return tests


def _iterations(experiment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [it for it in (experiment["currentIteration"], experiment["draftIteration"], *experiment["previousIterations"]) if it is not None]


def _missing(data: Any, fields: Iterable[str], at: tuple = ()) -> list[tuple[tuple, str]]:
    if not isinstance(data, Mapping):
        return [(at, "Expected object.")]
    errors = []
    for field in fields:
        if field not in data:
            errors.append((at + (field,), REQUIRED))
        elif data[field] is None:
            errors.append((at + (field,), "This field may not be null."))
    return errors


def _text(instruction: Mapping, field: str, where: tuple, kind: str, *, required: bool = True) -> str | None:
    value = instruction.get(field)
    if value is None:
        if required:
            raise Invalid.field(where + (field,), f"{kind} needs a {field}.")
        return None
    if not isinstance(value, str):
        raise Invalid.field(where + (field,), f"{kind}: {field} must be a string.")
    return value


def _analysis_config_errors(config: Mapping[str, Any]) -> list[tuple[tuple, str]]:
    errors = []
    for field, top in (("bayesianThreshold", 100), ("significanceThreshold", 1)):
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


INSTRUCTIONS: dict[str, Callable[[LaunchDarkly, dict, Mapping, tuple, int], None]] = {
    "updateName": LaunchDarkly._update_name,
    "updateDescription": LaunchDarkly._update_description,
    "startIteration": LaunchDarkly._start_iteration,
    "stopIteration": LaunchDarkly._stop_iteration,
    "archiveExperiment": LaunchDarkly._archive_experiment,
    "restoreExperiment": LaunchDarkly._restore_experiment,
}
