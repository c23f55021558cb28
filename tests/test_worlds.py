"""Your own demo data: world files (`serve --fixtures DIR`, `--fixtures-mode merge`) and
`mockexp export`. The round trip runs for every vendor: what `export` writes loads back, and
the world it loads exports to the same file."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors import ALL
from mockexp.worlds.export import world_of
from mockexp.worlds.files import WorldFileError, read_directory

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
GIOSG_ORG = "6314c00c-c08a-4746-84f1-8f97eb00c095"


def runtime_with(vendors: list[str], directory: Path | None = None, *, merge: bool = False, store: Store | None = None) -> Runtime:
    clock = Clock()
    clock.freeze(NOW)
    worlds = read_directory(directory, vendors) if directory else None
    runtime = Runtime(store or Store(), clock, [ALL[name] for name in vendors], worlds=worlds, merge_worlds=merge)
    runtime.seed()
    return runtime


def write_world(directory: Path, vendor: str, world: dict, suffix: str = ".yaml") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{vendor}{suffix}"
    path.write_text(json.dumps(world) if suffix == ".json" else yaml.safe_dump(world))
    return path


def reloaded(runtime: Runtime, vendor: str, directory: Path) -> Runtime:
    """The runtime's world of `vendor` exported and loaded into a fresh mock, which must
    export the same again."""
    exported = world_of(runtime, vendor)
    write_world(directory, vendor, exported)
    loaded = runtime_with([vendor], directory)
    assert world_of(loaded, vendor) == exported
    return loaded


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_an_exported_world_loads_back_and_exports_the_same(vendor: str, tmp_path: Path) -> None:
    demo = runtime_with([vendor])
    assert world_of(demo, vendor)["requests"], f"{vendor}'s demo world exports no request"
    reloaded(demo, vendor, tmp_path)


def test_a_world_file_replaces_the_objects_but_keeps_the_accounts(tmp_path: Path) -> None:
    write_world(tmp_path, "giosg", {"requests": [
        {"operationId": "createExperiment", "as": "checkout", "body": {"is_draft": True, "name": "Checkout"}},
        {"operationId": "updateExperiment", "path": {"experiment_id": "${checkout.id}"}, "body": {"is_draft": True, "name": "Checkout (${checkout.name})"}},
    ]})
    runtime = runtime_with(["giosg"], tmp_path)
    experiments = runtime.models["giosg"].organization(GIOSG_ORG).query("experiments")
    assert [experiment["name"] for experiment in experiments] == ["Checkout (Checkout)"]
    assert any(credential.value == "Token giosg-demo-admin-token" for credential in runtime.credentials())


def test_merge_adds_the_world_to_the_generated_demo_data(tmp_path: Path) -> None:
    write_world(tmp_path, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "Mine"}}]}, ".json")
    generated = len(runtime_with(["giosg"]).models["giosg"].organization(GIOSG_ORG).query("experiments"))
    merged = runtime_with(["giosg"], tmp_path, merge=True).models["giosg"].organization(GIOSG_ORG).query("experiments")
    assert len(merged) == generated + 1 and "Mine" in [experiment["name"] for experiment in merged]


def test_the_same_world_file_makes_the_same_ids_on_every_load(tmp_path: Path) -> None:
    write_world(tmp_path, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "Mine"}}]})
    ids = [[row["id"] for row in runtime_with(["giosg"], tmp_path).models["giosg"].organization(GIOSG_ORG).query("experiments")] for _ in range(2)]
    assert ids[0] == ids[1] and len(ids[0]) == 1


def test_reset_returns_to_the_world_file(tmp_path: Path) -> None:
    write_world(tmp_path, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "Mine"}}]})
    runtime = runtime_with(["giosg"], tmp_path)
    organization = runtime.models["giosg"].organization(GIOSG_ORG)
    runtime.models["giosg"].delete_experiment(GIOSG_ORG, organization.query("experiments")[0]["id"])
    runtime.reset(["giosg"])
    assert [row["name"] for row in organization.query("experiments")] == ["Mine"]


def test_a_restart_keeps_changes_until_the_world_file_changes(tmp_path: Path) -> None:
    worlds, data = tmp_path / "worlds", tmp_path / "data"
    write_world(worlds, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "Mine"}}]})
    first = runtime_with(["giosg"], worlds, store=Store(data))
    first.models["giosg"].create_experiment(GIOSG_ORG, first.models["giosg"].authenticate("giosg-demo-admin-token")["id"], {"is_draft": True, "name": "Made later"})
    first.store.close()
    names = lambda runtime: sorted(row["name"] for row in runtime.models["giosg"].organization(GIOSG_ORG).query("experiments"))  # noqa: E731
    second = runtime_with(["giosg"], worlds, store=Store(data))
    assert names(second) == ["Made later", "Mine"]
    second.store.close()
    write_world(worlds, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "Changed"}}]})
    third = runtime_with(["giosg"], worlds, store=Store(data))
    assert names(third) == ["Changed"]
    third.store.close()


@pytest.mark.parametrize(("world", "says"), [
    pytest.param({"requests": [{"operationId": "createExperiment", "body": {"is_draft": False, "name": "x"}}]},
                 ["giosg.yaml", "requests[0] (createExperiment)", "400", "goal_id"], id="refused-by-the-api"),
    pytest.param({"requests": [{"operationId": "makeItSo"}]}, ["requests[0] (makeItSo)", "no operation 'makeItSo'"], id="unknown-operation"),
    pytest.param({"requests": [{"operationId": "updateExperiment", "path": {"experiment_id": "${nothing.id}"}, "body": {"is_draft": True}}]},
                 ["requests[0]", "${nothing.id} names no earlier request"], id="unknown-reference"),
    pytest.param({"requests": [{"operationId": "createExperiment", "credential": "nobody", "body": {"is_draft": True}}]},
                 ["credential 'nobody' is not one of giosg's"], id="unknown-credential"),
    pytest.param({"requests": [{"operationId": "createExperiment", "bodee": {}}]}, ["requests[0]", "unknown key bodee"], id="unknown-key"),
    pytest.param({"requests": {"operationId": "createExperiment"}}, ["`requests` must be a list"], id="not-a-list"),
    pytest.param({"vendor": "posthog", "requests": []}, ["says vendor 'posthog'", "giosg"], id="wrong-vendor"),
])
def test_a_bad_world_file_stops_loading_naming_the_file_the_request_and_the_rule(world: dict, says: list[str], tmp_path: Path) -> None:
    write_world(tmp_path, "giosg", world)
    with pytest.raises(WorldFileError) as raised:
        runtime_with(["giosg"], tmp_path)
    for words in says:
        assert words in str(raised.value)


def test_a_refused_request_leaves_the_vendors_data_as_it_was(tmp_path: Path) -> None:
    runtime = runtime_with(["giosg"])
    before = runtime.store.vendor("giosg").dump()
    write_world(tmp_path, "giosg", {"requests": [{"operationId": "createExperiment", "body": {"is_draft": True, "name": "ok"}},
                                                 {"operationId": "createExperiment", "body": {"is_draft": False}}]})
    runtime.worlds = read_directory(tmp_path, ["giosg"])
    with pytest.raises(WorldFileError):
        runtime.reset(["giosg"])
    assert runtime.store.vendor("giosg").dump() == before


def test_serve_refuses_to_start_on_a_bad_world_file_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "giosg.yaml").write_text("requests: [{operationId: createExperiment, body: {is_draft: false}}]\n")
    done = subprocess.run([sys.executable, "-m", "mockexp", "serve", "--memory", "--vendor", "giosg", "--port", "0", "--fixtures", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot load --fixtures, not starting" in done.stderr and "giosg.yaml: requests[0] (createExperiment)" in done.stderr


def test_export_writes_the_running_mocks_world_and_serve_loads_it(live, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mockexp", "export", "--vendor", "giosg", "--url", live.url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (tmp_path / "giosg.yaml").write_text(done.stdout)
    assert read_directory(tmp_path, ["giosg"])["giosg"].requests


def test_export_of_an_unknown_vendor_says_which_vendors_there_are(live) -> None:
    done = subprocess.run([sys.executable, "-m", "mockexp", "export", "--vendor", "optimizely", "--url", live.url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "404" in done.stderr and "giosg" in done.stderr
