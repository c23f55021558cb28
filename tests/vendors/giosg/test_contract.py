"""Schemathesis, in every phase, against the Giosg API of the running mock."""

from mockexp.contract.runner import PHASES, run


def test_giosg_api_matches_its_spec_in_every_schemathesis_phase(mock, giosg_admin):
    report = run(
        mock.runtime.specs["giosg"],
        mock.url + mock.runtime.base_path("giosg"),
        headers={"Authorization": giosg_admin["value"]},
        parameters={"organization_id": giosg_admin["tenant"]["organization_id"]},
        max_examples=40,
        seed=20190213,
    )
    assert report.ok, report.describe()
    assert report.phases_run() == set(PHASES), report.phases
