"""The contract suite fails, naming the right check, against implementations that get
something wrong; and passes against the mock itself."""

from __future__ import annotations

import pytest

from mockexp.app import Runtime
from mockexp.contract import check_contract
from mockexp.clock import Clock
from mockexp.contract.runner import run
from mockexp.store import Store
from mockexp.vendors import ALL
from tests.conftest import LiveServer, giosg_credential
from tests.contract import faults

WRITER, READER = "Token giosg-demo-admin-token", "Token giosg-demo-viewer-token"


def contract_run(fault: faults.Fault | None):
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    wrap = (lambda app: faults.Faulty(app, fault)) if fault else (lambda app: app)
    with LiveServer(runtime, wrap=wrap) as server:
        admin = giosg_credential(runtime, "settings permission")
        return run(
            runtime.specs["giosg"],
            server.url + runtime.base_path("giosg"),
            headers={"Authorization": admin["value"]},
            read_only_headers={"Authorization": READER},
            parameters={"organization_id": admin["tenant"]["organization_id"]},
            max_examples=12,
            seed=4,
        )


@pytest.mark.parametrize(
    "fault",
    [
        faults.NameOfWrongType(),
        faults.CreatedAtMissing(),
        faults.CrashOnDraftUpdate(),
        faults.AuthIgnored(WRITER),
        faults.ReadOnlyIgnored(READER, WRITER),
        faults.CreatedButUnreadable(),
        faults.DeleteDoesNothing(),
        faults.PercentagesOff(),
        faults.UpdatedBeforeCreated(),
        faults.CursorIgnored(),
    ],
    ids=repr,
)
def test_contract_suite_fails_a_broken_implementation_naming_the_check(fault):
    report = contract_run(fault)
    assert not report.ok
    assert fault.catches in report.failed_checks(), report.table()


def test_contract_suite_passes_the_mock_with_every_check_on():
    report = contract_run(None)
    assert report.ok, report.table()


def test_check_contract_in_a_users_own_test_suite_raises_with_the_report_when_broken():
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    admin = giosg_credential(runtime, "settings permission")
    options = dict(headers={"Authorization": admin["value"]}, parameters={"organization_id": admin["tenant"]["organization_id"]}, max_examples=5, seed=1, phases=["examples", "coverage"])
    with LiveServer(runtime) as server:
        assert check_contract("giosg", server.url + "/api/v5", **options).ok
    with LiveServer(runtime, wrap=lambda app: faults.Faulty(app, faults.CreatedAtMissing())) as server:
        with pytest.raises(AssertionError, match="response_schema_conformance"):
            check_contract("giosg", server.url + "/api/v5", **options)
