"""`mockexp serve`: open the store, check the vendors, print the banner, and serve."""

from __future__ import annotations

import argparse
import gc
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from mockexp import __version__
from mockexp.guard import Policy, hosts_for, is_loopback
from mockexp.server import Limits, default_max_connections

DEFAULT_DATA = ".mockexp"


def add_arguments(serve: argparse.ArgumentParser) -> None:
    defaults = Limits()
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=_port, default=8080, help="port to listen on, 1-65535, or 0 for any free one (the banner says which) (default: 8080)")
    serve.add_argument("--vendor", action="append", metavar="NAME", help="mount only this vendor (repeatable); default: all, or none with --spec")
    serve.add_argument("--spec", action="append", default=[], metavar="[/BASE=]FILE",
                       help="your own OpenAPI 3.0/3.1 document as a stateful mock, at its first server URL's path or at /BASE (repeatable); "
                       "served alone unless vendors are named with --vendor")
    serve.add_argument("--spec-credentials", metavar="FILE", help="the credentials your documents' security schemes accept, {scheme name: value or [values]} "
                       "in YAML or JSON (default: a demo value per scheme, listed in the banner and /__mockexp/credentials)")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), metavar="PATH", help=f"data directory (default: {DEFAULT_DATA})")
    where.add_argument("--memory", action="store_true", help="keep state in memory only")
    serve.add_argument("--repair", action="store_true", help="load a journal with damaged lines: keep every intact record, move the damaged lines aside")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                       help="how much the server logs: info has one line per request (default: %(default)s)")
    serve.add_argument("--allowed-host", action="append", metavar="NAME", help="answer requests for this host name too (repeatable; '*' for any); "
                       "default: loopback names and the --host address, any name when listening on every address")
    serve.add_argument("--admin-token", metavar="TOKEN", help="require `Authorization: Bearer TOKEN` on /__mockexp/ (default: none on loopback, a generated one otherwise)")
    serve.add_argument("--max-connections", type=int, default=default_max_connections(), metavar="N",
                       help="connections open at once; more are refused with 503 (default: %(default)s, below this process's open-file limit)")
    serve.add_argument("--request-timeout", type=float, default=defaults.request_timeout, metavar="SECONDS",
                       help="time a request's headers and body may take to arrive; slower ones get 408 and are closed (default: %(default)s)")
    serve.add_argument("--max-header-bytes", type=int, default=defaults.max_header_bytes, metavar="N", help="request line and headers, in bytes; more is 431 (default: %(default)s)")
    serve.add_argument("--max-headers", type=int, default=defaults.max_headers, metavar="N", help="request headers; more is 431 (default: %(default)s)")
    serve.add_argument("--latency", type=_latency, metavar="MIN-MAX", help="every vendor request waits a random MIN to MAX milliseconds (e.g. 50-300), for demos")
    serve.add_argument("--cors", action="append", metavar="ORIGIN", default=[],
                       help="let browser apps of this origin (e.g. http://localhost:3000) call the vendors' APIs: preflights answered (repeatable; '*' for any)")
    serve.add_argument("--rate-limits", action="store_true", help="apply each vendor's documented rate limit (429 past it), counted on the mock's clock")
    serve.add_argument("--fixtures", type=Path, metavar="DIR",
                       help="your own demo data: a directory of world files, <vendor>.yaml or .json, each a list of API calls "
                       "made at start-up (and by /__mockexp/reset); a refused call stops start-up, naming it")
    serve.add_argument("--fixtures-mode", choices=["replace", "merge"], default="replace",
                       help="replace: the world files' objects instead of the generated ones (accounts and keys stay); "
                       "merge: on top of the generated demo world (default: %(default)s)")
    serve.add_argument("--journal-size", type=_positive, default=1000, metavar="N",
                       help="requests the journal (GET /__mockexp/requests) keeps; older ones are dropped and counted (default: %(default)s)")


def _latency(text: str) -> tuple[float, float]:
    low, dash, high = text.partition("-")
    try:
        values = (float(low), float(high if dash else low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not MIN-MAX milliseconds: {text!r} (e.g. 50-300)") from None
    if not 0 <= values[0] <= values[1] <= 60000:
        raise argparse.ArgumentTypeError(f"MIN-MAX must be 0 <= MIN <= MAX <= 60000 milliseconds, not {text!r}")
    return values


def _whole(noun: str, low: int, high: int | None, bounds: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (None: no upper bound); `bounds`
    says the range in words."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{bounds}, not {value}")
        return value

    return parse


_port = _whole("a port number", 0, 65535, "a port is 1-65535 (or 0: any free port)")
_positive = _whole("a whole number", 1, None, "must be at least 1")


def main(args: argparse.Namespace) -> int:
    from mockexp.app import build_app
    from mockexp.server import Announcing, config

    runtime = _runtime(args)
    if runtime is None:
        return 1
    _log_requests(args.log_level)
    policy = Policy(allowed_hosts=hosts_for(args.host, args.allowed_host), admin_token=args.admin_token or (None if is_loopback(args.host) else secrets.token_urlsafe(18)),
                    cors_origins=tuple(args.cors))
    limits = Limits(max_header_bytes=args.max_header_bytes, max_headers=args.max_headers, request_timeout=args.request_timeout, max_connections=args.max_connections)
    app = build_app(runtime, policy=policy)
    gc.freeze()  # what start-up made (specs, the stored documents) lives on: the cycle collector need not scan it again
    _settle_long_lived()
    if not is_loopback(args.host):
        print(f"mockexp: WARNING: listening on {args.host}, beyond this machine: anyone who reaches it can use the demo credentials. "
              "The admin API needs the token the banner shows.", file=sys.stderr, flush=True)
    def announce(port: int) -> None:
        print(banner(runtime, f"http://{args.host}:{port}", policy.admin_token), flush=True)

    try:
        Announcing(config(app, host=args.host, port=args.port, limits=limits, render=runtime.render_raw, log_level=args.log_level, access_log=False), announce).run()
    finally:
        runtime.store.close()
    return 0


SETTLE_SECONDS = 1.0


def _settle_long_lived() -> None:
    """Every second, collect the young generations and freeze what survived: what a write
    stored lives as long as the server, and Python's cycle collector otherwise scans every
    stored document again at each full collection, a pause that grows with what is stored
    (100 ms at 45,000 experiments made since start-up). A cycle that became garbage only
    after it had survived two collections is kept (a few bytes now and then)."""

    def settle() -> None:
        while True:
            time.sleep(SETTLE_SECONDS)
            gc.collect(1)
            gc.freeze()

    threading.Thread(target=settle, name="mockexp-gc-settle", daemon=True).start()


def _log_requests(level: str) -> None:
    """One line per request to a vendor (vendor, operation, method, path, status, duration, and a
    4xx's reason) on stderr, in place of uvicorn's access log."""
    from mockexp.logs import to_stderr

    to_stderr("mockexp.requests", level)


def _runtime(args: argparse.Namespace):
    """The store opened and the vendors checked, or None with the reason printed in one line."""
    from mockexp import generic
    from mockexp.app import Runtime
    from mockexp.generic.auth import read_given
    from mockexp.binding import RegistrationError
    from mockexp.clock import Clock
    from mockexp.specs import SpecError
    from mockexp.store import Store, StoreError
    from mockexp.vendors import ALL
    from mockexp.worlds.files import WorldFileError, read_directory

    unknown = sorted(set(args.vendor or []) - set(ALL))
    if unknown:
        print(f"mockexp: unknown vendor {', '.join(unknown)}; known: {', '.join(ALL)}", file=sys.stderr)
        return None
    try:
        given = read_given(args.spec_credentials) if args.spec_credentials else None
    except ValueError as exc:
        print(f"mockexp: cannot read --spec-credentials: {exc}", file=sys.stderr)
        return None
    try:
        store = Store(None if args.memory else args.data, repair=args.repair)
    except StoreError as exc:
        print(f"mockexp: cannot open the store: {exc}", file=sys.stderr)
        return None
    gc.freeze()  # the stored documents live as long as the server: the cycle collector need not scan them
    try:
        builtin = [ALL[name] for name in args.vendor or ([] if args.spec else ALL)]
        vendors = builtin + generic.vendors(args.spec, builtin, given)
        worlds = read_directory(args.fixtures, [vendor.name for vendor in vendors]) if args.fixtures else None
        runtime = Runtime(store, Clock(), vendors, journal_size=args.journal_size, latency_ms=args.latency,
                          rate_limits=args.rate_limits, worlds=worlds, merge_worlds=args.fixtures_mode == "merge")
        runtime.seed()
    except WorldFileError as exc:
        print(f"mockexp: cannot load --fixtures, not starting: {exc}", file=sys.stderr)
    except SpecError as exc:
        print(f"mockexp: invalid spec, not starting: {exc}", file=sys.stderr)
    except RegistrationError as exc:
        print(f"mockexp: a vendor cannot serve its spec, not starting:\n{exc}", file=sys.stderr)
    except StoreError as exc:
        print(f"mockexp: cannot write the demo data: {exc}", file=sys.stderr)
    else:
        return runtime
    store.close()
    return None


def banner(runtime, url: str, admin_token: str | None = None) -> str:
    admin = url + runtime.admin_spec.base_path
    lines = [f"mockexp {__version__} on {url}", ""]
    for name in runtime.vendors:
        base = url + runtime.base_path(name)
        lines.append(f"  {name:12} {base}   (Swagger UI: {base}/ui/)")
    lines.append(f"  {'admin':12} {admin}/   (health, reset, credentials, clock; Swagger UI: {admin}/ui/)")
    if admin_token:
        lines.append(f"  {'':12} admin token: send Authorization: Bearer {admin_token}")
    store = runtime.store.directory
    lines += ["", f"  state: {store.resolve() if store else 'in memory only'}", "", "  demo credentials:"]
    for credential in runtime.credentials():
        tenant = ", ".join(f"{key}={value}" for key, value in credential.tenant.items())
        lines.append(f"    {credential.vendor:12} {credential.header}: {credential.value}")
        about = "; ".join(part for part in (credential.role, tenant) if part)
        lines.append(f"    {'':12} {about}" + (f" ({credential.note})" if credential.note else ""))
    return "\n".join(lines)
