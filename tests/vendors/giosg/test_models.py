"""Giosg's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`
(see the fixtures below), so the data each rule is checked against is visible in the test.
"""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import parse_qs, urlparse
from datetime import datetime, timedelta, timezone

import pytest

from mockexp import paging, specs
from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, NotFound, Unauthorized
from mockexp.store import Store
from mockexp.vendors.giosg import fixtures
from tests.conftest import clock_at
from mockexp.vendors.giosg.models import (
    EXPERIMENTS,
    GOALS,
    ORGANIZATIONS,
    ROOMS,
    TOKENS,
    USERS,
    Giosg,
)

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

REQUIRED = "This field is required."

# the organization the tests act in, and its world
ORG = "0f0c7a52-6d3e-4c55-9f0e-2a4b6c8d0e01"
ADMIN = "97abf1ee-6308-11e7-9d09-00163ec04961"  # settings permission
ADMIN_2 = "97abf1ee-6308-11e7-9d09-00163ec04962"  # settings permission too
VIEWER = "97abf1ee-6308-11e7-9d09-00163ec04963"  # no settings permission
GOAL = "0a534844-869a-11e9-8dcc-27f1dd2d9764"
GOAL_2 = "0a534844-869a-11e9-8dcc-27f1dd2d9765"
ROOM = "5e1d3c1a-8b7f-4f0e-9a52-1c2d3e4f5a01"
ROOM_2 = "5e1d3c1a-8b7f-4f0e-9a52-1c2d3e4f5a02"

# another organization with an active subscription
OTHER_ORG = "0f0c7a52-6d3e-4c55-9f0e-2a4b6c8d0e02"
OTHER_ADMIN = "97abf1ee-6308-11e7-9d09-00163ec04964"
OTHER_GOAL = "0a534844-869a-11e9-8dcc-27f1dd2d9766"
OTHER_ROOM = "5e1d3c1a-8b7f-4f0e-9a52-1c2d3e4f5a03"

# an organization whose subscription ended yesterday, and one that never had one
EXPIRED_ORG = "0f0c7a52-6d3e-4c55-9f0e-2a4b6c8d0e03"
EXPIRED_ADMIN = "97abf1ee-6308-11e7-9d09-00163ec04965"
NO_SUBSCRIPTION_ORG = "0f0c7a52-6d3e-4c55-9f0e-2a4b6c8d0e04"
NO_SUBSCRIPTION_ADMIN = "97abf1ee-6308-11e7-9d09-00163ec04966"

SUBSCRIPTION_UNTIL = NOW + 30 * DAY

LIST = next(op for op in specs.load_named("giosg.yaml").operations if op.operation_id == "listExperiments").pagination


def list_experiments(giosg: Giosg, organization_id: str, *, cursor: str | None = None, page_size: int = 30) -> tuple[list[dict], str | None, str | None]:
    """One page of the list, as the server cuts it from the model's listing: its experiments
    and the cursors of the next and previous pages."""
    query = [("page_size", str(page_size))] + ([("cursor", cursor)] if cursor is not None else [])
    request = paging.Request("http://testserver", f"/api/v5/orgs/{organization_id}/experiments", query)
    page = paging.render(LIST, giosg.list_experiments(organization_id), request)
    return page["results"], _cursor_of(page["next"]), _cursor_of(page["previous"])


def _cursor_of(url: str | None) -> str | None:
    return None if url is None else parse_qs(urlparse(url).query)["cursor"][0]


def stored_experiments(giosg: Giosg) -> int:
    """How many experiments the store holds, in every organization."""
    return sum(len(docs) for table, docs in giosg.store.dump().items() if table.startswith("giosg.experiments"))


def iso(moment: datetime) -> str:
    """Giosg's datetime form: 2019-05-08T13:02:35.123Z."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def giosg(clock: Clock) -> Giosg:
    model = Giosg(Store().vendor("giosg"), clock)
    model.add_organization(ORG, "Company Inc.", SUBSCRIPTION_UNTIL)
    model.add_user(ADMIN, ORG, "John", "Doe", settings_permission=True)
    model.add_user(ADMIN_2, ORG, "Jane", "Roe", settings_permission=True)
    model.add_user(VIEWER, ORG, "Vic", "Viewer", settings_permission=False)
    model.add_token("admin-token", ADMIN)
    model.add_token("admin-2-token", ADMIN_2)
    model.add_token("viewer-token", VIEWER)
    model.add_goal(GOAL, ORG, "Reached checkout page")
    model.add_goal(GOAL_2, ORG, "Reached pricing page")
    model.add_room(ROOM, ORG, "Shop chat")
    model.add_room(ROOM_2, ORG, "Support chat")

    model.add_organization(OTHER_ORG, "Other Ltd.", NOW + 365 * DAY)
    model.add_user(OTHER_ADMIN, OTHER_ORG, "Olga", "Other", settings_permission=True)
    model.add_token("other-token", OTHER_ADMIN)
    model.add_goal(OTHER_GOAL, OTHER_ORG, "Reached their checkout")
    model.add_room(OTHER_ROOM, OTHER_ORG, "Their chat")

    model.add_organization(EXPIRED_ORG, "Lapsed Oy", NOW - DAY)
    model.add_user(EXPIRED_ADMIN, EXPIRED_ORG, "Eero", "Expired", settings_permission=True)
    model.add_token("expired-token", EXPIRED_ADMIN)

    model.add_organization(NO_SUBSCRIPTION_ORG, "Never Paid AB", None)
    model.add_user(NO_SUBSCRIPTION_ADMIN, NO_SUBSCRIPTION_ORG, "Nils", "Never", settings_permission=True)
    model.add_token("no-subscription-token", NO_SUBSCRIPTION_ADMIN)
    return model


def published(**changes) -> dict:
    """A valid create body for a published experiment that starts tomorrow."""
    body = {
        "is_draft": False,
        "name": "Hello experiment",
        "goal_id": GOAL,
        "room_ids": [ROOM],
        "starts_at": iso(NOW + DAY),
        "ends_at": iso(NOW + 15 * DAY),
        "groups": [
            {"name": "A", "percentage": 90, "group_type": "control", "treatment": {"name": "Rule-A", "actions": [], "conditions": []}},
            {"name": "B", "percentage": 10, "group_type": "user_defined", "treatment": {"name": "Rule-B", "actions": [], "conditions": []}},
        ],
    }
    body.update(changes)
    return body


def without(body: dict, *fields: str) -> dict:
    return {key: value for key, value in body.items() if key not in fields}


def as_update(experiment: dict) -> dict:
    """An update body that sends every attribute back as it is."""
    return {
        "is_draft": experiment["is_draft"],
        "name": experiment["name"],
        "goal_id": experiment["goal_id"],
        "room_ids": list(experiment["room_ids"]),
        "starts_at": experiment["starts_at"],
        "ends_at": experiment["ends_at"],
        "group_reset_interval": experiment["group_reset_interval"],
        "groups": [{key: group[key] for key in ("name", "percentage", "group_type", "treatment")} for group in experiment["groups"]],
    }


def paths(excinfo: pytest.ExceptionInfo) -> list[tuple]:
    return [path for path, _ in excinfo.value.errors]


@pytest.fixture
def started(giosg: Giosg, clock: Clock) -> dict:
    """A published experiment that started an hour ago (it was created three hours ago)."""
    experiment = giosg.create_experiment(ORG, ADMIN, published(starts_at=iso(NOW + 2 * HOUR), ends_at=iso(NOW + 10 * DAY), group_reset_interval="1w"))
    clock.advance(3 * 3600)
    return experiment


@pytest.fixture
def scheduled(giosg: Giosg) -> dict:
    """A published experiment that starts tomorrow."""
    return giosg.create_experiment(ORG, ADMIN, published(group_reset_interval="1w"))


@pytest.fixture
def ended(giosg: Giosg, clock: Clock) -> dict:
    """A published experiment that ran for an hour and ended an hour ago."""
    experiment = giosg.create_experiment(ORG, ADMIN, published(starts_at=iso(NOW + HOUR), ends_at=iso(NOW + 2 * HOUR)))
    clock.advance(3 * 3600)
    return experiment


# -- create --------------------------------------------------------------------------------


def test_draft_needs_nothing_but_is_draft(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True})

    assert draft["is_draft"] is True
    assert draft["name"] is None
    assert draft["goal_id"] is None and draft["goal"] is None
    assert draft["room_ids"] == [] and draft["rooms"] == []
    assert draft["groups"] == []
    assert draft["starts_at"] is None and draft["ends_at"] is None
    assert giosg.retrieve_experiment(ORG, draft["id"]) == draft


def test_draft_may_have_some_attributes_and_not_others(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea", "goal_id": GOAL})

    assert (draft["name"], draft["goal_id"], draft["starts_at"], draft["room_ids"]) == ("Idea", GOAL, None, [])


@pytest.mark.parametrize("field", ["goal_id", "groups", "name", "room_ids", "starts_at"])
def test_published_experiment_needs_each_publish_attribute(giosg: Giosg, field: str) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, without(published(), field))

    assert excinfo.value.errors == [((field,), REQUIRED)]
    assert stored_experiments(giosg) == 0


def test_published_experiment_without_any_attribute_names_every_missing_one(giosg: Giosg) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, {"is_draft": False})

    assert sorted(excinfo.value.errors) == sorted(((field,), REQUIRED) for field in ("goal_id", "groups", "name", "room_ids", "starts_at"))


def test_published_experiment_needs_a_non_null_name(giosg: Giosg) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, published(name=None))

    assert paths(excinfo) == [("name",)]


def test_published_experiment_without_ends_at_or_reset_interval_is_created(giosg: Giosg) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, without(published(), "ends_at", "group_reset_interval"))

    assert experiment["ends_at"] is None
    assert experiment["is_draft"] is False


@pytest.mark.parametrize("is_draft", [False, True])
@pytest.mark.parametrize("field", ["name", "percentage", "group_type"])
def test_each_group_needs_name_percentage_and_group_type(giosg: Giosg, field: str, is_draft: bool) -> None:
    body = published(is_draft=is_draft)
    del body["groups"][1][field]

    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, body)

    assert (("groups", 1, field), REQUIRED) in excinfo.value.errors
    assert stored_experiments(giosg) == 0


def test_group_type_may_be_null(giosg: Giosg) -> None:
    body = published()
    body["groups"][1]["group_type"] = None

    experiment = giosg.create_experiment(ORG, ADMIN, body)

    assert [group["group_type"] for group in experiment["groups"]] == ["control", None]


def test_group_treatment_is_optional(giosg: Giosg) -> None:
    body = published()
    del body["groups"][0]["treatment"]

    experiment = giosg.create_experiment(ORG, ADMIN, body)

    assert experiment["groups"][0]["treatment"] == {}
    assert experiment["groups"][1]["treatment"] == {"name": "Rule-B", "actions": [], "conditions": []}


@pytest.mark.parametrize("percentages", [(90, 20), (50, 40), (100, 1), (0, 0)])
def test_published_experiment_groups_percentages_add_up_to_100(giosg: Giosg, percentages: tuple) -> None:
    body = published()
    for group, percentage in zip(body["groups"], percentages):
        group["percentage"] = percentage

    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, body)

    assert paths(excinfo) == [("groups",)]
    assert stored_experiments(giosg) == 0


def test_published_experiment_with_one_group_of_100_percent_is_created(giosg: Giosg) -> None:
    body = published(groups=[{"name": "Everyone", "percentage": 100, "group_type": "control"}])

    experiment = giosg.create_experiment(ORG, ADMIN, body)

    assert [(group["name"], group["percentage"]) for group in experiment["groups"]] == [("Everyone", 100)]


def test_published_experiment_with_no_groups_is_rejected(giosg: Giosg) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, published(groups=[]))

    assert paths(excinfo) == [("groups",)]


def test_group_reset_interval_defaults_to_full(giosg: Giosg) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, without(published(), "group_reset_interval"))
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True})

    assert experiment["group_reset_interval"] == "full"
    assert draft["group_reset_interval"] == "full"


@pytest.mark.parametrize("interval", ["full", "1w", "1d"])
def test_group_reset_interval_is_kept_as_given(giosg: Giosg, interval: str) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, published(group_reset_interval=interval))

    assert giosg.retrieve_experiment(ORG, experiment["id"])["group_reset_interval"] == interval


@pytest.mark.parametrize("is_draft", [False, True])
@pytest.mark.parametrize("goal_id", [OTHER_GOAL, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"], ids=["other-organization", "unknown"])
def test_goal_must_exist_in_the_organization(giosg: Giosg, goal_id: str, is_draft: bool) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, published(goal_id=goal_id, is_draft=is_draft))

    assert paths(excinfo) == [("goal_id",)]
    assert stored_experiments(giosg) == 0


@pytest.mark.parametrize("is_draft", [False, True])
@pytest.mark.parametrize("room_id", [OTHER_ROOM, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"], ids=["other-organization", "unknown"])
def test_every_room_must_exist_in_the_organization(giosg: Giosg, room_id: str, is_draft: bool) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, published(room_ids=[ROOM, room_id], is_draft=is_draft))

    assert paths(excinfo) == [("room_ids",)]
    assert stored_experiments(giosg) == 0


def test_experiment_of_another_organization_may_use_its_own_goal_and_room(giosg: Giosg) -> None:
    experiment = giosg.create_experiment(OTHER_ORG, OTHER_ADMIN, published(goal_id=OTHER_GOAL, room_ids=[OTHER_ROOM]))

    assert experiment["organization_id"] == OTHER_ORG
    assert experiment["goal"]["organization"]["id"] == OTHER_ORG
    assert [room["id"] for room in experiment["rooms"]] == [OTHER_ROOM]


def test_empty_room_ids_is_allowed(giosg: Giosg) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, published(room_ids=[]))

    assert experiment["room_ids"] == [] and experiment["rooms"] == []


@pytest.mark.parametrize("ends_at", [NOW + DAY - HOUR, NOW + DAY], ids=["before", "equal"])
def test_ends_at_not_after_starts_at_is_rejected_on_create(giosg: Giosg, ends_at: datetime) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.create_experiment(ORG, ADMIN, published(starts_at=iso(NOW + DAY), ends_at=iso(ends_at)))

    assert paths(excinfo) == [("ends_at",)]
    assert stored_experiments(giosg) == 0


def test_server_sets_id_times_and_users(giosg: Giosg) -> None:
    first = giosg.create_experiment(ORG, ADMIN, published())
    second = giosg.create_experiment(ORG, ADMIN_2, {"is_draft": True})

    for experiment in (first, second):
        assert str(uuid.UUID(experiment["id"])) == experiment["id"]
        assert experiment["created_at"] == experiment["updated_at"] == "2026-03-02T09:30:15.123Z"
    assert first["id"] != second["id"]
    assert (first["created_by_user_id"], first["updated_by_user_id"]) == (ADMIN, ADMIN)
    assert (second["created_by_user_id"], second["updated_by_user_id"]) == (ADMIN_2, ADMIN_2)
    assert first["organization_id"] == ORG


def test_server_ignores_client_sent_ids_times_and_users(giosg: Giosg) -> None:
    body = published(id="3f2504e0-4f89-11d3-9a0c-0305e82c3301", created_at="2019-01-01T00:00:00.000Z", created_by_user_id=OTHER_ADMIN, organization_id=OTHER_ORG)

    experiment = giosg.create_experiment(ORG, ADMIN, body)

    assert experiment["id"] != "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    assert experiment["created_at"] == iso(NOW)
    assert experiment["created_by_user_id"] == ADMIN
    assert experiment["organization_id"] == ORG


def test_representation_embeds_goal_rooms_groups_users_and_organization(giosg: Giosg) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, published(room_ids=[ROOM_2, ROOM]))

    assert experiment["organization"] == {"id": ORG, "name": "Company Inc."}
    assert experiment["goal"] == {
        "id": GOAL,
        "name": "Reached checkout page",
        "organization_id": ORG,
        "organization": {"id": ORG, "name": "Company Inc."},
    }
    assert [(room["id"], room["name"]) for room in experiment["rooms"]] == [(ROOM_2, "Support chat"), (ROOM, "Shop chat")]
    assert experiment["room_ids"] == [ROOM_2, ROOM]
    john = {"id": ADMIN, "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "organization_id": ORG, "is_bot": False}
    assert experiment["created_by_user"] == john
    assert experiment["updated_by_user"] == john
    groups = experiment["groups"]
    assert [group["order"] for group in groups] == [0, 1]
    assert [(group["name"], group["percentage"], group["group_type"]) for group in groups] == [("A", 90, "control"), ("B", 10, "user_defined")]
    assert groups[0]["treatment"] == {"name": "Rule-A", "actions": [], "conditions": []}
    for group in groups:
        assert str(uuid.UUID(group["id"])) == group["id"]
        assert group["created_at"] == group["updated_at"] == iso(NOW)
    assert groups[0]["id"] != groups[1]["id"]
    assert experiment["starts_at"] == iso(NOW + DAY)
    assert experiment["ends_at"] == iso(NOW + 15 * DAY)
    assert giosg.retrieve_experiment(ORG, experiment["id"]) == experiment


# -- update --------------------------------------------------------------------------------


def test_published_experiment_cannot_go_back_to_draft(giosg: Giosg, scheduled: dict) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, as_update(scheduled) | {"is_draft": True})

    assert paths(excinfo) == [("is_draft",)]
    assert giosg.retrieve_experiment(ORG, scheduled["id"])["is_draft"] is False


def test_draft_stays_a_draft_on_update(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea"})

    updated = giosg.update_experiment(ORG, draft["id"], ADMIN, {"is_draft": True, "name": "Better idea"})

    assert (updated["is_draft"], updated["name"]) == (True, "Better idea")


@pytest.mark.parametrize("ends_at", [NOW + DAY - HOUR, NOW + DAY], ids=["before", "equal"])
def test_ends_at_not_after_starts_at_is_rejected_on_update(giosg: Giosg, scheduled: dict, ends_at: datetime) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, as_update(scheduled) | {"ends_at": iso(ends_at)})

    assert paths(excinfo) == [("ends_at",)]


def test_moving_starts_at_past_the_stored_ends_at_is_rejected(giosg: Giosg, scheduled: dict) -> None:
    body = without(as_update(scheduled), "ends_at") | {"starts_at": iso(NOW + 20 * DAY)}

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, body)

    assert paths(excinfo) == [("ends_at",)]


def test_ends_at_before_starts_at_is_rejected_on_a_running_experiment(giosg: Giosg, started: dict) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, as_update(started) | {"ends_at": iso(NOW + HOUR)})

    assert paths(excinfo) == [("ends_at",)]


@pytest.mark.parametrize("body", [
    pytest.param(lambda e: as_update(e), id="unchanged"),
    pytest.param(lambda e: as_update(e) | {"name": "Renamed"}, id="name"),
    pytest.param(lambda e: {"is_draft": False, "name": "Renamed"}, id="only-name"),
    pytest.param(lambda e: as_update(e) | {"ends_at": iso(NOW + 30 * DAY)}, id="ends_at"),
])
def test_ended_experiment_cannot_be_updated(giosg: Giosg, ended: dict, body) -> None:
    before = giosg.organization(ORG).get(EXPERIMENTS, ended["id"])

    with pytest.raises(Invalid):
        giosg.update_experiment(ORG, ended["id"], ADMIN, body(ended))

    assert giosg.organization(ORG).get(EXPERIMENTS, ended["id"]) == before


def test_experiment_can_be_updated_until_its_ends_at(giosg: Giosg, clock: Clock) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, published(starts_at=iso(NOW + HOUR), ends_at=iso(NOW + 2 * HOUR)))
    clock.advance(2 * 3600 - 1)

    updated = giosg.update_experiment(ORG, experiment["id"], ADMIN, {"is_draft": False, "name": "Last-second rename"})

    assert updated["name"] == "Last-second rename"
    clock.freeze(datetime.fromisoformat(experiment["ends_at"].replace("Z", "+00:00")))  # exactly at ends_at: it has ended
    with pytest.raises(Invalid):
        giosg.update_experiment(ORG, experiment["id"], ADMIN, {"is_draft": False, "name": "Too late"})


@pytest.mark.parametrize("field, value", [
    ("goal_id", GOAL_2),
    ("room_ids", [ROOM_2]),
    ("room_ids", [ROOM, ROOM_2]),
    ("room_ids", []),
    ("starts_at", iso(NOW + 4 * HOUR)),
    ("starts_at", iso(NOW - DAY)),
    ("group_reset_interval", "1d"),
    ("group_reset_interval", "full"),
])
def test_started_experiment_rejects_changing_a_read_only_attribute(giosg: Giosg, started: dict, field: str, value) -> None:
    before = giosg.organization(ORG).get(EXPERIMENTS, started["id"])

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, as_update(started) | {field: value})

    assert paths(excinfo) == [(field,)]
    assert giosg.organization(ORG).get(EXPERIMENTS, started["id"]) == before


@pytest.mark.parametrize("index, field, value", [
    (0, "group_type", "target_random"),
    (1, "group_type", None),
    (1, "group_type", "target_algorithm"),
    (0, "treatment", {"name": "Rule-A2", "actions": [], "conditions": []}),
    (1, "treatment", {}),
])
def test_started_experiment_rejects_changing_a_group_type_or_treatment(giosg: Giosg, started: dict, index: int, field: str, value) -> None:
    body = as_update(started)
    body["groups"][index][field] = value

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert paths(excinfo) == [("groups", index, field)]


def test_started_experiment_names_every_read_only_attribute_changed(giosg: Giosg, started: dict) -> None:
    body = as_update(started) | {"goal_id": GOAL_2, "room_ids": [ROOM_2], "starts_at": iso(NOW + 5 * HOUR), "group_reset_interval": "1d"}
    body["groups"][0]["group_type"] = "target_random"
    body["groups"][1]["treatment"] = {}

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert sorted(paths(excinfo), key=str) == sorted(
        [("goal_id",), ("room_ids",), ("starts_at",), ("group_reset_interval",), ("groups", 0, "group_type"), ("groups", 1, "treatment")], key=str
    )


def test_started_experiment_accepts_read_only_attributes_sent_unchanged(giosg: Giosg, started: dict, clock: Clock) -> None:
    updated = giosg.update_experiment(ORG, started["id"], ADMIN, as_update(started))

    for field in ("goal_id", "room_ids", "starts_at", "ends_at", "group_reset_interval", "name"):
        assert updated[field] == started[field], field
    assert [group["id"] for group in updated["groups"]] == [group["id"] for group in started["groups"]]


def test_started_experiment_accepts_the_same_values_written_differently(giosg: Giosg, started: dict) -> None:
    starts_at = datetime.fromisoformat(started["starts_at"].replace("Z", "+00:00"))
    body = as_update(started) | {
        "starts_at": starts_at.astimezone(timezone(timedelta(hours=3))).isoformat(),  # same instant, +03:00
        "room_ids": [ROOM],
    }

    updated = giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert updated["starts_at"] == iso(starts_at)


def test_started_experiment_accepts_read_only_attributes_omitted(giosg: Giosg, started: dict) -> None:
    body = {"is_draft": False, "name": "Renamed while running", "groups": [{"name": "A", "percentage": 80}, {"name": "B", "percentage": 20}]}

    updated = giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert updated["name"] == "Renamed while running"
    assert (updated["goal_id"], updated["room_ids"], updated["starts_at"], updated["group_reset_interval"]) == (GOAL, [ROOM], iso(NOW + 2 * HOUR), "1w")
    assert [(g["percentage"], g["group_type"], g["treatment"]) for g in updated["groups"]] == [
        (80, "control", {"name": "Rule-A", "actions": [], "conditions": []}),
        (20, "user_defined", {"name": "Rule-B", "actions": [], "conditions": []}),
    ]


def test_started_experiment_name_and_percentages_can_change(giosg: Giosg, started: dict) -> None:
    body = as_update(started) | {"name": "Hello again"}
    body["groups"][0]["percentage"], body["groups"][1]["percentage"] = 50, 50
    body["groups"][1]["name"] = "B2"

    updated = giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert updated["name"] == "Hello again"
    assert [(group["name"], group["percentage"]) for group in updated["groups"]] == [("A", 50), ("B2", 50)]
    assert giosg.retrieve_experiment(ORG, started["id"]) == updated


def test_started_experiment_percentages_still_add_up_to_100(giosg: Giosg, started: dict) -> None:
    body = as_update(started)
    body["groups"][0]["percentage"] = 50

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert paths(excinfo) == [("groups",)]


def test_started_experiment_still_needs_a_name(giosg: Giosg, started: dict) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, without(as_update(started), "name"))

    assert excinfo.value.errors == [(("name",), REQUIRED)]


@pytest.mark.parametrize("groups", [
    pytest.param(lambda e: e["groups"] + [{"name": "C", "percentage": 0, "group_type": None, "treatment": {}}], id="added"),
    pytest.param(lambda e: [e["groups"][0] | {"percentage": 100}], id="removed"),
])
def test_started_experiment_groups_cannot_be_added_or_removed(giosg: Giosg, started: dict, groups) -> None:
    body = as_update(started)
    body["groups"] = [{key: group[key] for key in ("name", "percentage", "group_type", "treatment")} for group in groups(started)]

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, started["id"], ADMIN, body)

    assert ("groups",) in paths(excinfo)
    assert len(giosg.retrieve_experiment(ORG, started["id"])["groups"]) == 2


def test_scheduled_experiment_read_only_attributes_can_all_change_before_it_starts(giosg: Giosg, scheduled: dict) -> None:
    body = {
        "is_draft": False,
        "name": "Rethought",
        "goal_id": GOAL_2,
        "room_ids": [ROOM_2],
        "starts_at": iso(NOW + 2 * DAY),
        "ends_at": iso(NOW + 20 * DAY),
        "group_reset_interval": "1d",
        "groups": [
            {"name": "A", "percentage": 40, "group_type": "target_random", "treatment": {"name": "Rule-A2", "actions": [], "conditions": []}},
            {"name": "B", "percentage": 60, "group_type": None, "treatment": {}},
        ],
    }

    updated = giosg.update_experiment(ORG, scheduled["id"], ADMIN, body)

    assert (updated["goal_id"], updated["goal"]["id"]) == (GOAL_2, GOAL_2)
    assert (updated["room_ids"], [room["id"] for room in updated["rooms"]]) == ([ROOM_2], [ROOM_2])
    assert (updated["starts_at"], updated["ends_at"]) == (iso(NOW + 2 * DAY), iso(NOW + 20 * DAY))
    assert updated["group_reset_interval"] == "1d"
    assert [(g["percentage"], g["group_type"], g["treatment"]) for g in updated["groups"]] == [
        (40, "target_random", {"name": "Rule-A2", "actions": [], "conditions": []}),
        (60, None, {}),
    ]
    assert giosg.retrieve_experiment(ORG, scheduled["id"]) == updated


def test_scheduled_experiment_groups_can_be_added_before_it_starts(giosg: Giosg, scheduled: dict) -> None:
    body = as_update(scheduled)
    body["groups"] = [
        {"name": "A", "percentage": 50, "group_type": "control"},
        {"name": "B", "percentage": 25, "group_type": "user_defined"},
        {"name": "C", "percentage": 25, "group_type": "target_algorithm"},
    ]

    updated = giosg.update_experiment(ORG, scheduled["id"], ADMIN, body)

    assert [(g["name"], g["order"]) for g in updated["groups"]] == [("A", 0), ("B", 1), ("C", 2)]


def test_published_but_not_started_update_needs_the_publish_attributes(giosg: Giosg, scheduled: dict) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, {"is_draft": False, "name": "Renamed"})

    assert sorted(excinfo.value.errors) == sorted(((field,), REQUIRED) for field in ("goal_id", "room_ids", "starts_at"))


def test_draft_can_be_published_by_update(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea"})

    updated = giosg.update_experiment(ORG, draft["id"], ADMIN, published(name="Idea, published"))

    assert updated["is_draft"] is False
    assert updated["name"] == "Idea, published"
    assert (updated["goal_id"], updated["room_ids"], updated["starts_at"]) == (GOAL, [ROOM], iso(NOW + DAY))
    assert [(g["name"], g["percentage"]) for g in updated["groups"]] == [("A", 90), ("B", 10)]
    assert giosg.retrieve_experiment(ORG, draft["id"]) == updated


def test_publishing_a_draft_by_update_needs_the_publish_attributes(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea", "goal_id": GOAL})

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, draft["id"], ADMIN, {"is_draft": False})

    assert sorted(excinfo.value.errors) == sorted(((field,), REQUIRED) for field in ("goal_id", "name", "room_ids", "starts_at"))
    assert giosg.retrieve_experiment(ORG, draft["id"])["is_draft"] is True


def test_publishing_a_draft_without_groups_is_rejected(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea"})

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, draft["id"], ADMIN, without(published(), "groups"))

    assert paths(excinfo) == [("groups",)]
    assert giosg.retrieve_experiment(ORG, draft["id"])["is_draft"] is True


def test_publishing_a_draft_with_percentages_not_adding_up_is_rejected(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": "Idea"})
    body = published()
    body["groups"][0]["percentage"] = 10

    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, draft["id"], ADMIN, body)

    assert paths(excinfo) == [("groups",)]


def test_draft_update_keeps_omitted_attributes(giosg: Giosg) -> None:
    draft = giosg.create_experiment(ORG, ADMIN, published(is_draft=True, group_reset_interval="1d"))

    updated = giosg.update_experiment(ORG, draft["id"], ADMIN, {"is_draft": True, "name": "Renamed draft"})

    assert updated["name"] == "Renamed draft"
    for field in ("goal_id", "room_ids", "starts_at", "ends_at", "group_reset_interval", "groups"):
        assert updated[field] == draft[field], field


def test_published_update_keeps_omitted_optional_attributes(giosg: Giosg, scheduled: dict) -> None:
    body = without(as_update(scheduled), "ends_at", "group_reset_interval", "groups") | {"name": "Renamed"}

    updated = giosg.update_experiment(ORG, scheduled["id"], ADMIN, body)

    assert updated["name"] == "Renamed"
    assert (updated["ends_at"], updated["group_reset_interval"], updated["groups"]) == (scheduled["ends_at"], "1w", scheduled["groups"])


def test_update_sets_updated_fields_and_keeps_created_fields(giosg: Giosg, clock: Clock) -> None:
    experiment = giosg.create_experiment(ORG, ADMIN, published())
    clock.advance(61.5)

    updated = giosg.update_experiment(ORG, experiment["id"], ADMIN_2, as_update(experiment) | {"name": "Renamed"})

    assert updated["updated_at"] == "2026-03-02T09:31:16.623Z"
    assert updated["updated_by_user_id"] == ADMIN_2
    assert updated["updated_by_user"]["full_name"] == "Jane Roe"
    assert (updated["created_at"], updated["created_by_user_id"]) == (iso(NOW), ADMIN)
    assert updated["created_by_user"]["full_name"] == "John Doe"
    assert updated["id"] == experiment["id"]
    assert giosg.retrieve_experiment(ORG, experiment["id"]) == updated


def test_update_keeps_group_ids_by_position(giosg: Giosg, scheduled: dict, clock: Clock) -> None:
    clock.advance(60)
    body = as_update(scheduled)
    body["groups"] = [
        {"name": "First", "percentage": 30, "group_type": "user_defined"},
        {"name": "Second", "percentage": 30, "group_type": "control"},
        {"name": "Third", "percentage": 40, "group_type": None},
    ]

    updated = giosg.update_experiment(ORG, scheduled["id"], ADMIN, body)

    before = scheduled["groups"]
    after = updated["groups"]
    assert [group["id"] for group in after[:2]] == [group["id"] for group in before]
    assert [group["created_at"] for group in after[:2]] == [group["created_at"] for group in before]
    assert after[2]["id"] not in {group["id"] for group in before}
    assert str(uuid.UUID(after[2]["id"])) == after[2]["id"]
    assert after[2]["created_at"] == iso(NOW + 60 * timedelta(seconds=1))
    assert [group["order"] for group in after] == [0, 1, 2]


def test_update_of_unknown_experiment_is_not_found(giosg: Giosg) -> None:
    with pytest.raises(NotFound):
        giosg.update_experiment(ORG, "3f2504e0-4f89-11d3-9a0c-0305e82c3301", ADMIN, published())


def test_update_checks_goal_and_rooms_belong_to_the_organization(giosg: Giosg, scheduled: dict) -> None:
    with pytest.raises(Invalid) as excinfo:
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, as_update(scheduled) | {"goal_id": OTHER_GOAL, "room_ids": [OTHER_ROOM]})

    assert sorted(paths(excinfo)) == [("goal_id",), ("room_ids",)]


@pytest.mark.parametrize("change", [
    pytest.param(lambda e: as_update(e) | {"is_draft": True}, id="back-to-draft"),
    pytest.param(lambda e: as_update(e) | {"ends_at": iso(NOW)}, id="ends-before-starts"),
    pytest.param(lambda e: as_update(e) | {"goal_id": OTHER_GOAL, "name": "Renamed"}, id="goal-of-other-organization"),
    pytest.param(lambda e: as_update(e) | {"room_ids": [ROOM_2, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"]}, id="unknown-room"),
    pytest.param(lambda e: as_update(e) | {"groups": [{"name": "A", "percentage": 70}, {"name": "B", "percentage": 70}]}, id="percentages"),
    pytest.param(lambda e: as_update(e) | {"groups": [{"name": "A"}, {"name": "B", "percentage": 100}]}, id="group-without-percentage"),
    pytest.param(lambda e: without(as_update(e), "goal_id") | {"name": "Renamed"}, id="missing-goal"),
])
def test_failed_update_leaves_the_experiment_unchanged(giosg: Giosg, scheduled: dict, clock: Clock, change) -> None:
    clock.advance(60)
    stored = giosg.organization(ORG).get(EXPERIMENTS, scheduled["id"])

    with pytest.raises(Invalid):
        giosg.update_experiment(ORG, scheduled["id"], ADMIN_2, change(scheduled))

    assert giosg.organization(ORG).get(EXPERIMENTS, scheduled["id"]) == stored
    assert giosg.retrieve_experiment(ORG, scheduled["id"]) == scheduled


def test_failed_update_of_a_started_experiment_leaves_it_unchanged(giosg: Giosg, started: dict) -> None:
    stored = giosg.organization(ORG).get(EXPERIMENTS, started["id"])
    body = as_update(started) | {"name": "Renamed", "goal_id": GOAL_2}
    body["groups"][0]["percentage"], body["groups"][1]["percentage"] = 50, 50

    with pytest.raises(Invalid):
        giosg.update_experiment(ORG, started["id"], ADMIN_2, body)

    assert giosg.organization(ORG).get(EXPERIMENTS, started["id"]) == stored


# -- delete --------------------------------------------------------------------------------


def test_deleted_experiment_is_gone(giosg: Giosg, scheduled: dict) -> None:
    kept = giosg.create_experiment(ORG, ADMIN, {"is_draft": True})

    assert giosg.delete_experiment(ORG, scheduled["id"]) is None

    with pytest.raises(NotFound):
        giosg.retrieve_experiment(ORG, scheduled["id"])
    with pytest.raises(NotFound):
        giosg.update_experiment(ORG, scheduled["id"], ADMIN, as_update(scheduled))
    results, _, _ = list_experiments(giosg, ORG)
    assert [experiment["id"] for experiment in results] == [kept["id"]]


def test_deleting_twice_is_not_found(giosg: Giosg, scheduled: dict) -> None:
    giosg.delete_experiment(ORG, scheduled["id"])

    with pytest.raises(NotFound):
        giosg.delete_experiment(ORG, scheduled["id"])


def test_deleting_unknown_experiment_is_not_found(giosg: Giosg) -> None:
    with pytest.raises(NotFound):
        giosg.delete_experiment(ORG, "3f2504e0-4f89-11d3-9a0c-0305e82c3301")


def test_experiment_of_another_organization_is_not_found(giosg: Giosg) -> None:
    theirs = giosg.create_experiment(OTHER_ORG, OTHER_ADMIN, published(goal_id=OTHER_GOAL, room_ids=[OTHER_ROOM]))

    with pytest.raises(NotFound):
        giosg.retrieve_experiment(ORG, theirs["id"])
    with pytest.raises(NotFound):
        giosg.update_experiment(ORG, theirs["id"], ADMIN, {"is_draft": False, "name": "Hijacked"})
    with pytest.raises(NotFound):
        giosg.delete_experiment(ORG, theirs["id"])

    assert giosg.retrieve_experiment(OTHER_ORG, theirs["id"]) == theirs


def test_ended_experiment_can_be_deleted(giosg: Giosg, ended: dict) -> None:
    giosg.delete_experiment(ORG, ended["id"])

    with pytest.raises(NotFound):
        giosg.retrieve_experiment(ORG, ended["id"])


# -- list ----------------------------------------------------------------------------------


def create_many(giosg: Giosg, clock: Clock, count: int, *, step: float = 60) -> list[str]:
    """`count` drafts created `step` seconds apart; their ids, oldest first."""
    ids = []
    for index in range(count):
        ids.append(giosg.create_experiment(ORG, ADMIN, {"is_draft": True, "name": f"Experiment {index}"})["id"])
        clock.advance(step)
    return ids


def test_list_is_newest_first(giosg: Giosg, clock: Clock) -> None:
    ids = create_many(giosg, clock, 4)

    results, next_cursor, previous_cursor = list_experiments(giosg, ORG)

    assert [experiment["id"] for experiment in results] == list(reversed(ids))
    assert (next_cursor, previous_cursor) == (None, None)


def test_list_shows_full_representations(giosg: Giosg, scheduled: dict) -> None:
    results, _, _ = list_experiments(giosg, ORG)

    assert results == [giosg.retrieve_experiment(ORG, scheduled["id"])]


def test_empty_list(giosg: Giosg) -> None:
    assert list_experiments(giosg, ORG) == ([], None, None)


def test_list_shows_only_the_organization_s_own_experiments(giosg: Giosg, clock: Clock) -> None:
    ours = create_many(giosg, clock, 2)
    theirs = giosg.create_experiment(OTHER_ORG, OTHER_ADMIN, {"is_draft": True})

    our_list, _, _ = list_experiments(giosg, ORG)
    their_list, _, _ = list_experiments(giosg, OTHER_ORG)

    assert {experiment["id"] for experiment in our_list} == set(ours)
    assert [experiment["id"] for experiment in their_list] == [theirs["id"]]


def walk_forward(giosg: Giosg, page_size: int) -> list[tuple[list[str], str | None, str | None]]:
    pages = []
    cursor = None
    while True:
        results, next_cursor, previous_cursor = list_experiments(giosg, ORG, cursor=cursor, page_size=page_size)
        pages.append(([experiment["id"] for experiment in results], next_cursor, previous_cursor))
        if next_cursor is None:
            return pages
        assert len(pages) < 100, "the next cursors never end"
        cursor = next_cursor


@pytest.mark.parametrize("step", [60, 0], ids=["distinct-times", "same-instant"])
@pytest.mark.parametrize("count, page_size", [(7, 3), (6, 3), (3, 3), (1, 3), (5, 1), (4, 30)])
def test_next_cursors_visit_every_experiment_once_newest_first(giosg: Giosg, clock: Clock, count: int, page_size: int, step: float) -> None:
    ids = create_many(giosg, clock, count, step=step)
    everything, _, _ = list_experiments(giosg, ORG, page_size=1000)

    pages = walk_forward(giosg, page_size)

    visited = [experiment_id for page, _, _ in pages for experiment_id in page]
    assert visited == [experiment["id"] for experiment in everything]
    assert sorted(visited) == sorted(ids)
    assert len(pages) == -(-count // page_size)
    assert all(len(page) == page_size for page, _, _ in pages[:-1])
    assert pages[0][2] is None
    if step:
        assert visited == list(reversed(ids))


@pytest.mark.parametrize("step", [60, 0], ids=["distinct-times", "same-instant"])
@pytest.mark.parametrize("count, page_size", [(7, 3), (6, 3), (5, 1), (10, 4)])
def test_previous_cursors_go_back_to_the_same_pages(giosg: Giosg, clock: Clock, count: int, page_size: int, step: float) -> None:
    create_many(giosg, clock, count, step=step)
    forward = walk_forward(giosg, page_size)

    backward = [forward[-1]]
    while backward[-1][2] is not None:
        assert len(backward) <= len(forward), "the previous cursors never end"
        results, next_cursor, previous_cursor = list_experiments(giosg, ORG, cursor=backward[-1][2], page_size=page_size)
        backward.append(([experiment["id"] for experiment in results], next_cursor, previous_cursor))

    assert [page for page, _, _ in reversed(backward)] == [page for page, _, _ in forward]
    # a page reached backwards leads forward again to the page after it
    for index, (page, next_cursor, _) in enumerate(reversed(backward[1:])):
        results, _, _ = list_experiments(giosg, ORG, cursor=next_cursor, page_size=page_size)
        assert [experiment["id"] for experiment in results] == forward[index + 1][0]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    "!!!",
    "é",
    _b64(b"\xff\xfe\x00garbage"),
    _b64(b"[1, 2]"),
    _b64(b'"next"'),
    _b64(json.dumps({"d": "sideways", "p": ["2026-03-02T09:30:15.123Z", ORG]}).encode()),
    _b64(json.dumps({"d": "next", "p": ["2026-03-02T09:30:15.123Z"]}).encode()),
    _b64(json.dumps({"d": "next", "p": [1, 2]}).encode()),
    _b64(json.dumps({"d": "next"}).encode()),
])
def test_invalid_cursor_is_not_found(giosg: Giosg, clock: Clock, cursor: str) -> None:
    create_many(giosg, clock, 3)

    with pytest.raises(NotFound):
        list_experiments(giosg, ORG, cursor=cursor, page_size=2)


# -- authenticate / authorize --------------------------------------------------------------


def test_token_acts_as_its_user(giosg: Giosg) -> None:
    assert giosg.authenticate("admin-token")["id"] == ADMIN
    assert giosg.authenticate("viewer-token")["id"] == VIEWER


@pytest.mark.parametrize("token", ["no-such-token", "", "ADMIN-TOKEN", "admin-token "])
def test_unknown_token_is_unauthorized(giosg: Giosg, token: str) -> None:
    with pytest.raises(Unauthorized):
        giosg.authenticate(token)


def test_token_of_a_deleted_user_is_unauthorized(giosg: Giosg) -> None:
    giosg.add_token("orphan-token", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")

    with pytest.raises(Unauthorized):
        giosg.authenticate("orphan-token")


@pytest.mark.parametrize("write", [False, True])
def test_user_of_another_organization_is_forbidden(giosg: Giosg, write: bool) -> None:
    other = giosg.authenticate("other-token")

    with pytest.raises(Forbidden):
        giosg.authorize(other, ORG, write=write)


@pytest.mark.parametrize("write", [False, True])
@pytest.mark.parametrize("token, organization_id", [("expired-token", EXPIRED_ORG), ("no-subscription-token", NO_SUBSCRIPTION_ORG)], ids=["expired", "never"])
def test_organization_without_active_subscription_is_forbidden(giosg: Giosg, token: str, organization_id: str, write: bool) -> None:
    user = giosg.authenticate(token)

    with pytest.raises(Forbidden):
        giosg.authorize(user, organization_id, write=write)


def test_subscription_ending_makes_the_organization_forbidden(giosg: Giosg, clock: Clock) -> None:
    admin = giosg.authenticate("admin-token")
    giosg.authorize(admin, ORG, write=True)
    clock.advance((SUBSCRIPTION_UNTIL - NOW).total_seconds() - 1)
    giosg.authorize(admin, ORG, write=False)

    clock.advance(2)

    with pytest.raises(Forbidden):
        giosg.authorize(admin, ORG, write=False)
    with pytest.raises(Forbidden):
        giosg.authorize(admin, ORG, write=True)


def test_write_without_settings_permission_is_forbidden_but_read_is_allowed(giosg: Giosg) -> None:
    viewer = giosg.authenticate("viewer-token")

    assert giosg.authorize(viewer, ORG, write=False) is None
    with pytest.raises(Forbidden):
        giosg.authorize(viewer, ORG, write=True)


def test_user_with_settings_permission_may_read_and_write(giosg: Giosg) -> None:
    admin = giosg.authenticate("admin-token")

    assert giosg.authorize(admin, ORG, write=False) is None
    assert giosg.authorize(admin, ORG, write=True) is None


# -- demo data -----------------------------------------------------------------------------


def loaded(at: datetime) -> Giosg:
    clock = Clock()
    clock.freeze(at)
    model = Giosg(Store().vendor("giosg"), clock)
    fixtures.load(model)
    return model


def state(experiment: dict, now: datetime) -> str:
    if experiment["is_draft"]:
        return "draft"
    if datetime.fromisoformat(experiment["starts_at"].replace("Z", "+00:00")) > now:
        return "scheduled"
    if experiment["ends_at"] and datetime.fromisoformat(experiment["ends_at"].replace("Z", "+00:00")) <= now:
        return "ended"
    return "running"


def test_demo_data_has_both_organizations_their_tokens_and_experiments_in_every_state() -> None:
    giosg = loaded(NOW)
    store = giosg.store

    organizations = store.query(ORGANIZATIONS)
    assert len(organizations) == 2
    active = [o for o in organizations if o["subscription_active_until"] and datetime.fromisoformat(o["subscription_active_until"].replace("Z", "+00:00")) > NOW]
    expired = [o for o in organizations if o not in active]
    assert len(active) == 1 and len(expired) == 1
    active_id, expired_id = active[0]["id"], expired[0]["id"]

    tokens = store.query(TOKENS)
    assert len(tokens) == 3
    users = {token["token"]: store.get(USERS, token["user_id"]) for token in tokens}
    kinds = sorted((user["organization_id"] == active_id, user["settings_permission"]) for user in users.values())
    assert kinds == [(False, True), (True, False), (True, True)]
    for token, user in users.items():
        assert giosg.authenticate(token)["id"] == user["id"]
        if user["organization_id"] == active_id:
            giosg.authorize(user, active_id, write=False)
            if user["settings_permission"]:
                giosg.authorize(user, active_id, write=True)
            else:
                with pytest.raises(Forbidden):
                    giosg.authorize(user, active_id, write=True)
        else:
            assert user["organization_id"] == expired_id
            for organization_id in (active_id, expired_id):
                with pytest.raises(Forbidden):
                    giosg.authorize(user, organization_id, write=False)

    for organization_id in (active_id, expired_id):
        assert giosg.organization(organization_id).query(ROOMS)
        assert giosg.organization(organization_id).query(GOALS)
        assert giosg.organization(organization_id).query(EXPERIMENTS)

    results, _, _ = list_experiments(giosg, active_id, page_size=1000)
    assert {state(experiment, NOW) for experiment in results} == {"draft", "scheduled", "running", "ended"}
    for experiment in results:
        assert experiment["goal"] is None or experiment["goal"]["organization"]["id"] == active_id
        assert all(room["organization_id"] == active_id for room in experiment["rooms"])
        if not experiment["is_draft"]:
            assert sum(group["percentage"] for group in experiment["groups"]) == 100
    ended = [experiment for experiment in results if state(experiment, NOW) == "ended"]
    with pytest.raises(Invalid):
        giosg.update_experiment(active_id, ended[0]["id"], users["giosg-demo-admin-token"]["id"], as_update(ended[0]))


def test_demo_data_is_the_same_on_every_load() -> None:
    first, second = loaded(NOW), loaded(NOW)

    assert first.store.dump() == second.store.dump()
    assert first.store.tables()


def test_demo_data_ids_do_not_depend_on_the_time_of_loading() -> None:
    first, later = loaded(NOW), loaded(NOW + 40 * DAY + 3 * HOUR)

    def ids(giosg: Giosg) -> dict:
        out = {table: sorted(docs) for table, docs in giosg.store.dump().items()}
        out["groups"] = sorted(group["id"] for table, docs in giosg.store.dump().items() if table.startswith("giosg.experiments") for doc in docs.values() for group in doc["groups"])
        return out

    assert ids(first) == ids(later)
    experiments = [key for table, keys in ids(first).items() if table.startswith("giosg.experiments") for key in keys]
    assert len(experiments) == len(set(experiments)) >= 6
