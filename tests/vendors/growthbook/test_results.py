"""GrowthBook experiment results and query objects (issue 12): the results of an experiment's
latest finished snapshot, repeatable, per phase and dimension, with plausible statistics; and
the queries a snapshot or a fact metric analysis runs, which finish as the clock advances.
Against the model (frozen clock) and over HTTP on the demo world."""

from __future__ import annotations

import pytest

from mockexp.errors import NotFound
from mockexp.vendors.growthbook.models import statistics
from tests.vendors.growthbook.conftest import WAREHOUSE
from tests.vendors.growthbook.test_experimentation_http import V1, get
from tests.vendors.growthbook.test_experimentation_models import metric, refused, table
from tests.vendors.growthbook.test_experiments_models import made
from tests.vendors.growthbook.test_http import ADMIN as DEMO_ADMIN, READONLY, assert_message, bearer
from tests.vendors.growthbook.worlds import ADMIN, OTHER

DAY = 86400
FINISHED = 10  # seconds after which a snapshot asked for has finished


@pytest.fixture
def goals(gb, ds) -> list[str]:
    """A proportion and a mean fact metric over an orders table of the warehouse."""
    orders = gb.post_fact_table(table(ds), ADMIN)["factTable"]["id"]
    bought = gb.post_fact_metric({"name": "Bought", "metricType": "proportion", "numerator": {"factTableId": orders}}, ADMIN)["factMetric"]["id"]
    spent = gb.post_fact_metric(metric("mean", orders, name="Spent"), ADMIN)["factMetric"]["id"]
    return [bought, spent]


def running(gb, ds, goals, clock, days: float = 14, **changes) -> dict:
    """An experiment started `days` ago (on the clock) with a finished snapshot of today."""
    experiment = made(gb, ds, metrics=goals, **changes)
    gb.update_experiment(experiment["id"], {"status": "running"}, ADMIN)
    clock.advance(days * DAY)
    snapshot = gb.post_experiment_snapshot(experiment["id"], ADMIN)["snapshot"]
    clock.advance(FINISHED)
    return {**experiment, "snapshot": snapshot["id"]}


def results(gb, id: str, **params) -> dict:
    return gb.get_experiment_results(id, ADMIN, **params)["result"]


def test_results_are_the_latest_finished_snapshots_and_read_the_same_every_time(gb, ds, goals, clock):
    experiment = running(gb, ds, goals, clock)
    first = results(gb, experiment["id"])
    assert first == results(gb, experiment["id"])
    assert (first["id"], first["experimentId"], first["phase"], first["dimension"]) == (experiment["snapshot"], experiment["id"], "0", {"type": "none"})
    [row] = first["results"]
    assert row["dimension"] == "All" and row["totalUsers"] > 1000 and 0 <= row["checks"]["srm"] <= 1
    assert [m["metricId"] for m in row["metrics"]] == goals
    for found in row["metrics"]:
        assert [v["variationId"] for v in found["variations"]] == ["v_small", "v_big"]
        assert sum(v["users"] for v in found["variations"]) == row["totalUsers"]
    control, variation = [v["analyses"][0] for v in row["metrics"][0]["variations"]]
    assert control["engine"] == "bayesian" and 0 < control["mean"] < 1 and control["numerator"] <= control["denominator"]
    assert control["percentChange"] == control["chanceToBeatControl"] == 0  # the control is not compared with itself
    assert variation["ciLow"] < variation["percentChange"] < variation["ciHigh"] and 0 < variation["chanceToBeatControl"] < 1
    assert variation["risk"] >= 0 and variation["pValue"] == 0  # Bayesian: chance and risk, no p-value


def test_a_draft_or_an_experiment_whose_snapshot_has_not_finished_has_no_results(gb, ds, goals, clock):
    draft = made(gb, ds, metrics=goals)
    assert refused(lambda: gb.get_experiment_results(draft["id"], ADMIN)).startswith("id")
    gb.update_experiment(draft["id"], {"status": "running"}, ADMIN)
    gb.post_experiment_snapshot(draft["id"], ADMIN)
    assert "finished" in refused(lambda: gb.get_experiment_results(draft["id"], ADMIN))
    clock.advance(FINISHED)
    assert results(gb, draft["id"])["results"]
    with pytest.raises(NotFound):
        gb.get_experiment_results(draft["id"], OTHER)


def test_a_later_snapshot_counts_more_users(gb, ds, goals, clock):
    experiment = running(gb, ds, goals, clock, days=7)
    week = results(gb, experiment["id"])
    clock.advance(7 * DAY)
    later = gb.post_experiment_snapshot(experiment["id"], ADMIN)["snapshot"]["id"]
    assert results(gb, experiment["id"]) == week  # until the new one has finished
    clock.advance(FINISHED)
    fortnight = results(gb, experiment["id"])
    assert fortnight["id"] == later and fortnight["results"][0]["totalUsers"] > 1.5 * week["results"][0]["totalUsers"]


def test_results_show_what_the_snapshot_analysed_even_after_the_experiment_changed(gb, ds, goals, clock):
    experiment = running(gb, ds, goals, clock)
    before = results(gb, experiment["id"])
    three = [{"id": f"v_{n}", "key": str(n), "name": n} for n in ("a", "b", "c")]
    gb.update_experiment(experiment["id"], {"variations": three, "phases": [{"name": "Again", "coverage": 0.5}], "metrics": []}, ADMIN)
    assert results(gb, experiment["id"]) == before
    gb.update_experiment(experiment["id"], {"phases": []}, ADMIN)
    assert results(gb, experiment["id"]) == before


def test_phase_selects_the_results_of_an_earlier_phase(gb, ds, goals, clock):
    experiment = running(gb, ds, goals, clock)
    gb.update_experiment(experiment["id"], {"status": "stopped"}, ADMIN)
    gb.update_experiment(experiment["id"], {"status": "running"}, ADMIN)  # phase 1
    assert "finished" in refused(lambda: gb.get_experiment_results(experiment["id"], ADMIN))
    clock.advance(DAY)
    second = gb.post_experiment_snapshot(experiment["id"], ADMIN)["snapshot"]["id"]
    clock.advance(FINISHED)
    assert (results(gb, experiment["id"])["id"], results(gb, experiment["id"])["phase"]) == (second, "1")
    assert (results(gb, experiment["id"], phase="0")["id"], results(gb, experiment["id"], phase="0")["phase"]) == (experiment["snapshot"], "0")
    for wrong in ("2", "first", "-1"):
        assert refused(lambda: gb.get_experiment_results(experiment["id"], ADMIN, phase=wrong)).startswith("phase")


def test_a_dimension_splits_the_users_into_its_values(gb, goals, clock):
    source = gb.add_data_source({**WAREHOUSE, "assignmentQueries": [{**WAREHOUSE["assignmentQueries"][0], "dimensionColumns": ["country"]}]}, ADMIN)["id"]
    browser = gb.post_dimension({"name": "Browser", "datasourceId": source, "identifierType": "user_id", "query": "SELECT 1"}, ADMIN)["dimension"]["id"]
    experiment = running(gb, source, [], clock, days=3)
    by_column = results(gb, experiment["id"], dimension="exp:country")
    assert by_column["dimension"] == {"type": "experiment", "id": "country"} and [r["dimension"] for r in by_column["results"]] == ["US", "GB", "DE", "FR", "CA"]
    by_day = results(gb, experiment["id"], dimension="pre:date")
    assert by_day["dimension"] == {"type": "date"} and len(by_day["results"]) == 4  # the first day to the third day after
    assert [r["dimension"] for r in results(gb, experiment["id"], dimension=browser)["results"]] == ["Chrome", "Safari", "Firefox", "Edge"]
    for wrong in ("exp:device", "pre:activation", "dim_nope"):
        assert refused(lambda: gb.get_experiment_results(experiment["id"], ADMIN, dimension=wrong)).startswith("dimension")
    activated = running(gb, source, goals, clock, days=3, trackingKey="activated", activationMetric=goals[0])
    assert [r["dimension"] for r in results(gb, activated["id"], dimension="pre:activation")["results"]] == ["Activated", "Not Activated"]


def test_the_frequentist_engine_reports_p_values_instead_of_chances(gb, ds, goals, clock):
    experiment = running(gb, ds, goals, clock, statsEngine="frequentist")
    variation = results(gb, experiment["id"])["results"][0]["metrics"][1]["variations"][1]["analyses"][0]
    assert variation["engine"] == "frequentist" and 0 < variation["pValue"] <= 1 and variation["chanceToBeatControl"] == variation["risk"] == 0


def test_the_statistics_of_a_variation_like_its_control_say_no_difference():
    same = statistics.Arm(users=1000, numerator=200, denominator=1000, mean=0.2, stddev=0.4)
    bayesian, frequentist = statistics.compare(same, same, "bayesian"), statistics.compare(same, same, "frequentist")
    assert bayesian["percentChange"] == 0 and bayesian["chanceToBeatControl"] == pytest.approx(0.5) and bayesian["ciLow"] < 0 < bayesian["ciHigh"]
    assert frequentist["pValue"] == pytest.approx(1)
    assert statistics.srm([500, 500], [0.5, 0.5]) == pytest.approx(1) and statistics.srm([600, 400], [0.5, 0.5]) < 0.001
    better = statistics.Arm(users=1000, numerator=260, denominator=1000, mean=0.26, stddev=0.44)
    assert statistics.compare(same, better, "bayesian")["chanceToBeatControl"] > 0.99
    assert statistics.compare(same, better, "bayesian", inverse=True)["chanceToBeatControl"] < 0.01  # lower is better


# -- query objects -------------------------------------------------------------------------------


def test_a_snapshot_runs_a_query_per_metric_and_one_for_traffic_that_finish_with_it(gb, ds, goals, clock):
    experiment = made(gb, ds, metrics=goals)
    gb.update_experiment(experiment["id"], {"status": "running"}, ADMIN)
    gb.post_experiment_snapshot(experiment["id"], ADMIN)
    clock.advance(FINISHED)
    ids = results(gb, experiment["id"])["queryIds"]
    queries = [gb.get_query(id, ADMIN)["query"] for id in ids]
    assert [q["queryType"] for q in queries] == ["experimentMetric", "experimentMetric", "experimentTraffic"]
    assert all(q["status"] == "succeeded" and q["datasource"] == ds and q["language"] == "sql" and q["startedAt"] > q["createdAt"] for q in queries)
    assert "big-button" in queries[0]["query"] and "FROM orders" in queries[0]["query"]
    with pytest.raises(NotFound):
        gb.get_query(ids[0], OTHER)


def test_a_fact_metric_analysis_runs_a_query_and_completes_when_it_has(gb, goals, clock):
    analysis = gb.post_fact_metric_analysis(goals[1], {}, ADMIN)["metricAnalysis"]
    stored = gb.org(ADMIN).get("metric_analyses", analysis["id"])
    query = gb.get_query(stored["queryIds"][0], ADMIN)["query"]
    assert analysis["status"] == "running" and (query["status"], query["startedAt"], query["queryType"]) == ("queued", "", "metricAnalysis")
    clock.advance(3)
    assert gb.get_query(query["id"], ADMIN)["query"]["status"] == "running"
    clock.advance(FINISHED)
    assert gb.get_query(query["id"], ADMIN)["query"]["status"] == "succeeded"
    assert gb.post_fact_metric_analysis(goals[1], {}, ADMIN)["metricAnalysis"] == {**analysis, "status": "completed"}  # the cached one


# -- over HTTP -------------------------------------------------------------------------------------


def test_over_http_a_running_demo_experiment_has_results_and_their_queries(http):
    result = get(http, "/experiments/exp_checkout_button_color/results", key=READONLY)["result"]
    assert result["experimentId"] == "exp_checkout_button_color" and result["results"][0]["totalUsers"] > 0
    assert get(http, "/experiments/exp_checkout_button_color/results", key=READONLY) == {"result": result}
    query = get(http, f"/queries/{result['queryIds'][0]}")["query"]
    assert query["status"] == "succeeded" and query["organization"] == "org_demo_bookshop"
    assert http.get(f"{V1}/queries/qry_nope", headers=bearer(DEMO_ADMIN)).status_code == 404


def test_over_http_a_draft_has_no_results_and_a_bad_dimension_is_named(http):
    draft = next(e for e in get(http, "/experiments", limit=100)["experiments"] if e["status"] == "draft")
    assert_message(http.get(f"{V1}/experiments/{draft['id']}/results", headers=bearer(DEMO_ADMIN)), 400, "id")
    bad = http.get(f"{V1}/experiments/exp_checkout_button_color/results", headers=bearer(DEMO_ADMIN), params={"dimension": "exp:nope"})
    assert_message(bad, 400, "dimension")
