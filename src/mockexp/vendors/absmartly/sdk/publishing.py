"""What the SDKs publish: exposures, stored once per unit and experiment, which grow the
experiment's preview statistics (units per environment type and per variant); goals, stored
with the experiments their units were exposed to; all of an event (or a batch) or nothing."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from mockexp.vendors.absmartly.models.common import EXPERIMENTS, Errors, refuse
from mockexp.vendors.absmartly.sdk.common import EXPOSURES, GOAL_ACHIEVEMENTS, unit_hash
from mockexp.vendors.absmartly.sdk.keys import SdkKeys


def units_of(event: Mapping[str, Any]) -> dict[str, str]:
    """Unit type -> the unit's hashed id."""
    hashed = event.get("hashed", False)
    return {unit["type"]: unit["uid"] if hashed else unit_hash(unit["uid"]) for unit in event["units"]}


def grown_previews(previews: list, environment_type: str, moment: str) -> list:
    """The experiment's `previews` with one more unit in the environment type's."""
    found = next((p for p in previews if p["environment_type"] == environment_type), None)
    if found is None:
        found = {"environment_type": environment_type, "unit_count": 0, "first_exposure_at": moment}
        previews = [*previews, found]
    found.update(unit_count=found["unit_count"] + 1, last_exposure_at=moment, data_cutoff_at=moment, updated_at=moment)
    found["first_exposure_at"] = found["first_exposure_at"] or moment
    return previews


def grown_variants(variants: list, metric_id: int | None, variant: int, moment: str) -> list:
    """The experiment's `preview_variants` (its primary metric per variant) with one more unit in `variant`."""
    if metric_id is None:
        return variants
    found = next((v for v in variants if v["metric_id"] == metric_id and v["variant"] == variant), None)
    if found is None:
        found = {"metric_id": metric_id, "variant": variant, "unit_count": 0, "first_exposure_at": moment, "value": 0, "mean": 0,
                 "variance": 0, "pvalue": None, "impact": None, "impact_lower": None, "impact_upper": None}
        variants = [*variants, found]
    found.update(unit_count=found["unit_count"] + 1, last_exposure_at=moment)
    found["first_exposure_at"] = found["first_exposure_at"] or moment
    return variants


class Publishing(SdkKeys):
    def publish_events(self, key: Mapping[str, Any], application: str, environment: str, events: Sequence[Mapping[str, Any]], *, batch: bool = False) -> dict:
        """Store the events (after checking every one: a refusal stores nothing, and names the
        event of a batch at fault by its index); `{}`."""
        account = key["account"]
        self.check_environment(key, environment)
        kind = self.environment(account, environment)["type"]
        self.application(account, application)
        refuse([error for index, event in enumerate(events) for error in self._problems(account, event, index if batch else None)])
        tables = self.account(account)
        with tables.transaction():
            for event in events:
                self._store(account, event, kind, {"application": application, "environment": environment})
        return {}

    def _problems(self, account: str, event: Mapping[str, Any], index: int | None) -> Errors:
        at = () if index is None else (index,)
        errors: Errors = []
        for number, exposure in enumerate(event.get("exposures") or []):
            if exposure["id"] == 0:
                continue  # an experiment the SDK did not find: recorded nowhere
            experiment = self.account(account).peek(EXPERIMENTS, str(exposure["id"]))
            where = (*at, "exposures", number)
            if experiment is None:
                errors.append(((*where, "id"), f"Experiment {exposure['id']} not found."))
            elif exposure["variant"] >= len(experiment["variants"]):
                errors.append(((*where, "variant"), f"Experiment {exposure['id']} has variants 0 to {len(experiment['variants']) - 1}: there is no variant {exposure['variant']}."))
        return errors

    def _store(self, account: str, event: Mapping[str, Any], kind: str, source: Mapping[str, str]) -> None:
        tables = self.account(account)
        units = units_of(event)
        moment = self.now()
        for exposure in event.get("exposures") or []:
            uid = units.get(exposure.get("unit"))
            if exposure["id"] == 0 or uid is None:
                continue  # an experiment the SDK did not find, or a unit it was not given (a full-on variant without one): counted nowhere
            key = f"{exposure['id']}/{exposure['unit']}/{uid}"
            if tables.get(EXPOSURES, key) is not None:
                continue
            tables.insert(EXPOSURES, key, {"experiment_id": exposure["id"], "variant": exposure["variant"], "unit_type": exposure["unit"], "uid": uid,
                                           "exposed_at": exposure.get("exposedAt"), "received_at": moment, **source})
            self._count_unit(account, exposure["id"], exposure["variant"], kind, moment)
        for goal in event.get("goals") or []:
            exposed = tables.view(EXPOSURES, test=lambda e: units.get(e["unit_type"]) == e["uid"])
            id = self.next_id(account, GOAL_ACHIEVEMENTS)
            tables.insert(GOAL_ACHIEVEMENTS, str(id), {
                "id": id, "name": goal["name"], "achieved_at": goal.get("achievedAt"), "properties": goal.get("properties"),
                "units": units, "experiment_ids": sorted({e["experiment_id"] for e in exposed}), "received_at": moment, **source})

    def _count_unit(self, account: str, id: int, variant: int, kind: str, moment: str) -> None:
        tables = self.account(account)
        experiment = tables.get(EXPERIMENTS, str(id))
        experiment["previews"] = grown_previews(experiment["previews"], kind, moment)
        experiment["preview_variants"] = grown_variants(experiment["preview_variants"], experiment["primary_metric_id"], variant, moment)
        tables.replace(EXPERIMENTS, str(id), experiment)
