"""Contract tests: the specs that drive the mock, turned on any implementation.

Inside your own pytest suite:

    from mockexp.contract import check_contract

    def test_our_backend_honours_the_giosg_contract():
        check_contract("giosg", "https://staging.example.com/api/v5",
                       headers={"Authorization": "Token ..."},
                       parameters={"organization_id": "..."}, seed=1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockexp.contract.report import Report

PHASES = ("examples", "coverage", "fuzzing", "stateful")  # Schemathesis's, in the order they run (here, not in runner: naming them must not import Schemathesis)

if TYPE_CHECKING:
    from mockexp.specs import Spec


def vendor_spec(vendor: str, file: str | None = None) -> "Spec":
    """One of a vendor's specs: its main one, or another it serves (`file`, such as
    GrowthBook's `growthbook-sdk.yaml`, its SDK endpoint); ValueError naming the choices."""
    from mockexp.specs import load_named
    from mockexp.vendors import ALL

    if vendor not in ALL:
        raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(ALL)}")
    files = ALL[vendor].specs
    if file is not None and file not in files:
        raise ValueError(f"{vendor} has no spec {file!r}; its specs: {', '.join(files)}")
    return load_named(file or files[0])


def check_contract(vendor: str, base_url: str, spec: str | None = None, **options: Any) -> Report:
    """Run the contract suite against one of the vendor's APIs (its main one, or the one of
    `spec`; see `runner.run` for the options); fail with the report's table if anything
    failed, else return the report."""
    from mockexp.contract.runner import run

    report = run(vendor_spec(vendor, spec), base_url, vendor=vendor, **options)
    if not report.ok:
        raise AssertionError(report.table())
    return report
