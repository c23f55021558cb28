"""What the peers benchmark asks of each vendor: its main list and a read of one object (and,
for Giosg, a create and a mixed load; for an SDK side, its payload), found on a running mock
with the demo data and the demo credentials. Each row names the spec (by base path) that
serves it, so a peer can serve the same document.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass, field
from typing import Callable

import loadgen

Request = loadgen.Request
HOST = "127.0.0.1"


@dataclass
class Row:
    """One line of the table: requests (chosen by weight) sent to one spec's server."""

    vendor: str
    operation: str
    base_path: str  # the spec serving it (its `<base path>/openapi.json` is what the peers serve)
    headers: dict[str, str]
    requests: list[tuple[float, Request]] = field(default_factory=list)  # (weight, request)

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.operation}"


def _credential(port: int, vendor: str, **wanted: object) -> dict:
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    return next(c for c in credentials if c["vendor"] == vendor and all(c.get(k) == v for k, v in wanted.items()))


def _first(port: int, path: str, headers: dict[str, str], items: Callable[[object], list]) -> dict:
    status, body = loadgen.get_json(HOST, port, path, headers)
    assert status == 200, (path, status, body)
    return items(body)[0]


def _etag(port: int, path: str, headers: dict[str, str]) -> str:
    """The ETag the mock answers `path` with (what a polling SDK sends back as If-None-Match)."""
    with urllib.request.urlopen(urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers), timeout=10) as answer:
        return answer.headers["ETag"]


def _unchanged(vendor: str, operation: str, base: str, port: int, path: str, headers: dict[str, str]) -> Row:
    """A poll of an SDK payload that has not changed: If-None-Match with its ETag (304)."""
    return Row(vendor, f"{operation}, unchanged (304)", base, {**headers, "If-None-Match": _etag(port, path, headers)}, [(1.0, ("GET", path, b""))])


def _list_and_read(vendor: str, base: str, headers: dict[str, str], collection: str, one: str) -> list[Row]:
    return [Row(vendor, "list", base, headers, [(1.0, ("GET", collection, b""))]),
            Row(vendor, "GET one", base, headers, [(1.0, ("GET", one, b""))])]


def giosg(port: int) -> list[Row]:
    credential = _credential(port, "giosg", can_write=True)
    headers = {credential["header"]: credential["value"]}
    collection = f"/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"
    one = f"{collection}/{_first(port, collection, headers, lambda page: page['results'])['id']}"
    get_one, get_list, post = ("GET", one, b""), ("GET", collection, b""), ("POST", collection, b'{"is_draft": true, "name": "bench"}')
    return [Row("Giosg", "GET one", "/api/v5", headers, [(1.0, get_one)]),
            Row("Giosg", "list page", "/api/v5", headers, [(1.0, get_list)]),
            Row("Giosg", "POST create", "/api/v5", headers, [(1.0, post)]),
            Row("Giosg", "mixed 60/25/15", "/api/v5", headers, [(0.60, get_one), (0.25, get_list), (0.15, post)])]


def growthbook(port: int) -> list[Row]:
    credential = _credential(port, "growthbook", value="Bearer secret_mockexp_demo_admin")
    headers = {credential["header"]: credential["value"]}
    feature = _first(port, "/api/v1/features", headers, lambda body: body["features"])["id"]
    experiment = _first(port, "/api/v1/experiments", headers, lambda body: body["experiments"])["id"]
    rows = [Row("GrowthBook", "features list", "/api/v1", headers, [(1.0, ("GET", "/api/v1/features", b""))]),
            Row("GrowthBook", "GET one feature", "/api/v1", headers, [(1.0, ("GET", f"/api/v1/features/{feature}", b""))]),
            Row("GrowthBook", "experiments list", "/api/v1", headers, [(1.0, ("GET", "/api/v1/experiments", b""))]),
            Row("GrowthBook", "GET one experiment", "/api/v1", headers, [(1.0, ("GET", f"/api/v1/experiments/{experiment}", b""))])]
    client_key = credential["tenant"]["clientKey"]
    rows.append(Row("GrowthBook", "SDK payload", "/api/features", {}, [(1.0, ("GET", f"/api/features/{client_key}", b""))]))
    rows.append(_unchanged("GrowthBook", "SDK payload", "/api/features", port, f"/api/features/{client_key}", {}))
    return rows


def absmartly(port: int) -> list[Row]:
    credential = _credential(port, "absmartly", can_write=True)
    headers = {credential["header"]: credential["value"]}
    collection = "/v1/experiments?items=20"
    one = f"/v1/experiments/{_first(port, collection, headers, lambda body: body['experiments'])['id']}"
    sdk = _credential(port, "absmartly", role="SDK key (production)")
    context = ("GET", "/v1/context?application=www&environment=production", b"")
    return _list_and_read("ABsmartly", "/v1", headers, collection, one) + [
        Row("ABsmartly", "SDK context", "/v1", {sdk["header"]: sdk["value"]}, [(1.0, context)])]


def launchdarkly(port: int) -> list[Row]:
    credential = _credential(port, "launchdarkly", role="writer")
    headers = {credential["header"]: credential["value"]}
    tenant = credential["tenant"]
    collection = f"/api/v2/projects/{tenant['projectKey']}/environments/{tenant['environmentKey']}/experiments"
    one = f"{collection}/{_first(port, collection, headers, lambda body: body['items'])['key']}"
    sdk = _credential(port, "launchdarkly", role="SDK key", tenant=tenant)
    sdk_headers = {sdk["header"]: sdk["value"]}
    return _list_and_read("LaunchDarkly", "/api/v2", headers, collection, one) + [
        Row("LaunchDarkly", "SDK payload", "", sdk_headers, [(1.0, ("GET", "/sdk/latest-all", b""))]),
        _unchanged("LaunchDarkly", "SDK payload", "", port, "/sdk/latest-all", sdk_headers)]


def posthog(port: int) -> list[Row]:
    credential = _credential(port, "posthog", value="Bearer phx_mockexp_demo_full_access")
    headers = {credential["header"]: credential["value"]}
    collection = f"/api/projects/{credential['tenant']['project_id']}/experiments/"
    one = f"{collection}{_first(port, collection, headers, lambda body: body['results'])['id']}/"
    token = _credential(port, "posthog", role="project-api-key", tenant=credential["tenant"])["value"]
    flags = ("POST", "/flags/?v=4", f'{{"api_key": "{token}", "distinct_id": "user-42"}}'.encode())
    definitions = f"/flags/definitions/?token={token}"  # the document's path (PostHog's trailing slash; the peers need it)
    return _list_and_read("PostHog", "/api", headers, collection, one) + [
        Row("PostHog", "SDK flags", "", {}, [(1.0, flags)]),
        Row("PostHog", "flag definitions", "", headers, [(1.0, ("GET", definitions, b""))]),
        _unchanged("PostHog", "flag definitions", "", port, definitions, headers)]


def petstore3(port: int) -> list[Row]:
    """The Swagger Petstore, served by `mockexp serve --spec tests/specs/petstore3.yaml` (every
    security scheme's demo credential sent)."""
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    headers = {c["header"]: c["value"] for c in credentials if c["vendor"] == "petstore3"}
    get_one, get_list = ("GET", "/api/v3/pet/1", b""), ("GET", "/api/v3/pet/findByStatus?status=available", b"")
    post = ("POST", "/api/v3/pet", b'{"name": "bench", "photoUrls": []}')
    return [Row("Petstore", "GET one", "/api/v3", headers, [(1.0, get_one)]),
            Row("Petstore", "findByStatus", "/api/v3", headers, [(1.0, get_list)]),
            Row("Petstore", "POST create", "/api/v3", headers, [(1.0, post)]),
            Row("Petstore", "mixed 60/25/15", "/api/v3", headers, [(0.60, get_one), (0.25, get_list), (0.15, post)])]


SCENARIOS: dict[str, Callable[[int], list[Row]]] = {
    "giosg": giosg, "growthbook": growthbook, "absmartly": absmartly, "launchdarkly": launchdarkly, "posthog": posthog,
    "petstore3": petstore3,
}
# the rows that are a document of our tests served by `--spec`, not a built-in vendor
OWN_SPECS = {"petstore3": "tests/specs/petstore3.yaml"}
