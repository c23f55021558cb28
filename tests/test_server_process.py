"""The real `mockexp serve`, run as a separate process: concurrent creates all persist, a
`kill -9` during writes leaves a store that loads, one data directory serves one process,
the wheel carries its specs and fixtures, and the start-up banner tells a user what they need."""

from __future__ import annotations

import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from mockexp.specs import load_named
from mockexp.vendors import ALL

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60  # seconds a server may take to answer its health check (a deadline, not an assertion)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One `mockexp serve` process, its output in files (or a pipe), killed at the end of the test."""

    def __init__(self, args: list[str], log_dir: Path, *, pipe_stdout: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir.mkdir(parents=True, exist_ok=True)
        stamp = f"{self.port}-{time.monotonic_ns()}"
        self.stdout_path = log_dir / f"serve-{stamp}.out"
        self.stderr_path = log_dir / f"serve-{stamp}.err"
        self._stdout_file = None if pipe_stdout else open(self.stdout_path, "wb")
        self._stderr_file = open(self.stderr_path, "wb")
        env = {key: value for key, value in os.environ.items() if key != "MOCKEXP_SPECS_DIR"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockexp", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE if pipe_stdout else self._stdout_file,
            stderr=self._stderr_file,
            env=env,
        )

    def output(self) -> str:
        self._flush()
        out = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        return out + self.stderr_path.read_text(errors="replace")

    def stderr(self) -> str:
        self._flush()
        return self.stderr_path.read_text(errors="replace")

    def _flush(self) -> None:
        for file in (self._stdout_file, self._stderr_file):
            if file is not None and not file.closed:
                file.flush()

    def wait_healthy(self) -> dict:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"mockexp serve exited with {self.process.returncode} before answering:\n{self.output()}")
            try:
                response = httpx.get(f"{self.url}/__mockexp/health", timeout=5)
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"mockexp serve did not answer /__mockexp/health:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as a process manager would, and wait for a clean exit. Uvicorn shuts down
        gracefully and then re-raises the signal, so "killed by SIGTERM" is a clean exit too."""
        self.process.send_signal(signal.SIGTERM)
        returncode = self.process.wait(timeout=30)
        assert returncode in (0, -signal.SIGTERM), f"exit {returncode}:\n{self.output()}"

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to flush or close anything
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()
        for file in (self._stdout_file, self._stderr_file):
            if file is not None:
                file.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Starts `mockexp serve` processes; every one still running at the end is killed."""
    started: list[Server] = []

    def start(*args: str, pipe_stdout: bool = False, every_vendor: bool = False) -> Server:
        """Only Giosg is mounted unless the test names vendors or asks for every one: these
        tests are about the process, and a start with one vendor takes a third of the time."""
        mounted = [] if every_vendor or "--vendor" in args else ["--vendor", "giosg"]
        server = Server([*args, *mounted], tmp_path / "logs", pipe_stdout=pipe_stdout)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def admin_credential(url: str) -> dict:
    """The Giosg token with settings permission in the organization with an active subscription."""
    response = httpx.get(f"{url}/__mockexp/credentials", timeout=10)
    assert response.status_code == 200, response.text
    matches = [c for c in response.json() if c["vendor"] == "giosg" and c["role"] == "settings permission" and c["note"] is None]
    assert len(matches) == 1, response.json()
    return matches[0]


def experiments_url(url: str, credential: dict) -> str:
    return f"{url}/api/v5/orgs/{credential['tenant']['organization_id']}/experiments"


def client(credential: dict) -> httpx.Client:
    return httpx.Client(
        headers={credential["header"]: credential["value"]},
        timeout=60,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
    )


def list_all(http: httpx.Client, first_page: str) -> list[dict]:
    """Every experiment of the list, following `next` to the last page."""
    found: list[dict] = []
    url: str | None = first_page
    pages = 0
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["results"]
        url = body["next"]
        pages += 1
        assert pages < 10_000, "the list's `next` links never end"
    return found


def published_body(http: httpx.Client, collection: str, name: str) -> dict:
    """A valid published experiment, using the goal and rooms of one the demo data has."""
    existing = next(e for e in list_all(http, collection) if e["goal_id"] and e["room_ids"])
    starts = datetime.now(timezone.utc) + timedelta(days=30)
    return {
        "is_draft": False,
        "name": name,
        "goal_id": existing["goal_id"],
        "room_ids": existing["room_ids"],
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "groups": [
            {"name": "A", "percentage": 50, "group_type": "control"},
            {"name": "B", "percentage": 50, "group_type": "user_defined"},
        ],
    }


# -- a. concurrency ---------------------------------------------------------------------------


def started(serve, data: Path) -> tuple[Server, dict, str]:
    """`mockexp serve --data`, answering: the server, the Giosg admin credential, its experiments' URL."""
    server = serve("--data", str(data))
    server.wait_healthy()
    credential = admin_credential(server.url)
    return server, credential, experiments_url(server.url, credential)


def test_100_concurrent_creates_are_all_stored_distinct_and_survive_a_restart(serve, tmp_path: Path) -> None:
    data = tmp_path / "data"
    server, credential, collection = started(serve, data)

    with client(credential) as http:
        template = published_body(http, collection, "template")
        before = {e["id"] for e in list_all(http, collection)}
        start_together = threading.Barrier(100)

        def create(index: int) -> httpx.Response:
            start_together.wait(timeout=60)
            return http.post(collection, json={**template, "name": f"Concurrent {index:03}"})

        with ThreadPoolExecutor(max_workers=100) as pool:
            responses = list(pool.map(create, range(100)))

        assert [r.status_code for r in responses] == [201] * 100, [r.text for r in responses if r.status_code != 201][:3]
        created = {r.json()["id"]: r.json()["name"] for r in responses}
        assert len(created) == 100
        assert sorted(created.values()) == [f"Concurrent {i:03}" for i in range(100)]
        assert not created.keys() & before

        for experiment_id, name in created.items():
            got = http.get(f"{collection}/{experiment_id}")
            assert got.status_code == 200, got.text
            assert got.json()["name"] == name
        listed = [e["id"] for e in list_all(http, collection)]
        assert len(listed) == len(set(listed)), "the list shows an experiment twice"
        assert set(created) <= set(listed)
        assert set(listed) == before | set(created)

    server.stop()

    again = serve("--data", str(data))
    again.wait_healthy()
    with client(admin_credential(again.url)) as http:
        for experiment_id, name in created.items():
            got = http.get(f"{collection.replace(server.url, again.url)}/{experiment_id}")
            assert got.status_code == 200, got.text
            assert got.json()["name"] == name
        listed_after_restart = {e["id"] for e in list_all(http, collection.replace(server.url, again.url))}
    assert listed_after_restart == before | set(created)


# -- b. crashes -------------------------------------------------------------------------------


class Writers:
    """Threads creating experiments as fast as the server answers, until it dies."""

    def __init__(self, http: httpx.Client, collection: str, body: dict, prefix: str, threads: int = 10) -> None:
        self.http = http
        self.collection = collection
        self.body = body
        self.prefix = prefix
        self.acknowledged: dict[str, str] = {}  # id -> name, for every create answered 201
        self.unexpected: list[str] = []
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._counter = 0
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> "Writers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self._counter += 1
                name = f"{self.prefix} {self._counter:05}"
            try:
                response = self.http.post(self.collection, json={**self.body, "name": name})
            except httpx.TransportError:
                return  # the server is gone
            with self._lock:
                if response.status_code == 201:
                    self.acknowledged[response.json()["id"]] = name
                else:
                    self.unexpected.append(f"{response.status_code} {response.text[:200]}")
                self._lock.notify_all()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 120
        with self._lock:
            while len(self.acknowledged) < count and not self.unexpected:
                assert time.monotonic() < deadline, f"only {len(self.acknowledged)} creates acknowledged"
                self._lock.wait(0.5)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self.acknowledged)


@pytest.mark.parametrize("kill_after", [1, 100], ids=lambda n: f"after-{n}-acknowledged")
def test_kill_9_during_concurrent_writes_leaves_a_store_that_loads_with_every_acknowledged_create(serve, tmp_path: Path, kill_after: int) -> None:
    data = tmp_path / "data"
    acknowledged: dict[str, str] = {}
    # Two crashes in a row on the same directory: the restart replays what the first crash
    # left, then takes new writes and a second crash. (bench/disk_faults.py crashes it more.)
    for crash in range(2):
        server = serve("--data", str(data))
        server.wait_healthy()
        credential = admin_credential(server.url)
        collection = experiments_url(server.url, credential)
        with client(credential) as http:
            body = published_body(http, collection, "crash")
            with Writers(http, collection, body, prefix=f"Crash {crash}") as writers:
                writers.wait_for(kill_after * (crash + 1))
                server.kill()
            assert writers.unexpected == []
            assert len(writers.acknowledged) >= kill_after * (crash + 1)
            acknowledged.update(writers.snapshot())

        restarted = serve("--data", str(data))
        health = restarted.wait_healthy()
        assert health["status"] == "ok"
        assert health["store"] == str(data)
        credential = admin_credential(restarted.url)
        collection = experiments_url(restarted.url, credential)
        with client(credential) as http:
            listed = list_all(http, collection)
            by_id = {e["id"]: e["name"] for e in listed}
            assert len(by_id) == len(listed), "the list shows an experiment twice"
            lost = [(experiment_id, name) for experiment_id, name in acknowledged.items() if by_id.get(experiment_id) != name]
            assert lost == [], f"acknowledged creates missing after kill -9 #{crash + 1}: {lost[:5]}"
            for experiment_id in random.Random(crash).sample(sorted(acknowledged), k=min(20, len(acknowledged))):
                got = http.get(f"{collection}/{experiment_id}")
                assert got.status_code == 200 and got.json()["name"] == acknowledged[experiment_id], got.text
        restarted.stop()


def test_a_second_server_refuses_a_data_directory_in_use(serve, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = serve("--data", str(data))
    first.wait_healthy()

    second = serve("--data", str(data))
    returncode = second.process.wait(timeout=60)

    assert returncode != 0
    assert "in use" in second.stderr(), second.output()
    assert str(data) in second.stderr(), second.output()
    assert first.wait_healthy()["status"] == "ok"
    credential = admin_credential(first.url)
    with client(credential) as http:
        assert http.get(experiments_url(first.url, credential)).status_code == 200


# -- c. packaging -----------------------------------------------------------------------------


def test_the_wheel_carries_the_specs_and_fixtures_and_works_from_any_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(wheels), str(PROJECT_ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    [wheel] = wheels.glob("mockexp-*.whl")

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "MOCKEXP_SPECS_DIR"}
    env["PYTHONPATH"] = str(site)
    probe = subprocess.run(
        [sys.executable, "-c",
         "import mockexp, mockexp.resources as r\n"
         "print(mockexp.__file__)\n"
         "print(r.specs_dir().resolve())\n"
         "print(r.fixtures_dir().resolve())\n"
         "print(sorted(p.name for p in r.specs_dir().iterdir()))\n"
         "print(sorted(p.name for p in r.fixtures_dir().iterdir()))\n"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    package_file, specs, fixtures, spec_files, fixture_files = probe.stdout.splitlines()
    package = (site / "mockexp").resolve()
    assert Path(package_file).resolve().parent == package, "the installed copy was not the one imported"
    assert Path(specs) == package / "specs"
    assert Path(fixtures) == package / "fixtures"
    assert "'giosg.yaml'" in spec_files
    assert "'mockexp-admin.yaml'" in spec_files
    assert "'giosg.yaml'" in fixture_files

    listing = subprocess.run([sys.executable, "-m", "mockexp", "specs"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "giosg" in listing.stdout
    assert str(package / "specs" / "giosg.yaml") in listing.stdout
    assert "all specs valid" in listing.stdout


# -- d. the banner ------------------------------------------------------------------------------


def test_serve_memory_prints_a_banner_with_the_url_vendors_and_demo_credentials(serve) -> None:
    server = serve("--memory", pipe_stdout=True, every_vendor=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for raw in server.process.stdout:
            lines.put(raw.decode(errors="replace"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    health = server.wait_healthy()
    assert health["store"] == "memory"
    credentials = httpx.get(f"{server.url}/__mockexp/credentials", timeout=10).json()
    assert len(credentials) >= 3

    # The banner is printed once the server listens: once it answers, the banner is out.
    banner = ""
    wanted = [c["value"] for c in credentials] + [str(value) for c in credentials for value in c["tenant"].values()]
    while not all(value in banner for value in wanted):
        line = lines.get(timeout=30)
        assert line is not None, f"stdout ended before the banner was complete:\n{banner}"
        banner += line
    server.stop()

    assert f"http://127.0.0.1:{server.port}" in banner
    assert sorted(health["vendors"]) == sorted(ALL)
    for name, vendor in ALL.items():  # every vendor at its real base path
        assert f"  {name}" in banner and f"http://127.0.0.1:{server.port}{load_named(vendor.spec).base_path}/ui/" in banner
        assert any(c["vendor"] == name for c in credentials), f"{name} lists no demo credential"
    assert f"http://127.0.0.1:{server.port}/__mockexp/" in banner
    assert "in memory" in banner
    for credential in credentials:
        assert f"{credential['header']}: {credential['value']}" in banner
        assert all(str(value) in banner for value in credential["tenant"].values())


# -- e. a damaged or unusable store ------------------------------------------------------------------


def test_a_journal_damaged_in_the_middle_stops_start_up_naming_the_line_and_repair_keeps_every_intact_record(serve, tmp_path: Path) -> None:
    data = tmp_path / "data"
    server, credential, collection = started(serve, data)
    with client(credential) as http:
        made = [http.post(collection, json={"is_draft": True, "name": f"Kept {n}"}).json()["id"] for n in range(3)]
    server.kill()
    lines = (data / "journal.jsonl").read_bytes().split(b"\n")
    index = len(lines) - 3  # the second of the three creates (the file ends with a newline): one line follows it
    damaged_at = index + 1
    lines[index] = b'[["put","giosg.experiments@x","y",{"half'
    (data / "journal.jsonl").write_bytes(b"\n".join(lines))

    stopped = serve("--data", str(data))
    assert stopped.process.wait(timeout=60) == 1
    assert f"line {damaged_at} is damaged" in stopped.stderr() and "--repair" in stopped.stderr()
    assert "Traceback" not in stopped.stderr()

    repaired = serve("--data", str(data), "--repair")
    repaired.wait_healthy()
    with client(credential) as http:
        found = {experiment_id: http.get(f"{repaired.url}{collection.removeprefix(server.url)}/{experiment_id}").status_code for experiment_id in made}
    assert found == {made[0]: 200, made[1]: 404, made[2]: 200}
    assert (data / "journal.damaged.jsonl").exists()


@pytest.mark.parametrize("where", ["under-a-file", "unreadable-snapshot"])
def test_an_unusable_data_directory_stops_start_up_in_one_line(serve, tmp_path: Path, where: str) -> None:
    if where == "under-a-file":
        (tmp_path / "a-file").write_text("")
        data = tmp_path / "a-file" / "data"
    else:
        data = tmp_path / "data"
        data.mkdir()
        (data / "store.json").write_bytes(b"\x00\x01 not a snapshot")

    server = serve("--data", str(data))

    assert server.process.wait(timeout=60) == 1
    error = server.stderr().strip()
    assert error.startswith("mockexp: cannot open the store:") and len(error.splitlines()) == 1, error
    assert "Traceback" not in error


# -- f. beyond loopback --------------------------------------------------------------------------


def test_listening_beyond_loopback_warns_and_the_admin_api_needs_the_token_the_banner_shows(serve) -> None:
    server = serve("--memory", "--host", "0.0.0.0")
    deadline = time.monotonic() + START_TIMEOUT
    while "admin token" not in server.output():
        assert server.process.poll() is None and time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    token = server.output().split("Authorization: Bearer ", 1)[1].split()[0]

    assert "WARNING" in server.stderr() and "beyond this machine" in server.stderr()
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            refused = httpx.get(f"{server.url}/__mockexp/credentials", timeout=5)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert refused.status_code == 401
    assert httpx.get(f"{server.url}/__mockexp/credentials", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_a_port_outside_1_to_65535_is_refused_with_usage_help(port: str) -> None:
    result = subprocess.run([sys.executable, "-m", "mockexp", "serve", "--memory", "--port", port], capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr


def test_port_0_binds_a_free_port_and_the_banner_says_which(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "MOCKEXP_SPECS_DIR"}
    process = subprocess.Popen([sys.executable, "-m", "mockexp", "serve", "--memory", "--vendor", "giosg", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        first = process.stdout.readline().decode()  # printed only once the socket is bound
        port = int(first.rsplit(":", 1)[1])
        assert first.startswith("mockexp ") and port > 0
        assert httpx.get(f"http://127.0.0.1:{port}/__mockexp/health", timeout=10).json()["vendors"] == ["giosg"]
    finally:
        process.kill()
        process.wait(10)


def test_a_frozen_clock_stays_frozen_across_a_restart(serve, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = serve("--data", str(data), "--vendor", "giosg")
    first.wait_healthy()
    moved = httpx.put(f"{first.url}/__mockexp/clock", json={"now": "2031-05-06T07:08:09Z"}, timeout=10)
    assert moved.status_code == 200
    first.stop()

    second = serve("--data", str(data), "--vendor", "giosg")
    second.wait_healthy()
    clock = httpx.get(f"{second.url}/__mockexp/clock", timeout=10).json()
    assert (clock["mode"], clock["now"]) == ("frozen", "2031-05-06T07:08:09Z")


def test_each_vendor_request_is_one_log_line_with_its_operation_status_and_reason(serve) -> None:
    server = serve("--memory", "--vendor", "giosg")
    server.wait_healthy()
    token = admin_credential(server.url)
    httpx.post(experiments_url(server.url, token), headers={token["header"]: token["value"]}, json={"name": "x"}, timeout=10)
    deadline = time.monotonic() + 10
    while "createExperiment" not in server.stderr() and time.monotonic() < deadline:
        time.sleep(0.1)

    line = next(line for line in server.stderr().splitlines() if "createExperiment" in line)
    assert line.startswith("INFO:") and " giosg createExperiment POST /api/v5/orgs/" in line and " 400 " in line and " ms " in line
    assert "is_draft" in line  # the reason Giosg's answer gave
