"""Every vendor's main reads answer exactly what was recorded: lists, reads of one object and
SDK payloads, on the demo world made at a frozen instant, then again after a write through
the API (which each must show at once). The answers in `recorded/answers.json` were recorded
by the mock as it was before reads were kept for reuse (`kept_reads.py`), so keeping them has
changed no answer; rerun with `--record` only for a change meant to alter answers:

    .venv/bin/python tests/test_recorded_answers.py --record
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from mockexp.testing import Mock, run_mock

RECORDED = Path(__file__).parent / "recorded" / "answers.json"
MOMENT = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class Session:
    """Requests to one mock, each answer noted (status and JSON body) in order."""

    def __init__(self, mock: Mock, http: httpx.Client) -> None:
        self.mock, self.http, self.answers = mock, http, []
        self.made: list[str] = []  # ids the mock drew at random for objects created here

    def send(self, method: str, path: str, headers: dict[str, str] | None = None, **options: Any) -> Any:
        response = self.http.request(method, path, headers=headers, **options)
        body = response.json() if response.content else None
        self.answers.append({"request": f"{method} {path}", "status": response.status_code, "body": body})
        assert response.status_code < 300, (method, path, response.status_code, body)
        return body

    def credential(self, vendor: str, spec: str | None = None, starting: str = "", **wanted: Any) -> dict[str, str]:
        found = next(c for c in self.mock.runtime.credentials() if c.vendor == vendor and c.spec == spec
                     and c.value.startswith(starting) and all(getattr(c, k) == v for k, v in wanted.items()))
        return {found.header: found.value}


def growthbook(s: Session) -> None:
    admin = s.credential("growthbook", can_write=True, value="Bearer secret_mockexp_demo_admin")
    client_key = next(c.tenant["clientKey"] for c in s.mock.runtime.credentials() if c.vendor == "growthbook" and c.tenant.get("clientKey"))

    def reads() -> str:
        feature = s.send("GET", "/api/v1/features", admin)["features"][0]["id"]
        s.send("GET", "/api/v1/features", admin, params={"offset": 5, "limit": 5})
        s.send("GET", f"/api/v1/features/{feature}", admin)
        experiment = s.send("GET", "/api/v1/experiments", admin)["experiments"][0]["id"]
        s.send("GET", f"/api/v1/experiments/{experiment}", admin)
        s.send("GET", f"/api/features/{client_key}")
        return feature

    feature = reads()
    s.send("POST", f"/api/v1/features/{feature}/toggle", admin, json={"reason": "Recorded", "environments": {"production": False}})
    s.send("POST", f"/api/v1/features/{feature}", admin, json={"description": "Changed while recording"})
    reads()


def launchdarkly(s: Session) -> None:
    writer = s.credential("launchdarkly", role="writer")
    tenant = next(c.tenant for c in s.mock.runtime.credentials() if c.vendor == "launchdarkly" and c.role == "writer")
    sdk = s.credential("launchdarkly", spec="launchdarkly-sdk.yaml", role="SDK key", tenant=tenant)
    collection = f"/api/v2/projects/{tenant['projectKey']}/environments/{tenant['environmentKey']}/experiments"

    def reads() -> str:
        key = s.send("GET", collection, writer)["items"][0]["key"]
        s.send("GET", f"{collection}/{key}", writer)
        s.send("GET", f"/api/v2/flags/{tenant['projectKey']}", writer)
        s.send("GET", "/sdk/latest-all", sdk)
        return key

    key = reads()
    s.send("PATCH", f"{collection}/{key}", {**writer, "Content-Type": "application/json; domain-model=launchdarkly.semanticpatch"},
           content=json.dumps({"instructions": [{"kind": "updateName", "value": "Renamed while recording"}]}))
    reads()


def posthog(s: Session) -> None:
    full = s.credential("posthog", value="Bearer phx_mockexp_demo_full_access")
    project = next(c.tenant["project_id"] for c in s.mock.runtime.credentials() if c.vendor == "posthog" and c.tenant.get("project_id"))
    token = next(c.value for c in s.mock.runtime.credentials() if c.vendor == "posthog" and c.role == "project-api-key" and c.tenant["project_id"] == project)
    collection = f"/api/projects/{project}/experiments/"

    def reads() -> int:
        id = s.send("GET", collection, full)["results"][0]["id"]
        s.send("GET", f"{collection}{id}/", full)
        s.send("GET", f"/api/projects/{project}/experiment_holdouts/", full)
        s.send("GET", f"/api/projects/{project}/experiment_saved_metrics/", full)
        s.send("GET", "/flags/definitions", full, params={"token": token})
        return id

    id = reads()
    s.send("PATCH", f"{collection}{id}/", full, json={"description": "Changed while recording"})
    reads()


def absmartly(s: Session) -> None:
    admin = s.credential("absmartly", can_write=True)
    sdk = s.credential("absmartly", role="SDK key (production)", starting="absmartly-demo")

    def reads() -> dict:
        first = s.send("GET", "/v1/experiments", admin, params={"items": 20})["experiments"][0]
        s.send("GET", "/v1/experiments", admin, params={"items": 5, "page": 2})
        s.send("GET", f"/v1/experiments/{first['id']}", admin)
        s.send("GET", "/v1/context", sdk, params={"application": "www", "environment": "production"})
        return first

    first = reads()
    action = "stop" if first["state"] == "running" else "start"
    s.send("PUT", f"/v1/experiments/{first['id']}/{action}", admin, json={})
    reads()


def giosg(s: Session) -> None:
    admin = s.credential("giosg", can_write=True)
    tenant = next(c.tenant for c in s.mock.runtime.credentials() if c.vendor == "giosg" and c.can_write)
    collection = f"/api/v5/orgs/{tenant['organization_id']}/experiments"

    def reads() -> None:
        id = s.send("GET", collection, admin)["results"][0]["id"]
        s.send("GET", f"{collection}/{id}", admin)

    reads()
    s.made.append(s.send("POST", collection, admin, json={"is_draft": True, "name": "Made while recording"})["id"])
    reads()


VENDORS: dict[str, Callable[[Session], None]] = {
    "growthbook": growthbook, "launchdarkly": launchdarkly, "posthog": posthog, "absmartly": absmartly, "giosg": giosg}


def answers(vendor: str) -> list[dict]:
    with run_mock([vendor]) as mock, httpx.Client(base_url=mock.url, timeout=30) as http:
        mock.freeze(MOMENT)
        mock.reset()  # the demo world made again, at the frozen instant
        session = Session(mock, http)
        VENDORS[vendor](session)
    text = json.dumps(session.answers)
    for number, id in enumerate(session.made):
        text = text.replace(id, f"<made {number}>")
    return json.loads(text)


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_reads_answer_what_was_recorded_and_show_a_write_at_once(vendor):
    recorded = json.loads(RECORDED.read_text())[vendor]
    served = answers(vendor)
    assert [a["request"] for a in served] == [a["request"] for a in recorded]
    for now, then in zip(served, recorded):
        assert now == then, now["request"]
    writes = [i for i, a in enumerate(served) if not a["request"].startswith("GET ")]
    before, after = served[:writes[0]], served[writes[-1] + 1:]
    changed = [a["request"] for a, b in zip(before, after) if a["body"] != b["body"]]
    assert changed, "the write shows in none of the reads after it"


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    RECORDED.parent.mkdir(exist_ok=True)
    RECORDED.write_text(json.dumps({vendor: answers(vendor) for vendor in sorted(VENDORS)}, indent=1, sort_keys=True) + "\n")
    print(f"recorded {RECORDED}")
