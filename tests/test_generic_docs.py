"""`docs/your-own-api.md` as a reader runs it: its shell walk-through of the Petstore against
`mockexp serve --spec tests/specs/petstore3.yaml` (here `run_mock(specs=[...])`), top to
bottom in one shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from mockexp.testing import run_mock

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "your-own-api.md"
DOCUMENTED = "http://127.0.0.1:8080"


def test_the_petstore_walk_through_runs_as_written():
    [script] = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with run_mock(specs=[ROOT / "tests" / "specs" / "petstore3.yaml"]) as mock:
        done = subprocess.run(["bash", "-ec", script.replace(DOCUMENTED, mock.url)], capture_output=True, text=True, timeout=300, cwd=ROOT, env=environment)
    assert done.returncode == 0, done.stderr + done.stdout[-2000:]
    out = done.stdout
    assert '"name":"Rexy"' in out and '"status":"sold"' in out
    assert "HTTP/1.1 404" in out and "HTTP/1.1 400" in out and "name: This field is required." in out and "HTTP/1.1 401" in out
    assert '"username":"ada"' in out and '"operationId":"addPet"' in out
    assert out.rstrip().endswith("seed 1: passed")
