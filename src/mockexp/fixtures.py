"""Reading the demo-world descriptions in `fixtures/` (the data is made by each vendor)."""

from __future__ import annotations

from typing import Any

import yaml

from mockexp.resources import fixtures_dir


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where PyYAML has it: the same documents, some times faster


def scenario(vendor: str) -> dict[str, Any]:
    with open(fixtures_dir() / f"{vendor}.yaml", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SAFE_LOADER)
