"""Where the time of one request goes, inside the app (no HTTP server, no client): a request
sent to the ASGI app `--count` times under cProfile, with the top functions printed.

    .venv/bin/python bench/profile_request.py growthbook /api/v1/features "Authorization: Bearer secret_mockexp_demo_admin"
    .venv/bin/python bench/profile_request.py absmartly "/v1/experiments?items=20" "Authorization: Api-Key absmartly-demo-admin-key"
    .venv/bin/python bench/profile_request.py tests/specs/petstore3.yaml /api/v3/pet "Authorization: Bearer 76f4e5610981add323262d47" \
        --body '{"name": "bench", "photoUrls": []}' --sort tottime

The first argument is a built-in vendor or an OpenAPI document (served as `mockexp serve --spec`
serves it; its demo credentials are the same on every start). `--body` makes the request a
POST of that JSON body.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time

from pathlib import Path

from mockexp import generic
from mockexp.app import Runtime, build_app
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors import ALL


async def send(app, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple[int, int]:
    path, _, query = target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": query.encode(), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8080)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def respond(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, respond)
    return sent[0]["status"], sum(len(m.get("body", b"")) for m in sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vendor", help="a built-in vendor, or an OpenAPI document (.yaml, .yml, .json)")
    parser.add_argument("target")
    parser.add_argument("header", help='"Name: value"')
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="cumulative (default) or tottime: time inside each function")
    parser.add_argument("--body", help="a JSON body: the request is a POST of it")
    args = parser.parse_args()
    served = generic.vendors([args.vendor], [], None) if Path(args.vendor).suffix in (".yaml", ".yml", ".json") else [ALL[args.vendor]]
    runtime = Runtime(Store(), Clock(), served)
    runtime.seed()
    app = build_app(runtime)
    name, _, value = args.header.partition(": ")
    headers = [(name.lower().encode(), value.encode()), (b"host", b"127.0.0.1:8080"), (b"accept", b"application/json")]
    method, body = ("POST", args.body.encode()) if args.body is not None else ("GET", b"")
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    loop = asyncio.new_event_loop()
    status, size = loop.run_until_complete(send(app, method, args.target, headers, body))
    print(f"{status}, {size:,} bytes")
    began = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.count):
        loop.run_until_complete(send(app, method, args.target, headers, body))
    profile.disable()
    print(f"{args.count / (time.perf_counter() - began):.0f} requests/s under the profiler")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
