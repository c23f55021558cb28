"""Crash and disk-full experiments with real `mockexp serve` processes: does the store lose
an acknowledged write, or keep one it refused?

    .venv/bin/python bench/disk_faults.py                 # both experiments
    .venv/bin/python bench/disk_faults.py --crashes 20    # more kill -9s

* crash: Giosg creates from 8 threads; the server is killed with SIGKILL at random moments
  and restarted on the same data directory, `--crashes` times.
* disk full: the data directory is on a 2 MiB tmpfs (needs root to mount it; without root,
  a 256 KiB file-size limit on the server process stands in for a full disk). Creates run
  until the disk refuses them (507), then room is made (the tmpfs grows), one more create is
  made, and the server is killed and restarted.

After each restart every create is looked up. It prints, per experiment: acknowledged (201),
refused (answered with an error), unanswered (cut off by the kill: either outcome is fine),
lost (acknowledged, then gone) and invented (refused, then there). Lost and invented must be 0.
It prints figures; it is not a test (the tests fake the disk: tests/test_store_faults.py).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


class Server:
    def __init__(self, data: Path, limit_file_size: int | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))) if limit_file_size else None
        self.process = subprocess.Popen([sys.executable, "-m", "mockexp", "serve", "--data", str(data), "--port", str(self.port), "--log-level", "critical"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit, cwd=ROOT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/__mockexp/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {self.process.stderr.read().decode(errors='replace') if self.process.stderr else ''}")
            time.sleep(0.05)
        credential = next(c for c in httpx.get(self.url + "/__mockexp/credentials").json() if c["vendor"] == "giosg" and c["can_write"])
        self.headers = {"Authorization": credential["value"]}
        self.collection = f"{self.url}/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class Tally:
    """Every create's fate, by the name it was sent with."""

    def __init__(self) -> None:
        self.acknowledged: dict[str, str] = {}  # name -> id
        self.refused: set[str] = set()
        self.unanswered: set[str] = set()
        self.lock = threading.Lock()
        self.counter = 0

    def create(self, http: httpx.Client, collection: str, size: int = 0) -> int | None:
        with self.lock:
            self.counter += 1
            name = f"exp-{self.counter:06d}-" + "x" * size
        try:
            response = http.post(collection, json={"is_draft": True, "name": name})
        except httpx.TransportError:
            with self.lock:
                self.unanswered.add(name)
            return None
        with self.lock:
            if response.status_code == 201:
                self.acknowledged[name] = response.json()["id"]
            else:
                self.refused.add(name)
        return response.status_code

    def audit(self, server: Server) -> tuple[int, int]:
        """(lost, invented) as the restarted server sees them."""
        listed, url = set(), server.collection + "?page_size=100"
        with httpx.Client(headers=server.headers, timeout=30) as http:
            while url:
                page = http.get(url).json()
                listed |= {experiment["name"] for experiment in page["results"]}
                url = page["next"]
        return len(set(self.acknowledged) - listed), len(self.refused & listed)

    def line(self, title: str, lost: int, invented: int) -> str:
        return (f"{title:28} acknowledged {len(self.acknowledged):6}  refused {len(self.refused):5}  unanswered {len(self.unanswered):4}  "
                f"lost {lost}  invented {invented}")


def crash_experiment(crashes: int, work: Path) -> bool:
    tally, data = Tally(), work / "crash-data"
    for crash in range(crashes):
        server = Server(data)
        stop = threading.Event()

        def write() -> None:
            with httpx.Client(headers=server.headers, timeout=30) as http:
                while not stop.is_set() and tally.create(http, server.collection) is not None:
                    pass

        threads = [threading.Thread(target=write) for _ in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.2, 1.5))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join()
    server = Server(data)
    lost, invented = tally.audit(server)
    server.kill()
    print(tally.line(f"crash ({crashes} x kill -9)", lost, invented))
    return lost == invented == 0


def disk_full_experiment(work: Path) -> bool:
    mount = work / "tmpfs"
    mount.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode == 0
    try:
        tally = Tally()
        server = Server(mount / "data", limit_file_size=None if mounted else 256 * 1024)
        statuses = _fill(tally, server)
        made_room = mounted and subprocess.run(["mount", "-o", "remount,size=16m", str(mount)], capture_output=True).returncode == 0
        with httpx.Client(headers=server.headers, timeout=30) as http:
            after = tally.create(http, server.collection) if made_room else None
        server.kill()
        server = Server(mount / "data")
        lost, invented = tally.audit(server)
        server.kill()
        how = "2 MiB tmpfs" if mounted else "256 KiB file-size limit"
        print(tally.line(f"disk full ({how})", lost, invented) + f"  answers when full: {sorted(statuses)}" + (f"  after making room: {after}" if made_room else ""))
        return lost == invented == 0 and statuses <= {201, 507} and 507 in statuses and (after == 201 if made_room else True)
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], capture_output=True)


def _fill(tally: Tally, server: Server) -> set[int]:
    """Creates until twenty in a row are refused; the statuses seen."""
    statuses, refused_in_a_row = set(), 0
    with httpx.Client(headers=server.headers, timeout=30) as http:
        while refused_in_a_row < 20:
            status = tally.create(http, server.collection, size=2000)
            statuses.add(status)
            refused_in_a_row = refused_in_a_row + 1 if status != 201 else 0
    return statuses


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crashes", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mockexp-faults-"))
    try:
        ok = crash_experiment(args.crashes, work) & disk_full_experiment(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("no acknowledged write lost, no refused write kept" if ok else "FAILED: see the counts above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
