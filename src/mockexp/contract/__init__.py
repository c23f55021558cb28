"""Contract tests: the specs that drive the mock, turned on any implementation.

Inside your own pytest suite:

    from mockexp.contract import check_contract

    def test_our_backend_honours_the_giosg_contract():
        check_contract("giosg", "https://staging.example.com/api/v5",
                       headers={"Authorization": "Token ..."},
                       parameters={"organization_id": "..."}, seed=1)
"""

from __future__ import annotations

from typing import Any

from mockexp.contract.report import Report


def check_contract(vendor: str, base_url: str, **options: Any) -> Report:
    """Run the contract suite (see `runner.run` for the options); fail with the report's
    table if anything failed, else return the report."""
    from mockexp.contract.runner import run
    from mockexp.specs import load_named
    from mockexp.vendors import ALL

    if vendor not in ALL:
        raise ValueError(f"unknown vendor {vendor!r}; known: {', '.join(ALL)}")
    report = run(load_named(ALL[vendor].spec), base_url, vendor=vendor, **options)
    if not report.ok:
        raise AssertionError(report.table())
    return report
