"""Each vendor's experiments as its own API lists them, for the console: the vendor's list
operation called with its first demo credential, through the API below the control plane (so
the console's reads are not journalled, faulted or rate-limited), grouped by state in the
vendor's own words, each with the path of its JSON."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from urllib.parse import quote

import httpx

Item = Mapping[str, Any]


@dataclass(frozen=True)
class Listing:
    """How a vendor's API lists its experiments: the list operation's path (under the base path,
    `{name}` filled from the credential's tenant), its query, where the items are in the answer,
    and how to read an item's name, key, state and the path of its JSON."""

    path: str
    items: str
    state: Callable[[Item, datetime], str]
    one: str  # the path of one experiment, `{name}` filled from the tenant and the item
    name: str = "name"
    key: str = "id"
    query: Mapping[str, str] = field(default_factory=dict)
    more: tuple[Mapping[str, str], ...] = ()  # further queries whose items join the list (archived ones)


def _field(name: str) -> Callable[[Item, datetime], str]:
    return lambda item, now: str(item.get(name))


def _launchdarkly_state(item: Item, now: datetime) -> str:
    if item.get("archivedDate"):
        return "archived"
    return (item.get("currentIteration") or {}).get("status", "not_started")


def _posthog_state(item: Item, now: datetime) -> str:
    return "archived" if item.get("archived") else str(item.get("status"))


def _giosg_state(item: Item, now: datetime) -> str:
    def passed(name: str) -> bool:
        moment = item.get(name)
        return bool(moment) and datetime.fromisoformat(moment.replace("Z", "+00:00")) <= now

    if item.get("is_draft"):
        return "draft"
    if passed("ends_at"):
        return "ended"
    return "running" if passed("starts_at") else "scheduled"


LISTINGS: dict[str, Listing] = {
    "absmartly": Listing("/experiments", "experiments", _field("state"), "/experiments/{id}", name="display_name", key="name",
                         query={"items": "100", "sort": "id", "sort_asc": "true"}),
    "giosg": Listing("/orgs/{organization_id}/experiments", "results", _giosg_state, "/orgs/{organization_id}/experiments/{id}",
                     query={"page_size": "100"}),
    "growthbook": Listing("/experiments", "experiments", _field("status"), "/experiments/{id}", key="trackingKey", query={"limit": "100"}),
    "launchdarkly": Listing("/projects/{projectKey}/environments/{environmentKey}/experiments", "items", _launchdarkly_state,
                            "/projects/{projectKey}/environments/{environmentKey}/experiments/{key}", key="key",
                            query={"limit": "50", "lifecycleState": "active,archived"}),
    "posthog": Listing("/projects/{project_id}/experiments/", "results", _posthog_state, "/projects/{project_id}/experiments/{id}/",
                       key="feature_flag_key", query={"limit": "100"}, more=({"limit": "100", "archived": "true"},)),
}


async def experiments(runtime: Any) -> dict:
    """Every vendor's experiments (in a task of its own: the calls through the API below must
    not leave their request context in the admin request's)."""
    return await asyncio.create_task(_all(runtime))


async def _all(runtime: Any) -> dict:
    transport = httpx.ASGITransport(app=runtime.inner_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        found = [await _vendor(runtime, client, name) for name in runtime.vendors if name in LISTINGS]
    return {"vendors": found}


async def _vendor(runtime: Any, client: httpx.AsyncClient, name: str) -> dict:
    listing = LISTINGS[name]
    base = runtime.base_path(name)
    credential = next((c for c in runtime.models[name].credentials() if c.can_read), None)
    if credential is None:  # no demo data loaded
        return {"vendor": name, "path": base + listing.path, "credential": None, "error": "No demo credential may read its experiments.", "states": []}
    path = base + _fill(listing.path, credential.tenant)
    headers = {credential.header: credential.value, "Accept": "application/json"}
    items: list[Item] = []
    for query in (listing.query, *listing.more):
        answer = await client.get(path, params=dict(query), headers=headers)
        if answer.status_code != 200:
            return {"vendor": name, "path": path, "credential": credential.to_json(), "error": f"{answer.status_code} {answer.text[:300]}", "states": []}
        items += [item for item in answer.json()[listing.items] if item not in items]
    now = runtime.clock.now().astimezone(timezone.utc)
    states: dict[str, list[dict]] = {}
    for item in items:
        states.setdefault(listing.state(item, now), []).append({
            "name": str(item.get(listing.name) or item.get(listing.key) or ""), "key": str(item.get(listing.key) or ""),
            "id": str(item.get("id", item.get("_id", ""))), "path": base + _fill(listing.one, {**credential.tenant, **item}),
        })
    return {"vendor": name, "path": path, "credential": credential.to_json(),
            "states": [{"state": state, "experiments": listed} for state, listed in states.items()]}


def _fill(template: str, values: Mapping[str, Any]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(str(value), safe=""))
    return template
