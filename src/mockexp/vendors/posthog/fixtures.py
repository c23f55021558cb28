"""PostHog's demo world, built with Faker from the seed in `fixtures/posthog.yaml`.

Holdouts, saved metrics and experiments are made through the model's own operations at times
in the past, so the demo data obeys the same rules as what users create."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.posthog.models import PostHog

DAY = timedelta(days=1)
VARIANTS = [("control", "Control"), ("test", "Test"), ("test-2", "Test 2")]

# days ago: created, started, ended; and what else is done to it
STATES = {
    "draft": (3, None, None),
    "running": (20, 14, None),
    "complete": (60, 55, 20),
    "archived": (150, 140, 100),
    "deleted": (40, None, None),
}


def load(posthog: PostHog) -> None:
    world = scenario("posthog")
    fake = Faker()
    fake.seed_instance(world["seed"])
    users: list[list[int]] = []
    for org_index, organization in enumerate(world["organizations"]):
        organization_id = fake.uuid4()
        posthog.add_organization(organization_id, fake.company())
        users.append([_user(posthog, fake, organization_id, len(users) * 10 + number + 1) for number in range(organization["users"])])
        for project in organization["projects"]:
            posthog.add_project(project["id"], organization_id, f"{fake.catch_phrase()}", approval_policy=project.get("approval_policy", ()))
            _project(posthog, fake, project, users[org_index][0])
    for key in world["keys"]:
        posthog.add_key(key["value"], key["label"], users[key["user"][0]][key["user"][1]], key["scopes"], projects=key.get("projects"))


def _user(posthog: PostHog, fake: Faker, organization_id: str, user_id: int) -> int:
    first, last = fake.first_name(), fake.last_name()
    posthog.add_user(user_id, organization_id, uuid=fake.uuid4(), distinct_id=fake.pystr(min_chars=24, max_chars=24),
                     first_name=first, last_name=last, email=f"{first}.{last}@{fake.domain_name()}".lower())
    return user_id


def _project(posthog: PostHog, fake: Faker, project: dict, owner: int) -> None:
    now = posthog.clock.now()
    project_id = project["id"]
    for key in project["flags"]:
        posthog.add_flag(project_id, key, key.replace("-", " ").capitalize(), at=posthog.now(now - 200 * DAY))
    holdouts = [posthog.experiment_holdouts_create(project_id, owner, {"name": h["name"], "description": fake.sentence(nb_words=8),
                                                                      "filters": [{"properties": [], "rollout_percentage": h["rollout_percentage"]}]},
                                                   at=posthog.now(now - (180 - index) * DAY))["id"] for index, h in enumerate(project["holdouts"])]
    metrics = [posthog.experiment_saved_metrics_create(project_id, owner, {"name": m["name"], "description": fake.sentence(nb_words=8),
                                                                           "query": _query(m), "tags": m["tags"]},
                                                       at=posthog.now(now - (170 - index) * DAY))["id"] for index, m in enumerate(project["saved_metrics"])]
    for index, plan in enumerate(project["experiments"]):
        _experiment(posthog, fake, project_id, owner, plan, holdouts, metrics, offset=index)


def _experiment(posthog: PostHog, fake: Faker, project_id: int, owner: int, plan: dict, holdouts: list[int], metrics: list[int], offset: int) -> None:
    now = posthog.clock.now()
    created, started, ended = STATES[plan["state"]]

    def ago(days: float) -> str:
        return posthog.now(now - days * DAY - offset * timedelta(minutes=11))

    shares = fake.random_element([(50, 50), (34, 33, 33)])
    variants = [{"key": key, "name": name, "rollout_percentage": share} for (key, name), share in zip(VARIANTS, shares)]
    body: dict[str, Any] = {
        "name": fake.catch_phrase(), "description": fake.sentence(nb_words=12), "feature_flag_key": plan["key"], "type": "product",
        "parameters": {"feature_flag_variants": variants},
        "saved_metrics_ids": [{"id": metrics[i], "metadata": {"type": "primary" if n == 0 else "secondary"}} for n, i in enumerate(plan.get("metrics", []))],
    }
    if "holdout" in plan:
        body["holdout_id"] = holdouts[plan["holdout"]]
    experiment = posthog.experiments_create(project_id, owner, body, at=ago(created))
    changes = []
    if started is not None:
        changes.append(({"start_date": ago(started)}, started))
    if ended is not None:
        changes.append(({"end_date": ago(ended), "conclusion": plan.get("conclusion"), "conclusion_comment": fake.sentence(nb_words=10)}, ended))
    if plan["state"] == "archived":
        changes.append(({"archived": True}, ended - 10))
    if plan["state"] == "deleted":
        changes.append(({"deleted": True}, created - 5))
    for change, days in changes:
        posthog.experiments_partial_update(project_id, experiment["id"], owner, change, at=ago(days))


def _query(metric: dict) -> dict:
    if metric["kind"] == "ExperimentFunnelsQuery":
        return {"kind": "ExperimentFunnelsQuery", "funnels_query": {"kind": "FunnelsQuery", "series": [{"kind": "EventsNode", "event": e} for e in metric["events"]]}}
    if metric["kind"] == "ExperimentTrendsQuery":
        return {"kind": "ExperimentTrendsQuery", "count_query": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": metric["event"], "math": "total"}]}}
    return {"kind": "ExperimentMetric", "metric_type": "mean", "source": {"kind": "EventsNode", "event": metric["event"], "math": "sum", "math_property": "revenue"}}
