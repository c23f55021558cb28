"""GrowthBook's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`,
so the data each rule is checked against is visible in the test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, NotFound, Unauthorized
from mockexp.store import Store
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.world import add_organization
from tests.conftest import clock_at

NOW = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=timezone.utc)
ADMIN, READONLY, OTHER = "secret_shop_admin", "secret_shop_readonly", "secret_other_admin"


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def gb(clock: Clock) -> GrowthBook:
    model = GrowthBook(Store().vendor("growthbook"), clock)
    for org, key in (("org_shop", ADMIN), ("org_other", OTHER)):
        add_organization(model, org, org, f"owner@{org}.test")
        model.add_key(key, org, "admin", f"{org} admin")
        for env, default in (("production", False), ("dev", True)):
            model.post_environment({"id": env, "defaultState": default}, key)
    model.add_key(READONLY, "org_shop", "readonly", "shop readonly")
    return model


def feature(id: str = "dark-mode", **changes) -> dict:
    return {"id": id, "owner": "ann@shop.test", "valueType": "boolean", "defaultValue": "false", **changes}


def invalid_field(call) -> str:
    with pytest.raises(Invalid) as refused:
        call()
    return refused.value.message


# -- keys ---------------------------------------------------------------------------------------


def test_an_unknown_key_is_401(gb):
    with pytest.raises(Unauthorized):
        gb.authenticate("secret_nobody")


def test_a_readonly_key_reads_but_cannot_write(gb):
    key = gb.authenticate(READONLY)
    gb.authorize(key, write=False)
    with pytest.raises(Forbidden):
        gb.authorize(key, write=True)


def test_only_a_super_admins_token_reaches_the_organizations_endpoints(gb):
    gb.add_key("secret_user_root", "org_shop", "admin", "token", user="root@shop.test", super_admin=True)
    with pytest.raises(Forbidden):
        gb.authorize(gb.authenticate(ADMIN), write=False, super_admin=True)
    gb.authorize(gb.authenticate("secret_user_root"), write=True, super_admin=True)


def test_an_organization_sees_none_of_anothers_data(gb):
    gb.post_feature(feature(), ADMIN)
    assert gb.list_features(OTHER).items == []
    with pytest.raises(NotFound):
        gb.get_feature("dark-mode", OTHER)


# -- projects and environments ------------------------------------------------------------------


def test_a_project_gets_a_prj_id_and_its_update_keeps_what_it_leaves_out(gb, clock):
    made = gb.post_project({"name": "Web", "description": "Storefront"}, ADMIN)["project"]
    assert made["id"].startswith("prj_") and made["dateCreated"] == "2026-03-02T09:30:15.123Z"
    clock.advance(60)
    changed = gb.put_project(made["id"], {"settings": {"statsEngine": "bayesian"}}, ADMIN)["project"]
    assert changed["description"] == "Storefront" and changed["settings"] == {"statsEngine": "bayesian"}
    assert changed["dateUpdated"] > changed["dateCreated"]


def test_a_project_a_feature_uses_cannot_be_deleted(gb):
    project = gb.post_project({"name": "Web"}, ADMIN)["project"]["id"]
    gb.post_feature(feature(project=project), ADMIN)
    assert "dark-mode" in invalid_field(lambda: gb.delete_project(project, ADMIN))
    gb.delete_feature("dark-mode", ADMIN)
    assert gb.delete_project(project, ADMIN) == {"deletedId": project}


def test_environment_ids_are_unique(gb):
    assert "id" in invalid_field(lambda: gb.post_environment({"id": "dev"}, ADMIN))


def test_deleting_an_environment_removes_its_settings_from_every_feature(gb):
    gb.post_environment({"id": "staging"}, ADMIN)
    gb.post_feature(feature(environments={"staging": {"enabled": True, "rules": []}}), ADMIN)
    gb.delete_environment("staging", ADMIN)
    assert set(gb.get_feature("dark-mode", ADMIN)["feature"]["environments"]) == {"production", "dev"}


def test_an_environment_with_a_parent_starts_with_its_rules(gb):
    rules = [{"type": "force", "value": "true"}]
    gb.post_feature(feature(environments={"dev": {"enabled": True, "rules": rules}}), ADMIN)
    gb.post_environment({"id": "qa", "parent": "dev"}, ADMIN)
    qa = gb.get_feature("dark-mode", ADMIN)["feature"]["environments"]["qa"]
    assert qa["enabled"] is False and [r["value"] for r in qa["rules"]] == ["true"]


# -- features -----------------------------------------------------------------------------------


def test_feature_ids_are_unique(gb):
    gb.post_feature(feature(), ADMIN)
    assert invalid_field(lambda: gb.post_feature(feature(), ADMIN)).startswith("id:")


@pytest.mark.parametrize("value_type, bad", [("boolean", "yes"), ("number", "ten"), ("number", "inf"), ("json", "{nope")])
def test_a_default_value_must_parse_as_the_value_type(gb, value_type, bad):
    assert invalid_field(lambda: gb.post_feature(feature(valueType=value_type, defaultValue=bad), ADMIN)).startswith("defaultValue:")
    assert gb.list_features(ADMIN).items == []


def test_every_rule_value_must_parse_as_the_value_type(gb):
    rules = [{"type": "force", "value": "true"}, {"type": "rollout", "value": "maybe", "coverage": 0.5}]
    message = invalid_field(lambda: gb.post_feature(feature(environments={"production": {"enabled": True, "rules": rules}}), ADMIN))
    assert message.startswith("environments.production.rules[1].value:")


def test_the_project_environments_saved_groups_and_prerequisites_named_must_exist(gb):
    assert invalid_field(lambda: gb.post_feature(feature(project="prj_nope"), ADMIN)).startswith("project:")
    assert invalid_field(lambda: gb.post_feature(feature(environments={"moon": {"enabled": True, "rules": []}}), ADMIN)).startswith("environments.moon:")
    assert invalid_field(lambda: gb.post_feature(feature(prerequisites=["ghost"]), ADMIN)).startswith("prerequisites[0]:")
    targeted = [{"type": "force", "value": "true", "savedGroupTargeting": [{"matchType": "all", "savedGroups": ["grp_nope"]}]}]
    message = invalid_field(lambda: gb.post_feature(feature(environments={"dev": {"enabled": True, "rules": targeted}}), ADMIN))
    assert message.startswith("environments.dev.rules[0].savedGroupTargeting[0].savedGroups[0]:")


def test_a_condition_must_be_a_json_object(gb):
    rules = [{"type": "force", "value": "true", "condition": "[1]"}]
    assert "condition" in invalid_field(lambda: gb.post_feature(feature(environments={"dev": {"enabled": True, "rules": rules}}), ADMIN))


def test_environments_left_out_follow_their_default_state(gb):
    made = gb.post_feature(feature(), ADMIN)["feature"]
    assert {env: e["enabled"] for env, e in made["environments"].items()} == {"production": False, "dev": True}


def test_a_new_feature_is_revision_1_published_by_its_key(gb):
    made = gb.post_feature(feature(), ADMIN)["feature"]
    assert made["revision"] == {"version": 1, "comment": "New feature", "date": "2026-03-02T09:30:15.123Z", "publishedBy": "org_shop admin"}


def test_a_partial_update_publishes_a_new_revision_and_keeps_the_rest(gb, clock):
    gb.post_feature(feature(description="old", tags=["a", "b"]), ADMIN)
    clock.advance(3600)
    changed = gb.update_feature("dark-mode", {"tags": ["c"]}, ADMIN)["feature"]
    assert changed["tags"] == ["c"] and changed["description"] == "old"
    assert changed["revision"]["version"] == 2 and changed["dateUpdated"] == "2026-03-02T10:30:15.123Z"


def test_an_update_cannot_set_a_value_of_another_type(gb):
    gb.post_feature(feature(valueType="number", defaultValue="3"), ADMIN)
    assert invalid_field(lambda: gb.update_feature("dark-mode", {"defaultValue": "three"}, ADMIN)).startswith("defaultValue:")
    assert gb.get_feature("dark-mode", ADMIN)["feature"]["revision"]["version"] == 1


def test_toggle_changes_only_the_named_environments_and_records_the_reason(gb):
    gb.post_feature(feature(), ADMIN)
    toggled = gb.toggle_feature("dark-mode", {"reason": "Launch", "environments": {"production": "1"}}, ADMIN)["feature"]
    assert toggled["environments"]["production"]["enabled"] is True and toggled["environments"]["dev"]["enabled"] is True
    assert toggled["revision"]["comment"] == "Launch"
    assert gb.get_feature_revisions("dark-mode", ADMIN).items[0]["comment"] == "Launch"


def test_toggle_refuses_an_unknown_environment(gb):
    gb.post_feature(feature(), ADMIN)
    assert invalid_field(lambda: gb.toggle_feature("dark-mode", {"environments": {"moon": True}}, ADMIN)).startswith("environments.moon:")


def test_revert_publishes_an_old_revisions_value_and_rules_as_a_new_revision(gb):
    rules = [{"type": "force", "value": "true", "condition": '{"employee": true}'}]
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": rules}}), ADMIN)
    gb.update_feature("dark-mode", {"defaultValue": "true", "environments": {"production": {"enabled": True, "rules": []}}}, ADMIN)
    reverted = gb.revert_feature("dark-mode", {"revision": 1, "comment": "Undo"}, ADMIN)["feature"]
    assert reverted["defaultValue"] == "false" and [r["value"] for r in reverted["environments"]["production"]["rules"]] == ["true"]
    assert reverted["revision"]["version"] == 3 and reverted["revision"]["comment"] == "Undo"


def test_revert_to_a_revision_that_does_not_exist_is_400_naming_revision(gb):
    gb.post_feature(feature(), ADMIN)
    assert invalid_field(lambda: gb.revert_feature("dark-mode", {"revision": 9}, ADMIN)).startswith("revision:")


def test_revisions_are_listed_newest_first(gb):
    gb.post_feature(feature(), ADMIN)
    gb.update_feature("dark-mode", {"description": "two"}, ADMIN)
    gb.toggle_feature("dark-mode", {"environments": {"production": True}}, ADMIN)
    assert [r["version"] for r in gb.get_feature_revisions("dark-mode", ADMIN).items] == [3, 2, 1]


def test_with_revisions_filters_drafts_and_published_ones(gb):
    draft = {"production": {"enabled": False, "rules": [], "draft": {"rules": [{"type": "force", "value": "true"}]}}}
    gb.post_feature(feature(environments=draft), ADMIN)
    got = gb.get_feature("dark-mode", ADMIN, "drafts")["feature"]
    assert [(r["version"], r["status"]) for r in got["revisions"]] == [(2, "draft")]
    assert [r["status"] for r in gb.get_feature("dark-mode", ADMIN, "published")["feature"]["revisions"]] == ["published"]
    assert "revisions" not in gb.get_feature("dark-mode", ADMIN, "none")["feature"]
    assert got["environments"]["production"]["rules"] == [] and got["environments"]["production"]["draft"]["rules"][0]["value"] == "true"


def test_a_feature_another_needs_as_prerequisite_cannot_be_deleted(gb):
    gb.post_feature(feature("base"), ADMIN)
    gb.post_feature(feature(prerequisites=["base"]), ADMIN)
    assert "dark-mode" in invalid_field(lambda: gb.delete_feature("base", ADMIN))


def test_a_deleted_feature_is_gone_with_its_revisions(gb):
    gb.post_feature(feature(), ADMIN)
    assert gb.delete_feature("dark-mode", ADMIN) == {"deletedId": "dark-mode"}
    with pytest.raises(NotFound):
        gb.get_feature_revisions("dark-mode", ADMIN)
    gb.post_feature(feature(), ADMIN)
    assert [r["version"] for r in gb.get_feature_revisions("dark-mode", ADMIN).items] == [1]


def test_list_features_filters_by_project(gb):
    project = gb.post_project({"name": "Web"}, ADMIN)["project"]["id"]
    gb.post_feature(feature("a", project=project), ADMIN)
    gb.post_feature(feature("b"), ADMIN)
    assert [f["id"] for f in gb.list_features(ADMIN, project_id=project).items] == ["a"]


# -- the definition an SDK reads ------------------------------------------------------------------


def definition(gb, env: str = "production") -> dict:
    return json.loads(gb.get_feature("dark-mode", ADMIN)["feature"]["environments"][env]["definition"])


def test_the_definition_has_parsed_values_and_rules_in_sdk_form(gb):
    rules = [{"type": "force", "value": "true", "condition": '{"employee": true}', "id": "fr_1"},
             {"type": "rollout", "value": "true", "coverage": 0.25, "id": "fr_2"},
             {"type": "force", "value": "true", "enabled": False, "id": "fr_3"}]
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": rules}}), ADMIN)
    assert definition(gb) == {"defaultValue": False, "rules": [
        {"id": "fr_1", "condition": {"employee": True}, "force": True},
        {"id": "fr_2", "force": True, "coverage": 0.25, "hashAttribute": "id"}]}


def test_a_scheduled_rule_applies_only_between_its_start_and_end(gb, clock):
    schedule = [{"enabled": True, "timestamp": "2026-03-03T00:00:00Z"}, {"enabled": False, "timestamp": "2026-03-04T00:00:00Z"}]
    rules = [{"type": "force", "value": "true", "id": "fr_1", "scheduleRules": schedule}]
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": rules}}), ADMIN)
    assert "rules" not in definition(gb)
    clock.advance(86400)
    assert [r["id"] for r in definition(gb)["rules"]] == ["fr_1"]
    clock.advance(86400)
    assert "rules" not in definition(gb)


def test_an_experiment_ref_rule_splits_evenly_over_its_variations(gb):
    rules = [{"type": "experiment-ref", "experimentId": "exp_1", "id": "fr_1",
              "variations": [{"value": "false", "variationId": "v0"}, {"value": "true", "variationId": "v1"}]}]
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": rules}}), ADMIN)
    rule = definition(gb)["rules"][0]
    assert rule["key"] == "exp_1" and rule["variations"] == [False, True] and rule["weights"] == [0.5, 0.5]
