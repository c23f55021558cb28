"""Iterations: the draft an experiment starts with, and further drafts created for it; what
an iteration input must hold (flags and their rules, treatments and their variations,
metrics that support the randomization unit, a primary metric, a covariate file)."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid, missing
from mockexp.vendors.launchdarkly.models.common import (
    COVARIATES,
    FALLTHROUGH,
    PROJECTS,
    RANDOM_IDS,
    Errors,
    Ids,
    percent,
)
from mockexp.vendors.launchdarkly.models.world import World


class Iterations(World):
    def create_iteration(self, project_key: str, environment_key: str, experiment_key: str, body: Mapping[str, Any], *,
                         at: int | None = None, ids: Ids = RANDOM_IDS) -> dict:
        """A new draft iteration (status `not_started`), replacing a draft that was never started."""
        with self.store.transaction():
            experiment = self.experiment(project_key, environment_key, experiment_key)
            now = self.now() if at is None else at
            iteration, errors = self.new_iteration(project_key, environment_key, body, now, ids, ())
            if errors:
                raise Invalid(errors)
            experiment["draftIteration"] = iteration
            self.save(experiment)
            return self.represent_iteration(experiment, iteration)

    def new_iteration(self, project_key: str, environment_key: str, body: Any, now: int, ids: Ids, at: tuple) -> tuple[dict | None, Errors]:
        """The stored form of an iteration from its input, and what is wrong with the input."""
        if not isinstance(body, Mapping):
            return None, [(at, "Expected object.")]
        errors = missing(body, ("hypothesis", "metrics", "treatments", "flags"), at)
        if not errors:
            kinds = (("flags", Mapping), ("treatments", list), ("metrics", list))
            errors = [(at + (field,), f"Expected {'object' if kind is Mapping else 'array'}.") for field, kind in kinds if not isinstance(body[field], kind)]
        if errors:
            return None, errors
        flags, errors = self._flag_configs(project_key, environment_key, body["flags"], at)
        treatments, found = self._treatments(project_key, body, ids, at)
        _default_outside_variations(flags, treatments)
        metrics, more = self._metrics(project_key, body, at)
        primary, most = self._primary(project_key, body, metrics, at)
        errors += found + more + most + self._covariate_errors(project_key, environment_key, body.get("covariateId"), at)
        return _iteration(body, ids, now, flags, treatments, metrics, primary), errors

    def _flag_configs(self, project_key: str, environment_key: str, flags: Mapping[str, Any], at: tuple) -> tuple[dict, Errors]:
        """Each flag's rule and variation outside the experiment, checked against the flag."""
        configs: dict[str, dict] = {}
        errors: Errors = [] if flags else [(at + ("flags",), "An iteration needs at least one flag.")]
        for flag_key, config in flags.items():
            where = at + ("flags", flag_key)
            flag = self.flag(project_key, flag_key)
            if flag is None:
                errors.append((where, f'Unknown flag "{flag_key}" in project {project_key}.'))
                continue
            errors += missing(config, ("ruleId", "flagConfigVersion"), where)
            if not isinstance(config, Mapping):
                continue
            environment = flag["environments"].get(environment_key)
            rule_id = config.get("ruleId")
            if environment is None:
                errors.append((where, f'Flag "{flag_key}" has no configuration in environment {environment_key}.'))
            elif rule_id is not None and rule_id != FALLTHROUGH and rule_id not in {rule["_id"] for rule in environment["rules"]}:
                errors.append((where + ("ruleId",), f'Flag "{flag_key}" has no rule "{rule_id}" in environment {environment_key}; use one of its rule ids or "fallthrough".'))
            outside = config.get("notInExperimentVariationId")
            if outside is not None and outside not in _variation_ids(flag):
                errors.append((where + ("notInExperimentVariationId",), f'Flag "{flag_key}" has no variation "{outside}".'))
            configs[flag_key] = {"ruleId": rule_id, "flagConfigVersion": config.get("flagConfigVersion"), "notInExperimentVariationId": outside}
        return configs, errors

    def _treatments(self, project_key: str, body: Mapping[str, Any], ids: Ids, at: tuple) -> tuple[list[dict], Errors]:
        """The treatments with new ids; exactly one is the baseline, each names variations of
        the iteration's flags."""
        treatments, errors = [], []
        for index, treatment in enumerate(body["treatments"]):
            where = at + ("treatments", index)
            problems = missing(treatment, ("name", "baseline", "allocationPercent", "parameters"), where)
            if not problems and not isinstance(treatment["parameters"], list):
                problems = [(where + ("parameters",), "Expected array.")]
            errors += problems
            if problems:
                continue
            if percent(treatment["allocationPercent"]) is None:
                errors.append((where + ("allocationPercent",), f'"{treatment["allocationPercent"]}" is not a percentage from 0 to 100.'))
            if not treatment["parameters"]:
                errors.append((where + ("parameters",), "A treatment needs at least one flag variation."))
            errors += self._parameter_errors(project_key, body["flags"], treatment["parameters"], where)
            treatments.append({
                "_id": ids.uuid(),
                "name": treatment["name"],
                "allocationPercent": treatment["allocationPercent"],
                "baseline": bool(treatment["baseline"]),
                "parameters": [{"flagKey": p.get("flagKey"), "variationId": p.get("variationId")} for p in treatment["parameters"] if isinstance(p, Mapping)],
            })
        total = sum(percent(t["allocationPercent"]) or 0.0 for t in treatments)
        if total > 100 + 1e-9:
            errors.append((at + ("treatments",), f"The treatments' allocationPercent add up to {total:g}, more than 100."))
        baselines = sum(1 for treatment in treatments if treatment["baseline"])
        if body["treatments"] and baselines != 1:
            errors.append((at + ("treatments",), f"Exactly one treatment must be the baseline; {baselines} are."))
        if not body["treatments"]:
            errors.append((at + ("treatments",), "An iteration needs at least one treatment."))
        return treatments, errors

    def _parameter_errors(self, project_key: str, flags: Mapping[str, Any], parameters: list, where: tuple) -> Errors:
        errors: Errors = []
        for number, parameter in enumerate(parameters):
            place = where + ("parameters", number)
            problems = missing(parameter, ("flagKey", "variationId"), place)
            errors += problems
            if problems:
                continue
            flag_key, variation_id = parameter["flagKey"], parameter["variationId"]
            flag = self.flag(project_key, flag_key)
            if flag_key not in flags:
                errors.append((place + ("flagKey",), f'Flag "{flag_key}" is not one of the iteration\'s flags.'))
            elif flag is not None and variation_id not in _variation_ids(flag):
                errors.append((place + ("variationId",), f'Flag "{flag_key}" has no variation "{variation_id}".'))
        return errors

    def _metrics(self, project_key: str, body: Mapping[str, Any], at: tuple) -> tuple[list[dict], Errors]:
        """The metrics and metric groups measured; each must exist, be listed once and support
        the randomization unit."""
        project = self.store.get(PROJECTS, project_key)
        metrics, errors, seen = [], [], set()
        unit = body.get("randomizationUnit")
        if unit is not None and unit not in project["contextKinds"]:
            errors.append((at + ("randomizationUnit",), f'"{unit}" is not a context kind of project {project_key}; use one of {", ".join(project["contextKinds"])}.'))
            unit = None
        if not body["metrics"]:
            errors.append((at + ("metrics",), "An iteration needs at least one metric."))
        for index, metric in enumerate(body["metrics"]):
            where = at + ("metrics", index)
            problems = missing(metric, ("key",), where)
            errors += problems
            if problems:
                continue
            is_group, key = bool(metric.get("isGroup")), metric["key"]
            if (key, is_group) in seen:
                errors.append((where + ("key",), f'{"Metric group" if is_group else "Metric"} "{key}" is listed twice.'))
            seen.add((key, is_group))
            found = self.metric_group(project_key, key) if is_group else self.metric(project_key, key)
            if found is None:
                errors.append((where + ("key",), f'Unknown {"metric group" if is_group else "metric"} "{key}" in project {project_key}.'))
                continue
            errors += self._unit_errors(project_key, found, is_group, unit, metric.get("analysisUnit"), where)
            analysis_unit = None if is_group else metric.get("analysisUnit")
            metrics.append({"key": key, "isGroup": is_group, "analysisUnit": analysis_unit, "primary": bool(metric.get("primary"))})
        return metrics, errors

    def _unit_errors(self, project_key: str, found: Mapping[str, Any], is_group: bool, unit: str | None, analysis_unit: str | None, where: tuple) -> Errors:
        errors = []
        singles = [self.metric(project_key, m["key"]) for m in found["metrics"]] if is_group else [found]
        if unit is not None:
            for single in singles:
                if unit not in single["randomizationUnits"]:
                    errors.append((where + ("key",), f'Metric "{single["key"]}" cannot be randomized by "{unit}"; it supports {", ".join(single["randomizationUnits"])}.'))
        if analysis_unit is not None and not is_group and analysis_unit not in found["randomizationUnits"]:
            errors.append((where + ("analysisUnit",), f'Metric "{found["key"]}" cannot be analysed by "{analysis_unit}"; it supports {", ".join(found["randomizationUnits"])}.'))
        return errors

    def _primary(self, project_key: str, body: Mapping[str, Any], metrics: list[dict], at: tuple) -> tuple[dict | None, Errors]:
        """The primary metric: `primaryFunnelKey` (a funnel among the metrics) or
        `primarySingleMetricKey` (a metric measured, alone or in a listed group), the funnel
        when both are given; else the metric marked `primary`, else the first."""
        single_key, funnel_key = body.get("primarySingleMetricKey"), body.get("primaryFunnelKey")
        errors: Errors = []
        if single_key is not None and single_key not in self._measured(project_key, metrics):
            errors.append((at + ("primarySingleMetricKey",), f'"{single_key}" is not a metric the iteration measures (alone or in one of its metric groups).'))
        if funnel_key is not None:
            group = self.metric_group(project_key, funnel_key)
            if not any(m["key"] == funnel_key and m["isGroup"] for m in metrics):
                errors.append((at + ("primaryFunnelKey",), f'"{funnel_key}" is not one of the iteration\'s metric groups.'))
            elif group["kind"] != "funnel":
                errors.append((at + ("primaryFunnelKey",), f'Metric group "{funnel_key}" is not a funnel.'))
        single = {"key": single_key, "isGroup": False} if single_key is not None else None
        if funnel_key is not None:
            return {"key": funnel_key, "isGroup": True, "single": single_key}, errors
        if single is not None or not metrics:
            return single, errors
        chosen = next((m for m in metrics if m["primary"]), metrics[0])
        return {"key": chosen["key"], "isGroup": chosen["isGroup"]}, errors

    def _measured(self, project_key: str, metrics: list[dict]) -> set[str]:
        """The keys of every single metric the iteration measures, directly or in a group."""
        keys = {m["key"] for m in metrics if not m["isGroup"]}
        for m in metrics:
            if m["isGroup"]:
                keys |= {member["key"] for member in self.metric_group(project_key, m["key"])["metrics"]}
        return keys

    def _covariate_errors(self, project_key: str, environment_key: str, covariate_id: str | None, at: tuple) -> Errors:
        if covariate_id is None or self.environment(project_key, environment_key).get(COVARIATES, covariate_id) is not None:
            return []
        return [(at + ("covariateId",), f'Unknown covariate file "{covariate_id}" in this environment.')]


def _variation_ids(flag: Mapping[str, Any]) -> set[str]:
    return {variation["_id"] for variation in flag["variations"]}


def _default_outside_variations(flags: dict[str, dict], treatments: list[dict]) -> None:
    """A flag whose variation outside the experiment is not given gets the baseline's."""
    baseline = next((t for t in treatments if t["baseline"]), None)
    for flag_key, config in flags.items():
        if config["notInExperimentVariationId"] is None and baseline is not None:
            config["notInExperimentVariationId"] = next((p["variationId"] for p in baseline["parameters"] if p["flagKey"] == flag_key), None)


def _iteration(body: Mapping[str, Any], ids: Ids, now: int, flags: dict, treatments: list, metrics: list, primary: dict | None) -> dict:
    return {
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
        "covariateId": body.get("covariateId"),
        "layerSnapshot": None,
        "changeJustification": None,
    }
