"""Schemathesis, in every phase, against every vendor's API on the running mock, with every
check (its own and mockexp's) on: the mock honours the contract it is the model of.

Each vendor's run has a bounded example budget, smaller the more operations it has, so the
suite's time stays bounded as vendors grow."""

from __future__ import annotations

import pytest

from mockexp.contract.runner import PHASES, run
from mockexp.specs import load_named
from mockexp.vendors import ALL
from tests.conftest import credential

EXAMPLES_PER_VENDOR = 120  # spread over the vendor's operations
PER_OPERATION = (1, 20)    # at least, at most: a vendor of more than 120 operations is the only
                           # one whose budget grows (the examples and coverage phases, which reach
                           # every operation anyway, do not count against it)


def budget(vendor: str) -> int:
    operations = len(load_named(ALL[vendor].spec).operations)
    low, high = PER_OPERATION
    return max(low, min(high, EXAMPLES_PER_VENDOR // operations))


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_the_mock_honours_its_spec_in_every_schemathesis_phase(mock, vendor):
    writer = credential(mock.runtime, vendor, can_write=True)
    reader = [c for c in mock.runtime.credentials() if c.vendor == vendor and c.can_read and not c.can_write and c.tenant == writer["tenant"]]
    report = run(
        mock.runtime.specs[vendor],
        mock.url + mock.runtime.base_path(vendor),
        headers={writer["header"]: writer["value"]},
        read_only_headers={reader[0].header: reader[0].value} if reader else None,
        parameters=dict(writer["tenant"]),
        max_examples=budget(vendor),
        seed=20261123,
    )
    assert report.ok, report.table()
    assert report.phases_run() == set(PHASES), report.phases
