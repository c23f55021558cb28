"""`mockexp contract VENDOR --base-url URL ...`: the contract suite from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

PROGRESS = {"success": ".", "failure": "F", "error": "E", "skip": "s", "interrupted": "!"}


class UsageError(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mockexp.contract import PHASES

    parser.add_argument("vendor", metavar="VENDOR", help="whose spec to check against")
    parser.add_argument("--base-url", required=True, metavar="URL", help="the implementation: the API's base URL, or just its origin (the spec's base path is then added)")
    parser.add_argument("--spec", default=None, metavar="FILE", help="another API of the vendor, by its spec's file name (e.g. growthbook-sdk.yaml, GrowthBook's SDK endpoint; default: the vendor's main spec)")
    parser.add_argument("--header", action="append", default=[], metavar="'Name: value'", help="send this header with every request (e.g. the credential)")
    parser.add_argument("--auth-from-mock", nargs="?", const="", default=None, metavar="MOCK_URL", help="take a writing credential (and the tenant's ids) from a running mockexp (default: the --base-url's origin)")
    parser.add_argument("--admin-token", default=os.environ.get("MOCKEXP_ADMIN_TOKEN"), metavar="TOKEN", help="the mock's admin token, for --auth-from-mock when it listens beyond loopback (default: $MOCKEXP_ADMIN_TOKEN)")
    parser.add_argument("--read-only-header", action="append", default=[], metavar="'Name: value'", help="a read-only credential, for the read_only_credential_cannot_write check")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter, e.g. organization_id=... (repeatable)")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, from {','.join(PHASES)} (default: all)")
    parser.add_argument("--max-examples", type=int, default=25, metavar="N")
    parser.add_argument("--seed", type=int, default=None, metavar="N")
    parser.add_argument("--workers", type=int, default=1, metavar="N")
    parser.add_argument("--report", action="append", default=[], metavar="junit:PATH|json:PATH", help="write a report (repeatable)")
    parser.add_argument("--checks", default="all", help="'all', or a comma-separated list of the checks to run")
    parser.add_argument("--exclude-check", action="append", default=[], metavar="NAME", help="switch a check off (repeatable)")
    parser.add_argument("--exclude-operation", action="append", default=[], metavar="ID", help="skip an operation: its operationId or 'METHOD /path' (repeatable)")


def main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(f"mockexp contract: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from mockexp.contract import vendor_spec
    from mockexp.contract.runner import run

    try:
        spec = vendor_spec(args.vendor, args.spec)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    base_url = _api_url(args.base_url, spec.base_path)
    headers = dict(_header(text) for text in args.header)
    read_only = dict(_header(text) for text in args.read_only_header)
    parameters = dict(_parameter(text) for text in args.parameter)
    if args.auth_from_mock is not None:
        mock = args.auth_from_mock or _origin(args.base_url)
        writer, reader = credentials_from_mock(mock, args.vendor, admin_token=args.admin_token, read_from=spec.credential_headers, spec=spec.path.name)
        headers.setdefault(writer["header"], writer["value"])
        if reader is not None and not read_only:
            read_only = {reader["header"]: reader["value"]}
        for name, value in writer.get("tenant", {}).items():
            if name in spec.path_parameter_names:
                parameters.setdefault(name, value)
    reports = [_report_target(text) for text in args.report]
    checks = None if args.checks == "all" else [name.strip() for name in args.checks.split(",") if name.strip()]
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    print(f"mockexp contract {args.vendor}: {len(spec.operations)} operations of {spec.path.name} against {base_url}", flush=True)
    try:
        report = run(
            spec,
            base_url,
            vendor=args.vendor,
            headers=headers,
            parameters=parameters,
            read_only_headers=read_only,
            phases=phases,
            max_examples=args.max_examples,
            seed=args.seed,
            workers=args.workers,
            checks=checks,
            exclude_checks=args.exclude_check,
            exclude_operations=args.exclude_operation,
            on_event=_progress,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print("\n")
    print(report.table())
    for kind, path in reports:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.to_junit() if kind == "junit" else report.to_json(), encoding="utf-8")
        print(f"{kind} report: {path}")
    return 0 if report.ok else 1


def credentials_from_mock(mock_url: str, vendor: str, admin_token: str | None = None, read_from: set[str] | None = None,
                          spec: str | None = None) -> tuple[dict, dict | None]:
    """A credential that may write (and one that may only read, if any) of `vendor`: of those
    listed for its other API in `spec` (a file name, such as an SDK key's), else of its main
    API's. Given the headers the API reads credentials from (`read_from`, lower case), only those
    sent in one of them; where none of those may write everything (ABsmartly's SDK keys), the
    first of them, and no read-only one."""
    from mockexp import admin
    from mockexp.specs import load_named
    from mockexp.vendors import ALL

    if spec is not None and vendor in ALL and spec == ALL[vendor].spec:
        spec = None

    url = mock_url.rstrip("/") + load_named(admin.SPEC).base_path + "/credentials"
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        listed = httpx.get(url, headers=headers, timeout=10).raise_for_status().json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UsageError(f"cannot read the demo credentials from {url}: {exc}") from None
    if not any(c.get("vendor") == vendor and c.get("spec") == spec for c in listed):
        spec = None  # an API with no credentials listed for it: the main API's
    usable = [c for c in listed if c.get("vendor") == vendor and c.get("spec") == spec and c.get("permissions")]
    if read_from is not None:
        usable = [c for c in usable if c.get("header", "").lower() in read_from] or usable
        if usable and not any(c.get("can_write") for c in usable):
            return usable[0], None
    writers = [c for c in usable if c.get("can_write")]
    readers = sorted((c for c in usable if not c.get("can_write")), key=lambda c: len(c["permissions"]))  # the one that may do least
    if not writers:
        raise UsageError(f"{url} lists no credential of {vendor} that may write")
    return writers[0], (readers[0] if readers else None)


def _progress(event) -> None:
    from schemathesis.engine import events

    from mockexp.contract import PHASES

    if isinstance(event, events.PhaseStarted) and event.phase.name.value in PHASES:
        print(f"\n{event.phase.name.value:>9} ", end="", flush=True)
    elif isinstance(event, events.ScenarioFinished):
        print(PROGRESS.get(event.status.value, "?"), end="", flush=True)


def _api_url(base_url: str, base_path: str) -> str:
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        raise UsageError(f"--base-url needs a scheme and a host: {base_url!r}")
    if parts.path in ("", "/"):
        return urlunsplit((parts.scheme, parts.netloc, base_path, "", ""))
    return base_url.rstrip("/")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise UsageError(f"a header is 'Name: value', not {text!r}")
    return name.strip(), value.strip()


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UsageError(f"a parameter is NAME=VALUE, not {text!r}")
    return name, value


def _report_target(text: str) -> tuple[str, Path]:
    kind, sep, path = text.partition(":")
    if kind not in ("junit", "json") or not sep or not path:
        raise UsageError(f"a report is junit:PATH or json:PATH, not {text!r}")
    return kind, Path(path)
