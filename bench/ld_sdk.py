"""LaunchDarkly's SDK side under load: `GET /sdk/latest-all` throughput (the whole payload, and
304s when the SDK sends the ETag back), and how long a flag change takes to reach 100 open
streams.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/ld_sdk.py                      # about half a minute
    .venv/bin/python bench/ld_sdk.py --seconds 3 --streams 200

It starts `mockexp serve --memory` (LaunchDarkly only, log level warning), reads the demo
production environment's SDK key from `/__mockexp/credentials`, and measures with the built-in
load generator (`bench/loadgen.py`, `--connections` keep-alive clients, `--rounds` runs of
`--seconds`, the median run kept). Then it opens `--streams` streams (`GET /all`), starts the
demo experiment free-shipping-banner-test through the REST API and times, for each stream, the
arrival of the flag's `patch` event from the moment the REST call was sent; then the same for
stopping it. For scale on a shared machine, a small REST GET (one project) is measured alike.
Targets (issue): >= 2,000 req/s for the payload; a change on every one of 100 streams within
1 s. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

HOST = "127.0.0.1"
WRITER = {"Authorization": "api-mockexp-demo-writer"}
EXPERIMENT = "/api/v2/projects/demo-shop/environments/production/experiments/free-shipping-banner-test"
SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "mockexp", "serve", "--memory", "--vendor", "launchdarkly", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if loadgen.get_json(HOST, port, "/__mockexp/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the mock did not start")


def sdk_key(port: int) -> str:
    _, listed = loadgen.get_json(HOST, port, "/__mockexp/credentials")
    return next(c["value"] for c in listed if c["vendor"] == "launchdarkly" and c["role"] == "SDK key" and c["tenant"]["environmentKey"] == "production")


def throughput(port: int, headers: dict, args: argparse.Namespace, target: str = "/sdk/latest-all") -> loadgen.Result:
    runs = [loadgen.run(HOST, port, lambda: ("GET", target, b""), headers=headers, connections=args.connections, seconds=args.seconds)
            for _ in range(args.rounds)]
    return loadgen.median_of(runs)


def line(label: str, result: loadgen.Result) -> None:
    print(f"  {label:34} {result.rate:8,.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms   {result.statuses}")


async def _stream(port: int, key: str, ready: asyncio.Event, arrived: list[float], wanted: bytes) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"GET /all HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {key}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    await reader.readuntil(b"event: put")
    await reader.readuntil(b"\n\n")
    ready.set()
    seen = b""
    while wanted not in seen:
        seen = seen[-len(wanted):] + await reader.read(65536)
    arrived.append(time.perf_counter())
    writer.close()


async def change_latency(port: int, key: str, streams: int, body: dict) -> list[float]:
    """Seconds from sending the semantic patch to each stream's `patch` event of the flag."""
    arrived: list[float] = []
    readies = [asyncio.Event() for _ in range(streams)]
    tasks = [asyncio.create_task(_stream(port, key, ready, arrived, b'"path":"/flags/free-shipping-banner"')) for ready in readies]
    await asyncio.gather(*(ready.wait() for ready in readies))
    sent = time.perf_counter()
    status, _ = await loadgen.request(HOST, port, ("PATCH", EXPERIMENT, json.dumps(body).encode()), {**WRITER, "Content-Type": SEMANTIC_PATCH})
    assert status == 200, status
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    return sorted(moment - sent for moment in arrived)


def report(label: str, latencies: list[float]) -> None:
    print(f"  {label:34} {len(latencies)} streams: median {statistics.median(latencies) * 1e3:7.1f} ms, "
          f"slowest {latencies[-1] * 1e3:7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--streams", type=int, default=100)
    args = parser.parse_args(argv)
    port = free_port()
    server = serve(port)
    try:
        key = sdk_key(port)
        status, body = asyncio.run(loadgen.request(HOST, port, ("GET", "/sdk/latest-all", b""), {"Authorization": key}))
        assert status == 200, status
        print(f"GET /sdk/latest-all ({len(body):,} bytes, {len(json.loads(body)['flags'])} flags), {args.connections} connections, median of {args.rounds} x {args.seconds:g} s")
        full = throughput(port, {"Authorization": key}, args)
        line("200 (the whole payload)", full)
        _, etag = asyncio.run(_etag(port, key))
        line("304 (If-None-Match: ETag)", throughput(port, {"Authorization": key, "If-None-Match": etag}, args))
        reference = throughput(port, WRITER, args, "/api/v2/projects/demo-shop")
        line("REST GET /api/v2/projects/demo-shop", reference)
        print(f"  the payload's req/s over the REST GET's, measured alike on this machine now: {full.rate / reference.rate:.2f}")
        print(f"a change pushed to {args.streams} open streams (GET /all), from the REST call to the flag's patch event")
        report("startIteration", asyncio.run(change_latency(port, key, args.streams, {"instructions": [{"kind": "startIteration"}]})))
        _, experiment = loadgen.get_json(HOST, port, EXPERIMENT + "?expand=treatments", WRITER)
        winner = experiment["currentIteration"]["treatments"][1]["_id"]
        report("stopIteration", asyncio.run(change_latency(port, key, args.streams, {"instructions": [{"kind": "stopIteration", "winningTreatmentId": winner}]})))
    finally:
        server.terminate()
        server.wait(10)
    return 0


async def _etag(port: int, key: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"GET /sdk/latest-all HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {key}\r\n\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    writer.close()
    etag = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("etag:"))
    return 200, etag


if __name__ == "__main__":
    sys.exit(main())
