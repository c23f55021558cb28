"""Where the shipped specs and fixture files live.

In a wheel they sit inside the package (`mockexp/specs`, `mockexp/fixtures`); in a source
checkout (editable install) they are the repository's top-level `specs/` and `fixtures/`.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mockexp's {name}/ directory is missing from this installation")


def specs_dir() -> Path:
    """`MOCKEXP_SPECS_DIR` overrides the shipped specs (to try an edited copy)."""
    override = os.environ.get("MOCKEXP_SPECS_DIR")
    return Path(override) if override else _locate("specs")


def fixtures_dir() -> Path:
    return _locate("fixtures")
