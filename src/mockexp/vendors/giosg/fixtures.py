"""Giosg's demo world, built with Faker from the seed in `fixtures/giosg.yaml`."""

from __future__ import annotations

from datetime import timedelta

from faker import Faker

from mockexp.fixtures import scenario
from mockexp.vendors.giosg.models import EXPERIMENTS, SETTABLE, Giosg
from mockexp.worlds.export import call, key_of, only
from mockexp.worlds.vocabulary import Words

DAY = timedelta(days=1)
DOMAINS = ("checkout", "cart", "pricing", "onboarding", "notifications")  # what a chat pop-up can help with
GROUP_WRITABLE = ("name", "percentage", "group_type", "treatment")

# (starts, ends, created) relative to now, for each state an experiment can be in
STATES = {
    "draft": None,
    "scheduled": (3 * DAY, 17 * DAY, -1 * DAY),
    "running": (-5 * DAY, 9 * DAY, -7 * DAY),
    "running_indefinitely": (-12 * DAY, None, -12 * DAY),
    "ended": (-30 * DAY, -2 * DAY, -31 * DAY),
}


def load(giosg: Giosg) -> None:
    world = scenario("giosg")
    fake = Faker()
    fake.seed_instance(world["seed"])
    words = Words(fake)
    now = giosg.clock.now()
    for organization in world["organizations"]:
        organization_id = fake.uuid4()
        active = organization["subscription"] == "active"
        giosg.add_organization(organization_id, words.text("companies", unique=True), now + 365 * DAY if active else now - 30 * DAY)
        user_ids = []
        for user in organization["users"]:
            user_id = fake.uuid4()
            giosg.add_user(user_id, organization_id, fake.first_name(), fake.last_name(), settings_permission=user["settings_permission"])
            giosg.add_token(user["token"], user_id)
            user_ids.append(user_id)
        room_ids = [giosg.add_room(fake.uuid4(), organization_id, words.text("rooms", unique=True))["id"] for _ in range(organization["rooms"])]
        goal_ids = [giosg.add_goal(fake.uuid4(), organization_id, words.text("goals", unique=True))["id"] for _ in range(organization["goals"])]
        for index, experiment in enumerate(organization["experiments"]):
            timing = STATES[experiment["state"]]
            share = fake.random_int(10, 60)
            attributes = {
                "is_draft": timing is None,
                "name": words.idea(domains=DOMAINS).name,
                "goal_id": goal_ids[index % len(goal_ids)],
                "room_ids": room_ids[: 1 + index % len(room_ids)],
                "group_reset_interval": ("full", "1w", "1d")[index % 3],
                "groups": [
                    {"name": "A", "percentage": 100 - share, "group_type": "control", "treatment": _treatment(words, "A")},
                    {"name": "B", "percentage": share, "group_type": "user_defined", "treatment": _treatment(words, "B")},
                ],
            }
            created = now - 2 * DAY
            if timing is not None:
                starts, ends, created_offset = timing
                attributes["starts_at"] = (now + starts).isoformat()
                attributes["ends_at"] = (now + ends).isoformat() if ends is not None else None
                created = now + created_offset
            giosg.create_experiment(organization_id, user_ids[0], attributes, at=created - index * timedelta(minutes=7), new_id=fake.uuid4)


def _treatment(words: Words, group: str) -> dict:
    return {
        "name": f"Rule-{group}",
        "actions": [{"type": "show_popup", "text": words.text("popups")}] if group != "A" else [],
        "conditions": [{"type": "url_contains", "value": words.text("pages")}],
    }


def export(giosg: Giosg) -> list[dict]:
    """The experiments of every organization one of whose tokens may write, oldest first, as
    the creates that make them again (an organization without such a token cannot take
    them through the API, so it is left out)."""
    requests = []
    writers = {credential.tenant["organization_id"]: credential for credential in reversed(giosg.credentials()) if credential.can_write}
    for organization_id, credential in writers.items():
        for experiment in sorted(giosg.organization(organization_id).view(EXPERIMENTS), key=lambda row: row["created_at"]):
            body = only(experiment, SETTABLE)
            body["groups"] = [only(group, GROUP_WRITABLE) for group in experiment["groups"]]
            requests.append(call("createExperiment", body, path={"organization_id": organization_id}, credential=key_of(credential)))
    return requests
