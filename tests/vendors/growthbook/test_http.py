"""GrowthBook over HTTP, as a user with the demo keys of `/__mockexp/credentials` meets it:
both ways of sending a key, what each key may do, the flat pagination envelope, a feature's
whole life (the issue's acceptance), and each refusal as `{"message"}` with nothing changed.
(The `http` client checks every answer against the spec.)"""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.world import state

V1 = "/api/v1"
ADMIN, READONLY, SUPER, ACME = "secret_mockexp_demo_admin", "secret_mockexp_demo_readonly", "secret_user_mockexp_demo_superadmin", "secret_mockexp_acme_admin"


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}



def assert_message(response: httpx.Response, status: int, *mentions: str) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"message"} and isinstance(body["message"], str), body
    for mention in mentions:
        assert mention in body["message"], body
    return body["message"]


def test_the_demo_credentials_are_the_four_keys_the_issue_names(http):
    found = {c["value"]: c for c in http.get("/__mockexp/credentials").json() if c["vendor"] == "growthbook"}
    assert set(found) == {f"Bearer {k}" for k in (ADMIN, READONLY, SUPER, ACME)}
    assert [found[f"Bearer {k}"]["can_write"] for k in (ADMIN, READONLY, SUPER, ACME)] == [True, False, True, True]


@pytest.mark.parametrize("auth", [bearer, basic], ids=["bearer", "basic-with-empty-password"])
def test_a_key_works_as_a_bearer_token_and_as_a_basic_user_name(http, auth):
    response = http.get(f"{V1}/projects", headers=auth(ADMIN))
    assert response.status_code == 200 and response.json()["total"] == 3


@pytest.mark.parametrize("headers", [{}, bearer("secret_nobody"), basic("secret_nobody")], ids=["none", "unknown-bearer", "unknown-basic"])
def test_a_missing_or_unknown_key_is_401(http, headers):
    assert_message(http.get(f"{V1}/features", headers=headers), 401)


def test_the_readonly_key_reads_but_every_change_is_403_and_changes_nothing(http, mock):
    assert http.get(f"{V1}/features", headers=bearer(READONLY)).status_code == 200
    before = state(mock.runtime, "growthbook")
    assert_message(http.post(f"{V1}/projects", headers=bearer(READONLY), json={"name": "Nope"}), 403, "readonly")
    assert_message(http.post(f"{V1}/features/dark-mode/toggle", headers=bearer(READONLY), json={"environments": {"production": False}}), 403)
    assert_message(http.delete(f"{V1}/features/dark-mode", headers=bearer(READONLY)), 403)
    assert state(mock.runtime, "growthbook") == before


def test_another_organizations_key_sees_none_of_this_ones_features(http):
    acme = http.get(f"{V1}/features", headers=bearer(ACME), params={"limit": 100}).json()["features"]
    assert acme and "dark-mode" not in {f["id"] for f in acme}
    assert_message(http.get(f"{V1}/features/dark-mode", headers=bearer(ACME)), 404)


def test_lists_answer_the_flat_envelope_page_by_page(http):
    first = http.get(f"{V1}/features", headers=bearer(ADMIN), params={"limit": 20}).json()
    assert (first["limit"], first["offset"], first["count"], first["hasMore"], first["nextOffset"]) == (20, 0, 20, True, 20)
    assert first["total"] >= 30
    last = http.get(f"{V1}/features", headers=bearer(ADMIN), params={"limit": 20, "offset": 20}).json()
    assert (last["count"], last["hasMore"], last["nextOffset"]) == (first["total"] - 20, False, None)
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in last["features"]}


def test_the_default_page_is_10_and_a_limit_over_100_is_400_naming_it(http):
    assert http.get(f"{V1}/features", headers=bearer(ADMIN)).json()["count"] == 10
    assert_message(http.get(f"{V1}/features", headers=bearer(ADMIN), params={"limit": 101}), 400, "limit")


def test_the_demo_world_has_30_features_of_every_value_type_and_rule_type(http):
    features = http.get(f"{V1}/features", headers=bearer(ADMIN), params={"limit": 100}).json()["features"]
    assert len(features) >= 30
    assert {f["valueType"] for f in features} == {"boolean", "string", "number", "json"}
    kinds = {r["type"] for f in features for e in f["environments"].values() for r in e["rules"]}
    assert {"force", "rollout", "experiment-ref"} <= kinds
    assert {env for f in features for env in f["environments"]} == {"production", "staging", "dev"}
    assert any(f["revision"]["version"] > 1 for f in features)


def test_a_feature_from_project_to_delete_as_the_acceptance_walks_it(http):
    h = bearer(ADMIN)
    project = http.post(f"{V1}/projects", headers=h, json={"name": "Checkout"}).json()["project"]["id"]
    assert http.post(f"{V1}/environments", headers=h, json={"id": "qa"}).status_code == 200
    made = http.post(f"{V1}/features", headers=h, json={"id": "new-checkout", "owner": "me@example.com", "valueType": "string",
                                                        "defaultValue": "old", "project": project})
    assert made.status_code == 200 and made.json()["feature"]["environments"]["qa"]["enabled"] is False
    on = http.post(f"{V1}/features/new-checkout/toggle", headers=h, json={"reason": "Go", "environments": {"qa": True}}).json()["feature"]
    assert on["environments"]["qa"]["enabled"] is True and on["revision"]["version"] == 2
    rule = {"type": "force", "value": "new", "condition": '{"beta": true}'}
    changed = http.post(f"{V1}/features/new-checkout", headers=h, json={"environments": {"qa": {"enabled": True, "rules": [rule]}}}).json()["feature"]
    assert changed["environments"]["qa"]["rules"][0]["value"] == "new" and changed["revision"]["version"] == 3
    reverted = http.post(f"{V1}/features/new-checkout/revert", headers=h, json={"revision": 1}).json()["feature"]
    assert reverted["environments"]["qa"]["rules"] == [] and reverted["revision"]["version"] == 4
    revisions = http.get(f"{V1}/features/new-checkout/revisions", headers=h).json()
    assert [r["version"] for r in revisions["revisions"]] == [4, 3, 2, 1] and revisions["total"] == 4
    assert http.delete(f"{V1}/features/new-checkout", headers=h).json() == {"deletedId": "new-checkout"}
    assert_message(http.get(f"{V1}/features/new-checkout", headers=h), 404)


@pytest.mark.parametrize("body, field", [
    ({"id": "bad key!", "owner": "a", "valueType": "boolean", "defaultValue": "true"}, "id"),
    ({"id": "x", "owner": "a", "valueType": "boolean", "defaultValue": "yes"}, "defaultValue"),
    ({"id": "x", "owner": "a", "valueType": "colour", "defaultValue": "red"}, "valueType"),
    ({"id": "x", "valueType": "boolean", "defaultValue": "true"}, "owner"),
    ({"id": "x", "owner": "a", "valueType": "number", "defaultValue": "1", "project": "prj_nope"}, "project"),
    ({"id": "dark-mode", "owner": "a", "valueType": "boolean", "defaultValue": "true"}, "id"),
], ids=["id-pattern", "value-type-mismatch", "unknown-value-type", "owner-missing", "unknown-project", "id-taken"])
def test_an_invalid_feature_is_400_naming_the_field_and_changes_nothing(http, mock, body, field):
    before = state(mock.runtime, "growthbook")
    assert_message(http.post(f"{V1}/features", headers=bearer(ADMIN), json=body), 400, field)
    assert state(mock.runtime, "growthbook") == before


def test_deleting_an_environment_takes_it_off_every_feature(http):
    h = bearer(ADMIN)
    http.post(f"{V1}/environments", headers=h, json={"id": "qa"})
    toggled = http.post(f"{V1}/features/dark-mode/toggle", headers=h, json={"environments": {"qa": True}}).json()["feature"]
    assert toggled["environments"]["qa"]["enabled"] is True
    assert http.delete(f"{V1}/environments/qa", headers=h).json() == {"deletedId": "qa"}
    assert "qa" not in http.get(f"{V1}/features/dark-mode", headers=h).json()["feature"]["environments"]
    assert "qa" not in {e["id"] for e in http.get(f"{V1}/environments", headers=h).json()["environments"]}


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/sdk-connections", {"name": "Shop", "language": "python", "environment": "dev", "colour": "blue"}),
    ("PUT", "/sdk-connections/{id}", {"name": "Shop", "colour": "blue"}),
], ids=["create", "update"])
def test_an_sdk_connection_body_with_an_unknown_field_is_400_naming_it(http, method, path, body):
    connection = http.get(f"{V1}/sdk-connections", headers=bearer(ADMIN)).json()["connections"][0]
    response = http.request(method, V1 + path.format(id=connection["id"]), headers=bearer(ADMIN), json=body)
    assert_message(response, 400, "colour")
    assert http.get(f"{V1}/sdk-connections/{connection['id']}", headers=bearer(ADMIN)).json()["sdkConnection"] == connection


def test_an_sdk_connection_takes_its_flags_on_create_and_update(http):
    created = http.post(f"{V1}/sdk-connections", headers=bearer(ADMIN),
                        json={"name": "Shop", "language": "python", "environment": "dev", "includeRuleIds": True, "sdkVersion": "1.2"})
    assert created.status_code == 200, created.text
    connection = created.json()["sdkConnection"]
    assert connection["includeRuleIds"] is True and connection["sdkVersion"] == "1.2" and connection["key"].startswith("sdk-")
    updated = http.put(f"{V1}/sdk-connections/{connection['id']}", headers=bearer(ADMIN), json={"hashSecureAttributes": True})
    assert updated.status_code == 200, updated.text
    assert updated.json()["sdkConnection"]["hashSecureAttributes"] is True and updated.json()["sdkConnection"]["includeRuleIds"] is True


def test_only_the_super_admins_token_reaches_the_organizations_endpoints(http):
    for key in (ADMIN, READONLY, ACME):
        assert_message(http.get(f"{V1}/organizations", headers=bearer(key)), 403, "super admin")
    listed = http.get(f"{V1}/organizations", headers=basic(SUPER)).json()
    assert {o["id"] for o in listed["organizations"]} >= {"org_demo_bookshop", "org_acme_travel"} and "hasMore" in listed
    made = http.post(f"{V1}/organizations", headers=bearer(SUPER), json={"name": "Bookshop Nordics", "externalId": "crm-http"}).json()["organization"]
    assert http.put(f"{V1}/organizations/{made['id']}", headers=bearer(SUPER), json={"name": "Nordics"}).json()["organization"]["name"] == "Nordics"
    assert [o["id"] for o in http.get(f"{V1}/organizations", headers=bearer(SUPER), params={"search": "crm-http"}).json()["organizations"]] == [made["id"]]


def test_the_demo_world_has_saved_groups_of_both_types_that_rules_write_into_the_sdk_payload(http):
    groups = http.get(f"{V1}/saved-groups", headers=bearer(ADMIN)).json()["savedGroups"]
    assert {g["type"] for g in groups} == {"condition", "list"}
    nordics = next(g for g in groups if g["name"] == "nordics")
    key = http.get(f"{V1}/sdk-connections", headers=bearer(ADMIN)).json()["connections"][0]["key"]
    note = http.get(f"/api/features/{key}").json()["features"]["nordic-shipping-note"]
    assert note["rules"][0]["condition"] == {"$and": [{"country": {"$in": nordics["values"]}}]}
    assert http.get(f"{V1}/saved-groups", headers=bearer(ACME)).json()["total"] == 0


def test_a_saved_group_from_create_to_delete_and_a_list_group_without_values_is_400(http):
    h = bearer(ADMIN)
    assert_message(http.post(f"{V1}/saved-groups", headers=h, json={"name": "x", "type": "list", "attributeKey": "id"}), 400, "values")
    made = http.post(f"{V1}/saved-groups", headers=h, json={"name": "VIPs", "attributeKey": "id", "values": ["u1"]}).json()["savedGroup"]
    assert made["type"] == "list"
    changed = http.post(f"{V1}/saved-groups/{made['id']}", headers=h, json={"values": ["u1", "u2"]}).json()["savedGroup"]
    assert changed["values"] == ["u1", "u2"]
    assert http.delete(f"{V1}/saved-groups/{made['id']}", headers=h).json() == {"deletedId": made["id"]}
    assert_message(http.get(f"{V1}/saved-groups/{made['id']}", headers=h), 404)


def test_a_saved_group_a_demo_rule_targets_cannot_be_deleted(http):
    groups = http.get(f"{V1}/saved-groups", headers=bearer(ADMIN)).json()["savedGroups"]
    beta = next(g for g in groups if g["name"] == "beta-testers")
    assert_message(http.delete(f"{V1}/saved-groups/{beta['id']}", headers=bearer(ADMIN)), 400, "beta-recommendations")


def test_archetypes_are_listed_whole_and_a_value_of_the_wrong_datatype_is_400(http):
    h = bearer(ADMIN)
    archetypes = http.get(f"{V1}/archetypes", headers=h).json()
    assert set(archetypes) == {"archetypes"} and len(archetypes["archetypes"]) == 3
    assert_message(http.post(f"{V1}/archetypes", headers=h, json={"name": "x", "isPublic": True, "attributes": {"employee": "yes"}}), 400, "attributes.employee")
    made = http.post(f"{V1}/archetypes", headers=h, json={"name": "Teen", "isPublic": False, "attributes": {"age": 15}}).json()["archetype"]
    assert http.put(f"{V1}/archetypes/{made['id']}", headers=h, json={"name": "Teenager"}).json()["archetype"]["attributes"] == {"age": 15}
    assert http.get(f"{V1}/archetypes", headers=bearer(ACME)).json() == {"archetypes": []}


def test_members_roles_are_validated_and_the_readonly_key_cannot_change_them(http):
    h = bearer(ADMIN)
    erik = http.get(f"{V1}/members", headers=h, params={"userEmail": "erik@"}).json()["members"][0]
    assert (erik["globalRole"], erik["environments"], erik["limitAccessByEnvironment"]) == ("engineer", ["dev", "staging"], True)
    assert_message(http.post(f"{V1}/members/{erik['id']}/role", headers=h, json={"member": {"role": "wizard"}}), 400, "member.role")
    assert_message(http.post(f"{V1}/members/{erik['id']}/role", headers=h, json={"member": {"environments": ["moon"]}}), 400, "member.environments[0]")
    assert_message(http.post(f"{V1}/members/{erik['id']}/role", headers=bearer(READONLY), json={"member": {"role": "admin"}}), 403)
    updated = http.post(f"{V1}/members/{erik['id']}/role", headers=h, json={"member": {"role": "experimenter", "environments": ["dev"]}}).json()
    assert updated["updatedMember"]["role"] == "experimenter" and updated["updatedMember"]["environments"] == ["dev"]
    assert http.delete(f"{V1}/members/{erik['id']}", headers=h).json() == {"deletedId": erik["id"]}
    assert http.get(f"{V1}/members", headers=bearer(ACME)).json()["total"] == 0


def test_code_refs_submitted_by_ci_are_listed_per_feature(http):
    h = bearer(ADMIN)
    assert {r["feature"] for r in http.get(f"{V1}/code-refs", headers=h, params={"limit": 100}).json()["codeRefs"]} >= {"dark-mode", "search-results-per-page"}
    ref = {"filePath": "app/menu.py", "startingLineNumber": 5, "lines": "gb.is_on('dark-mode')", "flagKey": "dark-mode", "contentHash": "x"}
    answer = http.post(f"{V1}/code-refs", headers=h, params={"deleteMissing": "false"}, json={"branch": "release", "repoName": "demo-bookshop/storefront", "refs": [ref]})
    assert answer.json() == {"featuresUpdated": ["dark-mode"]}
    assert {r["branch"] for r in http.get(f"{V1}/code-refs/dark-mode", headers=h).json()["codeRefs"]} == {"main", "release"}
    assert_message(http.post(f"{V1}/code-refs", headers=h, json={"branch": "b", "repoName": "r", "refs": [{**ref, "flagKey": "nope"}]}), 400, "refs[0].flagKey")
    assert http.get(f"{V1}/code-refs", headers=bearer(ACME)).json()["total"] == 0


def test_settings_are_read_by_any_key_of_the_organization(http):
    assert http.get(f"{V1}/settings", headers=bearer(READONLY)).json()["settings"]["featureKeyExample"] == "checkout-redesign"
    assert http.get(f"{V1}/settings", headers=bearer(ACME)).json()["settings"]["featureKeyExample"] == ""
