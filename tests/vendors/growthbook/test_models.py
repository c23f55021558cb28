"""GrowthBook's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`,
so the data each rule is checked against is visible in the test."""

from __future__ import annotations

import json

import pytest

from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, NotFound, Unauthorized
from mockexp.vendors.growthbook.models import GrowthBook
from tests.vendors.growthbook.worlds import ADMIN, OTHER, READONLY, two_organizations



@pytest.fixture
def gb(clock: Clock) -> GrowthBook:
    return two_organizations(clock, environments=True)


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


# experiment-ref rules, which read their experiment: test_experiment_refs.py


# -- saved groups -------------------------------------------------------------------------------


def list_group(**changes) -> dict:
    return {"name": "Beta testers", "attributeKey": "id", "values": ["u1", "u2"], **changes}


def test_a_saved_groups_type_is_inferred_from_its_fields(gb):
    listed = gb.post_saved_group(list_group(), ADMIN)["savedGroup"]
    conditional = gb.post_saved_group({"name": "Staff", "condition": '{"employee": true}'}, ADMIN)["savedGroup"]
    assert (listed["type"], listed["id"][:4], conditional["type"]) == ("list", "grp_", "condition")
    assert "condition" not in listed and "values" not in conditional and listed["owner"] == ""


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "type": "list", "values": ["a"]}, "attributeKey"),
    ({"name": "x", "type": "list", "attributeKey": "id"}, "values"),
    ({"name": "x", "type": "condition"}, "condition"),
    ({"name": "x", "condition": ""}, "condition"),
    ({"name": "x", "condition": "[1]"}, "condition"),
    ({"name": "x", "type": "condition", "condition": '{"a": 1}', "values": ["a"]}, "values"),
    ({"name": "x"}, "type"),
    (list_group(projects=["prj_nope"]), "projects[0]"),
], ids=["list-without-attribute-key", "list-without-values", "condition-without-condition", "empty-condition", "condition-not-an-object",
        "condition-with-values", "nothing-to-infer-from", "unknown-project"])
def test_a_saved_group_needs_the_fields_of_its_type(gb, body, field):
    assert invalid_field(lambda: gb.post_saved_group(body, ADMIN)).startswith(f"{field}:")
    assert gb.list_saved_groups(ADMIN).items == []


def test_a_saved_group_update_changes_the_fields_of_its_type_only(gb, clock):
    group = gb.post_saved_group(list_group(), ADMIN)["savedGroup"]
    clock.advance(60)
    changed = gb.update_saved_group(group["id"], {"values": ["u3"], "owner": "growth"}, ADMIN)["savedGroup"]
    assert (changed["values"], changed["owner"], changed["attributeKey"], changed["name"]) == (["u3"], "growth", "id", "Beta testers")
    assert changed["dateUpdated"] > changed["dateCreated"]
    assert invalid_field(lambda: gb.update_saved_group(group["id"], {"condition": '{"a": 1}'}, ADMIN)).startswith("condition:")


def test_a_rule_targeting_saved_groups_gets_them_written_into_its_sdk_condition(gb):
    beta = gb.post_saved_group(list_group(), ADMIN)["savedGroup"]["id"]
    staff = gb.post_saved_group({"name": "Staff", "condition": '{"employee": true}'}, ADMIN)["savedGroup"]["id"]
    rule = {"type": "force", "value": "true", "savedGroupTargeting": [{"matchType": "any", "savedGroups": [beta, staff]}]}
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": [rule]}}), ADMIN)
    gb.update_saved_group(beta, {"values": ["u9"]}, ADMIN)
    definition = json.loads(gb.get_feature("dark-mode", ADMIN)["feature"]["environments"]["production"]["definition"])
    assert definition["rules"][0]["condition"] == {"$or": [{"id": {"$in": ["u9"]}}, {"employee": True}]}


def test_a_saved_group_a_rule_targets_cannot_be_deleted(gb):
    group = gb.post_saved_group(list_group(), ADMIN)["savedGroup"]["id"]
    rule = {"type": "force", "value": "true", "savedGroupTargeting": [{"matchType": "all", "savedGroups": [group]}]}
    gb.post_feature(feature(environments={"production": {"enabled": True, "rules": [rule]}}), ADMIN)
    assert "dark-mode" in invalid_field(lambda: gb.delete_saved_group(group, ADMIN))
    gb.delete_feature("dark-mode", ADMIN)
    assert gb.delete_saved_group(group, ADMIN) == {"deletedId": group}
    with pytest.raises(NotFound):
        gb.get_saved_group(group, ADMIN)


# -- attributes and archetypes ------------------------------------------------------------------


def test_an_archetype_is_owned_by_its_maker_and_its_update_keeps_what_it_leaves_out(gb):
    made = gb.post_archetype({"name": "Reader", "isPublic": True, "attributes": {"country": "DE"}}, ADMIN)["archetype"]
    assert made["id"].startswith("sam_") and made["owner"] == "org_shop admin" and made["projects"] == []
    changed = gb.put_archetype(made["id"], {"isPublic": False}, ADMIN)["archetype"]
    assert (changed["isPublic"], changed["attributes"], changed["name"]) == (False, {"country": "DE"}, "Reader")
    assert gb.list_archetypes(ADMIN) == {"archetypes": [changed]}
    assert gb.delete_archetype(made["id"], ADMIN) == {"deletedId": made["id"]}
    assert gb.list_archetypes(ADMIN) == {"archetypes": []}


@pytest.mark.parametrize("attributes, field", [
    ({"employee": "yes"}, "attributes.employee"),
    ({"age": True}, "attributes.age"),
    ({"plan": "gold"}, "attributes.plan"),
    ({"tags": ["a", 1]}, "attributes.tags"),
], ids=["boolean", "number-not-a-boolean", "enum", "string-list"])
def test_an_archetypes_value_for_a_defined_attribute_must_be_of_its_datatype(gb, attributes, field):
    for attribute in ({"property": "employee", "datatype": "boolean"}, {"property": "age", "datatype": "number"},
                      {"property": "plan", "datatype": "enum", "enum": "free, premium"}, {"property": "tags", "datatype": "string[]"}):
        gb.add_attribute(attribute, ADMIN)
    assert invalid_field(lambda: gb.post_archetype({"name": "x", "isPublic": True, "attributes": attributes}, ADMIN)).startswith(f"{field}:")
    fine = {"employee": False, "age": 34.5, "plan": "premium", "tags": ["a"], "undefined": {"any": "thing"}}
    assert gb.post_archetype({"name": "ok", "isPublic": True, "attributes": fine}, ADMIN)["archetype"]["attributes"] == fine


# -- organizations (a super admin's) ------------------------------------------------------------


def test_a_new_organization_starts_with_production_and_its_external_id_is_unique(gb):
    made = gb.post_organization({"name": "Nordics", "externalId": "crm-1"}, ADMIN)["organization"]
    assert made["id"].startswith("org_") and made["ownerEmail"] == "org_shop admin"
    assert [e["id"] for e in gb.store.tenant(made["id"]).view("environments")] == ["production"]
    assert invalid_field(lambda: gb.post_organization({"name": "Again", "externalId": "crm-1"}, ADMIN)).startswith("externalId:")
    assert gb.put_organization(made["id"], {"name": "Nordic shop", "externalId": "crm-1"}, ADMIN)["organization"]["name"] == "Nordic shop"


def test_organizations_are_searched_by_name_owner_email_and_external_id(gb):
    gb.post_organization({"name": "Nordics", "externalId": "CRM-42"}, ADMIN)
    assert [o["name"] for o in gb.list_organizations(ADMIN, search="crm-4").items] == ["Nordics"]
    assert [o["id"] for o in gb.list_organizations(ADMIN, search="OWNER@ORG_OTHER").items] == ["org_other"]
    assert len(gb.list_organizations(ADMIN).items) == 3


# -- members ------------------------------------------------------------------------------------


@pytest.fixture
def erik(gb) -> str:
    gb.add_member("Olivia", "olivia@shop.test", "admin", ADMIN)
    return gb.add_member("Erik", "erik@shop.test", "engineer", ADMIN)["id"]


def test_members_are_listed_by_name_email_and_global_role(gb, erik):
    assert [m["name"] for m in gb.list_members(ADMIN, user_name="ERI").items] == ["Erik"]
    assert [m["name"] for m in gb.list_members(ADMIN, user_email="olivia@").items] == ["Olivia"]
    assert [m["name"] for m in gb.list_members(ADMIN, global_role="engineer").items] == ["Erik"]
    assert gb.list_members(OTHER).items == []


def test_a_role_update_sets_the_role_its_environment_limits_and_project_roles(gb, erik):
    project = gb.post_project({"name": "Search"}, ADMIN)["project"]["id"]
    body = {"member": {"role": "experimenter", "environments": ["dev"], "projectRoles": [{"project": project, "role": "readonly", "environments": []}]}}
    updated = gb.update_member_role(erik, body, ADMIN)["updatedMember"]
    assert updated == {"id": erik, "role": "experimenter", "environments": ["dev"], "limitAccessByEnvironment": True,
                       "projectRoles": [{"project": project, "role": "readonly", "limitAccessByEnvironment": False, "environments": []}]}
    assert gb.list_members(ADMIN, global_role="experimenter").items[0]["environments"] == ["dev"]
    assert gb.update_member_role(erik, {"member": {"role": "analyst"}}, ADMIN)["updatedMember"]["environments"] == []


@pytest.mark.parametrize("member, field", [
    ({"role": "superuser"}, "member.role"),
    ({"environments": ["moon"]}, "member.environments[0]"),
    ({"environments": ["dev", "dev"]}, "member.environments[1]"),
    ({"role": "readonly", "environments": ["dev"]}, "member.environments"),
    ({"projectRoles": [{"project": "prj_nope", "role": "admin", "environments": []}]}, "member.projectRoles[0].project"),
    ({"projectRoles": [{"project": "@p", "role": "boss", "environments": []}]}, "member.projectRoles[0].role"),
    ({"projectRoles": [{"project": "@p", "role": "engineer", "environments": ["moon"]}]}, "member.projectRoles[0].environments[0]"),
    ({"projectRoles": [{"project": "@p", "role": "admin", "environments": []}] * 2}, "member.projectRoles[1]"),
], ids=["unknown-role", "unknown-environment", "environment-twice", "limit-on-a-role-that-does-not-publish", "unknown-project",
        "unknown-project-role", "unknown-project-environment", "project-twice"])
def test_a_role_update_refuses_unknown_roles_and_bad_limits_and_changes_nothing(gb, erik, member, field):
    project = gb.post_project({"name": "Search"}, ADMIN)["project"]["id"]
    member = json.loads(json.dumps(member).replace("@p", project))
    before = gb.list_members(ADMIN).items
    assert invalid_field(lambda: gb.update_member_role(erik, {"member": member}, ADMIN)).startswith(f"{field}:")
    assert gb.list_members(ADMIN).items == before


def test_the_last_admin_can_be_neither_removed_nor_demoted(gb, erik):
    olivia = gb.list_members(ADMIN, global_role="admin").items[0]["id"]
    assert invalid_field(lambda: gb.delete_member(olivia, ADMIN)).startswith("id:")
    assert invalid_field(lambda: gb.update_member_role(olivia, {"member": {"role": "engineer"}}, ADMIN)).startswith("member.role:")
    gb.update_member_role(erik, {"member": {"role": "admin"}}, ADMIN)
    assert gb.delete_member(olivia, ADMIN) == {"deletedId": olivia}
    assert [m["id"] for m in gb.list_members(ADMIN).items] == [erik]


# -- code references and settings ----------------------------------------------------------------


def refs(*features: str) -> list[dict]:
    return [{"filePath": f"src/{f}.py", "startingLineNumber": 3, "lines": f"gb.is_on('{f}')", "flagKey": f, "contentHash": "h"} for f in features]


def test_submitted_code_refs_replace_that_branchs_refs_per_feature(gb):
    for id in ("a", "b"):
        gb.post_feature(feature(id), ADMIN)
    assert gb.post_code_refs({"repoName": "shop", "branch": "main", "refs": refs("a", "b", "a")}, ADMIN) == {"featuresUpdated": ["a", "b"]}
    gb.post_code_refs({"repoName": "shop", "branch": "dev", "refs": refs("a")}, ADMIN)
    assert gb.post_code_refs({"repoName": "shop", "branch": "main", "refs": refs("b")}, ADMIN) == {"featuresUpdated": ["b"]}
    found = gb.get_code_refs("a", ADMIN)["codeRefs"]
    assert [(r["branch"], len(r["refs"])) for r in found] == [("dev", 1), ("main", 2)]
    assert "contentHash" not in found[0]["refs"][0] and found[0]["organization"] == "org_shop"
    assert [(r["feature"], r["branch"]) for r in gb.list_code_refs(ADMIN).items] == [("a", "dev"), ("a", "main"), ("b", "main")]


def test_delete_missing_drops_that_branchs_refs_of_features_not_submitted(gb):
    for id in ("a", "b"):
        gb.post_feature(feature(id), ADMIN)
    gb.post_code_refs({"repoName": "shop", "branch": "main", "refs": refs("a", "b")}, ADMIN)
    assert gb.post_code_refs({"repoName": "shop", "branch": "main", "refs": refs("b")}, ADMIN, delete_missing="true") == {"featuresUpdated": ["a", "b"]}
    assert gb.get_code_refs("a", ADMIN) == {"codeRefs": []}


def test_a_code_ref_of_an_unknown_feature_is_400_naming_it(gb):
    gb.post_feature(feature("a"), ADMIN)
    assert invalid_field(lambda: gb.post_code_refs({"repoName": "shop", "branch": "main", "refs": refs("a", "zzz")}, ADMIN)).startswith("refs[1].flagKey:")
    assert gb.list_code_refs(ADMIN).items == []
    with pytest.raises(NotFound):
        gb.get_code_refs("zzz", ADMIN)


def test_settings_are_growthbooks_defaults_with_what_the_organization_changed(gb):
    gb.change_settings({"featureKeyExample": "checkout-redesign"}, ADMIN)
    settings = gb.get_settings(ADMIN)["settings"]
    assert (settings["featureKeyExample"], settings["statsEngine"], settings["confidenceLevel"]) == ("checkout-redesign", "bayesian", 0.95)
    assert gb.get_settings(OTHER)["settings"]["featureKeyExample"] == ""


def test_a_project_or_environment_that_a_saved_group_archetype_or_member_uses_cannot_be_deleted(gb, erik):
    groups_project, archetypes_project, members_project = (gb.post_project({"name": name}, ADMIN)["project"]["id"] for name in "abc")
    gb.post_saved_group(list_group(projects=[groups_project]), ADMIN)
    gb.post_archetype({"name": "x", "isPublic": True, "projects": [archetypes_project]}, ADMIN)
    gb.update_member_role(erik, {"member": {"environments": ["dev"], "projectRoles": [{"project": members_project, "role": "readonly", "environments": []}]}}, ADMIN)
    for project, user in ((groups_project, "saved group"), (archetypes_project, "archetype"), (members_project, "member")):
        assert user in invalid_field(lambda: gb.delete_project(project, ADMIN))
    gb.post_environment({"id": "staging"}, ADMIN)
    assert "member" in invalid_field(lambda: gb.delete_environment("dev", ADMIN))
    assert gb.delete_environment("staging", ADMIN) == {"deletedId": "staging"}
