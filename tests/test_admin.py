"""The mock's own controls under /__mockexp/ over HTTP: health, demo credentials, reset and
the clock, and the time-based Giosg rules following that clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from mockexp.vendors import ALL

EXPERIMENTS = "/api/v5/orgs/{org}/experiments"
DEMO_TOKENS = {"Token giosg-demo-admin-token", "Token giosg-demo-viewer-token", "Token giosg-demo-expired-org-token"}
WRITE = "write experiments (settings permission)"
DAY = 86400


@pytest.fixture(autouse=True)
def real_clock_afterwards(mock):
    """Tests here move the shared clock: leave it running for whoever comes next."""
    yield
    mock.runtime.clock.run_real()


def parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def auth(credential: dict) -> dict:
    return {credential["header"]: credential["value"]}


def experiments_url(credential: dict) -> str:
    return EXPERIMENTS.format(org=credential["tenant"]["organization_id"])


def list_experiments(http: httpx.Client, credential: dict) -> list[dict]:
    response = http.get(experiments_url(credential), params={"page_size": 100}, headers=auth(credential))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next"] is None
    return body["results"]


def without_times(node: Any) -> Any:
    """The data with every timestamp left out: the demo world's times follow the clock."""
    if isinstance(node, dict):
        return {key: without_times(value) for key, value in node.items() if not key.endswith("_at")}
    if isinstance(node, list):
        return [without_times(value) for value in node]
    return node


def clock(http: httpx.Client) -> dict:
    response = http.get("/__mockexp/clock")
    assert response.status_code == 200, response.text
    return response.json()


def set_clock(http: httpx.Client, body: Any) -> httpx.Response:
    return http.put("/__mockexp/clock", json=body)


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


# -- health ---------------------------------------------------------------------------------


def test_health_reports_ok_with_the_vendors_and_the_store(http: httpx.Client) -> None:
    response = http.get("/__mockexp/health")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok", "vendors": sorted(ALL), "store": "memory"}


# -- credentials ------------------------------------------------------------------------------


def test_credentials_list_every_giosg_demo_credential_with_what_it_may_do_and_its_tenant(http: httpx.Client) -> None:
    response = http.get("/__mockexp/credentials")

    assert response.status_code == 200
    credentials = response.json()
    giosg = [credential for credential in credentials if credential["vendor"] == "giosg"]
    assert {credential["value"] for credential in giosg} == DEMO_TOKENS
    assert len(giosg) == 3
    for credential in giosg:
        assert credential["header"] == "Authorization"
        assert credential["value"].startswith("Token ")
        assert isinstance(credential["role"], str) and credential["role"]
        assert isinstance(credential["permissions"], list)
        assert isinstance(credential["tenant"]["organization_id"], str) and credential["tenant"]["organization_id"]

    by_token = {credential["value"]: credential for credential in giosg}
    admin = by_token["Token giosg-demo-admin-token"]
    viewer = by_token["Token giosg-demo-viewer-token"]
    expired = by_token["Token giosg-demo-expired-org-token"]
    assert admin["role"] == "settings permission"
    assert WRITE in admin["permissions"]
    assert viewer["role"] == "no settings permission"
    assert viewer["permissions"] and WRITE not in viewer["permissions"]
    assert expired["permissions"] == []
    assert expired["note"]
    assert admin["tenant"]["organization_id"] == viewer["tenant"]["organization_id"]
    assert expired["tenant"]["organization_id"] != admin["tenant"]["organization_id"]


def test_each_listed_credential_works_against_its_organization(http: httpx.Client) -> None:
    credentials = [credential for credential in http.get("/__mockexp/credentials").json() if credential["vendor"] == "giosg"]
    assert credentials

    for credential in credentials:
        response = http.get(experiments_url(credential), headers=auth(credential))
        if credential["permissions"]:
            assert response.status_code == 200, (credential["value"], response.text)
            assert len(response.json()["results"]) > 0
        else:  # the organization whose subscription has expired
            assert response.status_code == 403, (credential["value"], response.text)
            assert "subscription" in response.json()["detail"]


def test_each_listed_credential_may_write_exactly_when_its_permissions_say_so(http: httpx.Client) -> None:
    credentials = [credential for credential in http.get("/__mockexp/credentials").json() if credential["vendor"] == "giosg"]

    for credential in credentials:
        response = http.post(experiments_url(credential), json={"is_draft": True}, headers=auth(credential))
        expected = 201 if WRITE in credential["permissions"] else 403
        assert response.status_code == expected, (credential["value"], response.text)


# -- reset ------------------------------------------------------------------------------------


def test_reset_brings_back_the_demo_experiments(http: httpx.Client, giosg_admin: dict) -> None:
    before = list_experiments(http, giosg_admin)
    assert len(before) >= 4
    deleted, renamed = before[0], before[1]

    assert http.delete(f"{experiments_url(giosg_admin)}/{deleted['id']}", headers=auth(giosg_admin)).status_code == 204
    created = http.post(experiments_url(giosg_admin), json={"is_draft": True, "name": "Made in a test"}, headers=auth(giosg_admin))
    assert created.status_code == 201
    update = {"is_draft": renamed["is_draft"], "name": "Renamed in a test"}
    assert http.put(f"{experiments_url(giosg_admin)}/{renamed['id']}", json=update, headers=auth(giosg_admin)).status_code == 200
    changed = list_experiments(http, giosg_admin)
    assert {e["id"] for e in changed} == {e["id"] for e in before} - {deleted["id"]} | {created.json()["id"]}

    response = http.post("/__mockexp/reset")

    assert response.status_code == 200
    assert response.json() == {"reset": sorted(ALL)}
    after = list_experiments(http, giosg_admin)
    assert [e["id"] for e in after] == [e["id"] for e in before]
    assert without_times(after) == without_times(before)
    assert http.get(f"{experiments_url(giosg_admin)}/{deleted['id']}", headers=auth(giosg_admin)).status_code == 200
    assert http.get(f"{experiments_url(giosg_admin)}/{created.json()['id']}", headers=auth(giosg_admin)).status_code == 404


def test_reset_gives_the_same_demo_world_every_time(http: httpx.Client, giosg_admin: dict) -> None:
    first = list_experiments(http, giosg_admin)
    first_credentials = http.get("/__mockexp/credentials").json()

    assert http.post("/__mockexp/reset").status_code == 200
    assert http.post("/__mockexp/reset").status_code == 200

    assert without_times(list_experiments(http, giosg_admin)) == without_times(first)
    assert http.get("/__mockexp/credentials").json() == first_credentials


# -- the clock ----------------------------------------------------------------------------------


def test_clock_follows_real_time_by_default(http: httpx.Client) -> None:
    before = real_now()
    state = clock(http)
    after = real_now()

    assert state["mode"] == "real"
    assert before - timedelta(seconds=1) <= parse(state["now"]) <= after + timedelta(seconds=1)
    assert abs(state["offset_seconds"]) < 1


def test_putting_now_freezes_the_clock_and_new_experiments_are_created_at_that_instant(http: httpx.Client, giosg_admin: dict) -> None:
    response = set_clock(http, {"now": "2026-02-03T04:05:06Z"})

    assert response.status_code == 200
    assert response.json()["mode"] == "frozen"
    assert parse(response.json()["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    state = clock(http)
    assert state["mode"] == "frozen"
    assert parse(state["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)

    created = http.post(experiments_url(giosg_admin), json={"is_draft": True, "name": "Frozen"}, headers=auth(giosg_admin))

    assert created.status_code == 201, created.text
    assert parse(created.json()["created_at"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    assert parse(created.json()["updated_at"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def test_putting_now_with_an_offset_freezes_at_the_same_instant(http: httpx.Client) -> None:
    response = set_clock(http, {"now": "2026-02-03T06:05:06+02:00"})

    assert response.status_code == 200
    assert parse(clock(http)["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def test_putting_advance_moves_a_frozen_clock_one_day(http: httpx.Client) -> None:
    assert set_clock(http, {"now": "2026-02-03T04:05:06Z"}).status_code == 200

    response = set_clock(http, {"advance": DAY})

    assert response.status_code == 200
    assert response.json()["mode"] == "frozen"
    assert parse(response.json()["now"]) == datetime(2026, 2, 4, 4, 5, 6, tzinfo=timezone.utc)
    assert parse(clock(http)["now"]) == datetime(2026, 2, 4, 4, 5, 6, tzinfo=timezone.utc)


def test_putting_advance_moves_a_running_clock_ahead_and_it_keeps_running(http: httpx.Client) -> None:
    response = set_clock(http, {"advance": DAY})

    assert response.status_code == 200
    state = clock(http)
    assert state["mode"] == "real"
    assert abs(state["offset_seconds"] - DAY) < 1
    assert abs((parse(state["now"]) - real_now()).total_seconds() - DAY) < 60


def test_putting_mode_real_lets_the_clock_follow_real_time_again(http: httpx.Client) -> None:
    assert set_clock(http, {"now": "2020-01-01T00:00:00Z"}).status_code == 200
    assert set_clock(http, {"advance": 3600}).status_code == 200

    response = set_clock(http, {"mode": "real"})

    assert response.status_code == 200
    assert response.json()["mode"] == "real"
    state = clock(http)
    assert state["mode"] == "real"
    assert abs(state["offset_seconds"]) < 1
    assert abs((parse(state["now"]) - real_now()).total_seconds()) < 60


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"now": "yesterday"}, id="now-not-a-time"),
        pytest.param({"now": "2026-02-30T00:00:00Z"}, id="now-impossible-date"),
        pytest.param({"now": 1767225600}, id="now-a-number"),
        pytest.param({"advance": -5}, id="advance-negative"),
        pytest.param({"advance": "86400"}, id="advance-a-string"),
        pytest.param({"now": "2026-02-03T04:05:06Z", "advance": 60}, id="now-and-advance"),
        pytest.param({"mode": "fake"}, id="mode-not-real"),
        pytest.param({"speed": 2}, id="unknown-field"),
        pytest.param([{"advance": 60}], id="not-an-object"),
    ],
)
def test_an_invalid_clock_change_gets_400_and_leaves_the_clock_alone(http: httpx.Client, body: Any) -> None:
    assert set_clock(http, {"now": "2026-01-01T00:00:00Z"}).status_code == 200

    response = set_clock(http, body)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["message"], str) and response.json()["message"]
    state = clock(http)
    assert state["mode"] == "frozen"
    assert parse(state["now"]) == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_a_clock_change_that_is_not_json_gets_400_and_leaves_the_clock_alone(http: httpx.Client) -> None:
    assert set_clock(http, {"now": "2026-01-01T00:00:00Z"}).status_code == 200

    response = http.put("/__mockexp/clock", content=b'{"advance": ', headers={"content-type": "application/json"})

    assert response.status_code == 400, response.text
    assert isinstance(response.json()["message"], str)
    assert parse(clock(http)["now"]) == datetime(2026, 1, 1, tzinfo=timezone.utc)


# -- time rules follow the clock ----------------------------------------------------------------


def find(experiments: list[dict], *, starts_in: tuple[float, float], ends_in: tuple[float, float] | None) -> dict:
    """The one published demo experiment starting and ending within these day ranges from now."""
    now = real_now()

    def days(value: str | None) -> float | None:
        return None if value is None else (parse(value) - now).total_seconds() / DAY

    matches = [
        e for e in experiments
        if not e["is_draft"]
        and e["starts_at"] is not None and starts_in[0] < days(e["starts_at"]) < starts_in[1]
        and (e["ends_at"] is None if ends_in is None else e["ends_at"] is not None and ends_in[0] < days(e["ends_at"]) < ends_in[1])
    ]
    assert len(matches) == 1, [(e["name"], e["starts_at"], e["ends_at"]) for e in experiments]
    return matches[0]


def test_freezing_the_clock_past_its_end_makes_the_running_experiment_ended(http: httpx.Client, giosg_admin: dict) -> None:
    running = find(list_experiments(http, giosg_admin), starts_in=(-6, -4), ends_in=(8, 10))
    url = f"{experiments_url(giosg_admin)}/{running['id']}"
    assert http.put(url, json={"is_draft": False, "name": "Renamed while running"}, headers=auth(giosg_admin)).status_code == 200

    assert set_clock(http, {"now": iso(real_now() + timedelta(days=20))}).status_code == 200
    response = http.put(url, json={"is_draft": False, "name": "Renamed after the end"}, headers=auth(giosg_admin))

    assert response.status_code == 400, response.text
    assert "has ended" in response.json()["detail"]
    assert http.get(url, headers=auth(giosg_admin)).json()["name"] == "Renamed while running"

    assert set_clock(http, {"mode": "real"}).status_code == 200
    again = http.put(url, json={"is_draft": False, "name": "Renamed in real time"}, headers=auth(giosg_admin))
    assert again.status_code == 200, again.text
    assert again.json()["name"] == "Renamed in real time"


def test_advancing_the_clock_past_its_start_makes_a_scheduled_experiments_goal_read_only(http: httpx.Client, giosg_admin: dict) -> None:
    experiments = list_experiments(http, giosg_admin)
    scheduled = find(experiments, starts_in=(2, 4), ends_in=(16, 18))
    other_goal = next(e["goal_id"] for e in experiments if e["goal_id"] and e["goal_id"] != scheduled["goal_id"])
    url = f"{experiments_url(giosg_admin)}/{scheduled['id']}"
    change = {
        "is_draft": False,
        "name": scheduled["name"],
        "goal_id": other_goal,
        "room_ids": scheduled["room_ids"],
        "starts_at": scheduled["starts_at"],
    }

    assert set_clock(http, {"advance": 4 * DAY}).status_code == 200
    response = http.put(url, json=change, headers=auth(giosg_admin))

    assert response.status_code == 400, response.text
    assert list(response.json()) == ["goal_id"]
    assert http.get(url, headers=auth(giosg_admin)).json()["goal_id"] == scheduled["goal_id"]

    assert set_clock(http, {"mode": "real"}).status_code == 200
    again = http.put(url, json=change, headers=auth(giosg_admin))
    assert again.status_code == 200, again.text
    assert again.json()["goal_id"] == other_goal
