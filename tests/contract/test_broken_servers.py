"""The contract suite fails, naming the right check, against implementations of every
vendor that get something wrong (the mock with one fault put in, see `faults.py`)."""

from __future__ import annotations

import functools

import pytest

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.contract import check_contract
from mockexp.contract.runner import run
from mockexp.store import Store
from mockexp.vendors import ALL
from tests.conftest import LiveServer, credential
from tests.contract import faults


@functools.cache
def world(vendor: str) -> tuple[Runtime, faults.Target, dict]:
    """A fresh mock of one vendor, what the faults know of it, and its writer's tenant ids."""
    runtime = Runtime(Store(), Clock(), [ALL[vendor]])
    runtime.seed()
    writer = credential(runtime, vendor, can_write=True)
    readers = [c for c in runtime.credentials() if c.vendor == vendor and c.can_read and not c.can_write and c.tenant == writer["tenant"]]
    target = faults.Target(ALL[vendor], runtime.specs[vendor], {writer["header"]: writer["value"]}, {readers[0].header: readers[0].value} if readers else {})
    return runtime, target, dict(writer["tenant"])


def cases() -> list:
    found = [pytest.param(vendor, fault, id=f"{vendor}-{fault.__name__}") for vendor in sorted(ALL) for fault in faults.ALL_FAULTS if fault().applies(world(vendor)[1])]
    assert {param.values[1] for param in found} == set(faults.ALL_FAULTS), "a fault applies to no vendor"
    assert {param.values[0] for param in found} == set(ALL)
    return found


@pytest.mark.parametrize("vendor, fault", cases())
def test_contract_suite_fails_a_broken_implementation_naming_the_check(vendor, fault):
    runtime, target, tenant = world(vendor)
    runtime.reset()
    broken = fault()
    with LiveServer(runtime, wrap=lambda app: faults.Faulty(app, broken, target)) as server:
        report = run(
            target.spec,
            server.url + target.spec.base_path,
            headers=target.writer,
            read_only_headers=target.reader,
            parameters=tenant,
            phases=broken.phases,
            checks=[broken.catches],
            max_examples=broken.examples,
            seed=4,
            exclude_operations=broken.left_out(target),
        )
    assert not report.ok, f"{broken!r} went unnoticed:\n{report.table()}"
    assert broken.catches in report.failed_checks(), report.table()


def test_check_contract_in_a_users_own_test_suite_raises_with_the_report_when_broken():
    runtime, target, tenant = world("giosg")
    runtime.reset()
    options = dict(headers=target.writer, parameters=tenant, max_examples=5, seed=1, phases=["examples", "fuzzing"])
    with LiveServer(runtime) as server:
        assert check_contract("giosg", server.url + "/api/v5", **options).ok
    with LiveServer(runtime, wrap=lambda app: faults.Faulty(app, faults.RequiredFieldMissing(), target)) as server:
        with pytest.raises(AssertionError, match="response_schema_conformance"):
            check_contract("giosg", server.url + "/api/v5", **options)


@pytest.mark.vendors("growthbook")
def test_check_contract_takes_another_api_of_the_vendor_by_its_spec_and_names_the_choices_otherwise(mock):
    key = credential(mock.runtime, "growthbook", can_write=True)["tenant"]["clientKey"]
    report = check_contract("growthbook", mock.url + "/api/features", spec="growthbook-sdk.yaml", parameters={"clientKey": key}, max_examples=3, seed=1, phases=["examples"])
    assert set(report.operations) == {"GET /{clientKey}"}
    with pytest.raises(ValueError, match="its specs: growthbook.yaml, growthbook-sdk.yaml"):
        check_contract("growthbook", mock.url + "/api/features", spec="sdk.yaml")


def test_mockexps_checks_run_in_its_own_runs_only_not_in_a_users_other_schemathesis_tests():
    """A user who imports mockexp's contract suite and also runs Schemathesis on their own
    gets exactly Schemathesis' checks there: ours do not leak into their runs."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema

    from mockexp.contract import checks

    runtime, target, tenant = world("giosg")
    runtime.reset()
    with LiveServer(runtime, wrap=lambda app: faults.Faulty(app, faults.CreatedButUnreadable(), target)) as server:
        base = server.url + target.spec.base_path
        ours = run(target.spec, base, headers=target.writer, parameters=tenant, phases=["examples"], max_examples=3, seed=1)
        config = SchemathesisConfig.from_dict({"base-url": base, "headers": target.writer, "parameters": tenant,
                                               "phases": {name: {"enabled": name == "examples"} for name in ("examples", "coverage", "fuzzing", "stateful")}})
        theirs = [event for event in from_schema(schemathesis.openapi.from_dict(target.spec.fresh_document(), config=config)).execute()
                  if isinstance(event, events.ScenarioFinished)]

    assert "created_object_is_retrievable" in ours.failed_checks()
    ran = {check.name for event in theirs for found in event.recorder.checks.values() for check in found}
    assert ran, "the user's run checked nothing"
    assert not ran & set(checks.NAMES), f"mockexp's checks ran in the user's own run: {sorted(ran & set(checks.NAMES))}"
