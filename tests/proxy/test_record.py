"""`mockexp record`: the writes seen through the proxy become a fixture world that replays in
a fresh mock, with server-assigned ids as references, no credential, and personal data
replaced consistently."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import httpx
import pytest
import yaml

from mockexp.proxy.forward import Proxy
from mockexp.proxy.violations import Violations
from mockexp.record.command import tenant_parameters
from mockexp.record.world import Recorder
from mockexp.specs import load_named
from mockexp.testing import free_port, run_mock
from mockexp.vendors import ALL
from tests.proxy.servers import served
from tests.proxy.test_proxy import _wait_for

@pytest.fixture(scope="module")
def upstream():
    with run_mock(["giosg", "growthbook"]) as mock:
        yield mock


@contextlib.contextmanager
def recording(upstream_url: str, vendor: str):
    specs = [load_named(file) for file in ALL[vendor].specs]
    recorder = Recorder(vendor, specs, tenant_parameters(ALL[vendor]))
    with served(Proxy(ALL[vendor], specs, upstream_url, Violations(), observers=[recorder.observe])) as url:
        yield httpx.Client(base_url=url, timeout=10), recorder


def test_the_recorded_writes_load_with_serve_fixtures_with_ids_as_references(upstream, tmp_path):
    org = upstream.tenant("giosg")["organization_id"]
    base = f"/api/v5/orgs/{org}/experiments"
    writer = upstream.credential("giosg", can_write=True)
    with recording(upstream.url, "giosg") as (client, recorder):
        made = client.post(base, headers=writer, json={"is_draft": True, "name": "Banner"}).json()
        client.put(f"{base}/{made['id']}", headers=writer, json={"is_draft": True, "name": "Bigger banner"})
        unseen = next(e for e in upstream_experiments(upstream) if e["id"] != made["id"] and e["is_draft"])
        assert client.put(f"{base}/{unseen['id']}", headers=writer, json={"is_draft": True, "name": "x"}).status_code == 200  # never read: not in the world
        client.post(base, headers=writer, json={"name": "refused: no is_draft"})
    world = recorder.world()
    assert [call["operationId"] for call in world["requests"]] == ["createExperiment", "updateExperiment"]
    assert world["requests"][1]["path"] == {"experiment_id": "${createExperiment-1.id}"}  # the tenant's organization_id left out
    assert len(recorder.skipped) == 1 and "not created while recording" in recorder.skipped[0]
    (tmp_path / "giosg.yaml").write_text(yaml.safe_dump(world))
    with run_mock(["giosg"], fixtures=tmp_path) as fresh:  # as `mockexp serve --fixtures` loads it
        listed = httpx.get(fresh.base_url("giosg") + f"/orgs/{fresh.tenant('giosg')['organization_id']}/experiments", headers=fresh.credential("giosg"))
    assert [experiment["name"] for experiment in listed.json()["results"]] == ["Bigger banner"]


def upstream_experiments(upstream) -> list[dict]:
    org = upstream.tenant("giosg")["organization_id"]
    return httpx.get(f"{upstream.base_url('giosg')}/orgs/{org}/experiments", headers=upstream.credential("giosg")).json()["results"]


def test_objects_read_while_recording_become_creates_and_later_writes_on_them_replay(upstream, tmp_path):
    org = upstream.tenant("giosg")["organization_id"]
    base = f"/api/v5/orgs/{org}/experiments"
    writer = upstream.credential("giosg", can_write=True)
    with recording(upstream.url, "giosg") as (client, recorder):
        shown = client.get(base, headers=writer).json()["results"]
        draft = next(e for e in shown if e["is_draft"])
        client.put(f"{base}/{draft['id']}", headers=writer, json={"is_draft": True, "name": "Renamed while recording"})
    world = recorder.world()
    assert [call["operationId"] for call in world["requests"]] == ["createExperiment"] * len(shown) + ["updateExperiment"]
    assert recorder.skipped == []
    (tmp_path / "giosg.yaml").write_text(yaml.safe_dump(world))
    with run_mock(["giosg"], fixtures=tmp_path) as fresh:
        listed = httpx.get(fresh.base_url("giosg") + f"/orgs/{fresh.tenant('giosg')['organization_id']}/experiments", headers=fresh.credential("giosg")).json()["results"]
    assert sorted(e["name"] for e in listed) == sorted("Renamed while recording" if e["id"] == draft["id"] else e["name"] for e in shown)
    assert sorted(e["is_draft"] for e in listed) == sorted(e["is_draft"] for e in shown)


def test_a_recorded_call_a_fresh_mock_refuses_is_left_out_with_the_calls_that_need_it(upstream):
    org = upstream.tenant("giosg")["organization_id"]
    base = f"/api/v5/orgs/{org}/experiments"
    writer = upstream.credential("giosg", can_write=True)
    target = next(e for e in upstream_experiments(upstream) if e["is_draft"])
    foreign_goal = "00000000-0000-4000-8000-000000000000"  # a goal only the "real" account has
    upstream.fail({"vendor": "giosg", "operationId": "retrieveExperiment", "patch": {"goal_id": foreign_goal}, "times": 1})
    with recording(upstream.url, "giosg") as (client, recorder):
        client.get(f"{base}/{target['id']}", headers=writer)
        assert client.put(f"{base}/{target['id']}", headers=writer, json={"is_draft": True, "name": "Renamed"}).status_code == 200
        client.post(base, headers=writer, json={"is_draft": True, "name": "Fine"})
    upstream.runtime.faults.clear()
    recorder.loadable(ALL["giosg"])
    assert [call["operationId"] for call in recorder.world()["requests"]] == ["createExperiment"]
    assert recorder.world()["requests"][0]["body"]["name"] == "Fine"
    assert len(recorder.skipped) == 2, recorder.skipped
    assert "goal_id" in recorder.skipped[0] and "refers to createExperiment-1" in recorder.skipped[1]


def test_personal_data_is_replaced_the_same_way_everywhere_and_ids_in_bodies_are_references(upstream):
    writer = upstream.credential("growthbook", can_write=True)
    with recording(upstream.url, "growthbook") as (client, recorder):
        project = client.post("/api/v1/projects", headers=writer, json={"name": "Checkout"}).json()["project"]
        feature = {"id": "new-checkout", "owner": "jane.doe@acme.com", "valueType": "string", "defaultValue": "old", "project": project["id"],
                   "description": "Ask jane.doe@acme.com"}
        assert client.post("/api/v1/features", headers=writer, json=feature).status_code == 200
    text = yaml.safe_dump(recorder.world())
    created = recorder.world()["requests"][1]["body"]
    assert "jane.doe@acme.com" not in text and "secret_mockexp_demo_admin" not in text
    assert created["owner"] == created["description"].removeprefix("Ask ") and "@" in created["owner"]
    assert created["project"] == "${postProject-1.project.id}"


def test_the_command_writes_the_world_at_exit(upstream, tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "mockexp", "record", "giosg", "--upstream", upstream.url, "--port", str(port), "--out", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for(f"http://127.0.0.1:{port}/__mockexp/violations")
        org = upstream.tenant("giosg")["organization_id"]
        httpx.post(f"http://127.0.0.1:{port}/api/v5/orgs/{org}/experiments", headers=upstream.credential("giosg", can_write=True), json={"is_draft": True})
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"recorded 1 call(s) to {tmp_path / 'giosg.yaml'}" in out
    assert yaml.safe_load((tmp_path / "giosg.yaml").read_text())["requests"] == [{"operationId": "createExperiment", "as": "createExperiment-1", "body": {"is_draft": True}}]
