"""Schemathesis, in every phase, against the LaunchDarkly API of the running mock."""

from mockexp.contract.runner import PHASES, run


def test_launchdarkly_api_matches_its_spec_in_every_schemathesis_phase(mock, ld_writer):
    report = run(
        mock.runtime.specs["launchdarkly"],
        mock.url + mock.runtime.base_path("launchdarkly"),
        headers={"Authorization": ld_writer["value"]},
        parameters={"projectKey": ld_writer["tenant"]["projectKey"], "environmentKey": ld_writer["tenant"]["environmentKey"]},
        max_examples=40,
        seed=20220603,
    )
    assert report.ok, report.describe()
    assert report.phases_run() == set(PHASES), report.phases
