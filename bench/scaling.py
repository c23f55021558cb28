"""Whether a request's cost stays flat in the data: Giosg with 100, 1,000, 10,000 and 100,000
experiments stored in one organization.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/scaling.py                     # a few minutes
    .venv/bin/python bench/scaling.py --sizes 100,10000 --seconds 2

For each size it fills a data directory (the demo data plus copies of one experiment, written
straight to the store) and starts `mockexp serve --data` on it; with every server up, it
measures each operation on each server in turn, round after round (so that a shared machine's
changing load falls on every size alike), with the built-in load generator
(`bench/loadgen.py`, `--connections` keep-alive clients, `--seconds` per run, `--rounds` runs,
the median run kept):

* GET one experiment, GET the list's first page, GET a page deep in the list (the cursor of
  the middle experiment), PUT (a draft, renamed), POST (a draft; runs last, as it adds);
* the restart: from starting the process to the first 200 from `/__mockexp/health`;
* the server's resident memory, and from it the memory per stored experiment.

It prints req/s and p50 per operation and size, then each operation's cost at the largest size
over its cost at the smallest (p50 ratio and inverse req/s ratio). Timings on a shared machine
are noisy: compare within one run. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

from mockexp.app import Runtime  # noqa: E402
from mockexp.clock import Clock  # noqa: E402
from mockexp.paging import _encode  # noqa: E402
from mockexp.store import Store  # noqa: E402
from mockexp.vendors import ALL  # noqa: E402
from mockexp.vendors.giosg.models import EXPERIMENTS, Giosg, timestamp  # noqa: E402

HOST = "127.0.0.1"
SIZES = (100, 1_000, 10_000, 100_000)
BATCH = 5_000
OPERATIONS = ("GET one", "list first page", "list deep page", "PUT", "POST")


def fill(data: Path, size: int) -> tuple[str, str]:
    """The demo data plus `size` experiments in the first writable organization; the sort key
    (created_at, id) of a filler about halfway down the list."""
    store = Store(data)
    runtime = Runtime(store, Clock(), ALL.values())
    runtime.seed()
    giosg: Giosg = runtime.models["giosg"]
    credential = next(c for c in giosg.credentials() if c.can_write)
    org = giosg.organization(credential.tenant["organization_id"])
    template = dict(org.view(EXPERIMENTS)[0])
    have = org.count(EXPERIMENTS)
    number, start = 0, datetime(2020, 1, 1, tzinfo=timezone.utc)
    middle = (template["created_at"], template["id"])
    while have < size:
        with store.transaction():
            for _ in range(min(BATCH, size - have)):
                number += 1
                key = f"00000000-0000-4000-8000-{number:012d}"
                created = timestamp(start + timedelta(milliseconds=number))
                org.insert(EXPERIMENTS, key, dict(template, id=key, name=f"filler {number}", created_at=created))
                if number == size // 2:
                    middle = (created, key)
                have += 1
    store.compact()
    store.close()
    return middle


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(data: Path, port: int) -> tuple[subprocess.Popen, float]:
    """The server and the seconds from its start to the first 200 from the health check."""
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "mockexp", "serve", "--port", str(port), "--data", str(data), "--log-level", "warning"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"mockexp serve exited with {server.returncode}")
        try:
            if loadgen.get_json(HOST, port, "/__mockexp/health")[0] == 200:
                return server, time.perf_counter() - began
        except OSError:
            time.sleep(0.01)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def workloads(port: int, middle: tuple[str, str]) -> tuple[dict[str, Callable[[], loadgen.Request]], dict[str, str]]:
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    credential = next(c for c in credentials if c["vendor"] == "giosg" and c["can_write"])
    headers = {credential["header"]: credential["value"]}
    collection = f"/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"
    status, first = loadgen.get_json(HOST, port, f"{collection}?page_size=100", headers)
    assert status == 200, first
    ids = [e["id"] for e in first["results"]]
    status, draft = loadgen.send_json(HOST, port, "POST", collection, {"is_draft": True, "name": "bench draft"}, headers)
    assert status == 201, draft
    rng = random.Random(1)
    put = ("PUT", f"{collection}/{draft['id']}", b'{"is_draft": true, "name": "bench draft, renamed"}')
    post = ("POST", collection, b'{"is_draft": true, "name": "bench"}')
    deep = ("GET", f"{collection}?cursor={_encode('next', middle)}", b"")
    return {
        "GET one": lambda: ("GET", f"{collection}/{rng.choice(ids)}", b""),
        "list first page": lambda: ("GET", collection, b""),
        "list deep page": lambda: deep,
        "PUT": lambda: put,
        "POST": lambda: post,
    }, headers


def open_server(data: Path, middle: tuple[str, str]) -> tuple[subprocess.Popen, dict, dict]:
    """A server on `data`, its restart time and memory, and its requests."""
    port = free_port()
    server, restart = start(data, port)
    try:
        figures = {"restart s": restart, "rss KiB": rss_kib(server.pid)}
        picks, headers = workloads(port, middle)
        return server, figures, {"port": port, "picks": picks, "headers": headers}
    except BaseException:
        stop(server)
        raise


def measure(servers: dict[int, tuple], args: argparse.Namespace) -> dict[int, dict]:
    """Each operation on every server in turn, round after round (so that the machine's
    changing load falls on every size alike); the median round of each is kept."""
    rounds: dict[tuple[int, str], list] = {}
    for operation in OPERATIONS:
        for size, (_, _, load) in servers.items():
            loadgen.run(HOST, load["port"], load["picks"][operation], headers=load["headers"], connections=args.connections, seconds=0.5)  # warm up
        for _ in range(args.rounds):
            for size, (_, _, load) in servers.items():
                result = loadgen.run(HOST, load["port"], load["picks"][operation], headers=load["headers"], connections=args.connections, seconds=args.seconds)
                rounds.setdefault((size, operation), []).append(result)
    results = {}
    for size, (_, figures, _) in servers.items():
        results[size] = dict(figures)
        for operation in OPERATIONS:
            runs = rounds[size, operation]
            best = loadgen.median_of(runs)
            bad = {s: n for r in runs for s, n in r.statuses.items() if s >= 400}
            results[size][operation] = (best.rate, best.p50_ms, best.p99_ms, bad)
    return results


def report(results: dict[int, dict], args: argparse.Namespace) -> None:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    print(f"\nGiosg, one organization, {args.connections} connections, {args.seconds:g} s per operation, median of {args.rounds} "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)\n")
    print(f"{'operation':16} " + " ".join(f"{f'{n:,} stored':>22}" for n in sizes) + f" | {f'cost {large:,}/{small:,}':>16}")
    print(f"{'':16} " + " ".join(f"{'req/s':>10} {'p50 ms':>11}" for _ in sizes) + f" | {'p50':>7} {'1/rate':>8}")
    for operation in OPERATIONS:
        row = [results[n][operation] for n in sizes]
        cells = " ".join(f"{r[0]:10.0f} {r[1]:11.2f}" for r in row)
        print(f"{operation:16} {cells} | {row[-1][1] / row[0][1]:6.2f}x {row[0][0] / row[-1][0]:7.2f}x")
        for n, r in zip(sizes, row):
            if r[3]:
                print(f"    ! {n:,} stored: error statuses {r[3]}")
    print(f"{'restart s':16} " + " ".join(f"{results[n]['restart s']:22.2f}" for n in sizes))
    print(f"{'RSS MiB':16} " + " ".join(f"{results[n]['rss KiB'] / 1024:22.1f}" for n in sizes))
    per = (results[large]["rss KiB"] - results[small]["rss KiB"]) * 1024 / max(1, large - small)
    print(f"\nmemory per stored experiment: {per:,.0f} bytes (RSS difference {small:,} -> {large:,} stored)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="stored experiments, comma-separated (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per operation and round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per operation; the median is kept (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=4, help="keep-alive clients (default: %(default)s)")
    args = parser.parse_args(argv)
    servers: dict[int, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="mockexp-scaling-") as tmp:
        try:
            for size in sorted(int(n) for n in args.sizes.split(",")):
                began = time.perf_counter()
                data = Path(tmp) / f"data-{size}"
                middle = fill(data, size)
                servers[size] = open_server(data, middle)
                print(f"# {size:>7,} stored: filled in {time.perf_counter() - began:.1f} s, restarted in {servers[size][1]['restart s']:.2f} s", flush=True)
            results = measure(servers, args)
        finally:
            for server, _, _ in servers.values():
                stop(server)
    report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
