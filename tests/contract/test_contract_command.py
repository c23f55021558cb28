"""`mockexp contract` from the command line, as CI and users run it against a mock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from mockexp.vendors import ALL
from tests.conftest import free_port
from tests.contract.test_every_vendor import budget


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`mockexp serve --memory` as a user starts it."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("serve") / "serve.log", "w+")  # a pipe nobody reads would fill up and stall the server
    process = subprocess.Popen([sys.executable, "-m", "mockexp", "serve", "--memory", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/__mockexp/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read())
            time.sleep(0.1)
        yield url
    finally:
        process.kill()
        process.wait()
        log.close()


def contract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockexp", "contract", *args], capture_output=True, text=True, timeout=600)


SPECS = [(vendor, file) for vendor in sorted(ALL) for file in ALL[vendor].specs]


@pytest.mark.parametrize("vendor, file", SPECS, ids=[file.removesuffix(".yaml") for _, file in SPECS])
def test_contract_command_passes_against_the_mock_and_writes_reports(served, vendor, file, tmp_path: Path):
    """For each API of each vendor: its main spec, and the others it names with `--spec`."""
    junit, summary = tmp_path / "contract.xml", tmp_path / "contract.json"
    assert httpx.post(served + "/__mockexp/reset", json={"vendors": [vendor]}).status_code == 200
    examples = str(min(5, budget(file)))  # a spec's run stays bounded however many operations it has
    result = contract(vendor, "--spec", file, "--base-url", served, "--auth-from-mock", "--seed", "7", "--max-examples", examples, "--phases", "examples,fuzzing,stateful",
                      "--report", f"junit:{junit}", "--report", f"json:{summary}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout.splitlines()[-3]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and int(suite.get("tests")) >= 1 and suite.get("failures") == "0" and suite.get("errors") == "0"
    assert {case.get("name") for case in suite.iter("testcase")} == set(json.loads(summary.read_text())["operations"])
    assert json.loads(summary.read_text())["ok"] is True


def test_contract_command_exits_non_zero_and_names_the_failing_check(served, tmp_path: Path):
    """A credential the API does not know: every answer is a 401, which the spec allows, but
    a run in which nothing succeeds proves nothing."""
    junit = tmp_path / "contract.xml"
    result = contract("giosg", "--base-url", served, "--header", "Authorization: Token not-a-real-token", "--seed", "1", "--max-examples", "5", "--phases", "examples,fuzzing", "--report", f"junit:{junit}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED (the whole run) credential_is_accepted" in result.stdout
    failures = list(ET.parse(junit).getroot().iter("failure"))
    assert [failure.get("message") for failure in failures] == ["credential_is_accepted"]


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["nobody", "--base-url", "http://127.0.0.1:1"], "unknown vendor"),
        (["giosg", "--base-url", "not a url"], "scheme and a host"),
        (["giosg", "--base-url", "http://127.0.0.1:1", "--header", "no colon"], "Name: value"),
        (["giosg", "--base-url", "http://127.0.0.1:1", "--report", "html:x"], "junit:PATH or json:PATH"),
        (["giosg", "--base-url", "http://127.0.0.1:1", "--phases", "warmup"], "unknown phases"),
        (["giosg", "--base-url", "http://127.0.0.1:1", "--spec", "growthbook-sdk.yaml"], "its specs: giosg.yaml"),
        (["giosg", "--base-url", "http://127.0.0.1:1", "--auth-from-mock"], "cannot read the demo credentials"),
    ],
)
def test_contract_command_explains_bad_usage_with_exit_2(args, complaint):
    result = contract(*args)
    assert result.returncode == 2
    assert complaint in result.stderr


def test_a_check_is_switched_off_by_its_name(served):
    result = contract("giosg", "--base-url", served, "--header", "Authorization: Token not-a-real-token", "--seed", "1", "--max-examples", "5", "--phases", "examples,fuzzing", "--exclude-check", "credential_is_accepted")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "credential_is_accepted" not in result.stdout


def test_an_excluded_operation_is_not_tested(served, tmp_path: Path):
    summary = tmp_path / "contract.json"
    result = contract("giosg", "--base-url", served, "--auth-from-mock", "--seed", "2", "--max-examples", "5", "--phases", "examples,fuzzing", "--exclude-operation", "deleteExperiment", "--exclude-operation", "PUT /orgs/{organization_id}/experiments/{experiment_id}", "--report", f"json:{summary}")
    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(json.loads(summary.read_text())["operations"])
    assert tested == {"GET /orgs/{organization_id}/experiments", "POST /orgs/{organization_id}/experiments", "GET /orgs/{organization_id}/experiments/{experiment_id}"}
