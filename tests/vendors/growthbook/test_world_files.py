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


SERVER_DATES = ("dateCreated", "dateUpdated")


def experimentation(growthbook) -> dict:
    """What a user reads of the organization's experimentation (the GET answers), without the
    times the server gives, with the ids it makes (projects', dimensions', segments', metrics',
    experiments') as kind and name, and without what config.yml manages (the API cannot make
    it) or whether an experiment has visual changesets (the API cannot make one)."""
    read = {"dimensions": growthbook.list_dimensions(ADMIN).items, "segments": growthbook.list_segments(ADMIN).items,
            "metrics": growthbook.list_metrics(ADMIN).items, "factTables": growthbook.list_fact_tables(ADMIN).items,
            "factMetrics": growthbook.list_fact_metrics(ADMIN).items,
            "experiments": [growthbook.get_experiment(e["id"], ADMIN)["experiment"] for e in growthbook.list_experiments(ADMIN).items]}
    read["factTableFilters"] = [{"factTable": table["id"], **found} for table in read["factTables"]
                                for listing in [growthbook.list_fact_table_filters(table["id"], ADMIN)] for found in map(listing.represent, listing.items)]
    labels = {found["id"]: f"{kind} {found['name']}" for kind in ("dimensions", "segments", "metrics", "experiments") for found in read[kind]}
    labels.update({project["id"]: f"project {project['name']}" for project in growthbook.list_projects(ADMIN).items})

    def seen(value):
        if isinstance(value, dict):
            return {key: seen(item) for key, item in value.items() if key not in (*SERVER_DATES, "hasVisualChangesets")}
        if isinstance(value, list):
            return [seen(item) for item in value]
        return labels.get(value, value) if isinstance(value, str) else value

    return {kind: sorted((seen(found) for found in items if found.get("managedBy") != "config"), key=repr) for kind, items in read.items()}


def test_an_exported_world_brings_back_its_experiments_metrics_and_fact_tables_as_they_are(tmp_path: Path) -> None:
    runtime = runtime_with(["growthbook"])
    gb = runtime.models["growthbook"]
    # what a create alone cannot give: archived, a column's properties, a metric divided by another, a stopped experiment's conclusion
    gb.update_fact_metric("fact__p90_load_time", {"archived": True}, ADMIN)
    gb.update_fact_table("ftb_page_views", {"archived": True, "columns": [{"column": "path", "description": "The page's path", "alwaysInlineFilter": True}]}, ADMIN)
    metrics = {metric["name"]: metric["id"] for metric in gb.list_metrics(ADMIN).items}
    per_view = gb.post_metric({"name": "Sign-ups per book viewed", "datasourceId": "ds_warehouse", "type": "count",
                               "sql": {"identifierTypes": ["user_id"], "conversionSQL": "SELECT user_id, timestamp FROM signups",
                                       "denominatorMetricId": metrics["Signed up"]}}, ADMIN)["metric"]["id"]
    segment = next(s["id"] for s in gb.list_segments(ADMIN).items if s["name"] == "Logged-in buyers")
    experiment = gb.post_experiment({"datasourceId": "ds_warehouse", "assignmentQueryId": "user_id", "trackingKey": "signup-nudge", "name": "Sign-up nudge",
                                     "segmentId": segment, "metrics": [per_view, "fact__purchased"], "guardrailMetrics": [metrics["Time on site"]],
                                     "activationMetric": metrics["Books viewed"], "inProgressConversions": "strict", "status": "running",
                                     "variations": [{"id": "var_quiet", "key": "0", "name": "Quiet"}, {"id": "var_nudge", "key": "1", "name": "Nudge"}]},
                                    ADMIN)["experiment"]["id"]
    gb.update_experiment(experiment, {"status": "stopped", "releasedVariationId": "var_nudge"}, ADMIN)
    before = experimentation(gb)
    after = reload(runtime, tmp_path)
    assert experimentation(after) == before
    assert {"experiments Sign-up nudge", "segments Logged-in buyers", "metrics Sign-ups per book viewed"} <= {e["id"] for e in before["experiments"] + before["segments"] + before["metrics"]}
    stopped = next(e for e in before["experiments"] if e["trackingKey"] == "signup-nudge")
    assert stopped["status"] == "stopped" and stopped["phases"][0]["dateEnded"] and stopped["resultSummary"]["releasedVariationId"] == "var_nudge"
    assert [t["archived"] for t in before["factTables"] if t["id"] == "ftb_page_views"] == [True]


def test_a_loaded_world_names_its_experiments_in_feature_rules_but_has_no_visual_changesets(tmp_path: Path) -> None:
    """Experiment ids are made afresh; the experiment-ref rules follow them. The API has no
    create for visual changesets (the visual editor makes them), so a load has none."""
    runtime = runtime_with(["growthbook"])
    assert runtime.models["growthbook"].list_visual_changesets("exp_checkout_button_color", ADMIN)["visualChangesets"]
    after = reload(runtime, tmp_path)
    experiment = next(e for e in after.list_experiments(ADMIN).items if e["trackingKey"] == "checkout-button-color")
    rules = after.get_feature("checkout-button-color", ADMIN)["feature"]["environments"]["production"]["rules"]
    assert [rule["experimentId"] for rule in rules if rule["type"] == "experiment-ref"] == [experiment["id"]]
    assert after.list_visual_changesets(experiment["id"], ADMIN)["visualChangesets"] == [] and not experiment["hasVisualChangesets"]
