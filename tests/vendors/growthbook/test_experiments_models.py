"""GrowthBook's experiment rules (issue 12) against the model directly (no HTTP): variations and
phases, references to the data source, assignment query, metrics and segment, and the status
rules with dates from the clock. Each test builds its own small world (see
test_experimentation_models)."""

from __future__ import annotations

import pytest

from mockexp.errors import NotFound
from tests.vendors.growthbook.test_experimentation_models import refused
from tests.vendors.growthbook.worlds import ADMIN, OTHER

BASE = {"assignmentQueryId": "user_id", "trackingKey": "big-button", "name": "Big button",
        "variations": [{"id": "v_small", "key": "0", "name": "Small"}, {"id": "v_big", "key": "1", "name": "Big"}]}


def made(gb, ds, **changes) -> dict:
    return gb.post_experiment({**BASE, "datasourceId": ds, **changes}, ADMIN)["experiment"]


def test_a_new_experiment_is_a_draft_with_its_settings_and_variations(gb, ds):
    experiment = made(gb, ds, inProgressConversions="strict", metrics=[])
    assert experiment["id"].startswith("exp_") and experiment["status"] == "draft" and experiment["phases"] == []
    assert experiment["settings"]["datasourceId"] == ds and experiment["settings"]["experimentId"] == "big-button"
    assert experiment["settings"]["inProgressConversions"] == "exclude" and experiment["hashVersion"] == 2
    assert [v["variationId"] for v in experiment["variations"]] == ["v_small", "v_big"]
    assert gb.get_experiment(experiment["id"], ADMIN)["experiment"]["enhancedStatus"]["status"] == "Draft"


def test_starting_opens_an_even_phase_at_the_clock_and_stopping_closes_it(gb, ds, clock):
    experiment = made(gb, ds)
    started = gb.update_experiment(experiment["id"], {"status": "running"}, ADMIN)["experiment"]
    phase = started["phases"][0]
    assert phase["dateStarted"] == "2026-03-02T09:30:15.123Z" and phase["dateEnded"] == ""
    assert [s["weight"] for s in phase["trafficSplit"]] == [0.5, 0.5]
    clock.advance(3600)
    stopped = gb.update_experiment(experiment["id"], {"status": "stopped"}, ADMIN)["experiment"]
    assert stopped["phases"][0]["dateEnded"] == "2026-03-02T10:30:15.123Z"
    assert "back to draft" in refused(lambda: gb.update_experiment(experiment["id"], {"status": "draft"}, ADMIN))


def test_a_running_experiment_can_be_made_with_its_own_phases(gb, ds):
    split = [{"variationId": "v_small", "weight": 0.25}, {"variationId": "v_big", "weight": 0.75}]
    experiment = made(gb, ds, status="running", phases=[{"name": "Main", "dateStarted": "2026-01-01T00:00:00Z", "coverage": 0.4, "trafficSplit": split}])
    assert len(experiment["phases"]) == 1 and experiment["phases"][0]["coverage"] == 0.4


@pytest.mark.parametrize(("changes", "field"), [
    ({"datasourceId": "ds_nope"}, "datasourceId"),
    ({"assignmentQueryId": "anonymous_id"}, "assignmentQueryId"),
    ({"metrics": ["met_nope"]}, "metrics[0]"),
    ({"secondaryMetrics": ["met_nope"]}, "secondaryMetrics[0]"),
    ({"activationMetric": "met_nope"}, "activationMetric"),
    ({"segmentId": "seg_nope"}, "segmentId"),
    ({"project": "prj_nope"}, "project"),
    ({"variations": [{"key": "0", "name": "A"}, {"key": "0", "name": "B"}]}, "variations"),
    ({"phases": [{"name": "Main", "dateStarted": "2026-01-01T00:00:00Z", "trafficSplit": [{"variationId": "v_small", "weight": 1}]}]}, "phases[0].trafficSplit"),
    ({"releasedVariationId": "v_nope"}, "releasedVariationId"),
])
def test_a_bad_reference_or_shape_is_refused_naming_the_field(gb, ds, changes, field):
    assert field in refused(lambda: made(gb, ds, **changes))
    assert gb.list_experiments(ADMIN).items == []


def test_the_data_source_is_set_only_when_the_experiment_has_none(gb, ds):
    other = gb.add_data_source({"name": "Other", "type": "postgres", "identifierTypes": [{"id": "user_id", "description": ""}],
                                "assignmentQueries": [{"id": "user_id", "name": "", "description": "", "identifierType": "user_id", "sql": ""}]}, ADMIN)["id"]
    loose = gb.post_experiment(BASE, ADMIN)["experiment"]
    assert gb.update_experiment(loose["id"], {"datasourceId": other}, ADMIN)["experiment"]["settings"]["datasourceId"] == other
    assert "datasourceId" in refused(lambda: gb.update_experiment(loose["id"], {"datasourceId": ds}, ADMIN))


def test_names_and_filters_and_another_organizations_experiment(gb, ds):
    experiment = made(gb, ds)
    assert gb.list_experiment_names(ADMIN) == {"experiments": [{"id": experiment["id"], "name": "Big button"}]}
    assert [e["id"] for e in gb.list_experiments(ADMIN, experiment_id="big-button").items] == [experiment["id"]]
    assert gb.list_experiments(ADMIN, experiment_id="other").items == []
    with pytest.raises(NotFound):
        gb.get_experiment(experiment["id"], OTHER)


def test_a_draft_made_after_a_running_experiment_has_no_phase(gb, ds):
    made(gb, ds, status="running")
    assert made(gb, ds, trackingKey="later")["phases"] == []
