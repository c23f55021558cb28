"""Giosg's time-based rules follow the mock's clock, moved through the admin API: a new
experiment is created at the clock's instant, a running experiment ends when the clock
passes its end, a scheduled one starts when the clock passes its start."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.conftest import parse_time as parse

EXPERIMENTS = "/api/v5/orgs/{org}/experiments"
DAY = 86400

pytestmark = pytest.mark.usefixtures("real_clock_afterwards")  # tests here move the shared clock


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


def set_clock(http: httpx.Client, body: Any) -> httpx.Response:
    return http.put("/__mockexp/clock", json=body)


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def test_new_experiments_are_created_at_the_frozen_clocks_instant(http: httpx.Client, giosg_admin: dict) -> None:
    response = set_clock(http, {"now": "2026-02-03T04:05:06Z"})

    assert response.status_code == 200
    assert response.json()["mode"] == "frozen"
    assert parse(response.json()["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    created = http.post(experiments_url(giosg_admin), json={"is_draft": True, "name": "Frozen"}, headers=auth(giosg_admin))

    assert created.status_code == 201, created.text
    assert parse(created.json()["created_at"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    assert parse(created.json()["updated_at"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


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
