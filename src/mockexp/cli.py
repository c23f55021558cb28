"""`mockexp serve | specs | contract`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockexp import __version__

DEFAULT_DATA = ".mockexp"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mockexp", description="A stateful fake of experimentation platforms' APIs.")
    parser.add_argument("--version", action="version", version=f"mockexp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the mock server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--vendor", action="append", metavar="NAME", help="mount only this vendor (repeatable); default: all")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), metavar="PATH", help=f"data directory (default: {DEFAULT_DATA})")
    where.add_argument("--memory", action="store_true", help="keep state in memory only")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])

    commands.add_parser("specs", help="list the specs with their operation counts, and validate them")

    from mockexp.contract import command as contract

    contract.add_arguments(commands.add_parser("contract", help="check an implementation against a vendor's spec (Schemathesis + domain checks)"))

    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_command(args)
    if args.command == "contract":
        return contract.main(args)
    return specs_command()


def specs_command() -> int:
    """List and validate every spec, and check that each vendor implements all of its spec."""
    from mockexp import admin, binding, specs
    from mockexp.vendors import ALL

    failed = False
    for name, file_name in [(vendor.name, vendor.spec) for vendor in ALL.values()] + [("admin", admin.SPEC)]:
        try:
            spec = specs.load_named(file_name)
        except specs.SpecError as exc:
            print(f"{name:12} INVALID  {exc}", file=sys.stderr)
            failed = True
            continue
        problems = binding.problems(ALL[name], spec) if name in ALL else []
        for problem in problems:
            print(f"{name:12} INVALID  {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        print(f"{name:12} {len(spec.operations):3} operations  {spec.base_path or '/':14} {spec.path}  ({spec.title})")
    if failed:
        return 1
    print("all specs valid, every operation implemented")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from mockexp.app import Runtime, build_app
    from mockexp.binding import RegistrationError
    from mockexp.clock import Clock
    from mockexp.specs import SpecError
    from mockexp.store import Store, StoreError
    from mockexp.vendors import ALL

    unknown = sorted(set(args.vendor or []) - set(ALL))
    if unknown:
        print(f"mockexp: unknown vendor {', '.join(unknown)}; known: {', '.join(ALL)}", file=sys.stderr)
        return 2
    vendors = [ALL[name] for name in (args.vendor or ALL)]
    try:
        store = Store(None if args.memory else args.data)
    except StoreError as exc:
        print(f"mockexp: cannot open the store: {exc}", file=sys.stderr)
        return 1
    try:
        runtime = Runtime(store, Clock(), vendors)
    except SpecError as exc:
        print(f"mockexp: invalid spec, not starting: {exc}", file=sys.stderr)
        store.close()
        return 1
    except RegistrationError as exc:
        print(f"mockexp: a vendor cannot serve its spec, not starting:\n{exc}", file=sys.stderr)
        store.close()
        return 1
    runtime.seed()
    app = build_app(runtime)
    print(banner(runtime, f"http://{args.host}:{args.port}"), flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        store.close()
    return 0


def banner(runtime, url: str) -> str:
    admin = url + runtime.admin_spec.base_path
    lines = [f"mockexp {__version__} on {url}", ""]
    for name in runtime.vendors:
        base = url + runtime.base_path(name)
        lines.append(f"  {name:12} {base}   (Swagger UI: {base}/ui/)")
    lines.append(f"  {'admin':12} {admin}/   (health, reset, credentials, clock; Swagger UI: {admin}/ui/)")
    store = runtime.store.directory
    lines += ["", f"  state: {store.resolve() if store else 'in memory only'}", "", "  demo credentials:"]
    for credential in runtime.credentials():
        tenant = ", ".join(f"{key}={value}" for key, value in credential.tenant.items())
        lines.append(f"    {credential.vendor:12} {credential.header}: {credential.value}")
        lines.append(f"    {'':12} {credential.role}; {tenant}" + (f" ({credential.note})" if credential.note else ""))
    return "\n".join(lines)
