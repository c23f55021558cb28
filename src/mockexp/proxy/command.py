"""`mockexp proxy VENDOR --upstream URL`: the validation proxy from the command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from urllib.parse import urlsplit, urlunsplit

from mockexp.contract.command import UsageError, _report_target
from mockexp.serve import _port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vendor", metavar="VENDOR", nargs="?", help="whose spec the traffic is checked against (leave out with --spec)")
    parser.add_argument("--spec", metavar="FILE", help="your own OpenAPI document instead of a vendor's, as mockexp serve --spec serves it")
    parser.add_argument("--upstream", required=True, metavar="URL", help="the real API: its origin (e.g. https://app.launchdarkly.com), or its base URL")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8081, help="port to listen on, or 0 for any free one (default: %(default)s)")
    parser.add_argument("--report", action="append", default=[], metavar="junit:PATH|json:PATH", help="write the violations at exit (repeatable)")
    parser.add_argument("--fail-on-violation", action="store_true", help="answer an answer that breaks the spec with a 502 naming the violation, and exit 1 if any was seen")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="how long the upstream may take to answer (then 504), and a client's request to arrive (then 408) (default: %(default)s)")
    parser.add_argument("--journal-size", type=int, default=1000, metavar="N", help="violations kept (GET /__mockexp/violations) (default: %(default)s)")
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"], help="(default: %(default)s: one line per violation)")


def main(args: argparse.Namespace) -> int:
    try:
        return run(args)
    except UsageError as exc:
        print(f"mockexp proxy: {exc}", file=sys.stderr)
        return 2


def build(args: argparse.Namespace, observers=()):
    """The vendor, its specs, the violations journal and the proxy app the options ask for."""
    from mockexp.proxy.forward import Proxy
    from mockexp.proxy.violations import Violations
    from mockexp.generic import chosen
    from mockexp.specs import SpecError

    try:
        vendor = chosen(args.vendor, getattr(args, "spec", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        specs = [vendor.load_spec(file) for file in vendor.specs]
    except SpecError as exc:
        raise UsageError(f"invalid spec: {exc}") from None
    violations = Violations(args.journal_size)
    upstream = upstream_origin(args.upstream, [spec.base_path for spec in specs])
    app = Proxy(vendor, specs, upstream, violations, fail_on_violation=args.fail_on_violation, timeout=args.timeout, observers=observers)
    return vendor, upstream, violations, app


def run(args: argparse.Namespace, observers=()) -> int:
    from mockexp.server import Announcing, Limits, config

    reports = [_report_target(text) for text in args.report]
    vendor, upstream, violations, app = build(args, observers)
    _log_violations(args.log_level)

    def announce(port: int) -> None:
        print(f"mockexp proxy {vendor.name} on http://{args.host}:{port} -> {upstream}\n"
              f"  violations: http://{args.host}:{port}/__mockexp/violations", flush=True)

    def render(path: str, method: str, error):
        body, headers = vendor.render_error(error)
        data = json.dumps(body).encode()
        return error.status, [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()] + [(b"content-type", b"application/json")], data

    signal.signal(signal.SIGTERM, _interrupt)  # uvicorn stops on SIGINT / SIGTERM, then raises the signal again
    try:
        Announcing(config(app, host=args.host, port=args.port, limits=Limits(request_timeout=args.timeout), render=render, log_level=args.log_level, access_log=False), announce).run()
    except KeyboardInterrupt:
        pass
    print(violations.summary(), flush=True)
    for kind, path in reports:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(violations.to_junit(vendor.name, upstream) if kind == "junit" else violations.to_json(vendor.name, upstream), encoding="utf-8")
        print(f"{kind} report: {path}", flush=True)
    return 1 if args.fail_on_violation and violations.recorded else 0


def upstream_origin(url: str, base_paths: list[str]) -> str:
    """Where requests go: the URL without the spec's base path (requests carry it already)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--upstream needs http(s) and a host: {url!r}")
    path = parts.path.rstrip("/")
    for base in sorted(base_paths, key=len, reverse=True):
        if base and path.endswith(base):
            path = path[: -len(base)]
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _log_violations(level: str) -> None:
    from mockexp.logs import to_stderr

    to_stderr("mockexp.proxy", level, "%(levelname)s:  ")

