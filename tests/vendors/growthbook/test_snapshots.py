"""GrowthBook experiment snapshots (issue 12): a refresh of an experiment's results that goes
queued -> running -> success as the mock's clock advances (a stopped clock leaves it), against
the model (frozen clock) and over HTTP."""

from __future__ import annotations

import pytest

from mockexp.errors import NotFound
from tests.vendors.growthbook.test_experimentation_http import V1, get
from tests.vendors.growthbook.test_experimentation_models import refused
from tests.vendors.growthbook.worlds import ADMIN, OTHER
from tests.vendors.growthbook.test_experiments_models import made
from tests.vendors.growthbook.test_http import ADMIN as DEMO_ADMIN, READONLY, assert_message, bearer


def test_a_snapshot_is_queued_then_running_then_done_as_the_clock_advances(gb, ds, clock):
    experiment = made(gb, ds, status="running")
    snapshot = gb.post_experiment_snapshot(experiment["id"], ADMIN)["snapshot"]
    assert snapshot["id"].startswith("snp_") and snapshot["experiment"] == experiment["id"] and snapshot["status"] == "queued"
    assert gb.get_snapshot(snapshot["id"], ADMIN)["snapshot"]["status"] == "queued"  # the clock stands still
    clock.advance(3)
    assert gb.get_snapshot(snapshot["id"], ADMIN)["snapshot"]["status"] == "running"
    clock.advance(10)
    assert gb.get_snapshot(snapshot["id"], ADMIN)["snapshot"]["status"] == "success"


def test_a_draft_or_an_experiment_without_data_source_has_no_snapshot(gb, ds):
    assert "id" in refused(lambda: gb.post_experiment_snapshot(made(gb, ds)["id"], ADMIN))
    loose = gb.post_experiment({"assignmentQueryId": "user_id", "trackingKey": "k", "name": "n", "status": "running",
                                "variations": [{"key": "0", "name": "A"}, {"key": "1", "name": "B"}]}, ADMIN)["experiment"]
    assert "data source" in refused(lambda: gb.post_experiment_snapshot(loose["id"], ADMIN))
    with pytest.raises(NotFound):
        gb.post_experiment_snapshot("exp_nope", ADMIN)


def test_another_organizations_snapshot_is_not_found(gb, ds):
    snapshot = gb.post_experiment_snapshot(made(gb, ds, status="running")["id"], ADMIN, {"triggeredBy": "schedule"})["snapshot"]
    with pytest.raises(NotFound):
        gb.get_snapshot(snapshot["id"], OTHER)


def test_over_http_a_running_demo_experiment_gets_a_snapshot_a_draft_does_not(http):
    answer = http.post(f"{V1}/experiments/exp_checkout_button_color/snapshot", headers=bearer(DEMO_ADMIN), json={"triggeredBy": "manual"})
    assert answer.status_code == 200, answer.text
    snapshot = answer.json()["snapshot"]
    assert get(http, f"/snapshots/{snapshot['id']}")["snapshot"]["status"] in ("queued", "running", "success")
    draft = next(e for e in get(http, "/experiments", limit=100)["experiments"] if e["status"] == "draft")
    assert_message(http.post(f"{V1}/experiments/{draft['id']}/snapshot", headers=bearer(DEMO_ADMIN)), 400, "id")
    assert http.post(f"{V1}/experiments/exp_checkout_button_color/snapshot", headers=bearer(READONLY)).status_code == 403
