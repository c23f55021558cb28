"""The small GrowthBook world the rules tests (no HTTP) build on: two organizations with an
admin key each and a readonly key in the first, over an in-memory store and a frozen clock."""

from __future__ import annotations

from datetime import datetime, timezone

from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.world import add_organization

NOW = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=timezone.utc)
ADMIN, READONLY, OTHER = "secret_shop_admin", "secret_shop_readonly", "secret_other_admin"


def two_organizations(clock: Clock, *, environments: bool = False) -> GrowthBook:
    """`environments`: each organization also has `production` (off by default) and `dev` (on)."""
    model = GrowthBook(Store().vendor("growthbook"), clock)
    for org, key in (("org_shop", ADMIN), ("org_other", OTHER)):
        add_organization(model, org, org, f"owner@{org}.test")
        model.add_key(key, org, "admin", f"{org} admin")
        for env, default in (("production", False), ("dev", True)) if environments else ():
            model.post_environment({"id": env, "defaultState": default}, key)
    model.add_key(READONLY, "org_shop", "readonly", "shop readonly")
    return model
