"""Schemathesis, in every phase, against every API of every vendor on the running mock (a
vendor's main spec and its others, such as GrowthBook's SDK endpoint), with every check (its
own and mockexp's) on: the mock honours the contract it is the model of.

Each spec's run has a bounded example budget, smaller the more operations it has, so the
suite's time stays bounded as vendors grow."""

from __future__ import annotations

import pytest

from mockexp.contract.runner import PHASES, run
from mockexp.specs import load_named
from mockexp.vendors import ALL
from tests.conftest import credential

EXAMPLES_PER_SPEC = 120  # spread over the spec's operations
PER_OPERATION = (1, 20)  # at least, at most: only a spec of more than 120 operations has a budget
                         # that grows (the examples and coverage phases, which reach every
                         # operation anyway, do not count against it)
SPECS = [(vendor, file) for vendor in sorted(ALL) for file in ALL[vendor].specs]


def budget(file: str) -> int:
    operations = len(load_named(file).operations)
    low, high = PER_OPERATION
    return max(low, min(high, EXAMPLES_PER_SPEC // operations))


@pytest.mark.parametrize("vendor, file", SPECS, ids=[file.removesuffix(".yaml") for _, file in SPECS])
def test_the_mock_honours_its_spec_in_every_schemathesis_phase_on_every_operation(mock, vendor, file):
    spec = load_named(file)
    # the credentials listed for the vendor's other API (an SDK key), else those of its main API
    own = file if any(c.vendor == vendor and c.spec == file for c in mock.runtime.credentials()) else None
    writer = credential(mock.runtime, vendor, can_write=True, spec=own)
    reader = [c for c in mock.runtime.credentials() if c.vendor == vendor and c.spec == own and c.can_read and not c.can_write and c.tenant == writer["tenant"]]
    taken = [c for c in mock.runtime.credentials() if c.vendor == vendor and c.spec == own and c.can_read and c.header.lower() in spec.credential_headers]
    if taken and not any(c.can_write for c in taken):  # an API that takes only its own keys (ABsmartly's SDK keys): the first
        writer, reader = taken[0].to_json(), []
    report = run(
        spec,
        mock.url + spec.base_path,
        headers={writer["header"]: writer["value"]},
        read_only_headers={reader[0].header: reader[0].value} if reader else None,
        parameters={name: value for name, value in writer["tenant"].items() if name in spec.path_parameter_names},
        max_examples=budget(file),
        seed=20261123,
    )
    assert report.ok, report.table()
    # every operation was tried, not only some (but a stream, which never ends: `x-mockexp-stream`)
    assert len(report.operations) == len([operation for operation in spec.operations if not operation.streams]), report.table()
    # The stateful phase follows the spec's links: a spec without any has nothing to follow.
    assert report.phases_run() == set(PHASES) - (set() if spec.has_links else {"stateful"}), report.phases
