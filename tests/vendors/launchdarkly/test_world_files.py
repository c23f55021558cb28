"""LaunchDarkly's demo world exported as a world file and loaded in its place: every
experiment comes back in its state, made through the API."""

from __future__ import annotations

from pathlib import Path

from mockexp.worlds.export import world_of
from tests.test_worlds import runtime_with, write_world

EXPAND = "previousIterations,draftIteration,treatments"


def _states(runtime, project_key: str = "demo-shop", environment_key: str = "production") -> dict[str, dict]:
    """Each experiment's state as its own get operation shows it: iterations' statuses, the
    winners by name, change justifications, and whether it is archived."""
    ld = runtime.models["launchdarkly"]
    states = {}
    for listed in ld.get_experiments(project_key, environment_key, lifecycle_state="active,archived").items:
        experiment = ld.get_experiment(project_key, environment_key, listed["key"], expand=EXPAND)
        iterations = [*reversed(experiment.get("previousIterations", [])), experiment.get("currentIteration"), experiment.get("draftIteration")]
        states[experiment["key"]] = {
            "archived": "archivedDate" in experiment,
            "iterations": [(it["status"], it.get("changeJustification"), _winner(it), it["hypothesis"]) for it in iterations if it],
        }
    return states


def _winner(iteration: dict) -> str | None:
    return next((t["name"] for t in iteration["treatments"] if t["_id"] == iteration.get("winningTreatmentId")), None)


def test_every_exported_experiment_is_in_its_state_again_after_a_load(tmp_path: Path) -> None:
    demo = runtime_with(["launchdarkly"])
    write_world(tmp_path, "launchdarkly", world_of(demo, "launchdarkly"))
    loaded = runtime_with(["launchdarkly"], tmp_path)
    before, after = _states(demo), _states(loaded)
    assert after == before and len(after) == 5
    assert after["search-ranking-test"]["iterations"][0][:3] == ("stopped", None, "Personalised ranking")
    assert [it[0] for it in after["basket-size-test"]["iterations"]] == ["stopped", "running"]
    assert after["holiday-banner-test"]["archived"] and not after["checkout-button-test"]["archived"]
    assert _states(loaded, "mobile-app") == _states(demo, "mobile-app")


def test_a_loaded_world_keeps_the_flags_metrics_and_holdouts_the_api_cannot_make(tmp_path: Path) -> None:
    write_world(tmp_path, "launchdarkly", {"requests": []})
    ld = runtime_with(["launchdarkly"], tmp_path).models["launchdarkly"]
    assert ld.get_experiments("demo-shop", "production").items == []
    assert ld.get_feature_flag("demo-shop", "checkout-button")["key"] == "checkout-button"
    assert ld.get_metric_group("demo-shop", "purchase-funnel")["key"] == "purchase-funnel"
    assert ld.credentials()[0].can_write
