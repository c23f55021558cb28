"""mockexp leaves the libraries it uses as published for other code in the process: a user's
pytest run (the plugin loads by itself once mockexp is installed) finds Connexion, Starlette,
uvicorn and TinyDB unchanged before and after a mock ran, and its own Connexion app serves."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parent.parent / "src"
LIBRARIES = ("connexion", "starlette", "uvicorn", "tinydb", "schemathesis", "werkzeug", "jsonschema", "httptools")


@pytest.fixture(scope="module")
def user_project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("users-project")
    shutil.copy(HERE / "user_project.py", project / "test_user_project.py")
    listing = subprocess.run([sys.executable, "-c", "import json, sys\nfrom mockexp.testing import run_mock\n"
                              "with run_mock(['giosg']):\n    pass\nprint(json.dumps(sorted(sys.modules)))"],
                             capture_output=True, text=True, check=True, cwd=project)
    modules = [name for name in json.loads(listing.stdout.splitlines()[-1]) if name.partition(".")[0] in LIBRARIES]
    (project / "modules.json").write_text(json.dumps(modules))
    return project


def _run(project: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "test_user_project.py"],
                          capture_output=True, text=True, cwd=project, env={**os.environ, **env}, timeout=300)


def test_a_users_pytest_run_finds_its_libraries_unchanged_before_and_after_a_mock(user_project: Path) -> None:
    run = _run(user_project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def test_the_users_run_would_see_a_library_function_replaced(user_project: Path) -> None:
    run = _run(user_project, PATCH_ON_PURPOSE="1")
    assert run.returncode == 1
    assert "connexion.utils.extract_content_type" in run.stdout


MONKEYPATCH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+ *= ", re.M)


def test_no_module_of_mockexp_assigns_over_another_objects_attribute_at_module_level() -> None:
    found = [f"{path.relative_to(SRC)}:{source[:match.start()].count(chr(10)) + 1}: {match.group(0)}"
             for path in sorted(SRC.rglob("*.py")) for source in [path.read_text()] for match in MONKEYPATCH.finditer(source)]
    assert found == []
