"""ABsmartly over HTTP, as a user with the demo keys of `/__mockexp/credentials` meets it:
every list filter on the demo account (each selecting a real, partial subset), paging
through it all, the whole lifecycle of a new experiment with its notes, each refusal in
ABsmartly's error body with nothing changed, keys and accounts. (The `http` client checks
every answer against the spec.)"""

from __future__ import annotations

from typing import Any, Callable

import httpx
import pytest

from tests.conftest import credential
from tests.world import state

V1 = "/v1"
JSON = {"Content-Type": "application/json"}


def key(mock, role: str) -> dict:
    return {"Authorization": credential(mock.runtime, "absmartly", role=role)["value"]}


@pytest.fixture
def admin(mock) -> dict:
    return key(mock, "Experiment Admin")



def assert_absmartly_error(response: httpx.Response, status: int, *mentions: str) -> list[str]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["ok"] is False and body["errors"] and all(isinstance(e, str) for e in body["errors"]), body
    for mention in mentions:
        assert mention in " ".join(body["errors"]), body
    return body["errors"]


def everything(http: httpx.Client, headers: dict, **query: Any) -> list[dict]:
    """Every experiment the list shows for `query`, one big page (the demo world has fewer than 100)."""
    response = http.get(f"{V1}/experiments", headers=headers, params={"items": 100, **query})
    assert response.status_code == 200, response.text
    return response.json()["experiments"]


def ids(experiments: list[dict]) -> set[int]:
    return {e["id"] for e in experiments}


def assert_selects(http: httpx.Client, headers: dict, query: dict, expected: Callable[[dict], bool], base: dict | None = None) -> None:
    """The filter selects exactly the experiments `expected` picks from the unfiltered list:
    some, but not all, of them."""
    base = {"iterations": 1, **(base or {})}
    whole = everything(http, headers, **base)
    wanted = {e["id"] for e in whole if expected(e)}
    assert 0 < len(wanted) < len(whole), f"{query} should select a real subset of the demo world ({len(wanted)} of {len(whole)})"
    assert ids(everything(http, headers, **base, **query)) == wanted


def owned_by(e: dict) -> set[int]:
    return {o["user_id"] for o in e["owners"]}


# -- every filter -----------------------------------------------------------------------------


def test_the_demo_account_has_experiments_in_every_state(http, admin):
    experiments = everything(http, admin, iterations=1)
    assert len(experiments) >= 40
    assert {e["state"] for e in experiments} == {"created", "ready", "development", "running", "stopped", "full_on", "archived"}
    assert max(e["iteration"] for e in experiments) >= 3


def test_search_filter(http, admin):
    assert_selects(http, admin, {"search": "CHECKOUT"}, lambda e: "checkout" in e["name"] or "checkout" in (e["display_name"] or "").lower())


def test_owners_filter(http, admin):
    assert_selects(http, admin, {"owners": "1,3"}, lambda e: bool(owned_by(e) & {1, 3}))


def test_teams_filter(http, admin):
    assert_selects(http, admin, {"teams": "2"}, lambda e: 2 in {t["team_id"] for t in e["teams"]})


def test_tags_filter(http, admin):
    assert_selects(http, admin, {"tags": "1,2"}, lambda e: bool({t["experiment_tag_id"] for t in e["experiment_tags"]} & {1, 2}))


def test_applications_filter(http, admin):
    assert_selects(http, admin, {"applications": "2"}, lambda e: 2 in {a["application_id"] for a in e["applications"]})


def test_unit_types_filter(http, admin):
    assert_selects(http, admin, {"unit_types": "1,3"}, lambda e: e["unit_type_id"] in (1, 3))


def test_iterations_filter_shows_earlier_iterations_only_when_asked(http, admin):
    latest, every = everything(http, admin), everything(http, admin, iterations=1)
    assert ids(latest) < ids(every)
    names = [e["name"] for e in latest]
    assert len(names) == len(set(names))  # one row per experiment


def test_iterations_of_filter_lists_one_experiments_iterations(http, admin):
    third = next(e for e in everything(http, admin) if e["iteration"] == 3)
    found = everything(http, admin, iterations_of=third["id"], sort="iteration", sort_asc="true")
    assert [e["iteration"] for e in found] == [1, 2, 3] and {e["name"] for e in found} == {third["name"]}


def test_previews_filter_adds_the_preview_statistics(http, admin):
    plain, previewed = everything(http, admin), everything(http, admin, previews=1)
    assert all("preview_variants" not in e for e in plain)
    with_stats = [e for e in previewed if e["preview_variants"]]
    assert with_stats and {e["state"] for e in with_stats} >= {"running", "stopped", "full_on"}
    assert all(not e["preview_variants"] for e in previewed if e["state"] in ("created", "ready", "development"))


def test_impact_filter(http, admin):
    assert_selects(http, admin, {"impact": "0,100"}, lambda e: 0 <= best(e)[0] <= 100 if best(e) else False, base={"previews": 1})


def test_confidence_filter(http, admin):
    assert_selects(http, admin, {"confidence": "95,100"}, lambda e: best(e) is not None and best(e)[1] >= 95, base={"previews": 1})


def test_significance_filter(http, admin):
    assert_selects(http, admin, {"significance": "positive,negative"}, lambda e: best(e) is not None and best(e)[1] >= 95, base={"previews": 1})


@pytest.mark.parametrize("alert", ["sample_ratio_mismatch", "cleanup_needed", "audience_mismatch", "sample_size_reached"])
def test_alert_filters(http, admin, alert):
    assert_selects(http, admin, {alert: "1"}, lambda e: alert in {a["type"] for a in e["alerts"]}, base={"previews": 1})
    assert_selects(http, admin, {alert: "false"}, lambda e: alert not in {a["type"] for a in e["alerts"]}, base={"previews": 1})


def best(e: dict) -> tuple[float, float] | None:
    """(impact, confidence) of the primary metric's best variant, as the test reads the statistics
    (every demo metric in these experiments' previews has a direction the test accounts for)."""
    direction = -1 if (e["primary_metric"] or {}).get("effect") == "negative" else 1
    variants = [v for v in e.get("preview_variants", []) if v["variant"] > 0 and v["impact"] is not None]
    if not variants:
        return None
    top = max(variants, key=lambda v: (v["impact"] * direction, -v["pvalue"]))
    return top["impact"], round((1 - top["pvalue"]) * 100, 2)


@pytest.mark.parametrize("query", [{"impact": "0,5"}, {"confidence": "90,100"}, {"significance": "positive"}, {"sample_ratio_mismatch": "true"},
                                   {"cleanup_needed": "0"}, {"audience_mismatch": "1"}, {"sample_size_reached": "true"}])
def test_preview_filters_without_previews_are_400_naming_the_parameter(http, admin, query):
    assert_absmartly_error(http.get(f"{V1}/experiments", headers=admin, params=query), 400, next(iter(query)), "previews=1")


def test_filters_combine(http, admin):
    assert_selects(http, admin, {"owners": "1,2", "unit_types": "1", "search": "_"},
                   lambda e: bool(owned_by(e) & {1, 2}) and e["unit_type_id"] == 1)


def test_sort_and_sort_asc(http, admin):
    newest_first = [e["created_at"] for e in everything(http, admin, sort="created_at")]
    oldest_first = [e["created_at"] for e in everything(http, admin, sort="created_at", sort_asc="true")]
    assert newest_first == sorted(newest_first, reverse=True) and oldest_first == sorted(oldest_first)
    by_name = [e["name"] for e in everything(http, admin, sort="name", sort_asc="1")]
    assert by_name == sorted(by_name)


def test_page_and_items_walk_the_whole_list_without_gaps_or_repeats(http, admin):
    whole = [e["id"] for e in everything(http, admin, iterations=1)]
    walked, page = [], 1
    while True:
        found = http.get(f"{V1}/experiments", headers=admin, params={"iterations": 1, "items": 7, "page": page}).json()["experiments"]
        if not found:
            break
        assert len(found) <= 7
        walked += [e["id"] for e in found]
        page += 1
    assert walked == whole


# -- the lifecycle over HTTP ------------------------------------------------------------------


def put(http: httpx.Client, headers: dict, path: str, body: dict) -> httpx.Response:
    return http.put(f"{V1}{path}", headers={**headers, **JSON}, json=body)


def test_a_new_experiment_through_its_whole_life(http, admin):
    made = http.post(f"{V1}/experiments", headers=admin, json={
        "name": "sticky_basket", "unit_type": {"unit_type_id": 1}, "applications": [{"application_id": 1}], "primary_metric": {"metric_id": 1},
        "variants": [{"name": "control"}, {"name": "sticky"}], "percentages": "50/50"})
    assert made.status_code == 200, made.text
    id = made.json()["experiment"]["id"]
    assert_absmartly_error(put(http, admin, f"/experiments/{id}/start", {}), 400, "it is created")

    for path, body, expected in ((f"/experiments/{id}", {"data": {"state": "ready"}}, "ready"), (f"/experiments/{id}/start", {"note": "live"}, "running"),
                                 (f"/experiments/{id}/stop", {"reason": "testing"}, "stopped"), (f"/experiments/{id}/full_on", {"full_on_variant": 1}, "full_on"),
                                 (f"/experiments/{id}/archive", {"archive": True}, "archived"), (f"/experiments/{id}/archive", {"archive": False}, "full_on")):
        response = put(http, admin, path, body)
        assert response.status_code == 200 and response.json()["experiment"]["state"] == expected, response.text

    notes = http.get(f"{V1}/experiments/{id}/activity", headers=admin).json()["experiment_notes"]
    assert [n["action"] for n in notes] == ["create", "edit", "start", "stop", "full_on", "archive", "unarchive"]
    assert notes[2]["note"] == "live" and notes[3]["reason"] == "testing"
    comment = http.post(f"{V1}/experiments/{id}/activity", headers=admin, json={"note": "Shipped to everyone"})
    assert comment.status_code == 200 and comment.json()["experiment_note"]["action"] == "comment"


def test_full_on_with_a_variant_it_does_not_have_is_400_and_changes_nothing(http, admin, mock):
    running = everything(http, admin, sort="state")
    target = next(e for e in running if e["state"] == "running")
    before = state(mock.runtime, "absmartly")
    assert_absmartly_error(put(http, admin, f"/experiments/{target['id']}/full_on", {"full_on_variant": 9}), 400, "full_on_variant")
    assert state(mock.runtime, "absmartly") == before


def test_a_running_experiments_variants_cannot_change_over_http(http, admin, mock):
    target = next(e for e in everything(http, admin) if e["state"] == "running")
    before = state(mock.runtime, "absmartly")
    response = put(http, admin, f"/experiments/{target['id']}", {"data": {"variants": [{"name": "a"}, {"name": "b"}]}})
    assert_absmartly_error(response, 400, "variants")
    assert state(mock.runtime, "absmartly") == before


def test_a_restart_over_http_makes_the_next_iteration(http, admin):
    stopped = next(e for e in everything(http, admin) if e["state"] == "stopped")
    response = put(http, admin, f"/experiments/{stopped['id']}/restart", {"reason": "hypothesis_iteration"})
    assert response.status_code == 200, response.text
    new = response.json()["experiment"]
    assert (new["iteration"], new["state"], new["name"]) == (stopped["iteration"] + 1, "running", stopped["name"])
    assert ids(everything(http, admin, iterations_of=new["id"])) == {stopped["id"], new["id"]} | ids(everything(http, admin, iterations_of=stopped["id"]))


# -- keys and accounts ------------------------------------------------------------------------


def test_the_list_key_reads_but_every_change_is_403_and_changes_nothing(http, mock):
    lister, before = key(mock, "Experiment List"), state(mock.runtime, "absmartly")
    assert everything(http, lister)
    target = everything(http, lister)[0]["id"]
    for response in (http.post(f"{V1}/experiments", headers=lister, json={"name": "x", "unit_type": {"unit_type_id": 1}, "variants": [{"name": "a"}, {"name": "b"}]}),
                     put(http, lister, f"/experiments/{target}/archive", {"archive": True}),
                     http.post(f"{V1}/experiments/{target}/activity", headers=lister, json={"note": "hi"})):
        assert_absmartly_error(response, 403, "Experiment Admin")
    assert state(mock.runtime, "absmartly") == before


@pytest.mark.parametrize("header", [None, "Api-Key not-a-key", "Bearer absmartly-demo-admin-key", "absmartly-demo-admin-key"])
def test_a_missing_or_unknown_key_is_401(http, header):
    headers = {"Authorization": header} if header else {}
    assert_absmartly_error(http.get(f"{V1}/experiments", headers=headers), 401)


def test_another_accounts_key_sees_only_its_own_account(http, admin, mock):
    other = key(mock, "Experiment Admin in another account")
    theirs, mine = everything(http, other), everything(http, admin)
    assert theirs and {e["name"] for e in theirs}.isdisjoint({e["name"] for e in mine})
    missing = max(ids(mine))
    assert_absmartly_error(http.get(f"{V1}/experiments/{missing}", headers=other), 404)


def test_the_catalogue_lists_what_experiments_refer_to(http, admin):
    experiment = everything(http, admin)[0]
    for path, key_, id in (("users", "user", experiment["owners"][0]["user_id"]), ("teams", "team", experiment["teams"][0]["team_id"]),
                           ("applications", "application", experiment["applications"][0]["application_id"]),
                           ("unit_types", "unit_type", experiment["unit_type_id"]), ("metrics", "metric", experiment["primary_metric_id"])):
        listed = http.get(f"{V1}/{path}", headers=admin).json()[path]
        assert id in {item["id"] for item in listed}
        assert http.get(f"{V1}/{path}/{id}", headers=admin).json()[key_]["id"] == id
    metric = http.get(f"{V1}/metrics/{experiment['primary_metric_id']}", headers=admin).json()["metric"]
    assert metric["goal"]["id"] == metric["goal_id"]
    assert_absmartly_error(http.get(f"{V1}/goals/999", headers=admin), 404)


def test_the_keys_are_listed_with_their_permission(http):
    """The Web Console's keys; then the SDK keys of the Collector API (`test_collector_sdk`)."""
    listed = [c for c in http.get("/__mockexp/credentials").json() if c["vendor"] == "absmartly" and c["header"] == "Authorization"]
    assert {c["role"]: c["can_write"] for c in listed} == {"Experiment Admin": True, "Experiment List": False, "Experiment Admin in another account": True}
    assert all(c["value"].startswith("Api-Key ") for c in listed)
