"""`mockexp proxy`: a client's traffic forwarded to a stand-in "real" API (the mock, with
faults or altered answers) and checked against the vendor's spec, each kind of violation
named; nothing reported when the upstream is the mock itself."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from mockexp.cli import main
from mockexp.proxy.forward import Proxy
from mockexp.proxy.violations import Violations
from mockexp.specs import load_named
from mockexp.testing import free_port
from mockexp.vendors import ALL
from tests.proxy.servers import altered_mock, served

EXPERIMENTS = "/api/v2/projects/demo-shop/environments/production/experiments"
WRITER = {"Authorization": "api-mockexp-demo-writer"}


@pytest.fixture(scope="module")
def upstream():
    with altered_mock("launchdarkly", "posthog") as (mock, altered):
        yield mock, altered


@pytest.fixture
def real(upstream):
    mock, altered = upstream
    altered.alteration = None
    mock.runtime.faults.clear()
    return mock, altered


@contextlib.contextmanager
def proxy(upstream_url: str, vendor: str = "launchdarkly", **options):
    vendor_ = ALL[vendor]
    violations = Violations(100)
    app = Proxy(vendor_, [load_named(file) for file in vendor_.specs], upstream_url, violations, **options)
    with served(app) as url:
        yield httpx.Client(base_url=url, timeout=10), violations


def kinds(client: httpx.Client) -> list[str]:
    return [violation["kind"] for violation in client.get("/__mockexp/violations").json()["violations"]]


def test_nothing_is_reported_when_the_upstream_is_the_mock_itself(real):
    mock, _ = real
    spec = load_named("launchdarkly.yaml")
    example = spec.document["paths"]["/projects/{projectKey}/environments/{environmentKey}/experiments"]["post"]
    body = next(iter(example["requestBody"]["content"]["application/json"]["examples"].values()))["value"]
    with proxy(mock.url) as (client, violations):
        assert client.get(EXPERIMENTS, headers=WRITER, params={"expand": "draftIteration,treatments"}).status_code == 200
        assert client.post(EXPERIMENTS, headers=WRITER, json=body).status_code == 201
        assert client.get(f"{EXPERIMENTS}/{body['key']}", headers=WRITER).status_code == 200
        assert client.get(f"{EXPERIMENTS}/no-such-experiment", headers=WRITER).status_code == 404
        assert client.get(EXPERIMENTS).status_code == 401
        assert kinds(client) == [] and violations.exchanges == 5


def test_a_request_for_no_operation_of_the_spec_is_an_unknown_operation(real):
    with proxy(real[0].url) as (client, _):
        assert client.get("/api/v2/no/such/thing", headers=WRITER).status_code == 404
        assert kinds(client) == ["unknown_operation"]


def test_a_request_the_spec_does_not_allow_is_named_by_parameter_and_body(real):
    with proxy(real[0].url) as (client, _):
        client.get(EXPERIMENTS, headers=WRITER, params={"limit": "many", "colour": "blue"})
        client.post(EXPERIMENTS, headers=WRITER, json={"name": 7})
        found = client.get("/__mockexp/violations").json()["violations"]
    assert {v["kind"] for v in found} == {"request_parameter", "request_body"}
    messages = " ".join(v["message"] for v in found)
    assert "limit='many'" in messages and "unknown query parameter colour" in messages and "request body name" in messages


def test_an_undocumented_status_is_named_with_its_operation(real):
    mock, _ = real
    mock.fail({"vendor": "launchdarkly", "operationId": "getExperiments", "status": 418})
    with proxy(mock.url) as (client, _):
        assert client.get(EXPERIMENTS, headers=WRITER).status_code == 418
        found = client.get("/__mockexp/violations", params={"operationId": "getExperiments"}).json()["violations"]
    assert [v["kind"] for v in found] == ["undocumented_status"] and "answered 418" in found[0]["message"]


def test_a_body_that_breaks_its_schema_is_a_response_body_violation_and_is_passed_on(real):
    mock, altered = real
    altered.alteration = lambda method, path, status, body: (status, {**body, "items": "not a list"}) if path == EXPERIMENTS and status == 200 else None
    with proxy(mock.url) as (client, _):
        answer = client.get(EXPERIMENTS, headers=WRITER)
        assert answer.status_code == 200 and answer.json()["items"] == "not a list"
        found = client.get("/__mockexp/violations").json()["violations"]
    assert [v["kind"] for v in found] == ["response_body"] and "items" in found[0]["message"]


def test_an_error_body_not_in_the_vendors_shape_is_an_error_shape_violation(real):
    mock, altered = real
    altered.alteration = lambda method, path, status, body: (status, {"error": "gone"}) if status == 404 else None
    mock.fail({"vendor": "launchdarkly", "operationId": "getProject", "status": 418})
    with proxy(mock.url) as (client, _):
        client.get(f"{EXPERIMENTS}/no-such-experiment", headers=WRITER)
        altered.alteration = lambda method, path, status, body: (status, ["teapot"]) if status == 418 else None
        client.get("/api/v2/projects/demo-shop", headers=WRITER)
        found = client.get("/__mockexp/violations").json()["violations"]
    assert {v["kind"] for v in found if v["status"] == 404} == {"error_shape"}  # a documented error status, in another shape
    assert [v["kind"] for v in found if v["status"] == 418] == ["undocumented_status", "error_shape"]


def test_a_header_that_breaks_its_schema_is_a_response_header_violation(real):
    mock, _ = real
    mock.fail({"vendor": "posthog", "status": 429, "headers": {"Retry-After": "soon"}})
    with proxy(mock.url, vendor="posthog") as (client, _):
        assert client.get("/api/projects/1/experiments/", headers={"Authorization": "Bearer phx_mockexp_demo_full_access"}).status_code == 429
        found = client.get("/__mockexp/violations").json()["violations"]
    assert [v["kind"] for v in found] == ["response_header"] and "Retry-After" in found[0]["message"]


def test_fail_on_violation_answers_502_naming_the_violation_in_the_vendors_shape(real):
    mock, _ = real
    mock.fail({"vendor": "launchdarkly", "operationId": "getExperiments", "status": 418})
    with proxy(mock.url, fail_on_violation=True) as (client, _):
        answer = client.get(EXPERIMENTS, headers=WRITER)
        assert client.get(f"{EXPERIMENTS}/free-shipping-banner-test", headers=WRITER).status_code == 200
    assert answer.status_code == 502
    assert answer.json()["code"] == "internal_server_error" and "undocumented_status" in answer.json()["message"]


def test_credentials_reach_the_upstream_but_never_the_violations(real):
    mock, _ = real
    with proxy(mock.url) as (client, _):
        client.get(EXPERIMENTS, headers=WRITER, params={"colour": "blue"})
        shown = client.get("/__mockexp/violations").text
    received = mock.requests(path=EXPERIMENTS)[-1]
    assert received["request"]["headers"]["authorization"] == "****" and received["status"] == 400  # the token was accepted, the colour refused
    assert "api-mockexp-demo-writer" not in shown


def test_a_body_over_the_limit_is_streamed_whole_and_left_unchecked(real):
    mock, altered = real
    altered.alteration = lambda method, path, status, body: (status, {**body, "items": "x" * 5000}) if path == EXPERIMENTS and status == 200 else None
    sent = {"name": "n" * 5000}
    with proxy(mock.url, body_limit=1000, fail_on_violation=True) as (client, _):
        answer = client.get(EXPERIMENTS, headers=WRITER)
        assert answer.status_code == 200 and answer.json()["items"] == "x" * 5000
        client.post(EXPERIMENTS, headers=WRITER, json=sent)
        assert kinds(client) == []
    assert mock.requests(method="POST")[-1]["request"]["body"] == sent  # the request's body reached the upstream whole


async def _breaks_off(scope, receive, send):
    """A stand-in API whose answers stop halfway through their body."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
    await send({"type": "http.response.body", "body": b'{"items": [', "more_body": True})
    raise RuntimeError("broken off on purpose")


def test_an_answer_broken_off_upstream_is_502_when_held_back(real):
    with served(_breaks_off) as upstream_url, proxy(upstream_url, fail_on_violation=True) as (client, _):
        answer = client.get(EXPERIMENTS, headers=WRITER)
    assert answer.status_code == 502 and "broke off its answer" in answer.json()["message"]


def test_an_unreachable_upstream_is_502_and_a_slow_one_504_with_a_clear_body(real):
    mock, _ = real
    with proxy(f"http://127.0.0.1:{free_port()}") as (client, _):
        down = client.get(EXPERIMENTS, headers=WRITER)
    mock.fail({"vendor": "launchdarkly", "latency_ms": 2000})
    with proxy(mock.url, timeout=0.3) as (client, _):
        slow = client.get(EXPERIMENTS, headers=WRITER)
    assert down.status_code == 502 and "cannot reach the upstream" in down.json()["message"]
    assert slow.status_code == 504 and "did not answer within 0.3 seconds" in slow.json()["message"]


def test_the_command_summarises_at_exit_and_writes_the_junit_report(real, tmp_path):
    mock, _ = real
    port = free_port()
    command = [sys.executable, "-m", "mockexp", "proxy", "launchdarkly", "--upstream", mock.url + "/api/v2", "--port", str(port),
               "--report", f"junit:{tmp_path / 'proxy.xml'}", "--report", f"json:{tmp_path / 'proxy.json'}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for(f"http://127.0.0.1:{port}/__mockexp/violations")
        httpx.get(f"http://127.0.0.1:{port}/api/v2/no/such/thing", headers=WRITER)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "1 violation(s) in 1 exchange(s): 1 unknown_operation" in out
    assert 'failure message="unknown_operation"' in (tmp_path / "proxy.xml").read_text()
    assert json.loads((tmp_path / "proxy.json").read_text())["violations"][0]["path"] == "/api/v2/no/such/thing"


@pytest.mark.parametrize("arguments, says", [
    (["nope", "--upstream", "http://x"], "mockexp proxy: unknown vendor 'nope'; known: "),
    (["giosg", "--upstream", "ftp://x"], "mockexp proxy: --upstream needs http(s) and a host: 'ftp://x'"),
])
def test_the_command_refuses_bad_options_in_one_line(arguments, says, capsys):
    assert main(["proxy", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(says) and len(err.strip().splitlines()) == 1


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")
