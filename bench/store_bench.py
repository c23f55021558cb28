"""What one create and one get of a Giosg experiment cost with 100 and with 10,000 stored.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/store_bench.py            # about a minute
    .venv/bin/python bench/store_bench.py --ops 500  # more operations per figure

For each size it fills a store by calling the Giosg model directly (fast: no HTTP), then
measures, each over `--ops` operations:

* model level: `Giosg.create_experiment` and `Giosg.retrieve_experiment` over `Store()` (memory)
  and over `Store(dir)` (disk: journal + snapshot), in microseconds;
* HTTP level: `POST` and `GET` of `/api/v5/orgs/{id}/experiments` against a real
  `mockexp serve --data <the disk store just filled>` subprocess, with an httpx client,
  in milliseconds.

Each timed create is followed by an untimed delete, so the store keeps its size. It prints a
table of medians and 95th percentiles, then the 10,000 / 100 ratio of each figure. It is a
benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import httpx

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors import ALL
from mockexp.vendors.giosg.models import EXPERIMENTS, Giosg

SIZES = (100, 10_000)
FILL_BATCH = 500  # experiments per store transaction while filling (one journal line each)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[float], scale: float) -> tuple[float, float]:
    return statistics.median(samples) * scale, percentile(samples, 0.95) * scale


def admin_of(giosg: Giosg) -> dict:
    for credential in giosg.credentials():
        if credential.can_write:
            return credential.to_json()
    raise LookupError("no Giosg admin credential in the demo data")


def body(giosg: Giosg, organization_id: str, name: str) -> dict:
    template = next(e for e in giosg.list_experiments(organization_id).items if e["goal_id"] and e["room_ids"])
    return {
        "is_draft": False,
        "name": name,
        "goal_id": template["goal_id"],
        "room_ids": template["room_ids"],
        "starts_at": (datetime.now(timezone.utc) + timedelta(days=30)).isoformat(),
        "ends_at": None,
        "group_reset_interval": "full",
        "groups": [
            {"name": "A", "percentage": 50, "group_type": "control"},
            {"name": "B", "percentage": 50, "group_type": "user_defined"},
        ],
    }


def open_runtime(store: Store) -> tuple[Runtime, Giosg, str, str]:
    runtime = Runtime(store, Clock(), ALL.values())
    runtime.seed()
    giosg: Giosg = runtime.models["giosg"]
    credential = admin_of(giosg)
    user_id = giosg.authenticate(credential["value"].split(" ", 1)[1])["id"]
    return runtime, giosg, credential["tenant"]["organization_id"], user_id


def fill(store: Store, size: int) -> tuple[Giosg, str, str]:
    """The demo data plus enough experiments for the organization to hold `size`."""
    _, giosg, organization_id, user_id = open_runtime(store)
    attributes = body(giosg, organization_id, "filler")
    missing = size - giosg.organization(organization_id).count(EXPERIMENTS)
    while missing > 0:
        with store.transaction():
            for _ in range(min(FILL_BATCH, missing)):
                giosg.create_experiment(organization_id, user_id, attributes)
                missing -= 1
    assert giosg.organization(organization_id).count(EXPERIMENTS) == size
    return giosg, organization_id, user_id


def measure_model(giosg: Giosg, organization_id: str, user_id: str, ops: int) -> dict[str, list[float]]:
    attributes = body(giosg, organization_id, "bench")
    ids = [doc["id"] for doc in giosg.organization(organization_id).query(EXPERIMENTS)]
    creates, gets = [], []
    for _ in range(ops):
        started = time.perf_counter()
        created = giosg.create_experiment(organization_id, user_id, attributes)
        creates.append(time.perf_counter() - started)
        giosg.delete_experiment(organization_id, created["id"])
    for experiment_id in random.Random(1).choices(ids, k=ops):
        started = time.perf_counter()
        giosg.retrieve_experiment(organization_id, experiment_id)
        gets.append(time.perf_counter() - started)
    return {"create": creates, "get": gets}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"mockexp serve exited: {server.stderr.read().decode(errors='replace')}")
        try:
            if httpx.get(f"{url}/__mockexp/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("mockexp serve did not start")
        time.sleep(0.05)


def measure_http(data: Path, ops: int) -> dict[str, list[float]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "mockexp", "serve", "--port", str(port), "--data", str(data), "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_healthy(server, url)
        credentials = httpx.get(f"{url}/__mockexp/credentials").json()
        credential = next(c for c in credentials if c["role"] == "settings permission" and c["note"] is None)
        collection = f"{url}/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"
        with httpx.Client(headers={credential["header"]: credential["value"]}, timeout=60) as http:
            first_page = http.get(collection, params={"page_size": 100}).json()["results"]
            template = next(e for e in first_page if e["goal_id"] and e["room_ids"])
            payload = {
                "is_draft": False,
                "name": "bench",
                "goal_id": template["goal_id"],
                "room_ids": template["room_ids"],
                "starts_at": (datetime.now(timezone.utc) + timedelta(days=30)).isoformat(),
                "groups": [
                    {"name": "A", "percentage": 50, "group_type": "control"},
                    {"name": "B", "percentage": 50, "group_type": "user_defined"},
                ],
            }
            ids = [e["id"] for e in first_page]
            for _ in range(10):  # warm up connections and code paths
                http.get(f"{collection}/{ids[0]}")
            posts, gets = [], []
            for _ in range(ops):
                started = time.perf_counter()
                response = http.post(collection, json=payload)
                posts.append(time.perf_counter() - started)
                if response.status_code != 201:
                    raise RuntimeError(f"POST answered {response.status_code}: {response.text}")
                http.delete(f"{collection}/{response.json()['id']}")
            for experiment_id in random.Random(2).choices(ids, k=ops):
                started = time.perf_counter()
                response = http.get(f"{collection}/{experiment_id}")
                gets.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"GET answered {response.status_code}: {response.text}")
        return {"POST": posts, "GET": gets}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=200, help="operations per figure (default 200)")
    args = parser.parse_args(argv)

    # figures[(level, operation, unit)][size] = (median, p95)
    figures: dict[tuple[str, str, str], dict[int, tuple[float, float]]] = {}

    def record(level: str, unit: str, scale: float, size: int, samples: dict[str, list[float]]) -> None:
        for operation, values in samples.items():
            figures.setdefault((level, operation, unit), {})[size] = summary(values, scale)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mockexp-bench-") as tmp:
        for size in SIZES:
            step = time.perf_counter()
            giosg, organization_id, user_id = fill(Store(), size)
            record("model, memory store", "µs", 1e6, size, measure_model(giosg, organization_id, user_id, args.ops))

            data = Path(tmp) / f"data-{size}"
            disk = Store(data)
            giosg, organization_id, user_id = fill(disk, size)
            record("model, disk store", "µs", 1e6, size, measure_model(giosg, organization_id, user_id, args.ops))
            disk.close()

            record("HTTP, mockexp serve --data", "ms", 1e3, size, measure_http(data, args.ops))
            print(f"# {size:>6,} experiments stored: filled and measured in {time.perf_counter() - step:.1f} s", flush=True)

    small, large = SIZES
    print()
    print(f"Cost of one Giosg experiment create / get, {args.ops} operations each "
          f"(Python {sys.version.split()[0]}, {sys.platform})\n")
    header = f"{'level':28} {'op':7} {'unit':4} | {f'{small:,} stored':>19} | {f'{large:,} stored':>19} | {'ratio ' + f'{large:,}/{small:,}':>20}"
    print(header)
    print(f"{'':28} {'':7} {'':4} | {'median':>9} {'p95':>9} | {'median':>9} {'p95':>9} | {'median':>9} {'p95':>10}")
    print("-" * len(header))
    for (level, operation, unit), by_size in figures.items():
        (m1, p1), (m2, p2) = by_size[small], by_size[large]
        print(f"{level:28} {operation:7} {unit:4} | {m1:9.1f} {p1:9.1f} | {m2:9.1f} {p2:9.1f} | {m2 / m1:8.1f}x {p2 / p1:9.1f}x")
    print()
    for (level, operation, unit), by_size in figures.items():
        (m1, _), (m2, _) = by_size[small], by_size[large]
        print(f"ratio {large:,}/{small:,}  {level}, {operation}: median {m2 / m1:.1f}x ({m1:.1f} -> {m2:.1f} {unit})")
    print(f"\n(total run time {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
