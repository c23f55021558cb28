"""Several cores: N isolated mockexp instances (one per CI job, say), each on its own port with
its own state, driven at once, against one instance alone.

    .venv/bin/python bench/instances.py                 # 1 and 2 instances (the machine's cores)
    .venv/bin/python bench/instances.py --counts 1,2,4 --seconds 10

Each instance is `mockexp serve --memory --port 0 --vendor giosg`; each gets its own wrk
(`-t1 -c8`, GET one experiment) for `--seconds`, all at once; the total req/s is printed with
the req/s per instance, median of `--rounds`. wrk runs on the same machine and takes CPU too:
on a 2-core machine two instances share the cores with two wrk processes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_prism import HOST, free_port, mockexp_target, start_mockexp, stop, wait_for  # noqa: E402


def round_of(targets: list, seconds: float) -> float:
    runs = []
    for target in targets:
        headers = [arg for name, value in target.headers.items() for arg in ("-H", f"{name}: {value}")]
        runs.append(subprocess.Popen(["wrk", "-t1", "-c8", f"-d{seconds:g}s", *headers, f"http://{HOST}:{target.port}{target.one}"],
                                     stdout=subprocess.PIPE, text=True))
    total = 0.0
    for run in runs:
        out, _ = run.communicate()
        total += float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    return total


def measure(count: int, args: argparse.Namespace) -> float:
    servers, targets = [], []
    try:
        for _ in range(count):
            port = free_port()
            servers.append(start_mockexp(port, ["giosg"]))
            wait_for(servers[-1], port, "/__mockexp/health", 120)
            targets.append(mockexp_target(port))
        round_of(targets, 1)  # warm up
        return statistics.median(round_of(targets, args.seconds) for _ in range(args.rounds))
    finally:
        for server in servers:
            stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default=f"1,{os.cpu_count() or 2}", help="instance counts to run (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): this benchmark needs it")
        return 1
    print(f"GET one Giosg experiment, wrk -t1 -c8 per instance, {args.seconds:g} s, median of {args.rounds} ({os.cpu_count()} cores)\n")
    print("| instances | total req/s | req/s per instance |\n|---|---|---|")
    for count in (int(n) for n in args.counts.split(",")):
        total = measure(count, args)
        print(f"| {count} | {total:,.0f} | {total / count:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
