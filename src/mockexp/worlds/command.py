"""`mockexp export --vendor V`: a running mock's state of one vendor as a world file, read
from its admin API (`GET /__mockexp/export/{vendor}`), on standard output."""

from __future__ import annotations

import argparse
import sys

import httpx

from mockexp.worlds.export import write


def add_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("--vendor", required=True, metavar="NAME", help="the vendor whose state to write")
    export.add_argument("--url", default="http://127.0.0.1:8080", help="the running mock (default: %(default)s)")
    export.add_argument("--admin-token", metavar="TOKEN", help="the admin token the mock's banner shows, if it asks for one")
    export.add_argument("--format", choices=["yaml", "json"], default="yaml", help="yaml (default) or json; save as <vendor>.yaml or .json")


def main(args: argparse.Namespace) -> int:
    url = f"{args.url.rstrip('/')}/__mockexp/export/{args.vendor}"
    headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
    try:
        answer = httpx.get(url, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        print(f"mockexp: cannot reach the mock at {args.url} ({exc}); start one with `mockexp serve` or give --url", file=sys.stderr)
        return 1
    if answer.status_code != 200:
        print(f"mockexp: the mock answered {answer.status_code}: {_message(answer)}", file=sys.stderr)
        return 1
    write(answer.json(), args.format)
    return 0


def _message(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("message", answer.text))
    except ValueError:
        return answer.text[:300]
