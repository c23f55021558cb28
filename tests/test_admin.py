"""The mock's own controls under /__mockexp/ over HTTP, for every vendor it serves: health,
the demo credentials (each works exactly as it says), reset (of every vendor or of some),
and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from mockexp.vendors import ALL
from tests.conftest import parse_time as parse
from tests.world import creates, example, headers, operations, state, url

DAY = 86400
VENDORS = sorted(ALL)


pytestmark = pytest.mark.usefixtures("real_clock_afterwards")  # tests here move the shared clock


def clock(http: httpx.Client) -> dict:
    response = http.get("/__mockexp/clock")
    assert response.status_code == 200, response.text
    return response.json()


def set_clock(http: httpx.Client, body: Any) -> httpx.Response:
    return http.put("/__mockexp/clock", json=body)


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def listed_credentials(http: httpx.Client, vendor: str, *, main_api: bool = False) -> list[dict]:
    """The vendor's demo credentials (`main_api`: only those of its main API, not those listed
    for another of its APIs, such as an SDK key)."""
    response = http.get("/__mockexp/credentials")
    assert response.status_code == 200, response.text
    found = [c for c in response.json() if c["vendor"] == vendor and not (main_api and c["spec"])]
    assert found, f"{vendor} lists no demo credential"
    return found


def change(http: httpx.Client, mock, vendor: str) -> None:
    """Something a writer does through the vendor's API: its spec's first create."""
    spec = mock.runtime.specs[vendor]
    writer = next(c for c in listed_credentials(http, vendor) if c["can_write"])
    made = creates(spec)
    assert made, f"{vendor}'s spec has no create with an example body"
    response = http.post(url(http, mock.runtime, vendor, made[0], writer), headers=headers(writer), json=example(made[0]))
    assert response.status_code in made[0].success_statuses, response.text


# -- health ---------------------------------------------------------------------------------


def test_health_reports_ok_with_the_vendors_and_the_store(http: httpx.Client) -> None:
    response = http.get("/__mockexp/health")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok", "vendors": VENDORS, "store": "memory"}


# -- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_credentials_say_what_each_may_do_and_name_its_tenant_as_the_specs_do(http: httpx.Client, mock, vendor: str) -> None:
    """A tenant id is a path parameter of one of the vendor's APIs (GrowthBook's client key is
    its SDK endpoint's)."""
    found = listed_credentials(http, vendor)
    path_parameters = {name for spec in [mock.runtime.specs[vendor], *mock.runtime.more_specs[vendor]] for name in spec.path_parameter_names}

    assert any(c["can_write"] for c in found), f"{vendor} has no demo credential that may write"
    for credential in found:
        # (an SDK credential that goes in URL paths, a client-side ID, names no header)
        assert (credential["header"] or credential["spec"]) and credential["value"] and credential["role"] and credential["user"]
        assert credential["can_write"] is False or credential["permissions"]
        assert set(credential["tenant"]) <= path_parameters, credential["tenant"]
        assert credential["permissions"] or credential["note"], "a credential that may do nothing says why"


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_listed_credential_reads_exactly_when_it_may(http: httpx.Client, mock, vendor: str) -> None:
    """One that may do something reads some list of its tenant; one that may do nothing, none.
    (A credential of another API of the vendor, such as ABsmartly's SDK keys, which the main
    API does not take, is its own API's tests' to check.)"""
    spec = mock.runtime.specs[vendor]
    for credential in listed_credentials(http, vendor, main_api=True):
        if credential["header"].lower() not in spec.credential_headers:
            continue
        reads = [op for op in operations(spec, "GET") if op.pagination and {p["name"] for p in op.parameters_in("path")} <= set(credential["tenant"])]
        assert reads, f"{vendor}: no list {credential['value']} could read"
        statuses = {op.operation_id: http.get(url(http, mock.runtime, vendor, op, credential), headers=headers(credential)).status_code for op in reads}
        if credential["permissions"]:
            assert 200 in statuses.values(), (credential["value"], statuses)
        else:
            assert set(statuses.values()) <= {401, 403}, (credential["value"], statuses)


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_listed_credential_writes_exactly_when_it_may(http: httpx.Client, mock, vendor: str) -> None:
    """The spec's example create, sent into the main writer's tenant (the world the example is
    written for) with each credential: it succeeds exactly for those that may write there."""
    spec = mock.runtime.specs[vendor]
    made = creates(spec)
    assert made, f"{vendor}'s spec has no create with an example body"
    found = listed_credentials(http, vendor, main_api=True)
    main = next(c for c in found if c["can_write"])
    target = url(http, mock.runtime, vendor, made[0], main)

    def world(credential: dict) -> dict:  # its tenant ids that this API's paths name
        return {name: value for name, value in credential["tenant"].items() if name in spec.path_parameter_names}

    for credential in found:
        before = state(mock.runtime, vendor)
        response = http.post(target, headers=headers(credential), json=example(made[0]))
        if credential["can_write"] and world(credential) == world(main):
            assert response.status_code in made[0].success_statuses, (credential["value"], response.text)
            assert http.post("/__mockexp/reset", json={"vendors": [vendor]}).status_code == 200
        else:
            assert response.status_code in (401, 403), (credential["value"], response.text)
            assert state(mock.runtime, vendor) == before


# -- reset ------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS)
def test_reset_brings_the_vendor_back_to_its_demo_data(http: httpx.Client, mock, vendor: str) -> None:
    mock.runtime.clock.freeze(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))  # the demo data's times follow the clock
    assert http.post("/__mockexp/reset", json={"vendors": [vendor]}).status_code == 200
    demo = state(mock.runtime, vendor)
    change(http, mock, vendor)
    assert state(mock.runtime, vendor) != demo

    response = http.post("/__mockexp/reset", json={"vendors": [vendor]})

    assert response.status_code == 200
    assert response.json()["reset"] == [vendor]
    assert response.json()["clock"]["mode"] == "frozen"  # a reset of some vendors leaves the clock
    assert state(mock.runtime, vendor) == demo


@pytest.mark.vendors(*VENDORS)  # it changes every vendor, so every vendor starts from its demo data
@pytest.mark.parametrize("vendor", VENDORS)
def test_reset_of_one_vendor_leaves_the_others_as_they_are(http: httpx.Client, mock, vendor: str) -> None:
    others = [name for name in VENDORS if name != vendor]
    for name in VENDORS:
        change(http, mock, name)
    changed = {name: state(mock.runtime, name) for name in others}

    assert http.post("/__mockexp/reset", json={"vendors": [vendor]}).status_code == 200

    assert {name: state(mock.runtime, name) for name in others} == changed


def test_reset_without_a_body_resets_every_vendor_and_the_clock(http: httpx.Client, mock) -> None:
    mock.runtime.clock.freeze(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    assert http.post("/__mockexp/reset", json={"clock": False}).status_code == 200
    demo = {name: state(mock.runtime, name) for name in VENDORS}
    for name in VENDORS:
        change(http, mock, name)

    response = http.post("/__mockexp/reset", headers={"Content-Type": "application/json"})

    assert response.json()["reset"] == VENDORS
    assert response.json()["clock"]["mode"] == "real" and clock(http)["mode"] == "real"
    assert mock.runtime.store.get("mockexp.meta", "clock")["frozen_at"] is None  # a restart forgets it too
    count = lambda tables: sum(len(docs) for docs in tables.values())  # noqa: E731 (times follow the real clock now, the objects are the same)
    assert {name: count(state(mock.runtime, name)) for name in VENDORS} == {name: count(tables) for name, tables in demo.items()}


def test_reset_keeps_a_frozen_clock_when_told_so(http: httpx.Client, mock) -> None:
    mock.runtime.clock.freeze(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    response = http.post("/__mockexp/reset", json={"clock": False})
    assert response.json()["clock"] == {"now": "2026-03-02T09:30:00Z", "mode": "frozen", "offset_seconds": response.json()["clock"]["offset_seconds"]}


def test_reset_of_some_vendors_can_put_the_clock_back_too(http: httpx.Client, mock) -> None:
    mock.runtime.clock.freeze(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    assert http.post("/__mockexp/reset", json={"vendors": ["giosg"], "clock": True}).json()["clock"]["mode"] == "real"


def test_reset_gives_the_same_demo_world_and_credentials_every_time(http: httpx.Client, mock) -> None:
    mock.runtime.clock.freeze(datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    assert http.post("/__mockexp/reset", json={"clock": False}).status_code == 200
    first = {name: state(mock.runtime, name) for name in VENDORS}
    first_credentials = http.get("/__mockexp/credentials").json()

    assert http.post("/__mockexp/reset", json={"clock": False}).status_code == 200
    assert http.post("/__mockexp/reset", json={"clock": False}).status_code == 200

    assert {name: state(mock.runtime, name) for name in VENDORS} == first
    assert http.get("/__mockexp/credentials").json() == first_credentials


@pytest.mark.parametrize("body", [{"vendors": ["nobody"]}, {"vendors": []}, {"vendors": "giosg"}, {"everything": True}, {"clock": "yes"}])
def test_a_reset_that_names_no_vendor_it_serves_is_400_and_resets_nothing(http: httpx.Client, mock, body: Any) -> None:
    for name in VENDORS:
        change(http, mock, name)
    changed = {name: state(mock.runtime, name) for name in VENDORS}

    response = http.post("/__mockexp/reset", json=body)

    assert response.status_code == 400, response.text
    assert response.json()["message"]
    assert {name: state(mock.runtime, name) for name in VENDORS} == changed


# -- the clock ----------------------------------------------------------------------------------


def test_clock_follows_real_time_by_default(http: httpx.Client) -> None:
    before = real_now()
    state = clock(http)
    after = real_now()

    assert state["mode"] == "real"
    assert before - timedelta(seconds=1) <= parse(state["now"]) <= after + timedelta(seconds=1)
    assert abs(state["offset_seconds"]) < 1


def test_putting_now_freezes_the_clock(http: httpx.Client) -> None:
    response = set_clock(http, {"now": "2026-02-03T04:05:06Z"})

    assert response.status_code == 200
    assert response.json()["mode"] == "frozen"
    assert parse(response.json()["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    state = clock(http)
    assert state["mode"] == "frozen"
    assert parse(state["now"]) == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


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
        pytest.param({"advance": 1e300}, id="advance-1e300"),
        pytest.param({"advance": 3e11}, id="advance-past-the-year-9000"),
        pytest.param({"now": "9999-12-31T23:59:59Z"}, id="now-past-9000"),
        pytest.param({"now": "1969-12-31T23:59:59Z"}, id="now-before-1970"),
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


def test_the_clock_does_not_move_past_the_year_9000(http: httpx.Client) -> None:
    assert set_clock(http, {"now": "8999-06-01T00:00:00Z"}).status_code == 200

    response = set_clock(http, {"advance": 365 * DAY})

    assert response.status_code == 400
    assert "9000" in response.json()["fields"]["advance"]
    assert parse(clock(http)["now"]) == datetime(8999, 6, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("body", [{"advance": 1e300}, {"advance": 3e11}, {"now": "9999-12-31T23:59:59Z"}])
def test_no_clock_change_can_make_later_requests_fail(http: httpx.Client, mock, body: Any) -> None:
    set_clock(http, {"mode": "real"})
    set_clock(http, body)
    set_clock(http, {"advance": 8.6e9})  # as far as it goes (until the year 2300 or so)

    assert http.post("/__mockexp/reset", json={}).status_code == 200
    for name in VENDORS:
        change(http, mock, name)
        assert http.get("/__mockexp/credentials").status_code == 200


def test_a_clock_change_that_is_not_json_gets_400_and_leaves_the_clock_alone(http: httpx.Client) -> None:
    assert set_clock(http, {"now": "2026-01-01T00:00:00Z"}).status_code == 200

    response = http.put("/__mockexp/clock", content=b'{"advance": ', headers={"content-type": "application/json"})

    assert response.status_code == 400, response.text
    assert isinstance(response.json()["message"], str)
    assert parse(clock(http)["now"]) == datetime(2026, 1, 1, tzinfo=timezone.utc)


