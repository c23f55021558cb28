"""Attributes: what an organization knows about its users (`id`, `country`...), each with a
datatype. GrowthBook's REST API has no attributes operations; the demo world defines them, and
an archetype's value for a defined attribute must be of its datatype."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import ATTRIBUTES
from mockexp.vendors.growthbook.models.world import World

SCALARS = {"boolean": (bool,), "number": (int, float), "string": (str,), "secureString": (str,), "enum": (str,)}


class Attributes(World):
    def add_attribute(self, attribute: Mapping[str, Any], caller: str) -> dict:
        """An attribute of the caller's organization (`property`, `datatype`, and optionally
        `description`, `hashAttribute`, `enum`, `format`, `projects`)."""
        record = {"description": "", "hashAttribute": False, "archived": False, "enum": "", "format": "", "projects": [], **attribute}
        return self.org(caller).insert(ATTRIBUTES, record["property"], record)

    def check_attribute_values(self, org: Tables, given: Mapping[str, Any], field: str) -> None:
        """Each value given for an attribute the organization defines is of its datatype."""
        for name, value in given.items():
            attribute = org.get(ATTRIBUTES, name)
            if attribute is not None and not _fits(attribute, value):
                kind = attribute["datatype"] + (f" (one of {attribute['enum']})" if attribute["datatype"] == "enum" else "")
                raise Invalid.field(f"{field}.{name}", f"The attribute {name} is a {kind}.")


def _fits(attribute: Mapping[str, Any], value: Any) -> bool:
    datatype = attribute["datatype"]
    if datatype.endswith("[]"):
        return isinstance(value, list) and all(_fits({**attribute, "datatype": datatype[:-2]}, item) for item in value)
    if isinstance(value, bool) and datatype != "boolean":
        return False
    if not isinstance(value, SCALARS[datatype]):
        return False
    return datatype != "enum" or value in [option.strip() for option in attribute["enum"].split(",")]
