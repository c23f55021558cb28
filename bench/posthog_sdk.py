"""PostHog's SDK endpoints under load: `POST /flags?v=4` for one distinct id (what the Python
SDK sends for each remote evaluation), and `GET /flags/definitions` with the `If-None-Match`
of the current ETag (what a polling server-side SDK sends while nothing changes).

    .venv/bin/python bench/posthog_sdk.py                  # 5 s each, median of 3 rounds
    .venv/bin/python bench/posthog_sdk.py --seconds 10 --rounds 5 --connections 16

Starts `mockexp serve --memory --vendor posthog` on a free port and drives it with the
built-in load generator (`loadgen.py`, keep-alive connections, on this machine: it takes CPU
too). Prints req/s, p50 and p99, and the share of definitions requests answered 304, beside
GET one experiment of PostHog's API in the same run (a machine busy with other work lowers
every figure: compare them with that one). The target: `POST /flags` at 2,000 req/s or more.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
import loadgen  # noqa: E402
from peers import stop  # noqa: E402
from scenarios import HOST  # noqa: E402
from vs_prism import free_port, start_mockexp, wait_for  # noqa: E402

TARGET = 2000
SECRET = "phx_mockexp_demo_full_access"


def project_token(port: int) -> str:
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    return next(c["value"] for c in credentials if c["vendor"] == "posthog" and c["role"] == "project-api-key" and c["tenant"]["project_id"] == "1")


def etag(port: int, token: str) -> str:
    answer = httpx.get(f"http://{HOST}:{port}/flags/definitions", params={"token": token}, headers={"Authorization": f"Bearer {SECRET}"})
    assert answer.status_code == 200, answer.text
    return answer.headers["ETag"]


def measure(port: int, request: loadgen.Request, headers: dict, args: argparse.Namespace) -> loadgen.Result:
    loadgen.run(HOST, port, lambda: request, headers=headers, connections=args.connections, seconds=1)  # warm up
    return loadgen.median_of([loadgen.run(HOST, port, lambda: request, headers=headers, connections=args.connections, seconds=args.seconds)
                              for _ in range(args.rounds)])


def line(name: str, result: loadgen.Result) -> str:
    return f"{name:<38} {result.rate:>8,.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms   statuses {dict(sorted(result.statuses.items()))}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    port = free_port()
    server = start_mockexp(port, ["posthog"])
    try:
        wait_for(server, port, "/__mockexp/health", 120)
        token = project_token(port)
        flags = ("POST", "/flags/?v=4", json.dumps({"token": token, "distinct_id": "user-1", "person_properties": {"plan": "pro"}}).encode())
        remote = measure(port, flags, {}, args)
        unchanged = measure(port, ("GET", f"/flags/definitions?token={token}&send_cohorts", b""),
                            {"Authorization": f"Bearer {SECRET}", "If-None-Match": etag(port, token)}, args)
        one = loadgen.get_json(HOST, port, "/api/projects/1/experiments/", {"Authorization": f"Bearer {SECRET}"})[1]["results"][0]["id"]
        reference = measure(port, ("GET", f"/api/projects/1/experiments/{one}/", b""), {"Authorization": f"Bearer {SECRET}"}, args)
    finally:
        stop(server)
    print(line("GET one experiment (reference)", reference))
    print(line("POST /flags?v=4 (one distinct id)", remote))
    print(line("GET /flags/definitions (If-None-Match)", unchanged))
    answered = sum(unchanged.statuses.values()) or 1
    print(f"definitions answered 304: {unchanged.statuses.get(304, 0) / answered:.1%} of {answered:,}")
    print(f"POST /flags target {TARGET:,} req/s: {'met' if remote.rate >= TARGET else 'NOT met'} ({remote.rate / TARGET:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
