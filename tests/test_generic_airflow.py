"""A large real-world document: Apache Airflow 2.10.5's stable REST API (89 operations, list
envelopes with `total_entries`, dag runs nested under DAGs, RFC 7807 errors), served by
`mockexp serve --spec` with every answer checked against the document."""

from __future__ import annotations

import shutil

import pytest

from mockexp import cli
from mockexp.testing import run_mock
from tests.checked import SPECS, Checked

AIRFLOW = SPECS / "airflow-v1.yaml"
API = "airflow-v1"

# what each keyed resource is called, a body to create one, and a change naming one field
KEYED = {
    "connections": ("connection_id", {"connection_id": "warehouse", "conn_type": "postgres", "host": "db.internal", "port": 5432}, "host", "db2.internal"),
    "variables": ("key", {"key": "deploy_env", "value": "staging", "description": "where the DAGs deploy"}, "value", "production"),
    "pools": ("name", {"name": "etl", "slots": 4, "description": "the nightly loads"}, "slots", 8),
}


@pytest.fixture(scope="module")
def served():
    with run_mock(specs=[AIRFLOW]) as mock:
        yield Checked(mock, API)


@pytest.fixture
def airflow(served):
    """The module's server with its demo world as it started (for tests that write)."""
    served.mock.reset(API)
    return served


def is_error(response, status: int) -> bool:
    """An answer in Airflow's `Error` shape (RFC 7807) with this status."""
    body = response.json()
    return response.status_code == status and body["status"] == status and body["type"] == "about:blank" and bool(body["title"]) and bool(body["detail"])


@pytest.mark.parametrize("collection", KEYED)
def test_a_keyed_object_is_created_read_listed_updated_by_mask_and_deleted(airflow, collection):
    key_field, body, changed_field, new_value = KEYED[collection]
    key = body[key_field]
    created = airflow.post(f"/{collection}", json=body)
    assert created.status_code == 200 and created.json()[key_field] == key
    assert airflow.get(f"/{collection}/{key}").json() == created.json()
    listed = airflow.get(f"/{collection}", params={"limit": 100}).json()
    assert created.json() in listed[collection] and listed["total_entries"] == len(listed[collection])
    sent = {**body, changed_field: new_value, "description": "not in the mask"}
    updated = airflow.patch(f"/{collection}/{key}", params={"update_mask": changed_field}, json=sent)
    assert updated.status_code == 200
    assert updated.json()[changed_field] == new_value and updated.json().get("description") == body.get("description")
    assert airflow.delete(f"/{collection}/{key}").status_code == 204
    gone = airflow.get(f"/{collection}/{key}")
    assert is_error(gone, 404) and key in gone.json()["detail"]


def test_an_update_mask_naming_a_field_the_body_lacks_is_refused_naming_it(airflow):
    airflow.post("/variables", json={"key": "masked", "value": "v"})
    refused = airflow.patch("/variables/masked", params={"update_mask": "colour"}, json={"key": "masked", "value": "w"})
    assert is_error(refused, 400) and "colour" in refused.json()["detail"]
    assert airflow.get("/variables/masked").json()["value"] == "v"


def test_a_taken_key_is_refused_with_the_documents_400_and_the_first_object_kept(airflow):
    airflow.post("/connections", json={"connection_id": "taken", "conn_type": "http"})
    again = airflow.post("/connections", json={"connection_id": "taken", "conn_type": "ftp"})
    assert is_error(again, 400) and "taken" in again.json()["detail"]  # the document lists no 409
    assert airflow.get("/connections/taken").json()["conn_type"] == "http"


def test_an_overlay_that_documents_409_makes_a_taken_key_409_as_airflow_answers(tmp_path):
    shutil.copy(AIRFLOW, tmp_path / AIRFLOW.name)
    (tmp_path / "airflow-v1.mockexp.yaml").write_text(
        "paths:\n  /pools:\n    post:\n      responses:\n        '409':\n          description: Already exists\n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}\n", encoding="utf-8")
    with run_mock(specs=[tmp_path / AIRFLOW.name]) as mock:
        pools = Checked(mock, API)
        assert pools.post("/pools", json={"name": "twice", "slots": 1}).status_code == 200
        assert is_error(pools.post("/pools", json={"name": "twice", "slots": 2}), 409)


def test_a_connections_write_only_password_is_never_answered(airflow):
    created = airflow.post("/connections", json={"connection_id": "secret", "conn_type": "postgres", "password": "hunter2"})
    assert created.status_code == 200 and "password" not in created.json()
    assert "password" not in airflow.get("/connections/secret").json()
    assert all("password" not in connection for connection in airflow.get("/connections").json()["connections"])


def test_a_blank_key_is_refused_since_no_path_could_name_it(served):
    refused = served.post("/variables", json={"key": "", "value": "v"})
    assert is_error(refused, 400) and "key" in refused.json()["detail"]


def test_a_path_a_delete_emptied_answers_404_until_the_world_is_reset(airflow):
    path = "/datasets/queuedEvent/s3%3A%2F%2Fbucket%2Fdaily"
    assert airflow.get(path).status_code == 200
    assert airflow.delete(path).status_code == 204
    assert is_error(airflow.get(path), 404)
    assert airflow.get("/datasets/queuedEvent/s3%3A%2F%2Fbucket%2Fother").status_code == 200
    airflow.mock.reset(API)
    assert airflow.get(path).status_code == 200


def test_a_dag_run_lives_under_its_dag(airflow):
    first, second = (dag["dag_id"] for dag in airflow.get("/dags", params={"limit": 2}).json()["dags"])
    created = airflow.post(f"/dags/{first}/dagRuns", json={"dag_run_id": "manual__backfill", "conf": {"full": True}})
    assert created.status_code == 200
    run = created.json()
    assert run["dag_run_id"] == "manual__backfill" and run["dag_id"] == first and run["conf"] == {"full": True}
    assert airflow.get(f"/dags/{first}/dagRuns/manual__backfill").json() == run
    assert run in airflow.get(f"/dags/{first}/dagRuns").json()["dag_runs"]
    assert "manual__backfill" not in {r["dag_run_id"] for r in airflow.get(f"/dags/{second}/dagRuns").json()["dag_runs"]}
    assert airflow.get(f"/dags/{second}/dagRuns/manual__backfill").status_code == 404
    assert airflow.delete(f"/dags/{first}/dagRuns/manual__backfill").status_code == 204
    assert is_error(airflow.get(f"/dags/{first}/dagRuns/manual__backfill"), 404)


def test_a_dags_details_are_that_dag_with_the_details_fields_the_same_each_time(served):
    dag = served.get("/dags", params={"limit": 1}).json()["dags"][0]
    details = served.get(f"/dags/{dag['dag_id']}/details").json()
    assert {name: details[name] for name in dag} == dag
    assert set(details) > set(dag)  # the detail view's own fields (timezone, catchup...) too
    assert served.get(f"/dags/{dag['dag_id']}/details").json() == details
    assert is_error(served.get("/dags/no_such_dag/details"), 404)


def test_a_dag_run_under_a_dag_that_does_not_exist_is_404(served):
    refused = served.post("/dags/no_such_dag/dagRuns", json={"dag_run_id": "r1"})
    assert is_error(refused, 404) and "no_such_dag" in refused.json()["detail"]


def test_a_bad_body_is_400_naming_the_field_in_the_error_shape(served):
    refused = served.post("/pools", json={"name": "bad", "slots": "many"})
    assert is_error(refused, 400) and "slots" in refused.json()["detail"]
    assert served.get("/pools/bad").status_code == 404


def test_a_list_pages_by_limit_and_offset(served):
    first = served.get("/dags", params={"limit": 2}).json()
    rest = served.get("/dags", params={"limit": 2, "offset": 2}).json()
    assert len(first["dags"]) == 2 and first["total_entries"] == rest["total_entries"] >= 3
    assert len(rest["dags"]) == first["total_entries"] - 2
    assert not {dag["dag_id"] for dag in first["dags"]} & {dag["dag_id"] for dag in rest["dags"]}


def test_a_batch_search_finds_dag_runs_across_dags_by_the_filters_in_its_body(airflow):
    first, second = (dag["dag_id"] for dag in airflow.get("/dags", params={"limit": 2}).json()["dags"])
    airflow.post(f"/dags/{first}/dagRuns", json={"dag_run_id": "nightly"})
    everywhere = airflow.post("/dags/~/dagRuns/list", json={}).json()
    assert {run["dag_id"] for run in everywhere["dag_runs"]} >= {first, second}
    assert everywhere["total_entries"] == len(everywhere["dag_runs"])
    mine = airflow.post("/dags/~/dagRuns/list", json={"dag_ids": [first]}).json()["dag_runs"]
    assert "nightly" in {run["dag_run_id"] for run in mine} and {run["dag_id"] for run in mine} == {first}
    page = airflow.post("/dags/~/dagRuns/list", json={"page_limit": 1, "page_offset": 1}).json()
    assert page["dag_runs"] == everywhere["dag_runs"][1:2] and page["total_entries"] == everywhere["total_entries"]
    instances = airflow.post("/dags/~/dagRuns/~/taskInstances/list", json={"dag_ids": [second]}).json()["task_instances"]
    assert instances and {instance["dag_id"] for instance in instances} == {second}


def test_a_bulk_change_answers_a_list_and_stores_nothing(served):
    before = served.get("/dags").json()
    assert served.patch("/dags", params={"dag_id_pattern": "nothing"}, json={"is_paused": True}).status_code == 200
    assert served.get("/dags").json() == before


def test_explain_names_batch_searches_bulk_changes_and_dag_runs_nested(capsys):
    assert cli.main(["specs", "--explain", str(AIRFLOW)]) == 0
    out = capsys.readouterr().out
    assert "89 operations at /api/v1" in out
    assert "dags.dagRuns" in out and "inside dags (dag_id)" in out
    assert "dags.~" not in out and "replace dags" not in out
    assert "get_dag_runs_batch           search dags.dagRuns" in out and "dag_ids->dag_id" in out
    assert "patch_dags                   action" in out


def test_the_contract_command_passes_against_the_mock_of_the_document(capsys):
    with run_mock(specs=[AIRFLOW]) as mock:
        code = cli.main(["contract", "--spec", str(AIRFLOW), "--base-url", mock.url, "--auth-from-mock", "--max-examples", "1", "--seed", "1"])
    assert code == 0, capsys.readouterr().out[-3000:]
