"""What a running iteration does to its flags, as LaunchDarkly does it: starting an iteration
puts the experiment's traffic into the rule (or fallthrough) it runs on, a rollout of
`kind: experiment` over the treatments' variations with a `seed` (the iteration's, or its
layer's); stopping it takes the rollout away, the rule then serving the winning treatment's
variation. Each such change is a new version of the flag's configuration in the environment,
so the SDKs take it.

What experiments changed is kept apart from the flags (the demo world's, which the API only
reads), in each environment's `flag_traffic` table, one document per flag: what its rules and
fallthrough serve now, and how many changes were made. `configuration()` reads a flag's
configuration with them applied; the REST API and the SDK payload both show that. So dropping
the experiments (a world file that replaces them) drops their traffic with them."""

from __future__ import annotations

import copy
import hashlib
from typing import Any, Mapping

from mockexp.vendors.launchdarkly.models.common import ENVIRONMENTS, FALLTHROUGH, FLAG_TRAFFIC, LAYERS, percent
from mockexp.vendors.launchdarkly.models.world import World

WEIGHT_SCALE = 1000  # a rollout weight is a percentage in thousandths (100% = 100000)


def running(experiment: Mapping[str, Any]) -> Mapping[str, Any] | None:
    current = experiment["currentIteration"]
    return current if current is not None and current["status"] == "running" else None


def seed(of: str) -> int:
    """A bucketing seed made from an id: an iteration's (the same for as long as it runs, new
    with every iteration), or a layer's."""
    return int(hashlib.sha1(of.encode()).hexdigest()[:8], 16) % 1_000_000_000


class Rollouts(World):
    def sync_experiment_traffic(self, before: Mapping[str, Any], after: Mapping[str, Any], now: int) -> None:
        """The flags of an experiment changed from `before` to `after` by a patch: the rollout of
        an iteration that stopped taken away, that of one that started put in."""
        was, now_running = running(before), running(after)
        if was is not None and (now_running is None or now_running["_id"] != was["_id"]):
            stopped = next((it for it in (after["currentIteration"], *after["previousIterations"]) if it and it["_id"] == was["_id"]), was)
            for flag_key, config in was["flags"].items():
                self._serve(after, flag_key, config["ruleId"], {"variation": self._after_stop(after, stopped, flag_key)}, now)
        if now_running is not None and (was is None or was["_id"] != now_running["_id"]):
            for flag_key, config in now_running["flags"].items():
                self._serve(after, flag_key, config["ruleId"], {"rollout": self._experiment_rollout(after, now_running, flag_key)}, now)

    def _experiment_rollout(self, experiment: Mapping[str, Any], iteration: Mapping[str, Any], flag_key: str) -> dict:
        """The treatments' shares of the flag's variations; what no treatment takes goes to the
        variation served outside the experiment, untracked. An experiment in a layer gets only
        its reservation of the traffic, at its own place in the layer (after the reservations
        listed before it), bucketed by the layer's seed: experiments of one layer never share
        a context."""
        indices = self._variation_indices(experiment["projectKey"], flag_key)
        outside = indices.get(iteration["flags"][flag_key].get("notInExperimentVariationId"), 0)
        start, share, layer = self._layer_place(experiment)
        variations = [{"variation": outside, "weight": round(start * WEIGHT_SCALE), "untracked": True}]
        for treatment in iteration["treatments"]:
            weight = round((percent(treatment["allocationPercent"]) or 0.0) * share / 100 * WEIGHT_SCALE)
            variation = next((p["variationId"] for p in treatment["parameters"] if p["flagKey"] == flag_key), None)
            if variation in indices:
                variations.append({"variation": indices[variation], "weight": weight, "untracked": False})
        variations.append({"variation": outside, "weight": 100 * WEIGHT_SCALE - sum(v["weight"] for v in variations), "untracked": True})
        bucketing = seed(f"{experiment['projectKey']}.{experiment['environmentKey']}.{layer}" if layer else iteration["_id"])
        return {"kind": "experiment", "variations": [v for v in variations if v["weight"] > 0], "seed": bucketing,
                "contextKind": iteration["randomizationUnit"] or "user", "bucketBy": "key"}

    def _layer_place(self, experiment: Mapping[str, Any]) -> tuple[float, float, str | None]:
        """(where its traffic starts, its percent, the layer's key): the whole of it outside a layer."""
        for layer in self.environment(experiment["projectKey"], experiment["environmentKey"]).query(LAYERS, order_by=lambda layer: layer["key"]):
            reservations = layer["reservations"]
            if experiment["key"] in reservations:
                keys = list(reservations)
                before = sum(reservations[key] for key in keys[: keys.index(experiment["key"])])
                return float(before), float(reservations[experiment["key"]]), layer["key"]
        return 0.0, 100.0, None

    def _after_stop(self, experiment: Mapping[str, Any], iteration: Mapping[str, Any], flag_key: str) -> int:
        """What the rule serves once the iteration stopped: the winner's variation (the baseline's
        when it was stopped by the next iteration's start, without a winner)."""
        treatments = iteration["treatments"]
        chosen = next((t for t in treatments if t["_id"] == iteration["winningTreatmentId"]), None) or next((t for t in treatments if t["baseline"]), treatments[0])
        variation = next((p["variationId"] for p in chosen["parameters"] if p["flagKey"] == flag_key), None)
        return self._variation_indices(experiment["projectKey"], flag_key).get(variation, 0)

    def _variation_indices(self, project_key: str, flag_key: str) -> dict[str, int]:
        flag = self.flag(project_key, flag_key)
        return {variation["_id"]: index for index, variation in enumerate(flag["variations"])} if flag else {}

    def _serve(self, experiment: Mapping[str, Any], flag_key: str, rule_id: str | None, serves: dict, now: int) -> None:
        """The rule (or fallthrough) serves `serves` from now on: a new version of the flag's
        configuration in the experiment's environment."""
        project_key, environment_key = experiment["projectKey"], experiment["environmentKey"]
        flag = self.flag(project_key, flag_key)
        config = flag["environments"].get(environment_key) if flag else None
        if config is None or (rule_id not in (None, FALLTHROUGH) and all(rule["_id"] != rule_id for rule in config["rules"])):
            return
        tables = self.environment(project_key, environment_key)
        traffic = tables.get(FLAG_TRAFFIC, flag_key) or {"flagKey": flag_key, "changes": 0, "serves": {}}
        traffic["serves"][rule_id or FALLTHROUGH] = serves
        traffic.update(changes=traffic["changes"] + 1, lastModified=now)
        tables.replace(FLAG_TRAFFIC, flag_key, traffic)

    # -- reading flags with what experiments changed ------------------------------------------

    def configuration(self, flag: Mapping[str, Any], environment_key: str) -> dict:
        """The flag's configuration in the environment, as it serves now: with what experiments
        put on its rules and fallthrough, and a version counting their changes."""
        config = copy.deepcopy(flag["environments"][environment_key])
        traffic = self.environment(flag["projectKey"], environment_key).peek(FLAG_TRAFFIC, flag["key"])
        if traffic is None:
            return config
        for where, serves in traffic["serves"].items():
            place = config["fallthrough"] if where == FALLTHROUGH else next((r for r in config["rules"] if r["_id"] == where), None)
            if place is not None:
                place.pop("variation", None)
                place.pop("rollout", None)
                place.update(copy.deepcopy(serves))
        config.update(version=config["version"] + traffic["changes"], lastModified=traffic["lastModified"])
        return config

    def flag_version(self, flag: Mapping[str, Any]) -> int:
        """The flag's `_version`: it counts experiments' changes in every environment too."""
        return flag["_version"] + sum(traffic["changes"] for environment in self.project(flag["projectKey"]).view(ENVIRONMENTS)
                                      if (traffic := self.environment(flag["projectKey"], environment["key"]).peek(FLAG_TRAFFIC, flag["key"])))
