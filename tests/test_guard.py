"""What a hostile client or web page can do to the mock, and what the mock does about it:
oversized or endless headers, requests that never finish, more connections than it can hold,
a host name it does not answer to, and cross-site requests to its admin API."""

from __future__ import annotations

import socket
import time
from typing import Iterator

import httpx
import pytest

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.guard import LOOPBACK, Policy, hosts_for
from mockexp.server import Limits
from mockexp.store import Store
from mockexp.vendors import ALL
from tests.conftest import LiveServer


@pytest.fixture
def bounded() -> Iterator[LiveServer]:
    """A mock with small limits, so the tests reach them quickly."""
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    with LiveServer(runtime, limits=Limits(max_header_bytes=8192, max_headers=20, request_timeout=1.0, max_connections=8)) as server:
        yield server


def raw(server: LiveServer, data: bytes, wait: float = 5.0) -> bytes:
    """Send bytes as they are; what comes back before the server closes (or `wait` passes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return received


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def experiments_reachable(server: LiveServer) -> bool:
    return httpx.get(server.url + "/__mockexp/health", timeout=5).status_code == 200


# -- headers -----------------------------------------------------------------------------------


def test_a_header_larger_than_the_limit_is_431_in_the_vendors_error_shape(bounded):
    response = httpx.get(bounded.url + "/api/v5/orgs/x/experiments", headers={"X-Big": "a" * (1 << 20)}, timeout=10)

    assert response.status_code == 431
    assert set(response.json()) == {"detail"}  # Giosg's error body
    assert experiments_reachable(bounded)


def test_more_headers_than_the_limit_is_431(bounded):
    answer = raw(bounded, b"GET /__mockexp/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(100)) + b"\r\n")

    assert status_of(answer) == 431
    assert b'"message"' in answer


def test_headers_within_the_limits_are_served(bounded):
    headers = {f"X-{index}": "v" * 200 for index in range(15)}
    assert httpx.get(bounded.url + "/__mockexp/health", headers=headers, timeout=5).status_code == 200


# -- slow clients ---------------------------------------------------------------------------------


def test_a_request_whose_headers_never_finish_gets_408_and_is_closed(bounded):
    started = time.monotonic()
    answer = raw(bounded, b"GET /__mockexp/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    assert status_of(answer) == 408
    assert time.monotonic() - started < 4


def test_a_body_that_never_finishes_gets_408_and_changes_nothing(bounded):
    credential = next(c for c in bounded.runtime.credentials() if c.can_write)
    path = f"/api/v5/orgs/{credential.tenant['organization_id']}/experiments"
    before = bounded.runtime.store.vendor("giosg").dump()

    answer = raw(bounded, f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {credential.value}\r\n"
                          "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"is_draft\": true".encode())

    assert status_of(answer) == 408
    assert bounded.runtime.store.vendor("giosg").dump() == before


def test_a_connection_that_sends_nothing_is_closed(bounded):
    with socket.create_connection(("127.0.0.1", bounded.port), timeout=5) as sock:
        started = time.monotonic()
        assert sock.recv(1000).startswith(b"HTTP/1.1 408")
        assert sock.recv(1000) == b""
        assert time.monotonic() - started < 4


# -- too many connections ----------------------------------------------------------------------------


def test_connections_beyond_the_limit_are_refused_cleanly_and_service_comes_back(bounded):
    idle = [socket.create_connection(("127.0.0.1", bounded.port)) for _ in range(8)]
    try:
        time.sleep(0.2)
        refused = httpx.get(bounded.url + "/__mockexp/health", timeout=5)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 5
    while not experiments_reachable(bounded):
        assert time.monotonic() < deadline, "the mock did not serve again once the idle connections closed"
        time.sleep(0.1)


def test_slow_connections_beyond_the_limit_do_not_stop_the_mock_for_long(bounded):
    """The slow ones are closed when their time is up; then everyone is served again."""
    slow = [socket.create_connection(("127.0.0.1", bounded.port)) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(b"GET /__mockexp/health HTTP/1.1\r\n")
        time.sleep(1.5)
        assert experiments_reachable(bounded)
    finally:
        for sock in slow:
            sock.close()


# -- host names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example"])
def test_a_request_for_a_host_name_the_mock_does_not_answer_is_refused(bounded, host):
    response = httpx.get(bounded.url + "/__mockexp/credentials", headers={"Host": host}, timeout=5)

    assert response.status_code == 400
    assert "host name" in response.json()["message"]
    assert "Token" not in response.text


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1", "[::1]:8080"])
def test_loopback_host_names_are_answered(bounded, host):
    assert httpx.get(bounded.url + "/__mockexp/health", headers={"Host": host}, timeout=5).status_code == 200


def test_the_names_answered_follow_where_the_mock_listens():
    assert hosts_for("127.0.0.1", None) == LOOPBACK
    assert hosts_for("192.0.2.7", None) == LOOPBACK | {"192.0.2.7"}
    assert hosts_for("0.0.0.0", None) is None
    assert hosts_for("0.0.0.0", ["mock.internal"]) == LOOPBACK | {"0.0.0.0", "mock.internal"}
    assert hosts_for("127.0.0.1", ["*"]) is None


# -- the admin API and web pages ------------------------------------------------------------------------


def reset_changes_something(server: LiveServer) -> tuple[str, dict]:
    credential = next(c for c in server.runtime.credentials() if c.can_write)
    created = httpx.post(f"{server.url}/api/v5/orgs/{credential.tenant['organization_id']}/experiments",
                         headers={"Authorization": credential.value}, json={"is_draft": True, "name": "Made before the attack"}, timeout=5)
    assert created.status_code == 201
    return created.json()["id"], server.runtime.store.vendor("giosg").dump()


@pytest.mark.parametrize("how", [
    pytest.param(dict(headers={"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, content=b"a=b"), id="form-post-from-another-site"),
    pytest.param(dict(headers={"Origin": "http://evil.example"}), id="no-content-type-from-another-site"),
    pytest.param(dict(headers={"Origin": "http://evil.example", "Content-Type": "application/json"}, content=b"{}"), id="json-from-another-origin"),
    pytest.param(dict(headers={"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, content=b"{}"), id="browser-says-cross-site"),
    pytest.param(dict(headers={"Origin": "null", "Content-Type": "application/json"}, content=b"{}"), id="sandboxed-page"),
    pytest.param(dict(headers={"Content-Type": "text/plain"}, content=b"{}"), id="text-plain-from-anywhere"),
    pytest.param(dict(), id="no-content-type"),
])
def test_a_cross_site_or_non_json_change_to_the_admin_api_changes_nothing(bounded, how):
    _, before = reset_changes_something(bounded)

    response = httpx.post(bounded.url + "/__mockexp/reset", timeout=5, **how)

    assert response.status_code in (403, 415), response.text
    assert response.json()["message"]
    assert bounded.runtime.store.vendor("giosg").dump() == before


def test_a_same_origin_json_change_to_the_admin_api_is_made(bounded):
    made, _ = reset_changes_something(bounded)

    response = httpx.post(bounded.url + "/__mockexp/reset", headers={"Origin": bounded.url, "Content-Type": "application/json"}, timeout=5)

    assert response.status_code == 200
    assert made not in str(bounded.runtime.store.vendor("giosg").dump())


def test_with_an_admin_token_the_admin_api_needs_it_and_the_vendors_do_not():
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    with LiveServer(runtime, policy=Policy(admin_token="s3cret")) as server:
        assert httpx.get(server.url + "/__mockexp/credentials", timeout=5).status_code == 401
        assert httpx.get(server.url + "/__mockexp/credentials", headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 401
        listed = httpx.get(server.url + "/__mockexp/credentials", headers={"Authorization": "Bearer s3cret"}, timeout=5)
        assert listed.status_code == 200
        credential = next(c for c in listed.json() if c["can_write"])
        vendor = httpx.get(f"{server.url}/api/v5/orgs/{credential['tenant']['organization_id']}/experiments", headers={"Authorization": credential["value"]}, timeout=5)
        assert vendor.status_code == 200


def test_with_cors_a_browser_app_of_that_origin_may_call_a_vendor_and_its_preflight_is_answered():
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    who = next(c for c in runtime.credentials() if c.can_write)
    url = f"/api/v5/orgs/{who.tenant['organization_id']}/experiments"
    with LiveServer(runtime, policy=Policy(cors_origins=("http://localhost:3000",))) as server, httpx.Client(base_url=server.url) as http:
        preflight = http.options(url, headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "authorization, content-type"})
        made = http.post(url, headers={"Origin": "http://localhost:3000", who.header: who.value}, json={"is_draft": True, "name": "From a browser"})
        stranger = http.get(url, headers={"Origin": "http://evil.example", who.header: who.value})

    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in preflight.headers["access-control-allow-methods"] and "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert made.status_code == 201 and made.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "access-control-allow-origin" not in stranger.headers
