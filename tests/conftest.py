"""Shared fixtures: an in-memory mock served by a real uvicorn on a free port, with the
vendors a test uses reset to their demo data before it, an HTTP client that checks every
answer against the spec of the API it came from, and the demo credentials."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterator

import httpx
import pytest

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.store import Store
from mockexp.testing import LiveServer, free_port  # noqa: F401 (tests import them from here)
from mockexp.validation import response_problems
from mockexp.vendors import ALL

VENDORS = sorted(ALL)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "vendors(*names): the vendors a test uses (only these are reset before it)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test under tests/vendors/<name>/ uses that vendor."""
    for item in items:
        parts = item.path.parts
        if "vendors" in parts and parts.index("vendors") + 1 < len(parts) - 1:
            name = parts[parts.index("vendors") + 1]
            if name in ALL and item.get_closest_marker("vendors") is None:
                item.add_marker(pytest.mark.vendors(name))


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    runtime = Runtime(Store(), Clock(), ALL.values())
    runtime.seed()
    with LiveServer(runtime) as server:
        yield server


def vendors_used(request: pytest.FixtureRequest) -> list[str] | None:
    """The vendors a test declares (marker or `vendor` parameter); None: every vendor."""
    marker = request.node.get_closest_marker("vendors")
    if marker is not None:
        return list(marker.args)
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "vendor" in callspec.params:
        return [callspec.params["vendor"]]
    return None


@pytest.fixture
def mock(live: LiveServer, request: pytest.FixtureRequest) -> LiveServer:
    """The live mock with real time, and the vendors this test uses back at their demo data."""
    live.runtime.clock.run_real()
    live.runtime.faults.clear()
    live.runtime.reset(vendors_used(request))
    return live


@pytest.fixture
def real_clock_afterwards(mock: LiveServer) -> Iterator[None]:
    """For tests that move the shared clock: leave it running for whoever comes next."""
    yield
    mock.runtime.clock.run_real()


def clock_at(moment: datetime) -> Clock:
    """A clock frozen at `moment`, for rules tested without HTTP."""
    clock = Clock()
    clock.freeze(moment)
    return clock


def parse_time(value: str) -> datetime:
    """An ISO 8601 time from a response, as an aware datetime (UTC when it names no zone)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def spec_checked(runtime: Runtime) -> Callable[[httpx.Response], None]:
    """An httpx response hook: every answer of a vendor (or of the admin API) must be one its
    spec documents, with the body its spec describes."""

    def check(response: httpx.Response) -> None:
        response.read()
        path, method = response.request.url.path, response.request.method
        found = runtime.spec_at(path)
        spec = found[1] if found else runtime.admin_spec
        operation = spec.operation_at(method, path)
        if operation is None:
            return  # a route or method the spec does not have: it promises nothing
        problems = response_problems(operation, response.status_code, response.headers.get("content-type"), response.content)
        assert not problems, "the answer breaks the spec:\n" + "\n".join(problems[:10]) + f"\n{response.text[:500]}"

    return check


@pytest.fixture
def http(mock: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, timeout=30, event_hooks={"response": [spec_checked(mock.runtime)]}) as client:
        yield client


def credential(runtime: Runtime, vendor: str, *, can_write: bool | None = None, can_read: bool = True, role: str | None = None,
               spec: str | None = None) -> dict:
    """A demo credential of `vendor` (for its main API, or its other API in `spec`), as
    `/__mockexp/credentials` lists it."""
    for found in runtime.credentials():
        if found.vendor != vendor or found.spec != spec or found.can_read != can_read or (can_write is not None and found.can_write != can_write):
            continue
        if role is None or found.role == role or found.role.split(" ")[0] == role:
            return found.to_json()
    raise LookupError(f"no {vendor} credential with can_write={can_write}, can_read={can_read}, role={role}")


def giosg_credential(runtime: Runtime, role: str, active: bool = True) -> dict:
    return credential(runtime, "giosg", role=role, can_read=active)


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
