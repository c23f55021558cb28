"""The context the SDKs read: the experiments an application runs in an environment, in the
form the SDKs assign units from, built from the Web Console's stored experiments. A context
is built once per change of what it reads (the account's experiments, applications, unit
types and environments) and kept until then."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.absmartly.models.common import APPLICATIONS, EXPERIMENTS, UNIT_TYPES
from mockexp.vendors.absmartly.models.experiments import seed_of
from mockexp.vendors.absmartly.sdk.common import DEVELOPMENT, ENVIRONMENTS
from mockexp.vendors.absmartly.sdk.keys import SdkKeys

SERVED = ("running", "full_on")  # in every environment; in a development one, also "development"
READS = (EXPERIMENTS, APPLICATIONS, UNIT_TYPES, ENVIRONMENTS)


def iteration_seed(stored: str, iteration: int) -> str:
    """An iteration's seed (16 hexadecimal digits) from the Web Console's: stable for the
    iteration, new for the next one."""
    return seed_of(stored, "iteration", iteration)


def halves(seed: str) -> tuple[int, int]:
    """The high and low 32 bits of a 16-digit hexadecimal seed."""
    value = int(seed, 16)
    return value >> 32, value & 0xFFFFFFFF


def served(experiment: Mapping[str, Any], unit_types: Mapping[int, str], applications: Mapping[int, str]) -> dict:
    """One experiment as the SDKs read it."""
    seed = iteration_seed(experiment["seed"], experiment["iteration"])
    traffic_seed = iteration_seed(experiment["traffic_seed"], experiment["iteration"])
    (seed_hi, seed_lo), (traffic_hi, traffic_lo) = halves(seed), halves(traffic_seed)
    share = experiment["percentage_of_traffic"] / 100
    traffic_split = [round(1 - share, 4), round(share, 4)]
    full_on = experiment["full_on_variant"] if experiment["state"] == "full_on" else 0
    if experiment["state"] == "full_on" and full_on == 0:
        traffic_split = [1, 0]  # the SDKs read fullOnVariant 0 as "not full on": every unit outside the traffic gets variant 0
    return {
        "id": experiment["id"], "name": experiment["name"], "unitType": unit_types[experiment["unit_type_id"]],
        "iteration": experiment["iteration"], "seed": seed, "seedHi": seed_hi, "seedLo": seed_lo,
        "trafficSeed": traffic_seed, "trafficSeedHi": traffic_hi, "trafficSeedLo": traffic_lo,
        "split": [int(part) / 100 for part in experiment["percentages"].split("/")], "trafficSplit": traffic_split,
        "fullOnVariant": full_on, "applications": [{"name": applications[app["application_id"]]} for app in experiment["applications"]],
        "variants": [{"name": variant["name"], "config": variant["config"]} for variant in experiment["variants"]],
        "audience": experiment["audience"], "audienceStrict": experiment["audience_strict"], "customFieldValues": [],
    }


class Contexts(SdkKeys):
    def context_for(self, account: str, application: str, environment: str) -> dict:
        """`{"experiments": [...]}` for the application in the environment (400 for one the
        account does not have); the same object until what it is built from changes."""
        tables = self.account(account)
        reads = tuple(tables.view(table) for table in READS)  # the same rows until their table changes
        cache: dict = self.__dict__.setdefault("_contexts", {})
        kept = cache.get((account, application, environment))
        if kept is not None and all(now is then for now, then in zip(reads, kept[0])):
            return kept[1]
        context = self._build(account, application, environment, reads[0])
        cache[account, application, environment] = (reads, context)
        return context

    def _build(self, account: str, application: str, environment: str, experiments) -> dict:
        kind = self.environment(account, environment)["type"]
        application_id = self.application(account, application)["id"]
        tables = self.account(account)
        unit_types = {unit["id"]: unit["name"] for unit in tables.view(UNIT_TYPES)}
        applications = {app["id"]: app["name"] for app in tables.view(APPLICATIONS)}
        states = SERVED + (("development",) if kind == DEVELOPMENT else ())
        chosen = sorted((e for e in experiments if e["state"] in states and any(a["application_id"] == application_id for a in e["applications"])),
                        key=lambda e: e["id"])
        return {"experiments": [served(e, unit_types, applications) for e in chosen]}
