"""PostHog's demo world exported as a world file and loaded in its place: experiments come
back launched, ended, archived or deleted as they were, with their dates, holdouts and saved
metrics, made through the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockexp.errors import Invalid, NotFound
from mockexp.worlds.export import world_of
from tests.test_worlds import runtime_with, write_world

SHOP = 1


@pytest.fixture
def both(tmp_path: Path) -> tuple:
    """The demo world's model, and a fresh mock's with the demo world's export loaded instead."""
    demo = runtime_with(["posthog"])
    write_world(tmp_path, "posthog", world_of(demo, "posthog"))
    return demo.models["posthog"], runtime_with(["posthog"], tmp_path).models["posthog"]


def _experiments(posthog, archived: bool) -> list[dict]:
    """Each listed experiment as the API shows it, without what the server makes up."""
    shown = []
    for listed in posthog.experiments_list(SHOP, archived=archived).items:
        experiment = posthog.experiments_retrieve(SHOP, listed["id"])
        shown.append({
            **{field: experiment[field] for field in ("name", "status", "start_date", "end_date", "archived", "conclusion", "feature_flag_key", "parameters")},
            "holdout": (experiment["holdout"] or {}).get("name"),
            "saved_metrics": [(link["name"], link["metadata"]) for link in experiment["saved_metrics"]],
            "flag_active": experiment["feature_flag"]["active"],
        })
    return shown


def test_exported_experiments_are_running_ended_or_archived_again_with_their_dates_holdouts_and_metrics(both) -> None:
    demo, loaded = both
    for archived in (False, True):
        assert _experiments(loaded, archived) == _experiments(demo, archived)
    before = {e["feature_flag_key"]: e for e in _experiments(demo, False)}
    after = {e["feature_flag_key"]: e for e in _experiments(loaded, False)}
    running, draft = after["pricing-page-cta"], after["onboarding-checklist"]
    assert running["status"] == "running" and running["flag_active"] and running["start_date"] == before["pricing-page-cta"]["start_date"]
    assert draft["status"] == "draft" and draft["holdout"] == "Q1 holdout" and draft["saved_metrics"] == [("Signup funnel", {"type": "primary"})]
    assert [e["status"] for e in _experiments(loaded, True)] == ["complete"]


def test_an_exported_deleted_experiment_stays_deleted_and_keeps_its_flag_key_taken(both) -> None:
    demo, loaded = both
    deleted = next(e for e in demo.project(SHOP).query("experiments") if e["deleted"])
    assert deleted["feature_flag_key"] == "abandoned-idea"
    assert "abandoned-idea" not in [e["feature_flag_key"] for e in loaded.experiments_list(SHOP).items]
    again = next(e for e in loaded.project(SHOP).query("experiments") if e["feature_flag_key"] == "abandoned-idea")
    with pytest.raises(NotFound):
        loaded.experiments_retrieve(SHOP, again["id"])
    with pytest.raises(Invalid, match="already a feature flag"):
        loaded.experiments_create(SHOP, again["created_by_id"], {"name": "Again", "feature_flag_key": "abandoned-idea"})
