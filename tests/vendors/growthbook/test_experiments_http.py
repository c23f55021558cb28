"""GrowthBook experiments (issue 12) over HTTP with the demo keys: the demo world's experiments
(the experiment-ref rule's included), what a user makes and changes, the status rules, and each
refusal as a 400 `{"message"}` naming the field. (The `http` client checks every answer against
the spec.)"""

from __future__ import annotations

from tests.vendors.growthbook.test_experimentation_http import V1, get, post
from tests.vendors.growthbook.test_http import ADMIN, READONLY, assert_message, bearer

NEW = {"datasourceId": "ds_warehouse", "assignmentQueryId": "user_id", "trackingKey": "wishlist-heart", "name": "Wishlist heart",
       "variations": [{"key": "0", "name": "Star"}, {"key": "1", "name": "Heart"}]}


def test_the_demo_world_has_draft_running_and_stopped_experiments(http):
    page = get(http, "/experiments", limit=100)
    assert page["total"] >= 25
    statuses = {e["status"] for e in page["experiments"]}
    assert statuses == {"draft", "running", "stopped"}
    for experiment in page["experiments"]:
        assert len(experiment["variations"]) >= 2
        assert (experiment["status"] == "draft") == (not experiment["phases"])
        for phase in experiment["phases"]:
            assert abs(sum(s["weight"] for s in phase["trafficSplit"]) - 1) < 1e-9
        assert (experiment["status"] == "stopped") == bool(experiment["phases"] and experiment["phases"][-1]["dateEnded"])


def test_the_experiment_ref_rule_names_a_running_demo_experiment(http):
    experiment = get(http, "/experiments/exp_checkout_button_color")["experiment"]
    assert experiment["status"] == "running" and experiment["enhancedStatus"]["status"] == "Running"
    assert [v["variationId"] for v in experiment["variations"]] == ["var_blue", "var_orange"]


def test_lists_filter_by_project_data_source_and_tracking_key(http):
    one = get(http, "/experiments", experimentId="checkout-button-color")["experiments"]
    assert [e["id"] for e in one] == ["exp_checkout_button_color"]
    project = one[0]["project"]
    in_project = get(http, "/experiments", projectId=project, limit=100)["experiments"]
    assert in_project and all(e["project"] == project for e in in_project)
    assert get(http, "/experiments", datasourceId="ds_mobile_mixpanel")["total"] == 0
    names = get(http, "/experiment-names", projectId=project)["experiments"]
    assert [n["id"] for n in names] == [e["id"] for e in in_project]
    assert set(names[0]) == {"id", "name"}


def test_an_experiment_is_made_a_draft_then_started_and_stopped_with_phases(http):
    made = post(http, "/experiments", NEW)
    assert made.status_code == 200, made.text
    experiment = made.json()["experiment"]
    assert experiment["status"] == "draft" and experiment["phases"] == []
    assert experiment["settings"]["experimentId"] == "wishlist-heart" and experiment["settings"]["inProgressConversions"] == "include"
    started = post(http, f"/experiments/{experiment['id']}", {"status": "running"}).json()["experiment"]
    assert len(started["phases"]) == 1 and started["phases"][0]["dateEnded"] == "" and started["phases"][0]["coverage"] == 1
    released = started["variations"][1]["variationId"]
    stopped = post(http, f"/experiments/{experiment['id']}", {"status": "stopped", "releasedVariationId": released}).json()["experiment"]
    assert stopped["phases"][0]["dateEnded"] and stopped["resultSummary"]["releasedVariationId"] == released
    again = post(http, f"/experiments/{experiment['id']}", {"status": "running"}).json()["experiment"]
    assert len(again["phases"]) == 2 and get(http, f"/experiments/{experiment['id']}")["experiment"]["enhancedStatus"]["status"] == "Running"


def test_bad_experiments_are_refused_naming_the_field(http):
    cases = [
        ({**NEW, "datasourceId": "ds_nope"}, "datasourceId"),
        ({**NEW, "assignmentQueryId": "nope"}, "assignmentQueryId"),
        ({**NEW, "metrics": ["fact__purchased", "met_nope"]}, "metrics[1]"),
        ({**NEW, "guardrailMetrics": ["nope"]}, "guardrailMetrics[0]"),
        ({**NEW, "segmentId": "seg_nope"}, "segmentId"),
        ({**NEW, "variations": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}, "variations"),
        ({**NEW, "phases": [{"name": "Main", "dateStarted": "2026-01-01T00:00:00Z", "trafficSplit": []}]}, "phases[0].trafficSplit"),
        ({**NEW, "variations": [{"id": "v1", "key": "a", "name": "A"}, {"id": "v2", "key": "b", "name": "B"}],
          "phases": [{"name": "Main", "dateStarted": "2026-01-01T00:00:00Z", "trafficSplit": [{"variationId": "v1", "weight": 0.5}, {"variationId": "v2", "weight": 0.6}]}]},
         "phases[0].trafficSplit"),
        ({**NEW, "releasedVariationId": "nope"}, "releasedVariationId"),
    ]
    before = get(http, "/experiments")["total"]
    for body, field in cases:
        assert_message(post(http, "/experiments", body), 400, field)
    assert get(http, "/experiments")["total"] == before


def test_a_running_experiment_cannot_go_back_to_draft_nor_change_data_source(http):
    assert_message(post(http, "/experiments/exp_checkout_button_color", {"status": "draft"}), 400, "status")
    assert_message(post(http, "/experiments/exp_checkout_button_color", {"datasourceId": "ds_mobile_mixpanel"}), 400, "datasourceId")


def test_a_readonly_key_reads_experiments_but_cannot_make_them(http):
    assert get(http, "/experiment-names", key=READONLY)["experiments"]
    assert post(http, "/experiments", NEW, key=READONLY).status_code == 403
    assert http.get(f"{V1}/experiments/exp_nope", headers=bearer(ADMIN)).status_code == 404
