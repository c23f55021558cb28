"""GrowthBook visual changesets (issue 12) over HTTP with the demo keys: the demo world's
changesets, reading one with its experiment, changing it, and adding and changing visual
changes, whose variation must be one of the experiment's (400 naming `variation`)."""

from __future__ import annotations

from tests.vendors.growthbook.test_experimentation_http import V1, get
from tests.vendors.growthbook.test_http import ADMIN, READONLY, assert_message, bearer

CHANGESET = "vc_checkout_button"


def put(http, path: str, body: dict, key: str = ADMIN):
    return http.put(f"{V1}{path}", headers=bearer(key), json=body)


def test_an_experiment_lists_its_visual_changesets_with_a_change_per_variation(http):
    changesets = get(http, "/experiments/exp_checkout_button_color/visual-changesets")["visualChangesets"]
    assert [c["id"] for c in changesets] == [CHANGESET]
    assert [c["variation"] for c in changesets[0]["visualChanges"]] == ["var_blue", "var_orange"]
    assert get(http, "/experiments/exp_checkout_button_color")["experiment"]["hasVisualChangesets"] is True
    with_changesets = [e for e in get(http, "/experiments", limit=100)["experiments"] if e["hasVisualChangesets"]]
    assert len(with_changesets) == 3


def test_a_visual_changeset_is_read_with_its_experiment_only_when_asked(http):
    assert set(get(http, f"/visual-changesets/{CHANGESET}")) == {"visualChangeset"}
    both = get(http, f"/visual-changesets/{CHANGESET}", includeExperiment=1)
    assert both["experiment"]["id"] == "exp_checkout_button_color" and both["visualChangeset"]["experiment"] == "exp_checkout_button_color"


def test_a_changeset_and_its_visual_changes_are_changed(http):
    patterns = [{"include": True, "type": "regex", "pattern": "^https://shop\\.example/pay"}]
    answer = put(http, f"/visual-changesets/{CHANGESET}", {"urlPatterns": patterns})
    assert answer.status_code == 200 and answer.json()["nModified"] == 1 and answer.json()["visualChangeset"]["urlPatterns"] == patterns
    added = http.post(f"{V1}/visual-changesets/{CHANGESET}/visual-change", headers=bearer(ADMIN), json={"variation": "var_orange", "css": "b {}"})
    assert added.status_code == 200 and added.json() == {"nModified": 1}
    changes = get(http, f"/visual-changesets/{CHANGESET}")["visualChangeset"]["visualChanges"]
    assert len(changes) == 3 and changes[-1]["css"] == "b {}" and changes[-1]["id"].startswith("vch_")
    changed = put(http, f"/visual-changesets/{CHANGESET}/visual-change/{changes[-1]['id']}", {"description": "Bold"})
    assert changed.json() == {"nModified": 1}
    assert get(http, f"/visual-changesets/{CHANGESET}")["visualChangeset"]["visualChanges"][-1]["description"] == "Bold"


def test_a_visual_change_must_name_a_variation_of_the_experiment(http):
    answer = http.post(f"{V1}/visual-changesets/{CHANGESET}/visual-change", headers=bearer(ADMIN), json={"variation": "var_nope"})
    assert_message(answer, 400, "variation")
    first = get(http, f"/visual-changesets/{CHANGESET}")["visualChangeset"]["visualChanges"][0]["id"]
    assert_message(put(http, f"/visual-changesets/{CHANGESET}/visual-change/{first}", {"variation": "var_nope"}), 400, "variation")
    assert put(http, f"/visual-changesets/{CHANGESET}/visual-change/vch_nope", {"css": ""}).status_code == 404
    assert http.get(f"{V1}/experiments/exp_nope/visual-changesets", headers=bearer(ADMIN)).status_code == 404


def test_a_readonly_key_reads_changesets_but_cannot_change_them(http):
    assert get(http, f"/visual-changesets/{CHANGESET}", key=READONLY)["visualChangeset"]
    assert put(http, f"/visual-changesets/{CHANGESET}", {"editorUrl": "https://x.example"}, key=READONLY).status_code == 403
