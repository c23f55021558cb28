"""The spec pipeline: the shipped specs load and validate; a broken spec is refused with a
message naming the file and the problem, by the loader, by `mockexp specs` and by
`mockexp serve` at start-up."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mockexp import speccache, specs
from mockexp.cli import main
from mockexp.specs import Spec, SpecError

REPO_SPECS = Path(__file__).resolve().parents[1] / "specs"
GIOSG_OPERATIONS = {
    ("GET", "/orgs/{organization_id}/experiments", "listExperiments"),
    ("POST", "/orgs/{organization_id}/experiments", "createExperiment"),
    ("GET", "/orgs/{organization_id}/experiments/{experiment_id}", "retrieveExperiment"),
    ("PUT", "/orgs/{organization_id}/experiments/{experiment_id}", "updateExperiment"),
    ("DELETE", "/orgs/{organization_id}/experiments/{experiment_id}", "deleteExperiment"),
}


@pytest.fixture(autouse=True)
def shipped_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the shipped specs, whatever the environment says."""
    monkeypatch.delenv("MOCKEXP_SPECS_DIR", raising=False)


def giosg_text() -> str:
    return (REPO_SPECS / "giosg.yaml").read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the spec no longer has exactly one {old!r}; update this test"
    return text.replace(old, new)


def without_info(text: str) -> str:
    """The spec without its top-level `info` block."""
    broken, count = re.subn(r"^info:\n(?:[ \t]+.*\n|\n)+", "", text, count=1, flags=re.MULTILINE)
    assert count == 1 and not re.search(r"^info:", broken, re.MULTILINE)
    return broken


# name: (how to break giosg.yaml, a pattern the problem part of the message must match)
BROKEN = {
    "yaml-syntax-error": (lambda t: replace_once(t, "openapi: 3.0.3\n", "openapi: 3.0.3\n  bad: [unclosed\n"), r"line \d+"),
    "missing-info": (without_info, r"\binfo\b"),
    "unresolvable-ref": (lambda t: replace_once(t, '"#/components/schemas/ExperimentCollection"', '"#/components/schemas/NoSuchSchema"'), r"NoSuchSchema"),
    "missing-external-file": (lambda t: replace_once(t, '"#/components/schemas/ExperimentCollection"', '"nowhere.yaml#/ExperimentCollection"'), r"nowhere\.yaml"),
    "duplicate-operation-id": (lambda t: replace_once(t, "operationId: createExperiment", "operationId: listExperiments"), r"(?i)listExperiments.*(unique|both|duplicate)|(unique|both|duplicate).*listExperiments"),
    "pagination-naming-no-parameter": (lambda t: replace_once(t, "parameters: {size: page_size, cursor: cursor}", "parameters: {size: per_page, cursor: cursor}"), r"listExperiments.*parameters\.size.*per_page"),
    "pagination-naming-no-field": (lambda t: replace_once(t, "body: {next: next, previous: previous, items: results}", "body: {next: next, previous: previous, items: experiments}"), r"listExperiments.*items: experiments"),
    "pagination-of-unknown-style": (lambda t: replace_once(t, "style: cursor", "style: scroll"), r"listExperiments.*style.*scroll"),
    "link-to-no-parameter": (lambda t: replace_once(t, "                experiment_id: $response.body#/results/0/id", "                experimentId: $response.body#/results/0/id"),
                             r"RetrieveFirstExperiment.*no parameter experimentId"),
    "link-to-no-operation": (lambda t: replace_once(t, "            RetrieveFirstExperiment:\n              operationId: retrieveExperiment",
                                                    "            RetrieveFirstExperiment:\n              operationId: getExperiment"), r"RetrieveFirstExperiment.*getExperiment"),
    "refusals-not-4xx": (lambda t: replace_once(t, "refusals: [400, 401, 403, 404]", "refusals: [200, 404]"), r"x-mockexp-contract\.refusals"),
}


def write_broken(directory: Path, case: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "giosg.yaml"
    path.write_text(BROKEN[case][0](giosg_text()), encoding="utf-8")
    return path


def problem_part(message: str, path: Path) -> str:
    """The message without the file name (tmp dirs are named after the test, so they may
    contain the very words looked for)."""
    return message.replace(str(path.resolve()), "").replace(str(path), "")


# -- the shipped specs ------------------------------------------------------------------------


def test_every_shipped_spec_loads_and_validates() -> None:
    files = sorted(REPO_SPECS.glob("*.yaml"))
    assert {path.name for path in files} >= {"giosg.yaml", "mockexp-admin.yaml"}

    for path in files:
        spec = specs.load(path)
        assert isinstance(spec, Spec)
        assert spec.document["openapi"].startswith("3.")
        assert spec.operations, f"{path.name} has no operations"


def test_giosg_spec_has_the_five_experiment_operations() -> None:
    spec = specs.load_named("giosg.yaml")

    assert {(op.method, op.path, op.operation_id) for op in spec.operations} == GIOSG_OPERATIONS
    assert len(spec.operations) == 5
    assert spec.name == "giosg"


def test_giosg_spec_lives_under_api_v5() -> None:
    assert specs.load_named("giosg.yaml").base_path == "/api/v5"


ADMIN_OPERATIONS = {"health", "reset", "credentials", "getClock", "setClock", "listRequests", "clearRequests", "countRequests",
                    "listFaults", "putFaults", "clearFaults", "listRateLimits", "setRateLimits", "listSnapshots", "saveSnapshot", "restoreSnapshot", "deleteSnapshot", "exportWorld",
                    "listExperiments"}


def test_admin_spec_lives_under_mockexp_and_has_every_control() -> None:
    spec = specs.load_named("mockexp-admin.yaml")

    assert spec.base_path == "/__mockexp"
    assert {op.operation_id for op in spec.operations} == ADMIN_OPERATIONS


def test_loaded_giosg_spec_has_no_refs_left() -> None:
    document = specs.load_named("giosg.yaml").document

    def refs(node) -> list:
        if isinstance(node, dict):
            return (["$ref"] if "$ref" in node else []) + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    assert refs(document) == []


def test_specs_dir_override_points_the_loader_at_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(REPO_SPECS / "giosg.yaml", tmp_path / "giosg.yaml")
    monkeypatch.setenv("MOCKEXP_SPECS_DIR", str(tmp_path))

    assert specs.load_named("giosg.yaml").path == (tmp_path / "giosg.yaml").resolve()


# -- broken specs -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_spec_raises_spec_error_naming_the_file_and_the_problem(tmp_path: Path, case: str) -> None:
    path = write_broken(tmp_path, case)

    with pytest.raises(SpecError) as refused:
        specs.load(path)

    message = str(refused.value)
    assert str(path.resolve()) in message
    assert re.search(BROKEN[case][1], problem_part(message, path)), message[:2000]


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_spec_error_is_a_short_readable_message(tmp_path: Path, case: str) -> None:
    """The message is printed at start-up: it says what is wrong, not dump the document."""
    path = write_broken(tmp_path, case)

    with pytest.raises(SpecError) as refused:
        specs.load(path)

    problem = problem_part(str(refused.value), path)
    assert len(problem) <= 600, f"{len(problem)} characters: {problem[:300]}..."


def test_a_missing_spec_file_raises_spec_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(SpecError) as refused:
        specs.load(path)

    assert str(path.resolve()) in str(refused.value)


def test_a_spec_split_across_files_with_external_refs_resolves(tmp_path: Path) -> None:
    (tmp_path / "components").mkdir()
    (tmp_path / "main.yaml").write_text(
        """\
openapi: 3.0.3
info: {title: Split, version: "1"}
servers:
  - url: https://example.com/api/v1
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: The things.
          content:
            application/json:
              schema:
                $ref: "components/schemas.yaml#/Thing"
""",
        encoding="utf-8",
    )
    (tmp_path / "components" / "schemas.yaml").write_text(
        """\
Thing:
  type: object
  required: [name]
  properties:
    name: {type: string}
    parts: {$ref: "#/Parts"}
Parts:
  type: array
  items: {type: string}
""",
        encoding="utf-8",
    )

    spec = specs.load(tmp_path / "main.yaml")

    assert [(op.method, op.path, op.operation_id) for op in spec.operations] == [("GET", "/things", "listThings")]
    assert spec.base_path == "/api/v1"
    schema = spec.document["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "parts": {"type": "array", "items": {"type": "string"}}},
    }


# -- the command line -----------------------------------------------------------------------------


def test_specs_command_lists_each_spec_with_its_operation_count(capsys: pytest.CaptureFixture) -> None:
    status = main(["specs"])

    out = capsys.readouterr().out
    assert status == 0
    for file_name, count in (("giosg.yaml", 5), ("mockexp-admin.yaml", len(ADMIN_OPERATIONS))):
        lines = [line for line in out.splitlines() if file_name in line]
        assert len(lines) == 1, out
        assert re.search(rf"\b{count} operations\b", lines[0]), lines[0]


def test_specs_command_fails_naming_a_broken_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    broken = write_broken(tmp_path, "yaml-syntax-error")
    shutil.copy(REPO_SPECS / "mockexp-admin.yaml", tmp_path / "mockexp-admin.yaml")
    monkeypatch.setenv("MOCKEXP_SPECS_DIR", str(tmp_path))

    status = main(["specs"])

    captured = capsys.readouterr()
    assert status != 0
    assert str(broken.resolve()) in captured.err
    assert re.search(r"line \d+", problem_part(captured.err, broken))
    assert "mockexp-admin.yaml" in captured.out  # the valid one is still listed
    assert "all specs valid" not in captured.out


def test_specs_command_runs_as_a_program() -> None:
    env = {key: value for key, value in os.environ.items() if key != "MOCKEXP_SPECS_DIR"}

    result = subprocess.run([sys.executable, "-m", "mockexp", "specs"], capture_output=True, text=True, timeout=120, env=env)

    assert result.returncode == 0, result.stderr
    assert re.search(r"giosg.*\b5 operations\b", result.stdout)
    assert re.search(rf"\b{len(ADMIN_OPERATIONS)} operations\b.*mockexp-admin\.yaml", result.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_refusing(specs_dir: Path, why: str) -> subprocess.CompletedProcess:
    """`mockexp serve` with these specs, which must refuse to start (`why`, if it does not)."""
    env = dict(os.environ, MOCKEXP_SPECS_DIR=str(specs_dir))
    try:
        return subprocess.run(
            [sys.executable, "-m", "mockexp", "serve", "--memory", "--port", str(free_port())],
            capture_output=True, text=True, timeout=60, env=env, cwd=specs_dir.parent,
        )
    except subprocess.TimeoutExpired as running:
        pytest.fail(f"the server started with {why}: {running.stdout!r}")


def test_serve_refuses_to_start_with_a_broken_spec_naming_the_file_and_the_problem(tmp_path: Path) -> None:
    broken = write_broken(tmp_path / "specs", "unresolvable-ref")
    for spec in REPO_SPECS.iterdir():  # every other spec as shipped (with a split spec's parts): only the broken one can stop it
        if not (tmp_path / "specs" / spec.name).exists():
            (shutil.copytree if spec.is_dir() else shutil.copy)(spec, tmp_path / "specs" / spec.name)

    result = serve_refusing(tmp_path / "specs", "a broken spec")

    assert result.returncode != 0
    assert str(broken.resolve()) in result.stderr
    assert "NoSuchSchema" in problem_part(result.stderr, broken)
    assert "Traceback" not in result.stderr


# -- a spec the vendor does not implement ------------------------------------------------------


def misspelt(tmp_path: Path) -> Path:
    """Every shipped spec, with one of Giosg's operationIds misspelt (in its links too: the spec
    itself stays whole)."""
    directory = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, directory)
    text = (directory / "giosg.yaml").read_text(encoding="utf-8")
    assert text.count("\n      operationId: retrieveExperiment\n") == 1
    (directory / "giosg.yaml").write_text(text.replace("operationId: retrieveExperiment\n", "operationId: retreiveExperiment\n"), encoding="utf-8")
    return directory


def test_specs_command_fails_naming_an_operation_the_vendor_does_not_implement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("MOCKEXP_SPECS_DIR", str(misspelt(tmp_path)))

    status = main(["specs"])

    err = capsys.readouterr().err
    assert status == 1
    assert "retreiveExperiment" in err and "giosg" in err and "giosg.yaml" in err
    assert "not implemented" in err


def test_serve_refuses_to_start_naming_an_operation_the_vendor_does_not_implement(tmp_path: Path) -> None:
    result = serve_refusing(misspelt(tmp_path), "an operation nobody implements")

    assert result.returncode == 1
    assert "retreiveExperiment" in result.stderr and "giosg.yaml" in result.stderr
    assert "Traceback" not in result.stderr


# -- the resolved specs kept on disk -----------------------------------------------------------


def test_a_resolved_spec_is_kept_on_disk_and_read_back_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKEXP_CACHE_DIR", str(tmp_path / "cache"))
    path = REPO_SPECS / "growthbook.yaml"
    first = specs._resolve(path)
    assert list((tmp_path / "cache").glob("*.json")) == [tmp_path / "cache" / f"{speccache.digest(path)}.json"]
    assert specs._resolve(path).document == first.document


def test_an_edited_part_of_a_split_spec_is_resolved_afresh_not_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKEXP_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, copy)
    before = specs._resolve(copy / "growthbook.yaml")
    part = copy / "growthbook" / "projects.yaml"
    part.write_text(part.read_text().replace("summary: ", "summary: Edited - ", 1))
    after = specs._resolve(copy / "growthbook.yaml")
    assert after.document != before.document and "Edited - " in json.dumps(after.document)


def test_a_damaged_cache_entry_is_resolved_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKEXP_CACHE_DIR", str(tmp_path))
    path = REPO_SPECS / "giosg.yaml"
    (tmp_path / f"{speccache.digest(path)}.json").write_text("{not json")
    assert specs._resolve(path).operations


def test_serving_the_specs_leaves_their_documents_as_loaded() -> None:
    """The contract checker, the proxy and drift read the same loaded documents the server
    mounts: mounting them must not change them (Connexion writes into what it is given)."""
    import copy

    from mockexp.app import Runtime, build_app
    from mockexp.clock import Clock
    from mockexp.store import Store
    from mockexp.vendors import ALL

    runtime = Runtime(Store(None), Clock(), [ALL["giosg"], ALL["posthog"]])
    documents = [spec.document for _, spec in runtime.mounted()] + [runtime.admin_spec.document]
    as_loaded = copy.deepcopy(documents)
    build_app(runtime)
    build_app(runtime)
    assert documents == as_loaded
    listing = runtime.specs["giosg"].document["paths"]["/orgs/{organization_id}/experiments"]
    assert [p["name"] for p in listing["get"]["parameters"]] == ["cursor", "page_size"]
