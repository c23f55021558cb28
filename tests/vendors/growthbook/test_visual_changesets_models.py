"""GrowthBook's visual changeset rules (issue 12) against the model directly (no HTTP): a
changeset belongs to an experiment, and each visual change names one of its variations."""

from __future__ import annotations

import pytest

from mockexp.errors import NotFound
from tests.vendors.growthbook.test_experimentation_models import refused
from tests.vendors.growthbook.worlds import ADMIN, OTHER
from tests.vendors.growthbook.test_experiments_models import made

PLAN = {"editorUrl": "https://shop.test/", "urlPatterns": [{"include": True, "type": "simple", "pattern": "https://shop.test/*"}]}


@pytest.fixture
def changeset(gb, ds) -> dict:
    experiment = made(gb, ds)
    return gb.add_visual_changeset(gb.org(ADMIN), experiment["id"], PLAN)


def test_a_changeset_has_a_visual_change_per_variation_and_marks_its_experiment(gb, changeset):
    assert [c["variation"] for c in changeset["visualChanges"]] == ["v_small", "v_big"]
    assert gb.get_experiment(changeset["experiment"], ADMIN)["experiment"]["hasVisualChangesets"] is True
    assert gb.list_visual_changesets(changeset["experiment"], ADMIN) == {"visualChangesets": [changeset]}


def test_visual_changes_are_added_and_changed_for_the_experiments_variations(gb, changeset):
    assert gb.post_visual_change(changeset["id"], {"variation": "v_big", "js": "go()"}, ADMIN) == {"nModified": 1}
    added = gb.get_visual_changeset(changeset["id"], ADMIN)["visualChangeset"]["visualChanges"][-1]
    assert added["js"] == "go()" and added["domMutations"] == []
    gb.put_visual_change(changeset["id"], added["id"], {"variation": "v_small"}, ADMIN)
    assert gb.get_visual_changeset(changeset["id"], ADMIN)["visualChangeset"]["visualChanges"][-1]["variation"] == "v_small"
    assert "variation" in refused(lambda: gb.post_visual_change(changeset["id"], {"variation": "v_other"}, ADMIN))
    assert "variation" in refused(lambda: gb.post_visual_change(changeset["id"], {}, ADMIN))


def test_another_organizations_changeset_and_an_unknown_change_are_not_found(gb, changeset):
    with pytest.raises(NotFound):
        gb.get_visual_changeset(changeset["id"], OTHER)
    with pytest.raises(NotFound):
        gb.put_visual_change(changeset["id"], "vch_nope", {"css": ""}, ADMIN)


def test_the_experiment_comes_along_only_when_asked(gb, changeset):
    assert "experiment" not in gb.get_visual_changeset(changeset["id"], ADMIN)
    assert gb.get_visual_changeset(changeset["id"], ADMIN, include_experiment=1)["experiment"]["id"] == changeset["experiment"]
