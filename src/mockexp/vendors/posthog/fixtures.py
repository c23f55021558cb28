"""PostHog's demo world, built with Faker from the seed in `fixtures/posthog.yaml`.

Holdouts, saved metrics and experiments are made through the model's own operations at times
in the past, so the demo data obeys the same rules as what users create."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.worlds.vocabulary import Words
from mockexp.vendors.posthog.models import EXPERIMENTS, HOLDOUTS, SAVED_METRICS, PostHog
from mockexp.vendors.posthog.models.common import LAUNCH, PROJECTS, SCOPES
from mockexp.vendors.posthog.models.experiments import AS_SENT, DEFAULTS
from mockexp.worlds.export import Names, call, first_writer, key_of, only, ref

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
    words = Words(fake)
    users: list[list[int]] = []
    for org_index, organization in enumerate(world["organizations"]):
        organization_id = fake.uuid4()
        posthog.add_organization(organization_id, words.text("companies", unique=True))
        users.append([_user(posthog, words, organization_id, len(users) * 10 + number + 1) for number in range(organization["users"])])
        for project in organization["projects"]:
            posthog.add_project(project["id"], organization_id, words.text("projects", unique=True), approval_policy=project.get("approval_policy", ()),
                                api_token=project["api_token"], group_types=project.get("group_types", ()))
            _project(posthog, words, project, users[org_index][0])
    for key in world["keys"]:
        posthog.add_key(key["value"], key["label"], users[key["user"][0]][key["user"][1]], key["scopes"], projects=key.get("projects"))


def _user(posthog: PostHog, words: Words, organization_id: str, user_id: int) -> int:
    first, last, email = words.person()
    posthog.add_user(user_id, organization_id, uuid=words.fake.uuid4(), distinct_id=words.fake.pystr(min_chars=24, max_chars=24),
                     first_name=first, last_name=last, email=email)
    return user_id


def _project(posthog: PostHog, words: Words, project: dict, owner: int) -> None:
    now = posthog.clock.now()
    project_id = project["id"]
    for flag in project["flags"]:
        posthog.add_flag(project_id, flag["key"], flag["key"].replace("-", " ").capitalize(), groups=flag.get("groups"), at=posthog.now(now - 200 * DAY))
    holdouts = [posthog.experiment_holdouts_create(project_id, owner, {"name": h["name"], "description": f"{h['rollout_percentage']}% of users kept out of every experiment, to measure their total effect",
                                                                      "filters": [{"properties": [], "rollout_percentage": h["rollout_percentage"]}]},
                                                   at=posthog.now(now - (180 - index) * DAY))["id"] for index, h in enumerate(project["holdouts"])]
    metrics = [posthog.experiment_saved_metrics_create(project_id, owner, {"name": m["name"], "description": words.metric(m["name"]),
                                                                           "query": _query(m), "tags": m["tags"]},
                                                       at=posthog.now(now - (170 - index) * DAY))["id"] for index, m in enumerate(project["saved_metrics"])]
    for index, plan in enumerate(project["experiments"]):
        _experiment(posthog, words, project_id, owner, plan, holdouts, metrics, offset=index)


def _experiment(posthog: PostHog, words: Words, project_id: int, owner: int, plan: dict, holdouts: list[int], metrics: list[int], offset: int) -> None:
    now = posthog.clock.now()
    created, started, ended = STATES[plan["state"]]

    def ago(days: float) -> str:
        return posthog.now(now - days * DAY - offset * timedelta(minutes=11))

    shares = words.fake.random_element([(50, 50), (34, 33, 33)])
    idea = words.idea(plan["key"])
    variants = [{"key": key, "name": name, "rollout_percentage": share} for (key, name), share in zip(VARIANTS, shares)]
    body: dict[str, Any] = {
        "name": idea.name, "description": f"{idea.description} {idea.hypothesis}", "feature_flag_key": plan["key"], "type": "product",
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
        changes.append(({"end_date": ago(ended), "conclusion": plan.get("conclusion"), "conclusion_comment": words.text("conclusions")}, ended))
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


# -- export: holdouts, saved metrics and experiments as the API calls that make them again -----

LATER = ("archived", "conclusion", "conclusion_comment")  # set by the changes that end and archive an experiment


def export(posthog: PostHog) -> list[dict]:
    """Every project a key with every scope reaches, as a real user makes it: its holdouts and
    saved metrics, then its experiments (the deleted ones too: their flag keys stay taken),
    each created as a draft naming its holdout and saved metrics by `${...}` to the answers
    that made them, then launched (`start_date`), ended (`end_date` with the conclusion),
    archived and deleted by PATCH, oldest first; each made with its maker's key where that key
    may (so `created_by` stays), else with the first key that may.

    A load does not keep what the server sets: ids (and the holdouts' `holdout-<id>`
    variants), `created_at` and `updated_at` (the time of the load; lists keep their order),
    an experiment's flag's id and name (named after the experiment's current name). Start and
    end dates are sent, so they stay. An experiment launched in a project whose approval
    policy gates launches cannot be launched through the API: it is exported as a draft. A
    project no such key reaches is left out. Pending change requests are not exported (the
    request that opens one is refused, which stops a load). Replacing drops the project's
    feature flags with the experiments (each experiment makes its own): flags no experiment
    made are gone then, as no API call makes them."""
    requests: list[dict] = []
    names = Names()
    for project in posthog.store.query(PROJECTS, order_by=lambda p: p["id"]):
        writer = _writers(posthog, project["id"])
        if writer(None) is None:
            continue
        tables, made = posthog.project(project["id"]), {}
        for table, label, operation, fields in ((HOLDOUTS, "holdout", "experiment_holdouts_create", ("name", "description", "filters")),
                                                (SAVED_METRICS, "metric", "experiment_saved_metrics_create", ("name", "description", "query", "tags"))):
            for row in tables.view(table, order_by=lambda r: (r["created_at"], r["id"])):
                made[table, row["id"]] = names(label, row["name"])
                body = only(row, fields)
                if table == HOLDOUTS:
                    body["filters"] = [only(group, ("properties", "rollout_percentage")) for group in row["filters"]]
                requests.append(call(operation, body, path={"project_id": project["id"]}, name=made[table, row["id"]], credential=writer(row["created_by_id"])))
        for experiment in tables.view(EXPERIMENTS, order_by=lambda e: (e["created_at"], e["id"])):
            requests += _experiment_calls(experiment, made, names("experiment", experiment["feature_flag_key"]),
                                          writer(experiment["created_by_id"]), LAUNCH not in project["approval_policy"])
    return requests


def _writers(posthog: PostHog, project_id: int) -> Callable[[int | None], str | None]:
    """The key (as a world file names it) to make an object of the project made by a user:
    that user's own if it may write there, else the first that may (None: no key may)."""
    credentials = posthog.key_credentials()

    def may(credential) -> None:
        posthog.authorize(posthog.authenticate(key_of(credential)), project_id, list(SCOPES))

    def writer(user_id: int | None) -> str | None:
        own = [c for c in credentials if posthog.authenticate(key_of(c))["user_id"] == user_id]
        found = first_writer(own, may) or first_writer(credentials, may)
        return key_of(found) if found else None
    return writer


def _experiment_calls(experiment: dict, made: dict, name: str, credential: str, may_launch: bool) -> list[dict]:
    body = {field: experiment[field] for field in AS_SENT if field not in LATER and (field not in DEFAULTS or experiment[field] != DEFAULTS[field])}
    body["feature_flag_key"] = experiment["feature_flag_key"]
    if experiment["parameters"] is not None:
        body["parameters"] = experiment["parameters"]
    if (HOLDOUTS, experiment["holdout_id"]) in made:
        body["holdout_id"] = ref(made[HOLDOUTS, experiment["holdout_id"]], "id")
    if experiment["saved_metrics"]:
        body["saved_metrics_ids"] = [{"id": ref(made[SAVED_METRICS, link["saved_metric"]], "id"), "metadata": link["metadata"]} for link in experiment["saved_metrics"]]
    if experiment["folder"] is not None:
        body["_create_in_folder"] = experiment["folder"]
    ending = only(experiment, ("conclusion", "conclusion_comment"))
    launched = may_launch and experiment["start_date"] is not None
    changes = [{"start_date": experiment["start_date"]}] if launched else []
    if launched and experiment["end_date"] is not None:
        changes.append({"end_date": experiment["end_date"], **ending})
    else:
        body.update({field: value for field, value in ending.items() if value is not None})
    changes += [{"archived": True}] if experiment["archived"] else []
    changes += [{"deleted": True}] if experiment["deleted"] else []
    path = {"project_id": experiment["project_id"]}
    return [call("experiments_create", body, path=path, name=name, credential=credential),
            *(call("experiments_partial_update", change, path={**path, "id": ref(name, "id")}, credential=credential) for change in changes)]
