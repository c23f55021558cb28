"""ABsmartly's Collector API under load: `GET /v1/context` of the demo application, as every
ABsmartly SDK fetches it (no key), and the same read while the context changes (an experiment
put full on or restarted through the Web Console API every `--change-every` seconds, so the
context is built again). The target: at least 2,000 req/s for the plain read on a 2-core
machine.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/absmartly_collector.py                 # about half a minute
    .venv/bin/python bench/absmartly_collector.py --seconds 3 --rounds 3

It starts `mockexp serve --memory --vendor absmartly --log-level warning`, drives it with the
built-in load generator (`bench/loadgen.py`, `--connections` keep-alive clients, `--rounds`
runs of `--seconds`, the median run kept) and prints req/s, p50 and p99, and requests per
second of the server process's CPU time (what it would serve with a core to itself, the
figure a busy shared machine does not blur), after the same for
`GET /v1/healthy`, whose answer costs nothing to make: the floor of any request on this
machine at this moment. The generator is Python on the same machine: it takes a share of the
CPU the server could use. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402
from vs_prism import HOST, free_port, start_mockexp, stop, wait_for  # noqa: E402

TARGET = 2_000  # req/s
CONTEXT = ("GET", "/v1/context?application=www&environment=production", b"")
HEALTHY = ("GET", "/v1/healthy", b"")


def admin_key(port: int) -> str:
    status, credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")
    assert status == 200
    return next(c["value"] for c in credentials if c["vendor"] == "absmartly" and c["can_write"])


class Changes(threading.Thread):
    """Changes of what the context serves, every `interval` seconds, through the Web Console
    API on a connection of its own: a running experiment put full on, then restarted (a new
    iteration, running), in turn."""

    def __init__(self, port: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=f"http://{HOST}:{port}", headers={"Authorization": admin_key(port)}, timeout=30)
        listed = self.client.get("/v1/experiments", params={"items": 100}).json()["experiments"]
        self.current = next(e["id"] for e in listed if e["state"] == "running" and any(a["application"]["name"] == "www" for a in e["applications"]))
        self.interval, self.done, self.count = interval, threading.Event(), 0

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.client.put(f"/v1/experiments/{self.current}/full_on", json={"full_on_variant": 1}).raise_for_status()
            restarted = self.client.put(f"/v1/experiments/{self.current}/restart", json={"reason": "testing"}).raise_for_status()
            self.current = restarted.json()["experiment"]["id"]
            self.count += 2


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server, pick, args: argparse.Namespace, port: int) -> tuple[loadgen.Result, float]:
    """The median run, and its requests per second of the server's CPU time (what one core
    would serve with nothing else running: the figure that does not depend on the load others
    put on a shared machine)."""
    runs = []
    for _ in range(args.rounds):
        before = cpu_seconds(server.pid)
        result = loadgen.run(HOST, port, pick, connections=args.connections, seconds=args.seconds)
        runs.append((result, result.requests / max(cpu_seconds(server.pid) - before, 1e-9)))
    return sorted(runs, key=lambda run: run[0].rate)[len(runs) // 2]


def report(label: str, measured: tuple[loadgen.Result, float]) -> None:
    result, per_cpu_second = measured
    others = {status: count for status, count in result.statuses.items() if status != 200}
    print(f"{label:44} {result.rate:6.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms   "
          f"{per_cpu_second:6.0f} per CPU second" + (f"   non-200: {others}" if others else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--change-every", type=float, default=0.1, metavar="SECONDS", help="time between two changes in the second run")
    args = parser.parse_args()
    port = free_port()
    server = start_mockexp(port, ["absmartly"])
    try:
        wait_for(server, port, "/__mockexp/health", 120)
        status, body = loadgen.get_json(HOST, port, CONTEXT[1])
        assert status == 200, body
        print(f"GET {CONTEXT[1]}: {len(body['experiments'])} experiments; {args.connections} connections, median of {args.rounds} x {args.seconds:g} s")
        report("GET /v1/healthy (the floor: an empty answer)", measure(server, lambda: HEALTHY, args, port))
        plain = measure(server, lambda: CONTEXT, args, port)
        report("GET /v1/context (the demo application)", plain)
        changes = Changes(port, args.change_every)
        changes.start()
        try:
            changing = measure(server, lambda: CONTEXT, args, port)
        finally:
            changes.done.set()
            changes.join()
        report(f"the same, a Web Console change every {args.change_every:g} s", changing)
        print(f"  ({changes.count} changes made meanwhile, each building the context again)")
        print(f"target: >= {TARGET} req/s for the plain read: {'met' if plain[0].rate >= TARGET else 'not met'} here at {plain[0].rate:.0f} req/s; "
              f"{plain[1]:.0f} per second of the server's CPU ({'met' if plain[1] >= TARGET else 'not met'} with a core to itself)")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
