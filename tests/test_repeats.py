"""A GET repeated exactly gets the first one's response again, yet the control plane sees every
request, and a change, a fault or another credential is seen at once. (An SDK poll repeated
with its ETag: `tests/vendors/launchdarkly/test_sdk.py`, `tests/vendors/growthbook/test_sdk.py`.)"""

from __future__ import annotations

import httpx
import pytest

from mockexp.testing import run_mock


@pytest.fixture(scope="module")
def mock():
    with run_mock(["giosg"]) as mock:
        yield mock


@pytest.fixture
def giosg(mock):
    mock.reset("giosg")
    tenant = mock.tenant("giosg")
    with httpx.Client(base_url=mock.url, headers=mock.credential("giosg", can_write=True), timeout=30) as http:
        yield http, f"/api/v5/orgs/{tenant['organization_id']}/experiments"


def test_every_repeated_read_is_journalled(mock, giosg):
    http, collection = giosg
    for _ in range(3):
        assert http.get(collection).status_code == 200
    assert mock.count(vendor="giosg", method="GET", path=collection) == 3


def test_a_fault_rule_applies_to_a_read_answered_before(mock, giosg):
    http, collection = giosg
    first = http.get(collection)
    mock.fail({"vendor": "giosg", "operationId": "listExperiments", "status": 503, "times": 1})
    assert http.get(collection).status_code == 503
    assert http.get(collection).json() == first.json()


def test_a_create_shows_in_the_next_repeated_list(giosg):
    http, collection = giosg
    before = http.get(collection, params={"page_size": 100}).json()["results"]
    made = http.post(collection, json={"is_draft": True, "name": "Seen at once"}).json()
    after = http.get(collection, params={"page_size": 100}).json()["results"]
    assert made["id"] not in [e["id"] for e in before] and made["id"] in [e["id"] for e in after]


def test_a_repeated_read_with_another_credential_is_authorized_afresh(mock, giosg):
    http, collection = giosg
    assert http.get(collection).status_code == 200
    stranger = next(c for c in mock.runtime.credentials() if c.vendor == "giosg" and c.tenant["organization_id"] != mock.tenant("giosg")["organization_id"])
    assert http.get(collection, headers={stranger.header: stranger.value}).status_code == 403
