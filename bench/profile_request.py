"""Where the time of one request goes, inside the app (no HTTP server, no client): a request
sent to the ASGI app `--count` times under cProfile, with the top functions printed.

    .venv/bin/python bench/profile_request.py growthbook /api/v1/features "Authorization: Bearer secret_mockexp_demo_admin"
    .venv/bin/python bench/profile_request.py absmartly "/v1/experiments?items=20" "Authorization: Api-Key absmartly-demo-admin-key"
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time

from mockexp.app import Runtime, build_app
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors import ALL


async def send(app, method: str, target: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    path, _, query = target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": query.encode(), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8080)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def respond(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, respond)
    return sent[0]["status"], sum(len(m.get("body", b"")) for m in sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vendor")
    parser.add_argument("target")
    parser.add_argument("header", help='"Name: value"')
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="cumulative (default) or tottime: time inside each function")
    args = parser.parse_args()
    runtime = Runtime(Store(), Clock(), [ALL[args.vendor]])
    runtime.seed()
    app = build_app(runtime)
    name, _, value = args.header.partition(": ")
    headers = [(name.lower().encode(), value.encode()), (b"host", b"127.0.0.1:8080"), (b"accept", b"application/json")]
    loop = asyncio.new_event_loop()
    status, size = loop.run_until_complete(send(app, "GET", args.target, headers))
    print(f"{status}, {size:,} bytes")
    began = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.count):
        loop.run_until_complete(send(app, "GET", args.target, headers))
    profile.disable()
    print(f"{args.count / (time.perf_counter() - began):.0f} requests/s under the profiler")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
