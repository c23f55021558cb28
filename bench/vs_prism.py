"""mockexp next to Prism 5 and Mockoon 9 (static mock servers) on the same vendor specs, driven
with the same load; and mockexp's cold start with every vendor mounted.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/vs_prism.py                             # every vendor: about 15 minutes
    .venv/bin/python bench/vs_prism.py --vendor giosg              # Giosg's four rows: about 4 minutes
    .venv/bin/python bench/vs_prism.py --vendor petstore3          # the Swagger Petstore, served by --spec
    .venv/bin/python bench/vs_prism.py --seconds 3 --rounds 1 --no-peers

Each vendor's rows (`bench/scenarios.py`): its main list and a read of one object, its SDK
payload where it has one, and for Giosg also a create and a mixed load (60% GET one, 25% list,
15% POST). mockexp serves the demo data with validation, auth and state on, as `mockexp serve`
does. Each peer (`bench/peers.py`) serves the very document mockexp serves for that row (its
resolved `<base path>/openapi.json`), run through npx; without node the peers are skipped with
a message. The load comes from wrk where it is installed (`-t1 -cN`, a Lua script choosing each
request), else from the built-in generator (`bench/loadgen.py`). Each row is run `--rounds`
times per server; the round with the median req/s is kept, with its p50 and p99. The servers
run one at a time, so each has the machine to itself; mockexp is one process (one core).
Timings on a shared machine are noisy: the ratios within one run are what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402
from peers import PEERS, Peer, stop  # noqa: E402
from scenarios import HOST, OWN_SPECS, SCENARIOS, Row  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
Figures = tuple[float, float, float, str]  # req/s, p50 ms, p99 ms, a note on non-2xx answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for(process: subprocess.Popen, port: int, path: str, timeout: float, ok=(200,)) -> float:
    """Seconds until `path` answers with a status in `ok`."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        try:
            if loadgen.get_json(HOST, port, path)[0] in ok:
                return time.perf_counter() - began
        except (OSError, ValueError):
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:g} s")


def start_mockexp(port: int, vendors: list[str], specs: list[str] = ()) -> subprocess.Popen:
    command = [sys.executable, "-m", "mockexp", "serve", "--memory", "--port", str(port), "--log-level", "warning"]
    command += [arg for vendor in vendors for arg in ("--vendor", vendor)]
    command += [arg for spec in specs for arg in ("--spec", spec)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)


def cold_start(rounds: int) -> list[float]:
    """Seconds from starting `mockexp serve` (every vendor, memory) to the first 200 from /__mockexp/health."""
    times = []
    for _ in range(rounds):
        port = free_port()
        server = start_mockexp(port, [])
        try:
            times.append(wait_for(server, port, "/__mockexp/health", 60))
        finally:
            stop(server)
    return times


# -- load ---------------------------------------------------------------------------------------

WRK_SCRIPT = """
local requests = %s
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
%s
math.randomseed(3)
request = function()
  local r = math.random()
  for _, entry in ipairs(requests) do
    if r <= entry[1] then return wrk.format(entry[2], entry[3], nil, entry[4]) end
  end
  local last = requests[#requests]
  return wrk.format(last[2], last[3], nil, last[4])
end
"""


def lua(value: str) -> str:
    return json.dumps(value)  # a JSON string is a Lua string literal for these (no escapes beyond \\ and \\")


def _cumulative(requests: list[tuple[float, loadgen.Request]]) -> list[tuple[float, loadgen.Request]]:
    total, out = sum(weight for weight, _ in requests), []
    running = 0.0
    for weight, request in requests:
        running += weight / total
        out.append((running, request))
    return out


def run_wrk(row: Row, port: int, seconds: float, connections: int, workdir: Path) -> Figures:
    entries = ", ".join(f"{{{share:.4f}, {lua(method)}, {lua(path)}, {lua(body.decode()) if body else 'nil'}}}"
                        for share, (method, path, body) in _cumulative(row.requests))
    headers = "\n".join(f"wrk.headers[{lua(k)}] = {lua(v)}" for k, v in row.headers.items())
    script = workdir / "load.lua"
    script.write_text(WRK_SCRIPT % ("{" + entries + "}", headers))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script), f"http://{HOST}:{port}"],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p50, p99 = (_duration_ms(re.search(rf"^\s*{p}%\s+(\S+)", out, re.M).group(1)) for p in (50, 99))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p50, p99, f"{errors.group(1)} non-2xx" if errors else ""


def _duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def run_builtin(row: Row, port: int, seconds: float, connections: int) -> Figures:
    import random

    rng, table = random.Random(3), _cumulative(row.requests)

    def pick() -> loadgen.Request:
        r = rng.random()
        return next((request for share, request in table if r <= share), table[-1][1])

    result = loadgen.run(HOST, port, pick, headers=row.headers, connections=connections, seconds=seconds)
    bad = sum(n for status, n in result.statuses.items() if status >= 400)
    return result.rate, result.p50_ms, result.p99_ms, f"{bad} non-2xx" if bad else ""


def measure(server: str, row: Row, port: int, args: argparse.Namespace, workdir: Path) -> Figures:
    def drive(seconds: float) -> Figures:
        if args.tool == "wrk":
            return run_wrk(row, port, seconds, args.connections, workdir)
        return run_builtin(row, port, seconds, args.connections)

    drive(1)  # warm up
    rounds = sorted((drive(args.seconds) for _ in range(args.rounds)), key=lambda figures: figures[0])
    kept = rounds[len(rounds) // 2]
    print(f"# {server:10} {row.label:32} {kept[0]:8.0f} req/s  p99 {kept[2]:7.2f} ms  (rounds: {', '.join(f'{r[0]:.0f}' for r in rounds)}) {kept[3]}", flush=True)
    return kept


# -- the run ------------------------------------------------------------------------------------


def run_mockexp(args: argparse.Namespace, workdir: Path) -> tuple[list[Row], dict[str, Figures], dict[str, Path]]:
    """mockexp's figures for every row, and each row's spec as mockexp serves it (for the peers)."""
    port = free_port()
    own = [OWN_SPECS[name] for name in args.vendor if name in OWN_SPECS]
    server = start_mockexp(port, [name for name in args.vendor if name not in OWN_SPECS] if own else [], own)  # with --spec: the vendors asked for
    try:
        wait_for(server, port, "/__mockexp/health", 60)
        rows = [row for vendor in args.vendor for row in SCENARIOS[vendor](port)]
        specs = {}
        for base in dict.fromkeys(row.base_path for row in rows):
            status, document = loadgen.get_json(HOST, port, f"{base}/openapi.json")
            assert status == 200, (base, status)
            specs[base] = workdir / f"spec{len(specs)}.json"
            specs[base].write_text(json.dumps(document))
        return rows, {row.label: measure("mockexp", row, port, args, workdir) for row in rows}, specs
    finally:
        stop(server)


def run_peer(peer: Peer, rows: list[Row], specs: dict[str, Path], args: argparse.Namespace, workdir: Path) -> dict[str, Figures]:
    figures: dict[str, Figures] = {}
    for base, spec in specs.items():
        port = free_port()
        log = workdir / f"{peer.name.split()[0].lower()}.log"
        server = peer.start(spec, port, log, ROOT)
        if server is None:
            return figures
        try:
            mine = [row for row in rows if row.base_path == base]
            theirs = [Row(row.vendor, row.operation, base, row.headers, [(w, (m, peer.path(p, base), b)) for w, (m, p, b) in row.requests]) for row in mine]
            wait_for(server, port, theirs[0].requests[0][1][1], 300, ok=tuple(range(200, 600)))
            for row in theirs:
                status = asyncio.run(loadgen.request(HOST, port, row.requests[0][1], row.headers))[0]
                if not 200 <= status < 400:
                    print(f"# {peer.name} answered {row.label} with {status} (see {log})")
                figures[row.label] = measure(peer.name, row, port, args, workdir)
        finally:
            stop(server)
    return figures


def report(rows: list[Row], mine: dict[str, Figures], peers: dict[str, dict[str, Figures]], starts: list[float], args: argparse.Namespace) -> None:
    names = list(peers)
    print(f"\n{args.tool}, {args.connections} connections, {args.seconds:g} s per row, median of {args.rounds} rounds "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]}; mockexp: one process = one core)\n")
    print("| " + " | ".join(["request", "mockexp req/s", "p99 ms", *(f"{name} {what}" for name in names for what in ("req/s", "p99 ms")),
                             "vs faster peer", "p99 vs its p99"]) + " |")
    print("|---|---|---|" + "---|---|" * len(names) + "---|---|")
    for row in rows:
        m = mine[row.label]
        theirs = [peers[name].get(row.label) for name in names]
        cells = [f"{p[0]:,.0f} | {p[2]:.2f}" if p else "- | -" for p in theirs]
        measured = [p for p in theirs if p]
        faster = max(measured, key=lambda p: p[0]) if measured else None
        ratio = f"{m[0] / faster[0]:.2f} | {m[2] / faster[2]:.2f}" if faster else "- | -"
        print("| " + " | ".join([row.label, f"{m[0]:,.0f}", f"{m[2]:.2f}", *cells, ratio]) + " |")
    print(f"\ncold start, every vendor mounted, to the first 200 from /__mockexp/health: median {statistics.median(starts):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in starts)})")
    print("vs faster peer: mockexp's req/s over the faster peer's (above 1: mockexp serves more); p99: mockexp's over that peer's (below 1: shorter tail)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendor", action="append", choices=list(SCENARIOS), help="only these vendors' rows (default: every vendor)")
    parser.add_argument("--tool", choices=["wrk", "builtin"], default="wrk" if shutil.which("wrk") else "builtin",
                        help="the load generator (default: wrk where installed)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per row and round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row; the median is kept (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (default: %(default)s)")
    parser.add_argument("--no-peers", action="store_true", help="measure mockexp alone")
    args = parser.parse_args(argv)
    args.vendor = args.vendor or list(SCENARIOS)
    with tempfile.TemporaryDirectory(prefix="mockexp-vs-peers-") as tmp:
        workdir = Path(tmp)
        starts = cold_start(3)
        rows, mine, specs = run_mockexp(args, workdir)
        peers = {} if args.no_peers else {peer.name: run_peer(peer, rows, specs, args, workdir) for peer in PEERS}
    report(rows, mine, peers, starts, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
