"""A test that reads the journal as soon as its client has the answer finds the request there:
the journal entry is written before the answer's last part is sent."""

from __future__ import annotations

import asyncio

from mockexp.app import Runtime, build_app
from mockexp.clock import Clock
from mockexp.control.journal import Filter
from mockexp.store import Store
from mockexp.vendors import ALL


def test_a_request_is_journalled_before_its_answer_ends() -> None:
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    app = build_app(runtime)
    organization = next(c.tenant["organization_id"] for c in runtime.credentials() if c.vendor == "giosg" and c.can_write)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": f"/api/v5/orgs/{organization}/experiments", "raw_path": f"/api/v5/orgs/{organization}/experiments".encode(),
        "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8080"), (b"authorization", b"Token giosg-demo-admin-token")],
    }
    journalled_at_the_end: list[int] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            journalled_at_the_end.append(runtime.journal.count(Filter.of({"vendor": "giosg", "status": 200})))

    asyncio.run(app(scope, receive, send))

    assert journalled_at_the_end == [1]
