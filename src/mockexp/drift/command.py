"""`mockexp drift VENDOR --upstream URL --header ...`: the same stateful sequence against the
real API and a fresh in-process mock, and where their answers differ."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

from mockexp.contract.command import UsageError, _header, _parameter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vendor", metavar="VENDOR", nargs="?", help="whose spec gives the sequence (leave out with --spec)")
    parser.add_argument("--spec", metavar="FILE", help="your own OpenAPI document instead of a vendor's, as mockexp serve --spec serves it")
    parser.add_argument("--upstream", required=True, metavar="URL", help="the real API: its origin, or its base URL")
    parser.add_argument("--header", action="append", default=[], metavar="'Name: value'", help="send this header to the real API (its credential; repeatable)")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE", help="a path parameter of the real API, e.g. organization_id=... (repeatable)")
    parser.add_argument("--operation", metavar="ID", help="the create to start from (default: the spec's first with an example body and a link to a read)")
    parser.add_argument("--create-body", type=Path, metavar="FILE", help="JSON body for the create (default: the spec's example)")
    parser.add_argument("--update-body", type=Path, metavar="FILE", help="JSON body for the update (default: the spec's example)")
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON too ('-': print it instead of the table)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default: %(default)s)")


def main(args: argparse.Namespace) -> int:
    try:
        report = drift(args)
    except UsageError as exc:
        print(f"mockexp drift: {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        print(f"mockexp drift: cannot reach {args.upstream}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.json == "-":
        print(report.to_json())
    else:
        print(report.table())
    if args.json and args.json != "-":
        Path(args.json).write_text(report.to_json(), encoding="utf-8")
        print(f"json report: {args.json}")
    return 0 if report.ok else 1


def drift(args: argparse.Namespace):
    from mockexp.drift.report import DriftReport
    from mockexp.drift.sequence import PlanError, plan, run
    from mockexp.proxy.command import upstream_origin
    from mockexp.generic import chosen
    from mockexp.testing import run_mock

    try:
        vendor = chosen(args.vendor, args.spec)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    spec = vendor.load_spec(vendor.spec)
    try:
        steps = plan(spec, args.operation, {"create": _body(args.create_body), "update": _body(args.update_body)})
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    parameters = dict(_parameter(text) for text in args.parameter)
    missing = sorted(_path_parameters(steps) - set(parameters))
    if missing:
        raise UsageError(f"the real API's path needs --parameter {', '.join(f'{name}=...' for name in missing)}")
    upstream = upstream_origin(args.upstream, [spec.base_path]) + spec.base_path
    with httpx.Client(headers=dict(_header(text) for text in args.header), timeout=args.timeout) as client:
        real = run(steps, client, upstream, parameters)
    served = {"vendors": [], "specs": [args.spec]} if args.vendor is None else {"vendors": [vendor.name]}
    with run_mock(**served) as mock, httpx.Client(headers=mock.credential(vendor.name, can_write=True), timeout=args.timeout) as client:
        mocked = run(steps, client, mock.base_url(vendor.name), {**parameters, **mock.tenant(vendor.name)})
    return DriftReport.of(vendor.name, upstream, steps, real, mocked)


def _path_parameters(steps) -> set[str]:
    """The path parameters no link fills in: the tenant's, which the user gives."""
    names = set()
    for step in steps:
        names |= set(re.findall(r"\{([^}]+)\}", step.operation.path)) - set(step.link)
    return names


def _body(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read a JSON body from {path}: {exc}") from None
