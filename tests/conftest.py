"""Shared fixtures: an in-memory mock served by a real uvicorn on a free port, reset to its
demo data before each test, and the Giosg demo credentials."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import httpx
import pytest
import uvicorn

from mockexp.app import Runtime, build_app
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.vendors import ALL

FROZEN_AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A mock running in this process, so tests can reach its runtime (clock, store) too."""

    def __init__(self, runtime: Runtime, wrap: Callable[[Any], Any] = lambda app: app) -> None:
        """`wrap` may put a middleware around the mock's app (to break it on purpose)."""
        self.runtime = runtime
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(wrap(build_app(runtime)), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    runtime = Runtime(Store(), Clock(), ALL.values())
    runtime.seed()
    with LiveServer(runtime) as server:
        yield server


@pytest.fixture
def mock(live: LiveServer) -> LiveServer:
    """The live mock, back at its demo data and with real time, for one test."""
    live.runtime.clock.run_real()
    live.runtime.reset()
    return live


@pytest.fixture
def http(mock: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        yield client


def giosg_credential(runtime: Runtime, role: str, active: bool = True) -> dict:
    for credential in runtime.models["giosg"].credentials():
        if credential["role"] == role and (credential["note"] is None) == active:
            return credential
    raise LookupError(role)


@pytest.fixture
def giosg_admin(mock: LiveServer) -> dict:
    """Token with settings permission, in the organization with an active subscription."""
    return giosg_credential(mock.runtime, "settings permission")


@pytest.fixture
def giosg_viewer(mock: LiveServer) -> dict:
    """Token without settings permission, same organization as `giosg_admin`."""
    return giosg_credential(mock.runtime, "no settings permission")


@pytest.fixture
def giosg_expired(mock: LiveServer) -> dict:
    """Token of the other organization, whose subscription has expired."""
    return giosg_credential(mock.runtime, "settings permission", active=False)
