"""node, for the tests that run a vendor's official Node.js SDK (installed from the project's
package.json by `python3 dev.py test`, npm ci): skipped only where node is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def node_for(package: str, sdk: str) -> str:
    """The node executable, with `package` in node_modules (the test is skipped without node)."""
    found = shutil.which("node")
    if found is None:
        pytest.skip(f"node is not installed: {sdk} cannot run")
    assert (ROOT / "node_modules" / package).is_dir(), f"node_modules/{package} is not installed: run `python3 dev.py test` once (npm ci)"
    return found
