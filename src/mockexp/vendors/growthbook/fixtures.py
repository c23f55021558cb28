"""GrowthBook's demo world, built with Faker from the seed in `fixtures/growthbook.yaml`.

Everything is made through the model's own operations at times in the past (creates, then
changes and toggles, each a revision), so the demo data obeys the same rules as what users
create."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.growthbook import experimentation_fixtures
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.world import add_organization

DAY = timedelta(days=1)
TYPES = ("boolean", "boolean", "string", "number", "json")


@dataclass
class Seeding:
    growthbook: GrowthBook
    fake: Faker
    admin: str  # the organization's admin key, which makes everything
    projects: list[str]
    environments: list[str]

    def days_ago(self, days: float) -> datetime:
        return self.growthbook.clock.now() - days * DAY


def load(growthbook: GrowthBook) -> None:
    world = scenario("growthbook")
    fake = Faker()
    fake.seed_instance(world["seed"])
    for plan in world["organizations"]:
        _organization(growthbook, fake, plan)


def _organization(growthbook: GrowthBook, fake: Faker, plan: dict) -> None:
    with growthbook.backdated(growthbook.clock.now() - 400 * DAY):
        add_organization(growthbook, plan["id"], plan["name"], plan["owner"])
        for key in plan["keys"]:
            user = plan["owner"] if key.get("user") else None
            growthbook.add_key(key["value"], plan["id"], key["role"], key["description"], user=user, super_admin=key.get("superAdmin", False))
        admin = plan["keys"][0]["value"]
        projects = [growthbook.post_project(dict(item), admin)["project"]["id"] for item in plan["projects"]]
        environments = [growthbook.post_environment(dict(item), admin)["environment"]["id"] for item in plan["environments"]]
        for env, language in zip(environments, itertools.cycle(("python", "javascript"))):
            growthbook.post_sdk_connection({"name": f"{plan['name']} ({env})", "language": language, "environment": env}, admin)
    seeding = Seeding(growthbook, fake, admin, projects, environments)
    for offset, item in enumerate(plan["showcase"]):
        _showcase(seeding, item, 300 - offset)
    names = [f"{area}-{thing}" for area, thing in itertools.product(plan["areas"], plan["things"])]
    fake.random.shuffle(names)
    for offset in range(plan["generated"]):
        _generated(seeding, names[offset], 250 - offset * 7)
    # experimentation (issue 12)
    experimentation_fixtures.load(growthbook, admin, plan, projects)


def _showcase(seeding: Seeding, item: dict, days: float) -> None:
    body = {**item, "project": seeding.projects[item["project"]], "owner": seeding.fake.email(), "description": seeding.fake.sentence(nb_words=8)}
    with seeding.growthbook.backdated(seeding.days_ago(days)):
        seeding.growthbook.post_feature(body, seeding.admin)


def _generated(seeding: Seeding, name: str, days: float) -> None:
    fake, growthbook = seeding.fake, seeding.growthbook
    value_type = fake.random_element(TYPES)
    environments = {env: {"enabled": fake.boolean(60), "rules": _rules(fake, value_type, name)} for env in seeding.environments}
    body = {"id": name, "owner": fake.email(), "description": fake.sentence(nb_words=10), "valueType": value_type,
            "defaultValue": _value(fake, value_type), "project": fake.random_element(seeding.projects + [""]),
            "tags": fake.random_elements(["ui", "backend", "experiment", "kill-switch", "ops"], length=fake.random_int(0, 2), unique=True),
            "environments": environments}
    with growthbook.backdated(seeding.days_ago(days)):
        growthbook.post_feature(body, seeding.admin)
    if fake.boolean(50):
        with growthbook.backdated(seeding.days_ago(days - 3)):
            growthbook.update_feature(name, {"description": fake.sentence(nb_words=10), "defaultValue": _value(fake, value_type)}, seeding.admin)
    if fake.boolean(40):
        env = fake.random_element(seeding.environments)
        with growthbook.backdated(seeding.days_ago(days - 5)):
            growthbook.toggle_feature(name, {"reason": fake.sentence(nb_words=5), "environments": {env: not environments[env]["enabled"]}}, seeding.admin)


def _rules(fake: Faker, value_type: str, name: str) -> list[dict]:
    rules: list[dict[str, Any]] = []
    for kind in fake.random_elements(["force", "rollout", "experiment-ref"], length=fake.random_int(0, 2), unique=True):
        rule: dict[str, Any] = {"type": kind, "description": fake.sentence(nb_words=5)}
        if kind == "force":
            rule.update(condition=json.dumps({"country": fake.random_element(["US", "DE", "FR", "GB", "SE"])}), value=_value(fake, value_type))
        elif kind == "rollout":
            rule.update(value=_value(fake, value_type), coverage=fake.random_element([0.1, 0.25, 0.5, 0.75]), hashAttribute="id")
        else:
            rule.update(experimentId=f"exp_{name.replace('-', '_')}", variations=[{"value": _value(fake, value_type), "variationId": f"var_{i}"} for i in range(2)])
        rules.append(rule)
    return rules


def _value(fake: Faker, value_type: str) -> str:
    if value_type == "boolean":
        return fake.random_element(["true", "false"])
    if value_type == "number":
        return str(fake.random_int(1, 100))
    if value_type == "json":
        return json.dumps({"enabled": fake.boolean(), "variant": fake.word()})
    return fake.word()
