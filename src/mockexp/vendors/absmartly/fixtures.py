"""ABsmartly's demo world, built with Faker from the seed in `fixtures/absmartly.yaml`.

Experiments are made and moved through their lifecycle by the model's own operations at
times in the past, so the demo data obeys the same rules as what users create; only the
preview statistics (which come from ABsmartly's analysis) are recorded directly."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.absmartly.models import ABsmartly
from mockexp.vendors.absmartly.models.common import ADMIN, ALERTS, APPLICATIONS, EXPERIMENTS, EXPERIMENT_TAGS, GOALS, METRICS, TEAMS, UNIT_TYPES, USERS

DAY = timedelta(days=1)
# state -> the actions that lead to it, each with how many days ago (before the experiment's own offset)
PATHS: dict[str, list[tuple[str, float]]] = {
    "created": [("create", 4)],
    "ready": [("create", 9)],
    "development": [("create", 12), ("development", 10)],
    "running": [("create", 30), ("start", 21)],
    "stopped": [("create", 90), ("start", 80), ("stop", 45)],
    "full_on": [("create", 120), ("start", 110), ("full_on", 70)],
    "archived": [("create", 300), ("start", 290), ("stop", 250), ("archive", 200)],
}


def load(absmartly: ABsmartly) -> None:
    world = scenario("absmartly")
    fake = Faker()
    fake.seed_instance(world["seed"])
    names = [f"{area}_{change}" for area, change in itertools.product(world["names"]["areas"], world["names"]["changes"])]
    fake.random.shuffle(names)
    for plan in world["accounts"]:
        _account(absmartly, fake, plan, names)


@dataclass
class Seeding:
    """What making one account's experiments needs."""

    absmartly: ABsmartly
    fake: Faker
    account: str
    catalogue: dict
    admin: str  # the account's admin key, which makes everything

    def days_ago(self, days: float, offset: int = 0):
        return self.absmartly.clock.now() - days * DAY - offset * timedelta(hours=5)


def _account(absmartly: ABsmartly, fake: Faker, plan: dict, names: list[str]) -> None:
    account = plan["id"]
    absmartly.add_account(account, plan["name"])
    long_ago = absmartly.clock.now() - 400 * DAY
    users = [absmartly.add(account, USERS, _person(fake), at=long_ago)["id"] for _ in range(plan["users"])]

    def add(table: str, fields: dict) -> int:
        return absmartly.add(account, table, {**fields, "archived": False} if table != EXPERIMENT_TAGS else fields, by=users[0], at=long_ago)["id"]

    catalogue = {
        TEAMS: [add(TEAMS, _team(fake, name)) for name in plan["teams"]],
        APPLICATIONS: [add(APPLICATIONS, dict(item)) for item in plan["applications"]],
        UNIT_TYPES: [add(UNIT_TYPES, dict(item)) for item in plan["unit_types"]],
        EXPERIMENT_TAGS: [add(EXPERIMENT_TAGS, {"tag": tag}) for tag in plan["experiment_tags"]],
    }
    goals = {item["name"]: add(GOALS, dict(item)) for item in plan["goals"]}
    catalogue[METRICS] = [add(METRICS, _metric(fake, item, goals)) for item in plan["metrics"]]
    catalogue[USERS] = users
    for key in plan["keys"]:
        absmartly.add_key(key["value"], account, users[key["user"]], key["permission"], key["label"])
    seeding = Seeding(absmartly, fake, account, catalogue, next(key["value"] for key in plan["keys"] if key["permission"] == ADMIN))
    states = [state for state, count in plan["experiments"].items() for _ in range(count)]
    for offset, state in enumerate(states):
        _experiment(seeding, names.pop(), state, offset)
    if plan["iterations"]:
        _iterations(seeding, names.pop(), plan["iterations"])


def _person(fake: Faker) -> dict:
    first, last = fake.first_name(), fake.last_name()
    return {"email": f"{first}.{last}@{fake.free_email_domain()}".lower(), "first_name": first, "last_name": last,
            "department": fake.random_element(["Product", "Engineering", "Marketing", "Data", "Design"]), "job_title": fake.job(),
            "archived": False, "avatar": None, "avatar_file_upload_url": None}


def _team(fake: Faker, name: str) -> dict:
    return {"external_id": None, "name": name, "initials": name[:2].upper(), "color": fake.hex_color(), "description": fake.sentence(nb_words=8)}


def _metric(fake: Faker, item: dict, goals: dict) -> dict:
    return {"goal_id": goals[item["goal"]], "name": item["name"], "description": fake.sentence(nb_words=10), "type": item["type"],
            "effect": item["effect"], "archived": False, "format_str": item["format"], "scale": 1, "precision": 2,
            "value_source_property": "", "property_filter": ""}


def _body(fake: Faker, catalogue: dict, name: str, state: str) -> dict:
    def some(table: str, low: int, high: int) -> list[int]:
        return fake.random_elements(catalogue[table], length=fake.random_int(low, min(high, len(catalogue[table]))), unique=True)

    variants = fake.random_element([["control", "treatment"], ["control", "variant_b", "variant_c"]])
    metrics = fake.random_elements(catalogue[METRICS], length=min(3, len(catalogue[METRICS])), unique=True)
    return {
        "name": name, "display_name": name.replace("_", " ").capitalize(), "state": "ready" if state != "created" else "created",
        "unit_type": {"unit_type_id": fake.random_element(catalogue[UNIT_TYPES])},
        "applications": [{"application_id": app, "application_version": "0"} for app in some(APPLICATIONS, 1, 2)],
        "primary_metric": {"metric_id": metrics[0]},
        "secondary_metrics": [{"metric_id": m, "type": "secondary", "order_index": i} for i, m in enumerate(metrics[1:])],
        "owners": [{"user_id": user} for user in some(USERS, 1, 2)],
        "teams": [{"team_id": team} for team in some(TEAMS, 1, 2)],
        "experiment_tags": [{"experiment_tag_id": tag} for tag in some(EXPERIMENT_TAGS, 0, 2)],
        "variants": [{"variant": i, "name": v, "config": "{}"} for i, v in enumerate(variants)],
        "percentage_of_traffic": fake.random_element([100, 100, 50, 20]),
        "description": fake.sentence(nb_words=14), "hypothesis": fake.sentence(nb_words=16), "prediction": fake.sentence(nb_words=10),
    }


def _experiment(seeding: Seeding, name: str, state: str, offset: int) -> None:
    id = None
    for action, days in PATHS[state]:
        id = _do(seeding, action, id, seeding.days_ago(days, offset), lambda: _body(seeding.fake, seeding.catalogue, name, state))
    if state in ("running", "stopped", "full_on") or (state == "archived" and offset % 2):
        _statistics(seeding, id)


def _iterations(seeding: Seeding, name: str, count: int) -> None:
    """One experiment run `count` times: every iteration but the last stopped and restarted."""
    id = _do(seeding, "create", None, seeding.days_ago(200), lambda: _body(seeding.fake, seeding.catalogue, name, "running"))
    id = _do(seeding, "start", id, seeding.days_ago(190), dict)
    for iteration in range(1, count):
        _statistics(seeding, id)
        _do(seeding, "stop", id, seeding.days_ago(150 - 50 * iteration), dict)
        id = _do(seeding, "restart", id, seeding.days_ago(149 - 50 * iteration), dict)
    _statistics(seeding, id)


def _do(seeding: Seeding, action: str, id: int | None, when, body: Callable[[], dict]) -> int:
    absmartly, fake = seeding.absmartly, seeding.fake
    if action == "create":
        return absmartly.create_experiment(body(), seeding.admin, at=when)["experiment"]["id"]
    note: dict[str, Any] = {"note": fake.sentence(nb_words=8)}
    if action == "stop":
        note["reason"] = fake.random_element(["hypothesis_rejected", "operational_decision", "testing", "data_issue"])
    if action == "full_on":
        note["full_on_variant"] = 1
    if action == "archive":
        note["archive"] = True
    if action == "restart":
        note.update(reason="hypothesis_iteration", state="running")
    return getattr(absmartly, f"{action}_experiment")(id, note, seeding.admin, at=when)["experiment"]["id"]


# -- preview statistics -----------------------------------------------------------------------

P_VALUES = (0.001, 0.008, 0.03, 0.12, 0.35, 0.6, 0.9)


def _statistics(seeding: Seeding, id: int) -> None:
    """Believable preview statistics for a started experiment: units seen, the primary metric
    per variant (impact and p-value against variant 0), alerts and its sample size."""
    fake, experiment = seeding.fake, seeding.absmartly.account(seeding.account).get(EXPERIMENTS, str(id))
    start, end = experiment["start_at"], experiment["stop_at"] or seeding.absmartly.now()
    units = fake.random_int(2_000, 80_000)
    variants = []
    for variant in experiment["variants"]:
        share = units // len(experiment["variants"])
        mean = round(fake.pyfloat(min_value=0.02, max_value=0.4), 4)
        impact = None if variant["variant"] == 0 else round(fake.pyfloat(min_value=-8, max_value=12), 2)
        width = round(fake.pyfloat(min_value=0.5, max_value=4), 2)
        variants.append({"metric_id": experiment["primary_metric_id"], "variant": variant["variant"], "unit_count": share,
                         "first_exposure_at": start, "last_exposure_at": end, "value": round(mean * share, 2), "mean": mean,
                         "variance": round(mean * (1 - mean), 4), "pvalue": None if impact is None else fake.random_element(P_VALUES),
                         "impact": impact, "impact_lower": None if impact is None else round(impact - width, 2),
                         "impact_upper": None if impact is None else round(impact + width, 2)})
    kinds = [kind for kind in ALERTS if fake.pybool(truth_probability=35)]
    alerts = [{"type": kind, "dismissed": False, "created_at": end, "updated_at": end, "metadata": None} for kind in kinds]
    required = fake.random_int(5_000, 120_000)
    reached = units >= required or "sample_size_reached" in kinds
    sample_size = {"created_at": start, "updated_at": end, "required_sample_size": required,
                   "reached_at": end if reached else None, "reached_at_sample_size": units if reached else None}
    previews = [{"environment_type": "production", "unit_count": units, "first_exposure_at": start, "last_exposure_at": end,
                 "data_cutoff_at": end, "updated_at": end}]
    seeding.absmartly.record_statistics(seeding.account, id, previews=previews, preview_variants=variants, alerts=alerts,
                                        sample_size={"experiment_id": id, **sample_size}, last_seen_in_code_at=end)
