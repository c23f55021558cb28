"""GrowthBook's world files: what `mockexp export` writes loads back into the same features
(values, rules, on/off, revision history) that SDKs read the same way, and exports the same."""

from __future__ import annotations

from pathlib import Path

from tests.test_worlds import reloaded, runtime_with

ADMIN = "secret_mockexp_demo_admin"
TOKEN = "secret_user_mockexp_demo_superadmin"
ORG = "org_demo_bookshop"


def reload(runtime, tmp_path: Path):
    """The runtime's world exported, loaded into a fresh mock; and whether that exports the same."""
    return reloaded(runtime, "growthbook", tmp_path).models["growthbook"]


def payloads(growthbook) -> dict:
    """Each SDK connection's payload (by its name: the client keys are made afresh), with the
    key of an experiment-ref rule (its experiment's id, made afresh too) as the experiment's
    tracking key."""
    tracking = {e["id"]: f"experiment {e['trackingKey']}" for e in growthbook.list_experiments(ADMIN).items}
    found = {}
    for connection in growthbook.list_sdk_connections(ADMIN).items:
        features = {name: {**feature, "rules": [{**rule, "key": tracking.get(rule["key"], rule["key"])} if "key" in rule else rule
                                                for rule in feature.get("rules", [])]}
                    for name, feature in growthbook.get_sdk_payload(connection["key"])["features"].items()}
        found[connection["name"]] = (connection["environment"], features)
    return found


def history(growthbook, feature: str) -> list[tuple]:
    revisions = growthbook.get_feature(feature, ADMIN, "all")["feature"]["revisions"]
    return [(r["version"], r["status"], r["comment"], r["publishedBy"], r["defaultValue"], r["definitions"]) for r in revisions]


def test_the_demo_world_loads_back_into_features_every_sdk_reads_the_same(tmp_path: Path) -> None:
    runtime = runtime_with(["growthbook"])
    before = runtime.models["growthbook"]
    after = reload(runtime, tmp_path)
    assert payloads(after) == payloads(before) and payloads(before)["Demo Bookshop (production)"][1]["dark-mode"]["rules"]
    assert history(after, "dark-mode") == history(before, "dark-mode")


def test_drafts_reverts_toggles_and_a_later_child_environment_survive_a_load(tmp_path: Path) -> None:
    runtime = runtime_with(["growthbook"])
    gb = runtime.models["growthbook"]
    project = gb.post_project({"name": "Checkout v2"}, ADMIN)["project"]["id"]
    gb.post_environment({"id": "eu", "description": "EU only", "projects": [project]}, ADMIN)
    gb.post_feature({"id": "new-checkout", "owner": "me@example.com", "valueType": "string", "defaultValue": "old", "project": project,
                     "environments": {"eu": {"enabled": True, "rules": [{"type": "force", "value": "new", "condition": '{"beta": true}'}],
                                             "draft": {"rules": [{"type": "rollout", "value": "new", "coverage": 0.3}]}}}}, ADMIN)
    gb.update_feature("new-checkout", {"defaultValue": "older", "environments": {"eu": {"enabled": True, "rules": [
        {"type": "force", "value": "new", "prerequisites": [{"id": "dark-mode", "condition": '{"value": true}'}]}]}}}, TOKEN)
    gb.toggle_feature("new-checkout", {"reason": "Launch later", "environments": {"eu": False}}, ADMIN)
    gb.revert_feature("new-checkout", {"revision": 1, "comment": "Back to the first try"}, TOKEN)
    gb.post_environment({"id": "eu-staging", "parent": "eu"}, ADMIN)  # takes eu's rules on every feature, without a revision
    gb.post_sdk_connection({"name": "EU shop", "language": "python", "environment": "eu-staging", "projects": [project], "includeRuleIds": True}, ADMIN)
    after = reload(runtime, tmp_path)
    now = after.get_feature("new-checkout", ADMIN)["feature"]
    assert now["environments"] == gb.get_feature("new-checkout", ADMIN)["feature"]["environments"]
    assert now["environments"]["eu-staging"]["rules"][0]["value"] == "new" and payloads(after)["EU shop"] == payloads(gb)["EU shop"]
    # the history is made again, drafts, comments and who published each included; the rules
    # eu-staging took from eu (which no revision holds) come last, as an update
    assert [(version, status, comment, by) for version, status, comment, by, *_ in history(after, "new-checkout")] == [
        (6, "published", "Updated through the API", "API key: CI admin"),
        (5, "published", "Back to the first try", "owner@demo-bookshop.example"),
        (4, "published", "Launch later", "API key: CI admin"),
        (3, "published", "Updated through the API", "owner@demo-bookshop.example"),
        (2, "draft", "Draft saved through the API", "API key: CI admin"),
        (1, "published", "New feature", "API key: CI admin")]
    older = lambda growthbook: [(*revision[:5], {env: text for env, text in revision[5].items() if env != "eu-staging"})  # noqa: E731
                                for revision in history(growthbook, "new-checkout") if revision[0] <= 5]
    assert older(after) == older(gb)
    assert [(env["id"], env.get("parent"), len(env["projects"])) for env in after.list_environments(ADMIN)["environments"]] == [
        (env["id"], env.get("parent"), len(env["projects"])) for env in gb.list_environments(ADMIN)["environments"]]
