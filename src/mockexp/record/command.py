"""`mockexp record VENDOR --upstream URL --out DIR`: the validation proxy, and at exit the
objects it saw (read, or made by the successful writes it saw) written as a fixture world
(`DIR/<vendor>.yaml`) for `mockexp serve --fixtures DIR`, checked to load in a fresh mock."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockexp.contract.command import UsageError
from mockexp.proxy import command as proxy


def add_arguments(parser: argparse.ArgumentParser) -> None:
    proxy.add_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write the world (DIR/<vendor>.yaml) at exit")


def main(args: argparse.Namespace) -> int:
    from mockexp.generic import chosen
    from mockexp.record.world import Recorder

    try:
        vendor = chosen(args.vendor, args.spec)
    except ValueError as exc:
        print(f"mockexp record: {exc}", file=sys.stderr)
        return 2
    recorder = Recorder(vendor.name, [vendor.load_spec(file) for file in vendor.specs], tenant_parameters(vendor))
    try:
        code = proxy.run(args, observers=[recorder.observe])
    except UsageError as exc:
        print(f"mockexp record: {exc}", file=sys.stderr)
        return 2
    recorder.loadable(vendor)
    target = recorder.write(args.out)
    print(f"recorded {len(recorder.calls)} call(s) to {target}" + (f"; left out {len(recorder.skipped)}:" if recorder.skipped else ""), flush=True)
    for skipped in recorder.skipped:
        print(f"  {skipped}", flush=True)
    return code


def tenant_parameters(vendor) -> set[str]:
    """The path parameters a credential's tenant fills in (the vendor's demo credentials name them)."""
    from mockexp.app import Runtime
    from mockexp.clock import Clock
    from mockexp.store import Store

    runtime = Runtime(Store(), Clock(), [vendor])
    runtime.seed()
    return {name for credential in runtime.credentials() for name in credential.tenant}
