"""`mockexp drift`: the same sequence against a stand-in "real" API (the mock with one answer
deliberately altered) and a fresh mock; each difference found, placed and classified, and
none when the real API is the mock itself."""

from __future__ import annotations

import json

import pytest

from mockexp.cli import main
from tests.proxy.servers import altered_mock

GIOSG_ITEM = "/api/v5/orgs/{org}/experiments/"


@pytest.fixture(scope="module")
def upstream():
    with altered_mock("giosg", "launchdarkly") as (mock, altered):
        yield mock, altered


@pytest.fixture
def real(upstream):
    mock, altered = upstream
    mock.reset()
    altered.alteration = None
    return mock, altered


def drift(mock, vendor: str, tmp_path, capsys) -> tuple[int, dict]:
    arguments = ["drift", vendor, "--upstream", mock.url, "--json", str(tmp_path / "drift.json")]
    arguments += [f"--header={name}: {value}" for name, value in mock.credential(vendor, can_write=True).items()]
    arguments += [f"--parameter={name}={value}" for name, value in mock.tenant(vendor).items()]
    code = main(arguments)
    capsys.readouterr()
    return code, json.loads((tmp_path / "drift.json").read_text())


def found(report: dict) -> set[tuple[str, str, str, str]]:
    return {(d["step"], d["kind"], d["where"], d["classification"]) for d in report["differences"]}


def when(step_path: str, method: str = "GET", status: int | None = None):
    """An alteration's condition: this method on a path under `step_path`."""
    return lambda m, path, s: m == method and step_path in path and (status is None or s == status)


@pytest.mark.parametrize("vendor", ["giosg", "launchdarkly"])
def test_nothing_differs_when_the_real_api_is_the_mock_itself(real, vendor, tmp_path, capsys):
    code, report = drift(real[0], vendor, tmp_path, capsys)
    assert code == 0 and report["differences"] == [] and report["ok"]
    assert {step["step"] for step in report["steps"]} >= {"create", "read", "list"}


def test_a_real_field_of_a_type_its_spec_does_not_allow_is_a_vendor_deviation(real, tmp_path, capsys):
    mock, altered = real
    read = when("/experiments/", status=200)
    altered.alteration = lambda m, path, s, body: (s, {**body, "name": 5}) if read(m, path, s) and not path.endswith("/experiments") else None
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert ("read", "type", "name", "vendor deviation") in found(report)
    assert code == 0  # not the mock's to fix


def test_what_the_spec_does_not_describe_is_a_spec_gap(real, tmp_path, capsys):
    mock, altered = real

    def alter(method, path, status, body):
        if method == "GET" and path.endswith("/experiments") and status == 200:
            return status, {**body, "results": list(reversed(body["results"]))}  # oldest first
        if method == "GET" and status == 200:
            return status, {**body, "beta_features": ["x"]}
        return None

    altered.alteration = alter
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert found(report) >= {("read", "field", "beta_features", "spec gap"), ("list", "ordering", "order", "spec gap")}
    assert {d["classification"] for d in report["differences"]} == {"spec gap"} and code == 0


def test_a_status_the_spec_does_not_list_from_the_real_api_is_a_vendor_deviation(real, tmp_path, capsys):
    mock, altered = real
    altered.alteration = lambda m, path, s, body: (410, {"detail": "Gone."}) if m == "GET" and s == 404 else None
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert found(report) == {("read after delete", "status", "status", "vendor deviation")} and code == 0 and report["ok"]


def test_a_real_api_that_fails_a_create_with_a_server_error_is_a_vendor_deviation_not_the_mocks(real, tmp_path, capsys):
    mock, altered = real
    altered.alteration = lambda m, path, s, body: (500, {"detail": "Internal server error"}) if m == "POST" else None
    code, report = drift(mock, "giosg", tmp_path, capsys)
    create = next(d for d in report["differences"] if d["step"] == "create")
    assert (create["real"], create["mock"], create["classification"]) == ("500", "201", "vendor deviation")
    assert {d["classification"] for d in report["differences"]} == {"vendor deviation"}  # the steps it kept the real side from, too
    assert len(report["differences"]) > 1 and code == 0 and report["ok"] and "mock gap" not in report["counts"]


def test_a_server_error_the_spec_documents_is_still_the_vendors(real, tmp_path, capsys):
    mock, _ = real
    mock.fail({"vendor": "giosg", "operationId": "retrieveExperiment", "status": 503, "times": 1})
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert found(report) == {("read", "status", "status", "vendor deviation")} and code == 0


def test_the_table_says_a_failing_real_api_is_a_vendor_deviation(real, capsys):
    mock, altered = real
    altered.alteration = lambda m, path, s, body: (500, {"detail": "Internal server error"}) if m == "POST" else None
    arguments = ["drift", "giosg", "--upstream", mock.url + "/api/v5"] + [f"--header={k}: {v}" for k, v in mock.credential("giosg", can_write=True).items()]
    code = main(arguments + [f"--parameter={k}={v}" for k, v in mock.tenant("giosg").items()])
    out = capsys.readouterr().out
    assert code == 0 and "vendor deviation" in out and "mock gap" not in out


def test_a_mock_that_differs_from_a_real_api_keeping_to_the_spec_is_a_mock_gap_and_fails_the_run(real, tmp_path, capsys):
    mock, altered = real
    read = when("/experiments/checkout-button-size-test", status=200)
    altered.alteration = lambda m, path, s, body: (s, {k: v for k, v in body.items() if k != "description"}) if read(m, path, s) else None
    code, report = drift(mock, "launchdarkly", tmp_path, capsys)
    assert ("read", "field", "description", "mock gap") in found(report)
    assert code == 1 and not report["ok"] and report["counts"]["mock gap"] >= 1


def test_a_different_documented_status_is_a_mock_gap(real, tmp_path, capsys):
    mock, _ = real
    mock.fail({"vendor": "giosg", "operationId": "retrieveExperiment", "status": 403, "times": 1})
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert ("read", "status", "status", "mock gap") in found(report) and code == 1


def test_an_error_body_in_another_shape_is_named_as_error_shape(real, tmp_path, capsys):
    mock, altered = real
    altered.alteration = lambda m, path, s, body: (s, {"error": "gone"}) if s == 404 else None
    code, report = drift(mock, "giosg", tmp_path, capsys)
    assert found(report) == {("read after delete", "error shape", "detail", "vendor deviation"),
                             ("read after delete", "error shape", "error", "vendor deviation")}
    assert code == 0


def test_the_table_names_each_step_and_difference(real, capsys):
    mock, altered = real
    altered.alteration = lambda m, path, s, body: (s, {**body, "name": 5}) if m == "GET" and s == 200 and not path.endswith("/experiments") else None
    arguments = ["drift", "giosg", "--upstream", mock.url + "/api/v5"] + [f"--header={k}: {v}" for k, v in mock.credential("giosg", can_write=True).items()]
    code = main(arguments + [f"--parameter={k}={v}" for k, v in mock.tenant("giosg").items()])
    out = capsys.readouterr().out
    assert code == 0 and "read after delete" in out and "vendor deviation" in out and "1 vendor deviation(s)" in out


def test_a_missing_tenant_parameter_is_a_usage_error_in_one_line(capsys):
    code = main(["drift", "giosg", "--upstream", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == "mockexp drift: the real API's path needs --parameter organization_id=..."


def test_the_list_is_compared_on_the_created_object_not_on_the_others(real, tmp_path, capsys):
    mock, altered = real
    listing = "/api/v2/projects/demo-shop/environments/production/experiments"

    def others_without_description(method, path, status, body):
        if method != "GET" or path != listing or status != 200:
            return None
        items = [item if item["key"] == "checkout-button-size-test" else {k: v for k, v in item.items() if k != "description"} for item in body["items"]]
        return status, {**body, "items": list(reversed(items))}  # the created object last

    altered.alteration = others_without_description
    code, report = drift(mock, "launchdarkly", tmp_path, capsys)
    assert found(report) == {("list", "ordering", "order", "spec gap")} and code == 0
