"""Every Giosg rule, over plain HTTP through the running mock, with the demo credentials.

The demo organization holds five experiments, one in each state (draft, scheduled, running,
running without an end, ended); times are relative to the mock's clock at reset, and the
tests move that clock where a rule depends on time.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from mockexp.vendors.giosg.models import EXPERIMENTS, GOALS, ROOMS

DAY = timedelta(days=1)
PUBLISH_FIELDS = ("goal_id", "groups", "name", "room_ids", "starts_at")
READ_ONLY_ONCE_STARTED = ("goal_id", "room_ids", "starts_at", "group_reset_interval")


# -- helpers ---------------------------------------------------------------------------------


def base(organization_id: str) -> str:
    return f"/api/v5/orgs/{organization_id}/experiments"


def auth(credential: dict) -> dict:
    return {"Authorization": credential["value"]}


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def assert_giosg_error(response: httpx.Response, status: int) -> dict:
    """A 4xx in Giosg's shape: JSON (never problem+json), an object with `detail` (a string)
    or one key per field holding a list of reasons."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    body = response.json()
    assert isinstance(body, dict) and body, body
    if "detail" in body:
        assert isinstance(body["detail"], str) and body["detail"]
    else:
        assert all(isinstance(reasons, list) and reasons for reasons in body.values()), body
    return body


def field_errors(response: httpx.Response) -> dict:
    body = assert_giosg_error(response, 400)
    assert "detail" not in body, body
    return body


def detail(response: httpx.Response, status: int) -> str:
    body = assert_giosg_error(response, status)
    assert set(body) == {"detail"}, body
    return body["detail"]


def all_pages(http: httpx.Client, url: str, headers: dict, **params) -> list[dict]:
    """Every page of a collection, following `next` from the first."""
    pages = []
    response = http.get(url, headers=headers, params=params)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if pages[-1]["next"] is None:
            return pages
        response = http.get(pages[-1]["next"], headers=headers)


# -- the fixture world -----------------------------------------------------------------------


@pytest.fixture
def org(giosg_admin: dict) -> str:
    return giosg_admin["tenant"]["organization_id"]


@pytest.fixture
def admin(giosg_admin: dict) -> dict:
    return auth(giosg_admin)


@pytest.fixture
def listed(http: httpx.Client, org: str, admin: dict) -> list[dict]:
    """The organization's experiments as the list shows them after reset."""
    response = http.get(base(org), headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["results"], "the demo organization lists no experiment"
    return response.json()["results"]


@pytest.fixture
def world(mock, listed: list[dict]) -> dict:
    """The demo experiments by state, plus the goals and rooms they use."""
    now = mock.runtime.clock.now()
    states: dict[str, dict] = {}
    for experiment in listed:
        if experiment["is_draft"]:
            states["draft"] = experiment
        elif parse(experiment["starts_at"]) > now:
            states["scheduled"] = experiment
        elif experiment["ends_at"] is None:
            states["running_indefinitely"] = experiment
        elif parse(experiment["ends_at"]) > now:
            states["running"] = experiment
        else:
            states["ended"] = experiment
    assert set(states) == {"draft", "scheduled", "running", "running_indefinitely", "ended"}, states
    goals = sorted({experiment["goal_id"] for experiment in listed})
    rooms = sorted({room for experiment in listed for room in experiment["room_ids"]})
    assert len(goals) >= 2 and len(rooms) >= 2
    return {**states, "goals": goals, "rooms": rooms}


@pytest.fixture
def other_org(mock, giosg_expired: dict) -> dict:
    """The other organization's experiment, goal and room (read from the store: its own token
    cannot read anything, its subscription has expired)."""
    organization_id = giosg_expired["tenant"]["organization_id"]
    tables = mock.runtime.models["giosg"].organization(organization_id)
    return {
        "id": organization_id,
        "experiment": tables.query(EXPERIMENTS)[0]["id"],
        "goal": tables.query(GOALS)[0]["id"],
        "room": tables.query(ROOMS)[0]["id"],
    }


def published(world: dict, **changes) -> dict:
    """The seed's example payload, with this organization's goal and rooms."""
    now = datetime.now(timezone.utc)
    payload = {
        "is_draft": False,
        "goal_id": world["goals"][0],
        "groups": [
            {"name": "A", "percentage": 90, "group_type": "control", "treatment": {"name": "Rule-A", "actions": [], "conditions": []}},
            {"name": "B", "percentage": 10, "group_type": "user_defined", "treatment": {"name": "Rule-B", "actions": [], "conditions": []}},
        ],
        "group_reset_interval": "full",
        "name": "Hello experiment",
        "room_ids": world["rooms"][:2],
        "starts_at": iso(now + 2 * DAY),
        "ends_at": iso(now + 16 * DAY),
    }
    payload.update(changes)
    return payload


def get(http: httpx.Client, org: str, admin: dict, experiment_id: str) -> dict:
    response = http.get(f"{base(org)}/{experiment_id}", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


# -- list --------------------------------------------------------------------------------------


def test_list_is_a_collection_of_the_organizations_experiments(http, org, admin):
    response = http.get(base(org), headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert body["next"] is None and body["previous"] is None
    assert len(body["results"]) == 5
    assert {experiment["organization_id"] for experiment in body["results"]} == {org}


def test_list_is_newest_first(listed):
    keys = [(experiment["created_at"], experiment["id"]) for experiment in listed]
    assert keys == sorted(keys, reverse=True)


def test_pages_of_two_walk_every_experiment_exactly_once(http, org, admin, listed):
    pages = all_pages(http, base(org), admin, page_size=2)
    assert [len(page["results"]) for page in pages] == [2, 2, 1]
    for page in pages[:-1]:
        assert page["next"].startswith("http://") and f"{base(org)}?" in page["next"]
    walked = [experiment["id"] for page in pages for experiment in page["results"]]
    assert walked == [experiment["id"] for experiment in listed]
    assert pages[0]["previous"] is None
    assert pages[-1]["next"] is None


def test_previous_link_goes_back_a_page(http, org, admin):
    pages = all_pages(http, base(org), admin, page_size=2)
    for index in (2, 1):
        assert pages[index]["previous"].startswith("http://")
        response = http.get(pages[index]["previous"], headers=admin)
        assert response.status_code == 200
        back = response.json()
        assert [e["id"] for e in back["results"]] == [e["id"] for e in pages[index - 1]["results"]]
        assert back["next"] is not None
    first = http.get(pages[1]["previous"], headers=admin).json()
    assert first["previous"] is None
    assert http.get(first["next"], headers=admin).json()["results"] == pages[1]["results"]


def test_list_keeps_page_size_in_its_links(http, org, admin):
    first = http.get(base(org), headers=admin, params={"page_size": 3}).json()
    assert "page_size=3" in first["next"]
    second = http.get(first["next"], headers=admin).json()
    assert len(second["results"]) == 2


def test_list_with_a_made_up_cursor_is_404(http, org, admin):
    detail(http.get(base(org), headers=admin, params={"cursor": "not-a-cursor"}), 404)


# -- retrieve ----------------------------------------------------------------------------------


def test_retrieve_returns_the_experiment_as_listed(http, org, admin, listed):
    for experiment in listed:
        response = http.get(f"{base(org)}/{experiment['id']}", headers=admin)
        assert response.status_code == 200
        assert response.json() == experiment


def test_retrieve_embeds_goal_rooms_groups_and_users(world, giosg_admin):
    experiment = world["running"]
    assert experiment["goal"]["id"] == experiment["goal_id"]
    assert experiment["goal"]["organization"] == experiment["organization"]
    assert [room["id"] for room in experiment["rooms"]] == experiment["room_ids"]
    assert [group["order"] for group in experiment["groups"]] == list(range(len(experiment["groups"])))
    assert experiment["created_by_user"]["id"] == experiment["created_by_user_id"]
    assert experiment["updated_by_user"]["id"] == experiment["updated_by_user_id"]


# -- create ------------------------------------------------------------------------------------


def test_create_published_experiment_returns_it_with_server_set_fields(http, mock, org, admin, world, giosg_admin):
    moment = mock.runtime.clock.now().replace(microsecond=123000)
    mock.runtime.clock.freeze(moment)
    payload = published(world)
    response = http.post(base(org), headers=admin, json=payload)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    created = response.json()
    assert str(uuid.UUID(created["id"])) == created["id"]
    assert created["created_at"] == created["updated_at"] == iso(moment)
    assert created["organization_id"] == org
    assert created["organization"]["id"] == org
    assert created["created_by_user"]["full_name"] == giosg_admin["user"]
    assert created["created_by_user"]["organization_id"] == org
    assert created["created_by_user_id"] == created["updated_by_user_id"] == created["created_by_user"]["id"]
    assert created["updated_by_user"] == created["created_by_user"]
    assert created["is_draft"] is False
    assert created["name"] == "Hello experiment"
    assert created["goal_id"] == payload["goal_id"]
    assert created["goal"]["id"] == payload["goal_id"] and created["goal"]["organization"] == created["organization"]
    assert created["room_ids"] == payload["room_ids"]
    assert [room["id"] for room in created["rooms"]] == payload["room_ids"]
    assert all(room["organization_id"] == org and room["name"] for room in created["rooms"])
    assert parse(created["starts_at"]) == parse(payload["starts_at"])
    assert parse(created["ends_at"]) == parse(payload["ends_at"])
    assert created["group_reset_interval"] == "full"
    for order, (group, sent) in enumerate(zip(created["groups"], payload["groups"], strict=True)):
        assert str(uuid.UUID(group["id"])) == group["id"]
        assert group["order"] == order
        assert group["created_at"] == group["updated_at"] == iso(moment)
        assert {key: group[key] for key in sent} == sent
    assert len({group["id"] for group in created["groups"]}) == 2
    assert get(http, org, admin, created["id"]) == created
    ids = [experiment["id"] for experiment in http.get(base(org), headers=admin).json()["results"]]
    assert ids[0] == created["id"] and len(ids) == 6


def test_created_by_user_is_the_caller_not_the_body(http, org, admin, world):
    someone = str(uuid.uuid4())
    response = http.post(base(org), headers=admin, json={"is_draft": True, "created_by_user_id": someone, "id": someone})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"] != someone
    assert created["created_by_user_id"] == world["running"]["created_by_user_id"] != someone


def test_create_draft_with_only_is_draft(http, org, admin):
    response = http.post(base(org), headers=admin, json={"is_draft": True})
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["is_draft"] is True
    assert draft["name"] is None and draft["goal_id"] is None and draft["goal"] is None
    assert draft["starts_at"] is None and draft["ends_at"] is None
    assert draft["groups"] == [] and draft["rooms"] == [] and draft["room_ids"] == []
    assert draft["group_reset_interval"] == "full"
    assert get(http, org, admin, draft["id"]) == draft


def test_create_needs_is_draft(http, org, admin, listed):
    errors = field_errors(http.post(base(org), headers=admin, json={"name": "No draft flag"}))
    assert list(errors) == ["is_draft"]
    assert http.get(base(org), headers=admin).json()["results"] == listed


def test_published_experiment_needs_every_publish_field(http, org, admin, listed):
    errors = field_errors(http.post(base(org), headers=admin, json={"is_draft": False}))
    assert set(errors) == set(PUBLISH_FIELDS)
    assert http.get(base(org), headers=admin).json()["results"] == listed


@pytest.mark.parametrize("field", PUBLISH_FIELDS)
def test_published_experiment_without_one_publish_field_names_it(http, org, admin, world, field):
    payload = published(world)
    del payload[field]
    errors = field_errors(http.post(base(org), headers=admin, json=payload))
    assert list(errors) == [field]


@pytest.mark.parametrize("field", ["goal_id", "name", "starts_at"])
def test_published_experiment_publish_field_may_not_be_null(http, org, admin, world, field):
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, **{field: None})))
    assert list(errors) == [field]


@pytest.mark.parametrize("field", ["name", "percentage", "group_type"])
def test_each_group_needs_name_percentage_and_type(http, org, admin, world, field):
    payload = published(world)
    del payload["groups"][1][field]
    errors = field_errors(http.post(base(org), headers=admin, json=payload))
    assert list(errors) == ["groups"]
    assert errors["groups"][0] == {}
    assert list(errors["groups"][1]) == [field]


@pytest.mark.parametrize("percentages", [(90, 20), (50, 40), (100, 0, 1)])
def test_group_percentages_must_add_up_to_100(http, org, admin, world, listed, percentages):
    groups = [{"name": f"G{i}", "percentage": p, "group_type": None} for i, p in enumerate(percentages)]
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, groups=groups)))
    assert list(errors) == ["groups"]
    assert http.get(base(org), headers=admin).json()["results"] == listed


@pytest.mark.parametrize("group_type", ["control", "user_defined", "target_algorithm", "target_random", None])
def test_every_group_type_giosg_names_is_accepted(http, org, admin, world, group_type):
    groups = [{"name": "Only", "percentage": 100, "group_type": group_type}]
    response = http.post(base(org), headers=admin, json=published(world, groups=groups))
    assert response.status_code == 201, response.text
    assert response.json()["groups"][0]["group_type"] == group_type


def test_invalid_group_type_is_400_naming_it(http, org, admin, world):
    payload = published(world)
    payload["groups"][1]["group_type"] = "treatment"
    errors = field_errors(http.post(base(org), headers=admin, json=payload))
    assert list(errors) == ["groups"]
    assert list(errors["groups"][1]) == ["group_type"]


@pytest.mark.parametrize("interval", ["full", "1w", "1d"])
def test_group_reset_interval_choices(http, org, admin, world, interval):
    response = http.post(base(org), headers=admin, json=published(world, group_reset_interval=interval))
    assert response.status_code == 201, response.text
    assert response.json()["group_reset_interval"] == interval


def test_invalid_group_reset_interval_is_400_naming_it(http, org, admin, world):
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, group_reset_interval="2w")))
    assert list(errors) == ["group_reset_interval"]


def test_unknown_goal_is_400_naming_goal_id(http, org, admin, world, listed):
    missing = str(uuid.uuid4())
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, goal_id=missing)))
    assert list(errors) == ["goal_id"]
    assert missing in errors["goal_id"][0]
    assert http.get(base(org), headers=admin).json()["results"] == listed


def test_goal_of_another_organization_is_400_naming_goal_id(http, org, admin, world, other_org):
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, goal_id=other_org["goal"])))
    assert list(errors) == ["goal_id"]


def test_draft_with_unknown_goal_is_400_too(http, org, admin):
    errors = field_errors(http.post(base(org), headers=admin, json={"is_draft": True, "goal_id": str(uuid.uuid4())}))
    assert list(errors) == ["goal_id"]


def test_unknown_room_is_400_naming_room_ids(http, org, admin, world, listed):
    missing = str(uuid.uuid4())
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, room_ids=[world["rooms"][0], missing])))
    assert list(errors) == ["room_ids"]
    assert missing in " ".join(errors["room_ids"])
    assert http.get(base(org), headers=admin).json()["results"] == listed


def test_room_of_another_organization_is_400_naming_room_ids(http, org, admin, world, other_org):
    errors = field_errors(http.post(base(org), headers=admin, json=published(world, room_ids=[other_org["room"]])))
    assert list(errors) == ["room_ids"]


def test_empty_room_ids_means_every_room(http, org, admin, world):
    response = http.post(base(org), headers=admin, json=published(world, room_ids=[]))
    assert response.status_code == 201, response.text
    assert response.json()["rooms"] == []


@pytest.mark.parametrize("ends_after_start", [timedelta(hours=-1), timedelta(0)])
def test_ends_at_before_starts_at_is_400_naming_ends_at(http, org, admin, world, listed, ends_after_start):
    payload = published(world)
    payload["ends_at"] = iso(parse(payload["starts_at"]) + ends_after_start)
    errors = field_errors(http.post(base(org), headers=admin, json=payload))
    assert list(errors) == ["ends_at"]
    assert http.get(base(org), headers=admin).json()["results"] == listed


def test_published_experiment_without_end_runs_indefinitely(http, org, admin, world):
    payload = published(world)
    del payload["ends_at"]
    response = http.post(base(org), headers=admin, json=payload)
    assert response.status_code == 201, response.text
    assert response.json()["ends_at"] is None


# -- update ------------------------------------------------------------------------------------


def put(http: httpx.Client, org: str, admin: dict, experiment: dict, **changes) -> httpx.Response:
    return http.put(f"{base(org)}/{experiment['id']}", headers=admin, json={**experiment, **changes})


def test_published_experiment_cannot_become_a_draft_again(http, org, admin, world):
    for state in ("scheduled", "running"):
        experiment = world[state]
        errors = field_errors(put(http, org, admin, experiment, is_draft=True))
        assert list(errors) == ["is_draft"]
        assert get(http, org, admin, experiment["id"]) == experiment


def test_draft_can_be_published(http, mock, org, admin, world):
    draft = world["draft"]
    starts = iso(mock.runtime.clock.now() + DAY)
    response = put(http, org, admin, draft, is_draft=False, starts_at=starts)
    assert response.status_code == 200, response.text
    assert response.json()["is_draft"] is False
    assert get(http, org, admin, draft["id"])["is_draft"] is False


def test_publishing_a_draft_needs_the_publish_fields(http, org, admin):
    draft = http.post(base(org), headers=admin, json={"is_draft": True}).json()
    response = http.put(f"{base(org)}/{draft['id']}", headers=admin, json={"is_draft": False})
    errors = field_errors(response)
    assert {"goal_id", "name", "room_ids", "starts_at"} <= set(errors)
    assert get(http, org, admin, draft["id"]) == draft


def test_ended_experiment_cannot_be_updated(http, org, admin, world):
    ended = world["ended"]
    assert detail(put(http, org, admin, ended, name="Renamed after the end"), 400)
    assert get(http, org, admin, ended["id"]) == ended


def test_experiment_ends_when_the_clock_passes_ends_at(http, mock, org, admin, world):
    scheduled = world["scheduled"]
    assert put(http, org, admin, scheduled, name="Still open").status_code == 200
    response = http.put("/__mockexp/clock", json={"now": iso(parse(scheduled["ends_at"]) + timedelta(seconds=1))})
    assert response.status_code == 200, response.text
    before = get(http, org, admin, scheduled["id"])
    assert detail(put(http, org, admin, before, name="Too late"), 400)
    assert get(http, org, admin, scheduled["id"]) == before


def test_ends_at_before_starts_at_on_update_is_400_naming_ends_at(http, org, admin, world):
    scheduled = world["scheduled"]
    errors = field_errors(put(http, org, admin, scheduled, ends_at=iso(parse(scheduled["starts_at"]) - DAY)))
    assert list(errors) == ["ends_at"]
    assert get(http, org, admin, scheduled["id"]) == scheduled


def changed(field: str, experiment: dict, world: dict):
    """A different, valid value for a field that becomes read-only once started."""
    if field == "goal_id":
        return next(goal for goal in world["goals"] if goal != experiment["goal_id"])
    if field == "room_ids":
        return [room for room in world["rooms"] if room not in experiment["room_ids"]][:1]
    if field == "starts_at":
        return iso(parse(experiment["starts_at"]) - timedelta(hours=1))
    return next(interval for interval in ("full", "1w", "1d") if interval != experiment["group_reset_interval"])


@pytest.mark.parametrize("state", ["running", "running_indefinitely"])
@pytest.mark.parametrize("field", READ_ONLY_ONCE_STARTED)
def test_started_experiment_field_is_read_only(http, org, admin, world, state, field):
    experiment = world[state]
    errors = field_errors(put(http, org, admin, experiment, **{field: changed(field, experiment, world)}))
    assert list(errors) == [field]
    assert get(http, org, admin, experiment["id"]) == experiment


@pytest.mark.parametrize("field", ["group_type", "treatment"])
def test_started_experiment_group_field_is_read_only(http, org, admin, world, field):
    running = world["running"]
    groups = [dict(group) for group in running["groups"]]
    groups[1][field] = "target_random" if field == "group_type" else {"name": "Rule-C", "actions": [], "conditions": []}
    errors = field_errors(put(http, org, admin, running, groups=groups))
    assert list(errors) == ["groups"]
    assert errors["groups"][0] == {}
    assert list(errors["groups"][1]) == [field]
    assert get(http, org, admin, running["id"]) == running


@pytest.mark.parametrize("field", READ_ONLY_ONCE_STARTED)
def test_scheduled_experiment_field_can_change_until_it_starts(http, mock, org, admin, world, field):
    scheduled = world["scheduled"]
    value = changed(field, scheduled, world)
    response = put(http, org, admin, scheduled, **{field: value})
    assert response.status_code == 200, response.text
    stored = get(http, org, admin, scheduled["id"])
    if field == "starts_at":
        assert parse(stored[field]) == parse(value)
    else:
        assert stored[field] == value
    mock.runtime.clock.advance((parse(stored["starts_at"]) - mock.runtime.clock.now()).total_seconds() + 1)
    errors = field_errors(put(http, org, admin, stored, **{field: changed(field, stored, world)}))
    assert list(errors) == [field]
    assert get(http, org, admin, scheduled["id"]) == stored


def test_scheduled_experiment_group_type_can_change_until_it_starts(http, mock, org, admin, world):
    scheduled = world["scheduled"]
    groups = [dict(group) for group in scheduled["groups"]]
    groups[1]["group_type"] = "target_algorithm"
    response = put(http, org, admin, scheduled, groups=groups)
    assert response.status_code == 200, response.text
    assert response.json()["groups"][1]["group_type"] == "target_algorithm"


def test_started_experiment_can_be_renamed_and_reweighted(http, mock, org, admin, world):
    running = world["running"]
    moment = mock.runtime.clock.now().replace(microsecond=500000)
    mock.runtime.clock.freeze(moment)
    groups = [dict(group) for group in running["groups"]]
    groups[0]["percentage"], groups[1]["percentage"] = 30, 70
    response = put(http, org, admin, running, name="Renamed while running", groups=groups)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Renamed while running"
    assert [group["percentage"] for group in updated["groups"]] == [30, 70]
    assert [group["id"] for group in updated["groups"]] == [group["id"] for group in running["groups"]]
    assert updated["updated_at"] == iso(moment)
    assert updated["created_at"] == running["created_at"]
    assert get(http, org, admin, running["id"]) == updated


def test_started_experiment_can_leave_read_only_fields_out(http, org, admin, world):
    running = world["running"]
    response = http.put(f"{base(org)}/{running['id']}", headers=admin, json={"is_draft": False, "name": "Just the name"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Just the name"
    for field in READ_ONLY_ONCE_STARTED + ("groups", "ends_at"):
        assert updated[field] == running[field]


@pytest.mark.parametrize("state", ["draft", "scheduled", "running", "running_indefinitely"])
def test_putting_back_what_get_returned_is_accepted(http, org, admin, world, state):
    experiment = get(http, org, admin, world[state]["id"])
    response = http.put(f"{base(org)}/{experiment['id']}", headers=admin, json=experiment)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert {k: v for k, v in updated.items() if k != "updated_at"} == {k: v for k, v in experiment.items() if k != "updated_at"}
    assert get(http, org, admin, experiment["id"]) == updated


def test_update_records_who_changed_it(http, org, admin, world):
    response = put(http, org, admin, world["draft"], name="Changed")
    assert response.status_code == 200
    assert response.json()["updated_by_user_id"] == response.json()["updated_by_user"]["id"]
    assert response.json()["created_by_user"] == world["draft"]["created_by_user"]


# -- delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "running", "ended"])
def test_deleted_experiment_is_gone_everywhere(http, org, admin, world, state):
    experiment = world[state]
    url = f"{base(org)}/{experiment['id']}"
    response = http.delete(url, headers=admin)
    assert response.status_code == 204
    assert response.content == b""
    detail(http.get(url, headers=admin), 404)
    detail(http.put(url, headers=admin, json={**experiment, "name": "Back?"}), 404)
    detail(http.delete(url, headers=admin), 404)
    ids = [e["id"] for page in all_pages(http, base(org), admin, page_size=2) for e in page["results"]]
    assert experiment["id"] not in ids and len(ids) == 4


# -- credentials -------------------------------------------------------------------------------


def operations(org: str, experiment: dict) -> list[tuple[str, str, dict | None]]:
    one = f"{base(org)}/{experiment['id']}"
    return [
        ("GET", base(org), None),
        ("POST", base(org), {"is_draft": True, "name": "Sneaky"}),
        ("GET", one, None),
        ("PUT", one, {**experiment, "name": "Sneaky"}),
        ("DELETE", one, None),
    ]


OPERATIONS = ["list", "create", "retrieve", "update", "delete"]


@pytest.fixture(params=range(5), ids=OPERATIONS)
def operation(request, org, world):
    return operations(org, world["scheduled"])[request.param]


def send(http: httpx.Client, operation, headers: dict) -> httpx.Response:
    method, url, body = operation
    return http.request(method, url, headers=headers, json=body)


def unchanged(http, org, admin, listed) -> None:
    assert http.get(base(org), headers=admin).json()["results"] == listed


def test_no_credentials_is_401_with_www_authenticate(http, org, admin, listed, operation):
    response = send(http, operation, {})
    assert detail(response, 401)
    assert response.headers["www-authenticate"].startswith("Token")
    unchanged(http, org, admin, listed)


@pytest.mark.parametrize("header", ["Token no-such-token", "Token", "Token  no-such-token", "Bearer giosg-demo-admin-token", "Bearer x", "giosg-demo-admin-token", "token giosg-demo-admin-token"])
def test_unknown_token_or_wrong_scheme_is_401(http, org, admin, listed, operation, header):
    response = send(http, operation, {"Authorization": header})
    assert detail(response, 401)
    assert "www-authenticate" in response.headers
    unchanged(http, org, admin, listed)


def test_token_of_another_organization_is_403(http, org, admin, listed, giosg_expired, operation):
    assert detail(send(http, operation, auth(giosg_expired)), 403)
    unchanged(http, org, admin, listed)


def test_token_for_an_organization_that_does_not_exist_is_403(http, admin):
    assert detail(http.get(base(str(uuid.uuid4())), headers=admin), 403)


def test_expired_subscription_is_403_on_reads_and_writes(http, mock, giosg_expired, other_org):
    headers = auth(giosg_expired)
    organization_id = other_org["id"]
    tables = mock.runtime.models["giosg"].organization(organization_id)
    stored = tables.get(EXPERIMENTS, other_org["experiment"])
    one = f"{base(organization_id)}/{other_org['experiment']}"
    assert detail(http.get(base(organization_id), headers=headers), 403)
    assert detail(http.get(one, headers=headers), 403)
    assert detail(http.post(base(organization_id), headers=headers, json={"is_draft": True}), 403)
    assert detail(http.put(one, headers=headers, json={"is_draft": False, "name": "Renamed"}), 403)
    assert detail(http.delete(one, headers=headers), 403)
    assert tables.query(EXPERIMENTS) == [stored]


def test_subscription_runs_out_when_the_clock_passes_it(http, mock, org, admin):
    assert http.get(base(org), headers=admin).status_code == 200
    mock.runtime.clock.advance((366 * DAY).total_seconds())
    assert detail(http.get(base(org), headers=admin), 403)


def test_viewer_may_read(http, org, giosg_viewer, listed):
    headers = auth(giosg_viewer)
    response = http.get(base(org), headers=headers)
    assert response.status_code == 200
    assert response.json()["results"] == listed
    response = http.get(f"{base(org)}/{listed[0]['id']}", headers=headers)
    assert response.status_code == 200
    assert response.json() == listed[0]


@pytest.mark.parametrize("index", [1, 3, 4], ids=["create", "update", "delete"])
def test_viewer_may_not_write(http, org, admin, world, listed, giosg_viewer, index):
    assert detail(send(http, operations(org, world["scheduled"])[index], auth(giosg_viewer)), 403)
    unchanged(http, org, admin, listed)


# -- unknown things ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_experiment_is_404(http, org, admin, listed, method):
    body = {"is_draft": True} if method == "PUT" else None
    assert detail(http.request(method, f"{base(org)}/{uuid.uuid4()}", headers=admin, json=body), 404)
    unchanged(http, org, admin, listed)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("experiment_id", ["not-a-uuid", "12345", "6314c00c-c08a-4746-84f1"])
def test_experiment_id_that_is_not_a_uuid_is_404(http, org, admin, listed, method, experiment_id):
    body = {"is_draft": True} if method == "PUT" else None
    assert detail(http.request(method, f"{base(org)}/{experiment_id}", headers=admin, json=body), 404)
    unchanged(http, org, admin, listed)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_experiment_of_another_organization_is_404_in_this_one(http, mock, org, admin, other_org, method):
    body = {"is_draft": False, "name": "Not mine"} if method == "PUT" else None
    tables = mock.runtime.models["giosg"].organization(other_org["id"])
    stored = tables.get(EXPERIMENTS, other_org["experiment"])
    assert detail(http.request(method, f"{base(org)}/{other_org['experiment']}", headers=admin, json=body), 404)
    assert tables.get(EXPERIMENTS, other_org["experiment"]) == stored


def test_patch_on_an_experiment_is_405_with_allow(http, org, admin, world, listed):
    response = http.patch(f"{base(org)}/{world['draft']['id']}", headers=admin, json={"name": "Patched"})
    assert detail(response, 405)
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "PUT", "DELETE"} <= allowed and "PATCH" not in allowed
    unchanged(http, org, admin, listed)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_unsupported_method_on_the_collection_is_405_with_allow(http, org, admin, listed, method):
    response = http.request(method, base(org), headers=admin, json={"is_draft": True})
    assert detail(response, 405)
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed and method not in allowed
    unchanged(http, org, admin, listed)
