"""Every link of the index (`GET /`, as JSON and as the console's page) leads somewhere: a
vendor's base path answers what is served there, `/__mockexp` lists the admin operations."""

from __future__ import annotations

import re
from typing import Iterator

import httpx
import pytest

from mockexp.testing import Mock, run_mock

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    with run_mock() as running:
        yield running


@pytest.fixture
def http(mock: Mock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, timeout=10, follow_redirects=True) as client:
        yield client


def links_of(found: object) -> list[str]:
    """Every path in the index's JSON."""
    if isinstance(found, dict):
        return [link for value in found.values() for link in links_of(value)]
    if isinstance(found, list):
        return [link for value in found for link in links_of(value)]
    return [found] if isinstance(found, str) and found.startswith("/") else []


def test_every_link_of_the_json_index_answers_200(http: httpx.Client) -> None:
    links = links_of(http.get("/").json())
    assert len(links) == 5 * 3 + 3
    for link in links:
        assert http.get(link).status_code == 200, link


def test_every_link_of_the_console_page_answers_200(http: httpx.Client) -> None:
    page = http.get("/", headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    links = re.findall(r'href="([^"#][^"]*)"', page.text)
    assert "/__mockexp" in links
    for link in links:
        assert link.startswith("data:") or http.get(link).status_code == 200, link


@pytest.mark.parametrize("vendor", ["absmartly", "giosg", "growthbook", "launchdarkly", "posthog"])
def test_a_vendors_base_path_names_its_swagger_ui_spec_and_operations(http: httpx.Client, mock: Mock, vendor: str) -> None:
    base = mock.runtime.base_path(vendor)
    spec = mock.runtime.specs[vendor]
    found = http.get(base).json()
    assert (found["ui"], found["spec"]) == (base + "/ui/", base + "/openapi.json")
    served_there = [op.operation_id for _, other in mock.runtime.mounted() if other.base_path == base for op in other.operations]
    assert [op["operationId"] for op in found["operations"]] == served_there  # with a second spec at the same base path
    page = http.get(base + "/", headers=HTML)
    assert f'href="{base}/ui/"' in page.text and f'href="{base}/openapi.json"' in page.text and spec.operations[0].operation_id in page.text


def test_the_admin_base_path_lists_the_admin_operations(http: httpx.Client, mock: Mock) -> None:
    found = http.get("/__mockexp").json()
    assert {op["operationId"] for op in found["operations"]} == {op.operation_id for op in mock.runtime.admin_spec.operations}
    assert {"reset", "setClock", "putFaults", "saveSnapshot", "listExperiments"} <= {op["operationId"] for op in found["operations"]}


def test_a_base_path_is_journalled_as_a_request_to_that_vendor(http: httpx.Client, mock: Mock) -> None:
    mock.clear_requests()
    http.get("/api/v5")
    assert [(e["vendor"], e["status"], e["operationId"]) for e in mock.requests()] == [("giosg", 200, None)]
