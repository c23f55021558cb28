"""Testing your own client against mockexp, with the `mockexp_server` fixture of mockexp's
pytest plugin (installed with mockexp). Run: `pytest examples/`."""

import pytest

from giosg_client import ExperimentsClient

pytestmark = pytest.mark.mockexp_vendors("giosg")


@pytest.fixture
def client(mockexp_server):
    token = mockexp_server.credential("giosg", can_write=True)["Authorization"]
    return ExperimentsClient(mockexp_server.base_url("giosg"), token, mockexp_server.tenant("giosg")["organization_id"])


def test_creating_a_draft_calls_the_api_once(client, mockexp_server):
    client.create_draft("Free shipping banner")

    assert "Free shipping banner" in client.names()
    assert mockexp_server.count(vendor="giosg", operationId="createExperiment") == 1


def test_a_503_on_create_is_retried_and_the_draft_made_once(client, mockexp_server):
    mockexp_server.fail({"vendor": "giosg", "operationId": "createExperiment", "status": 503, "headers": {"Retry-After": "0"}, "times": 1})

    client.create_draft("Retried banner")

    statuses = [entry["status"] for entry in mockexp_server.requests(operationId="createExperiment")]
    assert statuses == [503, 201]
    assert client.names().count("Retried banner") == 1


@pytest.mark.mockexp_fixtures("worlds")  # examples/worlds/giosg.yaml: this team's own demo data
def test_the_client_lists_our_own_demo_experiments(client):
    assert sorted(client.names()) == ["Checkout copy", "Free shipping banner (v2)"]
