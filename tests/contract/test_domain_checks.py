"""mockexp's own contract checks, case by case, against the live mock."""

from __future__ import annotations

import httpx
import pytest
import schemathesis

from mockexp.contract import vendor_spec
from mockexp.contract.checks import CreatedObjectIsRetrievable
from mockexp.contract.runner import configure
from tests.conftest import LiveServer, credential


@pytest.mark.vendors("growthbook")
def test_a_create_sent_without_a_body_passes_when_the_object_reads_back(mock: LiveServer) -> None:
    """GrowthBook's `POST /experiments/{id}/snapshot` may be sent with no body: the check
    reads the snapshot back and has no sent fields to compare (it failed, comparing "nothing"
    with the stored snapshot, when Schemathesis left the optional body out)."""
    spec = vendor_spec("growthbook")
    writer = credential(mock.runtime, "growthbook", can_write=True)
    headers = {writer["header"]: writer["value"]}
    base_url = mock.url + spec.base_path
    experiments = httpx.get(f"{base_url}/experiments", headers=headers).json()["experiments"]
    running = next(experiment["id"] for experiment in experiments if experiment["status"] == "running")
    schema = schemathesis.openapi.from_dict(spec.fresh_document(), config=configure(base_url))
    case = schema["/experiments/{id}/snapshot"]["POST"].Case(path_parameters={"id": running}, headers=headers)
    response = case.call()
    assert response.status_code == 200, response.text
    CreatedObjectIsRetrievable().after_response(None, response, case)  # raises AssertionError on a failure


@pytest.mark.vendors("giosg")
def test_a_create_whose_stored_object_differs_from_what_was_sent_fails(mock: LiveServer) -> None:
    """The same check still compares what a create did send."""
    spec = vendor_spec("giosg")
    writer = credential(mock.runtime, "giosg", can_write=True)
    headers = {writer["header"]: writer["value"]}
    schema = schemathesis.openapi.from_dict(spec.fresh_document(), config=configure(mock.url + spec.base_path))
    organization = writer["tenant"]["organization_id"]
    case = schema["/orgs/{organization_id}/experiments"]["POST"].Case(path_parameters={"organization_id": organization}, headers=headers,
                                                                       body={"is_draft": True, "name": "sent"})
    response = case.call()
    assert response.status_code == 201, response.text
    case.body = {"is_draft": True, "name": "something else"}  # as if the server had stored another name
    with pytest.raises(AssertionError, match="does not hold what was sent"):
        CreatedObjectIsRetrievable().after_response(None, response, case)
