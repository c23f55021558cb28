"""ABsmartly's demo world, built with Faker from the seed in `fixtures/absmartly.yaml`.

Experiments are made and moved through their lifecycle by the model's own operations at
times in the past, so the demo data obeys the same rules as what users create; only the
preview statistics (which come from ABsmartly's analysis) are recorded directly."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterator, Mapping

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.absmartly.models import ABsmartly
from mockexp.vendors.absmartly.models.common import (
    ACCOUNTS, ADMIN, ALERTS, APPLICATIONS, DRAFTS, EXPERIMENT_TAGS, EXPERIMENTS, GOALS, KEYS, METRICS, NOTES, TEAMS, UNIT_TYPES, USERS,
)
from mockexp.vendors.absmartly.models.experiments import TEXTS, seed_of
from mockexp.worlds.export import call, changes, only, ref
from mockexp.worlds.vocabulary import Idea, Words, ideas

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
    names = [idea.key("_") for idea in ideas()]
    fake.random.shuffle(names)
    for plan in world["accounts"]:
        _account(absmartly, fake, plan, names)
        for environment in plan["environments"]:
            absmartly.add_environment(plan["id"], environment["name"], environment["type"])
            absmartly.add_sdk_key(sdk_key(world["seed"], plan["id"], environment["name"]), plan["id"], environment["name"])


def sdk_key(seed: int, account: str, environment: str) -> str:
    """An account's SDK key for an environment: stable for the world's seed."""
    return f"absmartly-{account}-{environment}-sdk-{seed_of(seed, account, environment, 'sdk')}"


@dataclass
class Seeding:
    """What making one account's experiments needs."""

    absmartly: ABsmartly
    fake: Faker
    words: Words
    account: str
    catalogue: dict
    admin: str  # the account's admin key, which makes everything

    def days_ago(self, days: float, offset: int = 0):
        return self.absmartly.clock.now() - days * DAY - offset * timedelta(hours=5)


def _account(absmartly: ABsmartly, fake: Faker, plan: dict, names: list[str]) -> None:
    account = plan["id"]
    absmartly.add_account(account, plan["name"])
    long_ago = absmartly.clock.now() - 400 * DAY
    words = Words(fake)
    users = [absmartly.add(account, USERS, _person(words), at=long_ago)["id"] for _ in range(plan["users"])]

    def add(table: str, fields: dict) -> int:
        return absmartly.add(account, table, {**fields, "archived": False} if table != EXPERIMENT_TAGS else fields, by=users[0], at=long_ago)["id"]

    catalogue = {
        TEAMS: [add(TEAMS, _team(words, name)) for name in plan["teams"]],
        APPLICATIONS: [add(APPLICATIONS, dict(item)) for item in plan["applications"]],
        UNIT_TYPES: [add(UNIT_TYPES, dict(item)) for item in plan["unit_types"]],
        EXPERIMENT_TAGS: [add(EXPERIMENT_TAGS, {"tag": tag}) for tag in plan["experiment_tags"]],
    }
    goals = {item["name"]: add(GOALS, dict(item)) for item in plan["goals"]}
    catalogue[METRICS] = [add(METRICS, _metric(words, item, goals)) for item in plan["metrics"]]
    catalogue[USERS] = users
    for key in plan["keys"]:
        absmartly.add_key(key["value"], account, users[key["user"]], key["permission"], key["label"])
    seeding = Seeding(absmartly, fake, words, account, catalogue, next(key["value"] for key in plan["keys"] if key["permission"] == ADMIN))
    states = [state for state, count in plan["experiments"].items() for _ in range(count)]
    for offset, state in enumerate(states):
        _experiment(seeding, names.pop(), state, offset)
    if plan["iterations"]:
        _iterations(seeding, names.pop(), plan["iterations"])


def _person(words: Words) -> dict:
    first, last, email = words.person()
    return {"email": email, "first_name": first, "last_name": last,
            "department": words.fake.random_element(["Product", "Engineering", "Marketing", "Data", "Design"]), "job_title": words.text("job_titles"),
            "archived": False, "avatar": None, "avatar_file_upload_url": None}


def _team(words: Words, name: str) -> dict:
    return {"external_id": None, "name": name, "initials": name[:2].upper(), "color": words.fake.hex_color(), "description": words.text("team_descriptions")}


def _metric(words: Words, item: dict, goals: dict) -> dict:
    return {"goal_id": goals[item["goal"]], "name": item["name"], "description": words.metric(item["name"]), "type": item["type"],
            "effect": item["effect"], "archived": False, "format_str": item["format"], "scale": 1, "precision": 2,
            "value_source_property": "", "property_filter": ""}


def _body(words: Words, catalogue: dict, name: str, state: str) -> dict:
    fake, idea = words.fake, _idea(name)

    def some(table: str, low: int, high: int) -> list[int]:
        return fake.random_elements(catalogue[table], length=fake.random_int(low, min(high, len(catalogue[table]))), unique=True)

    variants = fake.random_element([["control", "treatment"], ["control", "variant_b", "variant_c"]])
    metrics = fake.random_elements(catalogue[METRICS], length=min(3, len(catalogue[METRICS])), unique=True)
    return {
        "name": name, "display_name": idea.name if idea else name.replace("_", " ").capitalize(), "state": "ready" if state != "created" else "created",
        "unit_type": {"unit_type_id": fake.random_element(catalogue[UNIT_TYPES])},
        "applications": [{"application_id": app, "application_version": 0} for app in some(APPLICATIONS, 1, 2)],
        "primary_metric": {"metric_id": metrics[0]},
        "secondary_metrics": [{"metric_id": m, "type": "secondary", "order_index": i} for i, m in enumerate(metrics[1:])],
        "owners": [{"user_id": user} for user in some(USERS, 1, 2)],
        "teams": [{"team_id": team} for team in some(TEAMS, 1, 2)],
        "experiment_tags": [{"experiment_tag_id": tag} for tag in some(EXPERIMENT_TAGS, 0, 2)],
        "variants": [{"variant": i, "name": v, "config": "{}"} for i, v in enumerate(variants)],
        "percentage_of_traffic": fake.random_element([100, 100, 50, 20]),
        "description": idea.description if idea else "", "hypothesis": idea.hypothesis if idea else "",
        "prediction": f"The treatment beats control on the primary metric by at least {fake.random_element([1, 2, 3, 5])}%.",
    }


def _idea(name: str) -> Idea | None:
    return next((idea for idea in ideas() if idea.key("_") == name), None)


def _experiment(seeding: Seeding, name: str, state: str, offset: int) -> None:
    id = None
    for action, days in PATHS[state]:
        id = _do(seeding, action, id, seeding.days_ago(days, offset), lambda: _body(seeding.words, seeding.catalogue, name, state))
    if state in ("running", "stopped", "full_on") or (state == "archived" and offset % 2):
        _statistics(seeding, id)


def _iterations(seeding: Seeding, name: str, count: int) -> None:
    """One experiment run `count` times: every iteration but the last stopped and restarted."""
    id = _do(seeding, "create", None, seeding.days_ago(200), lambda: _body(seeding.words, seeding.catalogue, name, "running"))
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
    note: dict[str, Any] = {"note": seeding.words.text("notes")}
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


# -- export: the accounts' experiments as the API calls that make them again -------------------------

SETUP = ("name", "type", "audience", "audience_strict", "percentage_of_traffic", "percentages", "minimum_detectable_effect", *TEXTS)
ACTIONS = {"development": "developmentExperiment", "start": "startExperiment", "stop": "stopExperiment", "full_on": "fullOnExperiment",
           "archive": "archiveExperiment", "unarchive": "archiveExperiment"}


def export(absmartly: ABsmartly) -> list[dict]:
    """Every account's experiments, replaying their activity in order: each `create` note as
    `POST /experiments` with the set-up the experiment has now, each action (development,
    start, stop, full_on, restart, archive, unarchive) with the note, reason or variant it
    was taken with, each edit as an update (the first one of an experiment brings its set-up
    to the one it has now; an iteration made by a restart gets its own set-up there, or
    right after the restart), each comment (and reply) through the activity endpoint; each
    by the key of the user who took it when there is an admin key of theirs, else the
    account's first admin key. An account without an admin key is left out.

    A load does not keep: the times (every action happens "now"), the set-ups an
    experiment had between edits (a create has the set-up it ends with), the preview
    statistics, alerts, sample size and last-seen-in-code time (ABsmartly's analysis, which
    no API call makes), and who did what when they have no admin key. Ids are numbered
    afresh in the same order (in replace mode, experiments get the ids they had; notes too,
    but for an edit the export adds). The catalogue, users and keys are not API-made: the
    demo world's stay."""
    requests: list[dict] = []
    names = itertools.count(1)
    for account in absmartly.store.view(ACCOUNTS):
        keys = absmartly.store.view(KEYS, {"account": account["id"], "permission": ADMIN}, order_by=lambda key: key["value"])
        if keys:
            requests += _Replay(absmartly.account(account["id"]), keys, names).requests()
    return requests


class _Replay:
    """One account's activity, note by note, as requests; `setups` holds the set-up each
    experiment has at that point of the replay (request form), `names` the `as` of each."""

    def __init__(self, tables, keys: list, names: Iterator[int]) -> None:
        self.tables, self.numbers = tables, names
        self.keys = {key["user_id"]: key["value"] for key in reversed(keys)}
        self.first_key = keys[0]["value"]
        self.notes = list(tables.view(NOTES, order_by=lambda note: note["id"]))
        self.experiments = {experiment["id"]: experiment for experiment in tables.view(EXPERIMENTS)}
        self.edited = {note["experiment_id"] for note in self.notes if note["action"] == "edit"}
        self.first: dict[int, Mapping[str, Any]] = {}
        for note in reversed(self.notes):
            self.first[note["experiment_id"]] = note
        # the iterations a restart made, whose first note (start or development) the restart makes again
        self.reborn = {note["new_experiment_id"] for note in self.notes if note["action"] == "restart"}
        self.names: dict[int, str] = {}
        self.setups: dict[int, dict] = {}
        self.made: dict[int, list[int | None]] = {}  # experiment -> the notes the replay makes it, in order (None: one it adds)
        self.out: list[dict] = []

    def requests(self) -> list[dict]:
        for note in self.notes:
            id = note["experiment_id"]
            if note["action"] != "create" and (id not in self.names or (id in self.reborn and self.first[id] is note)):
                continue
            self.made.setdefault(id, []).append(note["id"])
            if note["action"] == "create":
                self._create(note)
            elif note["action"] == "restart":
                self._restart(note)
            elif note["action"] == "edit":
                self._edit(note, note["experiment_id"])
            elif note["action"] == "comment":
                self._comment(note)
            else:
                self._act(note)
        return self.out

    def _call(self, note: Mapping[str, Any], operation: str, body: Any, experiment: int | None = None, *, named: bool = False) -> str | None:
        name = f"e{next(self.numbers)}" if named else None
        path = {"id": ref(self.names[experiment], "experiment", "id")} if experiment is not None else None
        self.out.append(call(operation, body, path=path, name=name, credential=self.keys.get(note["created_by_user_id"], self.first_key)))
        return name

    def _create(self, note: Mapping[str, Any]) -> None:
        experiment = self.experiments.get(note["experiment_id"])
        if experiment is None:
            return
        setup = setup_of(experiment)
        state = experiment["before_archive"] if experiment["archived"] else experiment["state"]
        self.names[experiment["id"]] = self._call(note, "createExperiment", {**setup, "state": state if state in DRAFTS else "ready"}, named=True)
        self.setups[experiment["id"]] = setup

    def _restart(self, note: Mapping[str, Any]) -> None:
        old, new = note["experiment_id"], note["new_experiment_id"]
        body = {**_texts(note, "note", "reason"), "state": "running" if self.first[new]["action"] == "start" else "development"}
        if self.experiments[new]["traffic_seed"] != self.experiments[old]["traffic_seed"]:
            body["reshuffle"] = True
        self.names[new] = self._call(note, "restartExperiment", body, old, named=True)
        self.made[new] = [self.first[new]["id"]]
        self.setups[new] = self.setups[old]
        if new not in self.edited:
            self._edit(note, new, only_if_changed=True)

    def _edit(self, note: Mapping[str, Any], id: int, *, only_if_changed: bool = False) -> None:
        now = setup_of(self.experiments[id])
        changed = changes(self.setups[id], now)
        if only_if_changed and not changed:
            return
        if only_if_changed:
            self.made[id].append(None)
        body = {"data": changed, **({} if only_if_changed else _texts(note, "note"))}
        self._call(note, "updateExperiment", body, id)
        self.setups[id] = now

    def _act(self, note: Mapping[str, Any]) -> None:
        action = note["action"]
        body = _texts(note, "note", *(("reason",) if action == "stop" else ()))
        if action == "full_on":
            body["full_on_variant"] = note["variant"]
        if action in ("archive", "unarchive"):
            body["archive"] = action == "archive"
        self._call(note, ACTIONS[action], body, note["experiment_id"])

    def _comment(self, note: Mapping[str, Any]) -> None:
        body = {"note": note["note"]}
        replied = note["reply_to_note_id"]
        if replied is not None:
            activity = self._call(note, "listExperimentActivity", None, note["experiment_id"], named=True)
            body["reply_to_note_id"] = ref(activity, "experiment_notes", str(self.made[note["experiment_id"]].index(replied)), "id")
        self._call(note, "createExperimentNote", body, note["experiment_id"])


def setup_of(experiment: Mapping[str, Any]) -> dict:
    """An experiment's set-up as a create or update request sends it."""
    setup = only(experiment, SETUP)
    setup.update(
        unit_type={"unit_type_id": experiment["unit_type_id"]},
        primary_metric=None if experiment["primary_metric_id"] is None else {"metric_id": experiment["primary_metric_id"]},
        secondary_metrics=[dict(metric) for metric in experiment["secondary_metrics"]],
        applications=[dict(application) for application in experiment["applications"]],
        variants=[dict(variant) for variant in experiment["variants"]],
        owners=[{"user_id": user} for user in experiment["owners"]],
        teams=[{"team_id": team} for team in experiment["teams"]],
        experiment_tags=[{"experiment_tag_id": tag} for tag in experiment["experiment_tags"]],
    )
    return setup


def _texts(note: Mapping[str, Any], *fields: str) -> dict:
    return {field: note[field] for field in fields if note.get(field) is not None}
