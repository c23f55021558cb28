"""mockexp next to Prism (Stoplight's mock server, static examples) on the same vendor spec,
driven with the same load; and mockexp's cold start with every vendor mounted.

Run it from the repository root (after `python3 dev.py test` or `python3 dev.py serve` has
created `.venv`):

    .venv/bin/python bench/vs_prism.py                   # about 3 minutes
    .venv/bin/python bench/vs_prism.py --seconds 5 --rounds 1 --tool builtin

Prism 5 is run through `npx --yes @stoplight/prism-cli@5 mock` (npm installs it the first
time, into its cache); without `npx`/`node` its side is skipped with a message and mockexp's
figures are printed alone. The load comes from wrk where it is installed (`-t1 -cN`, a Lua
script choosing each request), else from the built-in generator (`bench/loadgen.py`).

Operations (Giosg by default; mockexp keeps validation, auth and state on, as served):
GET one experiment, GET the list's first page, POST create (a draft), and a mixed workload
(60% GET one, 25% list, 15% POST). `--api petstore3` runs the same on the Swagger Petstore
(`tests/specs/petstore3.yaml`, served by `mockexp serve --spec`): GET /pet/1, GET
/pet/findByStatus, POST /pet. Each is run `--rounds` times per server; the round with
the median req/s is shown, with its p50 and p99. The servers run one at a time, so each has
the machine to itself. mockexp runs as one process (one core): its req/s is its req/s per
core. Timings on a shared machine are noisy: the ratios within one run are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("GET one", "GET list page", "POST create", "mixed 60/25/15")
PRISM = ["npx", "--yes", "@stoplight/prism-cli@5", "mock"]


@dataclass
class Target:
    """One server under load: where it is and the requests of each operation."""

    name: str
    port: int
    headers: dict[str, str]
    one: str
    collection: str
    post_body: bytes
    post_path: str = ""  # where creates go, when not to the list's path

    @property
    def creates(self) -> str:
        return self.post_path or self.collection


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
            time.sleep(0.01)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:g} s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_mockexp(port: int, vendors: list[str], specs: tuple[Path, ...] = ()) -> subprocess.Popen:
    command = [sys.executable, "-m", "mockexp", "serve", "--memory", "--port", str(port), "--log-level", "warning"]
    command += [arg for vendor in vendors for arg in ("--vendor", vendor)]
    command += [arg for spec in specs for arg in ("--spec", str(spec))]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)


def mockexp_target(port: int) -> Target:
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    credential = next(c for c in credentials if c["vendor"] == "giosg" and c["can_write"])
    headers = {credential["header"]: credential["value"]}
    collection = f"/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"
    status, page = loadgen.get_json(HOST, port, collection, headers)
    assert status == 200, page
    return Target("mockexp", port, headers, f"{collection}/{page['results'][0]['id']}", collection, b'{"is_draft": true, "name": "bench"}')


PETSTORE = ROOT / "tests" / "specs" / "petstore3.yaml"


def petstore_target(port: int) -> Target:
    credentials = loadgen.get_json(HOST, port, "/__mockexp/credentials")[1]
    headers = {c["header"]: c["value"] for c in credentials if c["vendor"] == "petstore3"}
    return Target("mockexp", port, headers, "/api/v3/pet/1", "/api/v3/pet/findByStatus?status=available", b'{"name": "bench", "photoUrls": []}', "/api/v3/pet")


# the API benchmarked: how mockexp serves it, its requests, the spec Prism serves, and the base path Prism leaves out
APIS = {
    "giosg": (lambda port: start_mockexp(port, ["giosg"]), mockexp_target, ROOT / "specs" / "giosg.yaml", "/api/v5"),
    "petstore3": (lambda port: start_mockexp(port, [], (PETSTORE,)), petstore_target, PETSTORE, "/api/v3"),
}


def cold_start(rounds: int) -> list[float]:
    """Seconds from starting `mockexp serve` (every vendor, memory) to the first 200 from
    /__mockexp/health."""
    times = []
    for _ in range(rounds):
        port = free_port()
        server = start_mockexp(port, [])
        try:
            times.append(wait_for(server, port, "/__mockexp/health", 60))
        finally:
            stop(server)
    return times


def start_prism(port: int, spec: Path, log: Path) -> subprocess.Popen | None:
    if shutil.which("npx") is None or shutil.which("node") is None:
        print("# Prism skipped: `npx`/`node` are not installed (Node.js 18+ is needed to run @stoplight/prism-cli@5)")
        return None
    out = open(log, "wb")
    return subprocess.Popen([*PRISM, "-h", HOST, "-p", str(port), str(spec)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)


def prism_target(port: int, like: Target, base: str) -> Target:
    """Prism serves the spec's paths without the servers' base path."""
    strip = lambda path: path.removeprefix(base)  # noqa: E731
    return Target("Prism 5", port, like.headers, strip(like.one), strip(like.collection), like.post_body, strip(like.post_path))


def picks(target: Target) -> dict[str, callable]:
    one, listing, post = ("GET", target.one, b""), ("GET", target.collection, b""), ("POST", target.creates, target.post_body)
    rng = random.Random(3)

    def mixed() -> loadgen.Request:
        r = rng.random()
        return one if r < 0.60 else listing if r < 0.85 else post

    return {"GET one": lambda: one, "GET list page": lambda: listing, "POST create": lambda: post, "mixed 60/25/15": mixed}


# -- load ---------------------------------------------------------------------------------------

WRK_SCRIPT = """
local one, list, post = %s, %s, %s
local body = %s
local mixed = %s
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
%s
math.randomseed(3)
request = function()
  local r = mixed and math.random() or %s
  if r < 0.60 then return wrk.format("GET", one)
  elseif r < 0.85 then return wrk.format("GET", list)
  else return wrk.format("POST", post, nil, body) end
end
"""
SHARE = {"GET one": 0.0, "GET list page": 0.7, "POST create": 0.9, "mixed 60/25/15": None}


def lua(value: str) -> str:
    return json.dumps(value)  # a JSON string is a Lua string literal for these (no escapes beyond \\ and \\")


def run_wrk(target: Target, operation: str, seconds: float, connections: int, workdir: Path) -> tuple[float, float, float, str]:
    """wrk's req/s, p50 and p99 (ms), and the non-2xx count it reports."""
    share = SHARE[operation]
    headers = "\n".join(f"wrk.headers[{lua(k)}] = {lua(v)}" for k, v in target.headers.items())
    script = workdir / "load.lua"
    script.write_text(WRK_SCRIPT % (lua(target.one), lua(target.collection), lua(target.creates), lua(target.post_body.decode()),
                                    "true" if share is None else "false", headers, share if share is not None else 0))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script), f"http://{HOST}:{target.port}"],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p50, p99 = (_duration_ms(re.search(rf"^\s*{p}%\s+(\S+)", out, re.M).group(1)) for p in (50, 99))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p50, p99, f"{errors.group(1)} non-2xx" if errors else ""


def _duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def run_builtin(target: Target, operation: str, seconds: float, connections: int) -> tuple[float, float, float, str]:
    result = loadgen.run(HOST, target.port, picks(target)[operation], headers=target.headers, connections=connections, seconds=seconds)
    bad = sum(n for status, n in result.statuses.items() if status >= 400)
    return result.rate, result.p50_ms, result.p99_ms, f"{bad} non-2xx" if bad else ""


def measure(target: Target, args: argparse.Namespace, workdir: Path) -> dict[str, tuple[float, float, float, str]]:
    figures = {}
    for operation in OPERATIONS:
        drive = (lambda s: run_wrk(target, operation, s, args.connections, workdir)) if args.tool == "wrk" else (lambda s: run_builtin(target, operation, s, args.connections))
        drive(1)  # warm up
        rounds = sorted((drive(args.seconds) for _ in range(args.rounds)), key=lambda r: r[0])
        figures[operation] = rounds[len(rounds) // 2]
        print(f"# {target.name:8} {operation:15} {figures[operation][0]:8.0f} req/s  (rounds: {', '.join(f'{r[0]:.0f}' for r in rounds)}) {figures[operation][3]}", flush=True)
    return figures


# -- the run ------------------------------------------------------------------------------------


def run_mockexp(args: argparse.Namespace, workdir: Path) -> tuple[dict, Target]:
    port = free_port()
    start, target_of, _, _ = APIS[args.api]
    server = start(port)
    try:
        wait_for(server, port, "/__mockexp/health", 60)
        target = target_of(port)
        return measure(target, args, workdir), target
    finally:
        stop(server)


def run_prism(args: argparse.Namespace, workdir: Path, like: Target) -> dict | None:
    port = free_port()
    _, _, spec, base = APIS[args.api]
    server = start_prism(port, spec, workdir / "prism.log")
    if server is None:
        return None
    try:
        target = prism_target(port, like, base)
        wait_for(server, port, target.one, 300, ok=(200, 401, 404, 422))
        status = loadgen.get_json(HOST, port, target.one, target.headers)[0]
        if status != 200:
            print(f"# Prism answered GET one with {status} (see {workdir / 'prism.log'})")
        return measure(target, args, workdir)
    finally:
        stop(server)


def report(mine: dict, theirs: dict | None, starts: list[float], args: argparse.Namespace) -> None:
    print(f"\n{args.api} spec, {args.tool}, {args.connections} connections, {args.seconds:g} s per operation, median of {args.rounds} rounds "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]}; mockexp: one process = one core)\n")
    print(f"| operation | mockexp req/s | p50 ms | p99 ms | Prism req/s | p50 ms | p99 ms | req/s ratio | p99 ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for operation in OPERATIONS:
        m = mine[operation]
        if theirs is None:
            print(f"| {operation} | {m[0]:,.0f} | {m[1]:.2f} | {m[2]:.2f} | - | - | - | - | - |")
            continue
        p = theirs[operation]
        print(f"| {operation} | {m[0]:,.0f} | {m[1]:.2f} | {m[2]:.2f} | {p[0]:,.0f} | {p[1]:.2f} | {p[2]:.2f} | {m[0] / p[0]:.2f} | {m[2] / p[2]:.2f} |")
    print(f"\ncold start, every vendor mounted, to the first 200 from /__mockexp/health: median {statistics.median(starts):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in starts)})")
    print("req/s ratio: mockexp / Prism (above 1: mockexp serves more); p99 ratio: mockexp / Prism (below 1: mockexp's tail is shorter)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", choices=["wrk", "builtin"], default="wrk" if shutil.which("wrk") else "builtin",
                        help="the load generator (default: wrk where installed)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per operation and round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per operation; the median is kept (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (default: %(default)s)")
    parser.add_argument("--no-prism", action="store_true", help="measure mockexp alone")
    parser.add_argument("--api", choices=list(APIS), default="giosg", help="the API both serve (default: %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mockexp-vs-prism-") as tmp:
        workdir = Path(tmp)
        starts = cold_start(3)
        mine, like = run_mockexp(args, workdir)
        theirs = None if args.no_prism else run_prism(args, workdir, like)
    report(mine, theirs, starts, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
