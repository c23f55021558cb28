"""The mock inside your own tests: `run_mock()` starts a fresh, in-memory mock on a free port
in this process and stops it afterwards; the pytest plugin (`mockexp_server`) does the same
per test. Both give its base URL, the demo credentials, the clock, the request journal and
fault rules as plain Python calls.

    from mockexp.testing import run_mock

    with run_mock(["giosg"]) as mock:
        token = mock.credential("giosg", can_write=True)
        ...  # point your client at mock.url
        assert mock.count(vendor="giosg", operationId="createExperiment") == 1
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import uvicorn

from mockexp.app import Runtime, build_app
from mockexp.clock import Clock
from mockexp.control.journal import Filter
from mockexp.guard import Policy
from mockexp.server import Limits, config
from mockexp.store import Store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A mock served by uvicorn on a free port of 127.0.0.1, in a thread of this process, so
    its runtime (clock, store, journal, faults) is at hand."""

    def __init__(self, runtime: Runtime, wrap: Callable[[Any], Any] = lambda app: app, *, limits: Limits | None = None, policy: Policy = Policy()) -> None:
        """`wrap` may put a middleware around the mock's app; `limits` and `policy` are what
        `mockexp serve` sets from its options."""
        self.runtime = runtime
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = wrap(build_app(runtime, policy=policy))
        self.server = uvicorn.Server(config(app, host="127.0.0.1", port=self.port, limits=limits or Limits(), render=runtime.render_raw, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the mock did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Mock(LiveServer):
    """A running mock with helpers for a test: credentials, clock, journal, faults."""

    def credential(self, vendor: str, *, can_write: bool | None = None, spec: str | None = None) -> dict[str, str]:
        """A demo credential's header, as a dict to pass as request headers: for the vendor's
        main API, or for its other API in `spec` (a file name, such as `launchdarkly-sdk.yaml`)."""
        for found in self.runtime.credentials():
            if found.vendor == vendor and found.spec == spec and found.can_read and (can_write is None or found.can_write == can_write):
                return {found.header: found.value}
        raise LookupError(f"{vendor} has no demo credential with can_write={can_write}" + (f" for {spec}" if spec else ""))

    def tenant(self, vendor: str) -> dict[str, str]:
        """The tenant ids (path parameters) of the vendor's first writing credential."""
        return dict(next(c.tenant for c in self.runtime.credentials() if c.vendor == vendor and c.spec is None and c.can_write))

    def base_url(self, vendor: str) -> str:
        return self.url + self.runtime.base_path(vendor)

    # the clock
    def freeze(self, moment: datetime) -> None:
        self.runtime.clock.freeze(moment)

    def advance(self, seconds: float) -> None:
        self.runtime.clock.advance(seconds)

    # the journal
    def requests(self, **where: Any) -> list[dict]:
        """Journalled requests matching the filters (vendor, operationId, method, path, status, since, until)."""
        return self.runtime.journal.entries(Filter.of(where))

    def count(self, **where: Any) -> int:
        return self.runtime.journal.count(Filter.of(where))

    def clear_requests(self) -> None:
        self.runtime.journal.clear()

    # faults
    def fail(self, *rules: dict) -> list[dict]:
        """Install fault rules (as `PUT /__mockexp/faults` takes them)."""
        return self.runtime.faults.install(list(rules))

    def reset(self, *vendors: str) -> None:
        self.runtime.reset(vendors or None)
        self.runtime.faults.clear()
        self.runtime.journal.clear()


@contextlib.contextmanager
def run_mock(vendors: Iterable[str] | None = None, *, journal_size: int = 1000, fixtures: str | os.PathLike | None = None,
             fixtures_mode: str = "replace") -> Iterator[Mock]:
    """A fresh in-memory mock of these vendors (default: all) with their demo data, on a free
    port, for the duration of the block. `fixtures`: a directory of world files (your own
    demo data, as `mockexp serve --fixtures` takes it), `fixtures_mode` "replace" or "merge"."""
    from mockexp.vendors import ALL
    from mockexp.worlds.files import read_directory

    names = list(vendors) if vendors is not None else list(ALL)
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        raise ValueError(f"unknown vendor {', '.join(unknown)}; known: {', '.join(ALL)}")
    if fixtures_mode not in ("replace", "merge"):
        raise ValueError(f"fixtures_mode is replace or merge, not {fixtures_mode!r}")
    worlds = read_directory(Path(fixtures), names) if fixtures is not None else None
    runtime = Runtime(Store(), Clock(), [ALL[name] for name in names], journal_size=journal_size, worlds=worlds, merge_worlds=fixtures_mode == "merge")
    runtime.seed()
    with Mock(runtime) as mock:
        yield mock
