"""An experiment's results: the analysis of its latest successful snapshot of a phase (the
latest phase unless `phase` names another, by its index), for all users or split by a
`dimension`: `pre:date` (the day of first exposure), `pre:activation` (with an activation
metric), `exp:<column>` (a dimension column of the experiment's assignment query) or the id of
a user dimension of the experiment's data source. A draft, or an experiment with no finished
snapshot of that phase, has none (400, as GrowthBook answers "No results found").

The numbers are made by statistics.py from a seed: the same snapshot always answers the same.
Each metric the snapshot analysed is reported per variation: users, numerator, denominator,
mean and standard deviation, and against the control the relative change with its 95%
interval and the engine's own figures (chance to beat control and risk, or the p-value)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models import query_text, statistics
from mockexp.vendors.growthbook.models.common import DATA_SOURCES, DIMENSIONS, EXPERIMENTS, SNAPSHOTS, moment, timestamp
from mockexp.vendors.growthbook.models.queries import QUEUED, RUNNING
from mockexp.vendors.growthbook.models.snapshots import Snapshots

DAY = timedelta(days=1)
MOST_DAYS = 90  # a `pre:date` split shows at most the phase's last 90 days
VALUES = {"country": ["US", "GB", "DE", "FR", "CA"], "device": ["desktop", "mobile", "tablet"], "browser": ["Chrome", "Safari", "Firefox", "Edge"],
          "plan": ["free", "pro", "team"], "platform": ["iOS", "Android"], "cohort": ["new", "returning"], "source": ["organic", "paid", "email"]}


class Results(Snapshots):
    def get_experiment_results(self, id: str, caller: str, phase: str | None = None, dimension: str | None = None) -> dict:
        org = self.org(caller)
        experiment = self.stored(org, EXPERIMENTS, id)
        snapshot = self._latest_finished_snapshot(org, experiment, _phase_index(experiment, phase))
        groups = self._result_groups(org, experiment, snapshot, dimension or "")
        metrics = self.analysed_metrics(org, snapshot["settings"])
        rows = [_row(experiment, snapshot, metrics, name, share) for name, share in groups]
        finished = timestamp(moment(snapshot["dateCreated"]) + timedelta(seconds=QUEUED + RUNNING))
        return {"result": {"id": snapshot["id"], "dateUpdated": finished, "experimentId": id, "phase": str(snapshot["phase"]),
                           "dateStart": snapshot["dateStart"], "dateEnd": snapshot["dateEnd"], "dimension": _dimension(dimension or ""),
                           "settings": snapshot["settings"], "queryIds": list(snapshot["queryIds"]), "results": rows}}

    def _latest_finished_snapshot(self, org: Tables, experiment: Mapping[str, Any], index: int) -> Mapping[str, Any]:
        snapshots = org.query(SNAPSHOTS, {"experiment": experiment["id"], "phase": index}, order_by=lambda s: (s["dateCreated"], s["id"]))
        done = [s for s in snapshots if self.snapshot_status(s) == "success"]
        if not done:
            why = "it is a draft" if not experiment["phases"] else "no snapshot of that phase has finished (POST /experiments/{id}/snapshot)"
            raise Invalid.field("id", f"No results found for that experiment: {why}.")
        return done[-1]

    def _result_groups(self, org: Tables, experiment: Mapping[str, Any], snapshot: Mapping[str, Any], dimension: str) -> list[tuple[str, float]]:
        """The rows a dimension splits the users into, with each row's share of them."""
        if not dimension:
            return [("All", 1.0)]
        if dimension == "pre:date":
            return _shares(experiment, dimension, _days(snapshot))
        if dimension == "pre:activation" and (snapshot["settings"].get("activationMetric") or {}).get("metricId"):
            return _shares(experiment, dimension, ["Activated", "Not Activated"])
        if dimension.startswith("exp:") and dimension[4:] in self._dimension_columns_of(org, snapshot["settings"]):
            return _shares(experiment, dimension, _values_of(dimension[4:]))
        found = org.get(DIMENSIONS, dimension)
        if found is not None and found["datasourceId"] == snapshot["settings"]["datasourceId"]:
            return _shares(experiment, dimension, _values_of(found["name"]))
        raise Invalid.field("dimension", f"{dimension!r} is not a dimension of this experiment: use pre:date, pre:activation (with an activation metric), "
                                         "exp:<a dimension column of its assignment query> or the id of a dimension of its data source.")

    @staticmethod
    def _dimension_columns_of(org: Tables, settings: Mapping[str, Any]) -> list[str]:
        source = org.get(DATA_SOURCES, settings["datasourceId"]) or {}
        return list(query_text.assignment_query(source, settings).get("dimensionColumns", []))


def _phase_index(experiment: Mapping[str, Any], phase: str | None) -> int:
    if phase is None or phase == "":
        return max(len(experiment["phases"]) - 1, 0)
    if not phase.isdigit() or int(phase) >= max(len(experiment["phases"]), 1):
        raise Invalid.field("phase", f"{phase!r} is not a phase of the experiment: phases are numbered 0 to {max(len(experiment['phases']) - 1, 0)}.")
    return int(phase)


def _dimension(dimension: str) -> dict:
    """How GrowthBook names the split: none, a predefined one by its type, or an experiment or user dimension by id."""
    if not dimension:
        return {"type": "none"}
    if dimension.startswith("pre:"):
        return {"type": dimension[4:]}
    if dimension.startswith("exp:"):
        return {"type": "experiment", "id": dimension[4:]}
    return {"type": "user", "id": dimension}


def _values_of(name: str) -> list[str]:
    words = name.lower()
    for word, values in VALUES.items():
        if word in words:
            return values
    return [f"{name} A", f"{name} B", f"{name} C"]


def _days(snapshot: Mapping[str, Any]) -> list[str]:
    start, end = moment(snapshot["dateStart"]).date(), moment(snapshot["dateEnd"]).date()
    days = [(start + i * DAY).isoformat() for i in range((end - start).days + 1)]
    return days[-MOST_DAYS:]


def _shares(experiment: Mapping[str, Any], dimension: str, names: list[str]) -> list[tuple[str, float]]:
    weights = [statistics.seeded(experiment["id"], dimension, name).uniform(1, 5) for name in names]
    return [(name, weight / sum(weights)) for name, weight in zip(names, weights)]


def _row(experiment: Mapping[str, Any], snapshot: Mapping[str, Any], metrics: list[Mapping[str, Any]], name: str, share: float) -> dict:
    """One dimension value's users and the analysis of each metric over them."""
    variations = [v["variationId"] for v in snapshot["variations"]]
    split = [v["weight"] for v in snapshot["variations"]]
    total = round(_exposed(experiment, snapshot) * share)
    users = statistics.split_users(total, [w / (sum(split) or 1) for w in split], statistics.seeded(experiment["id"], snapshot["phase"], name, total))
    engine = snapshot["settings"]["statsEngine"]
    return {"dimension": name, "totalUsers": sum(users), "checks": {"srm": statistics.srm(users, split)},
            "metrics": [{"metricId": metric["id"], "variations": _metric_variations(experiment, snapshot, metric, name, variations, users, engine)}
                        for metric in metrics]}


def _exposed(experiment: Mapping[str, Any], snapshot: Mapping[str, Any]) -> float:
    """Users exposed over the snapshot's window: a daily traffic of the experiment's own, times the days, times the coverage."""
    days = max((moment(snapshot["dateEnd"]) - moment(snapshot["dateStart"])).total_seconds() / 86400, 1 / 24)
    daily = statistics.seeded(experiment["id"], snapshot["phase"], "traffic").randint(200, 2500)
    return daily * days * snapshot["coverage"]


def _metric_variations(experiment: Mapping[str, Any], snapshot: Mapping[str, Any], metric: Mapping[str, Any], name: str,
                       variations: list[str], users: list[int], engine: str) -> list[dict]:
    kind = metric.get("metricType") or metric.get("type", "mean")
    inverse = bool(metric.get("inverse")) or (metric.get("behavior") or {}).get("goal") == "decrease"
    samples = statistics.arms(kind, (experiment["id"], snapshot["phase"], metric["id"], name), users)
    out = []
    for index, (variation, sample) in enumerate(zip(variations, samples)):
        compared = statistics.compare(samples[0], sample, engine, inverse) if index else statistics.NO_COMPARISON
        out.append({"variationId": variation, "users": sample.users,
                    "analyses": [{"engine": engine, "numerator": sample.numerator, "denominator": sample.denominator, "mean": sample.mean,
                                  "stddev": sample.stddev, **compared}]})
    return out

