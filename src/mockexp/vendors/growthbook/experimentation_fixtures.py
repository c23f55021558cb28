"""GrowthBook's demo experimentation data (issue 12), made through the model's own operations
like the rest of the demo world: data sources, then what is defined over them."""

from __future__ import annotations

from typing import Any

from mockexp.vendors.growthbook.models import GrowthBook


def load(growthbook: GrowthBook, admin: str, plan: dict[str, Any], projects: list[str]) -> None:
    for item in plan.get("dataSources", []):
        source = {**item, "projectIds": [projects[index] for index in item.get("projects", [])]}
        growthbook.add_data_source(source, admin)
