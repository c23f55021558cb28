"""Bad input never breaks the mock and never loses data (Giosg as the vendor).

Each malformed request gets a 4xx in Giosg's error shape (a JSON object with `detail` or one
key per field; `application/json`, never `application/problem+json`), and afterwards the
organization's experiments, and the experiment a PUT aimed at, are exactly as before.
"""

from __future__ import annotations

import json
from typing import Callable, Iterator

import httpx
import pytest

from mockexp.vendors.giosg.models import EXPERIMENTS

JSON = {"Content-Type": "application/json"}
TEN_MB = 10 * 1024 * 1024


def strict_json(text: str):
    """Parse as standard JSON: NaN and Infinity are not JSON."""

    def reject(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=reject)


def big_body() -> bytes:
    """A 10 MB body that would be a valid request if its size were allowed."""
    head, tail = b'{"is_draft": true, "name": "', b'"}'
    return head + b"x" * (TEN_MB - len(head) - len(tail)) + tail


def chunked(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: httpx sends it with `Transfer-Encoding: chunked` and no Content-Length."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


class Bad:
    """A malformed request body: what is sent, and the 4xx it must get."""

    def __init__(self, content: bytes | Callable[[], object] | None, headers: dict | None = None, status: int = 400, field: str | None = None, data: dict | None = None, files: dict | None = None) -> None:
        self.content = content
        self.headers = JSON if headers is None else headers
        self.status = status
        self.field = field  # the field the error names, or None for a `detail` error
        self.data = data
        self.files = files

    def send(self, http: httpx.Client, method: str, url: str, auth: dict) -> httpx.Response:
        content = self.content() if callable(self.content) else self.content
        return http.request(method, url, headers={**auth, **self.headers}, content=content, data=self.data, files=self.files)


def body(value) -> bytes:
    return json.dumps(value).encode()


BAD_BODIES = {
    # not JSON at all, or JSON but not an object (Django REST framework names that non_field_errors)
    "invalid-json": Bad(b'{"is_draft": true,'),
    "invalid-json-single-quotes": Bad(b"{'is_draft': True}"),
    "invalid-json-trailing-garbage": Bad(b'{"is_draft": true} {"is_draft": false}'),
    "json-list": Bad(b'[{"is_draft": true}]', field="non_field_errors"),
    "json-empty-list": Bad(b"[]", field="non_field_errors"),
    "json-string": Bad(b'"is_draft"', field="non_field_errors"),
    "json-number": Bad(b"42", field="non_field_errors"),
    "json-true": Bad(b"true", field="non_field_errors"),
    "json-null": Bad(b"null"),
    # wrong field types and values
    "is_draft-string": Bad(body({"is_draft": "yes"}), field="is_draft"),
    "is_draft-number": Bad(body({"is_draft": 1}), field="is_draft"),
    "is_draft-null": Bad(body({"is_draft": None}), field="is_draft"),
    "name-number": Bad(body({"is_draft": True, "name": 5}), field="name"),
    "name-object": Bad(body({"is_draft": True, "name": {"en": "Hello"}}), field="name"),
    "goal_id-not-uuid": Bad(body({"is_draft": True, "goal_id": "checkout"}), field="goal_id"),
    "goal_id-number": Bad(body({"is_draft": True, "goal_id": 7}), field="goal_id"),
    "room_ids-string": Bad(body({"is_draft": True, "room_ids": "all"}), field="room_ids"),
    "room_ids-numbers": Bad(body({"is_draft": True, "room_ids": [1, 2]}), field="room_ids"),
    "groups-object": Bad(body({"is_draft": True, "groups": {"name": "A", "percentage": 100}}), field="groups"),
    "group-not-object": Bad(body({"is_draft": True, "groups": ["A"]}), field="groups"),
    "percentage-string": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": "100", "group_type": None}]}), field="groups"),
    "percentage-fraction": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": 50.5, "group_type": None}]}), field="groups"),
    "percentage-negative": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": -10, "group_type": None}]}), field="groups"),
    "treatment-string": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": 100, "group_type": None, "treatment": "show popup"}]}), field="groups"),
    "starts_at-not-a-date": Bad(body({"is_draft": True, "starts_at": "next monday"}), field="starts_at"),
    "starts_at-impossible-date": Bad(body({"is_draft": True, "starts_at": "2026-13-45T10:00:00Z"}), field="starts_at"),
    "starts_at-beyond-year-9999-in-utc": Bad(body({"is_draft": True, "starts_at": "9999-12-31T23:00:00-05:00"}), field="starts_at"),
    "ends_at-number": Bad(body({"is_draft": True, "ends_at": 1767225600}), field="ends_at"),
    "group_reset_interval-number": Bad(body({"is_draft": True, "group_reset_interval": 7}), field="group_reset_interval"),
    # unknown fields
    "unknown-field": Bad(body({"is_draft": True, "colour": "red"}), field="colour"),
    "unknown-group-field": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": 100, "group_type": None, "weight": 3}]}), field="groups"),
    # bytes that are not UTF-8 text
    "non-utf8-bytes": Bad(b'\xff\xfe{"is_draft": true}'),
    "latin1-in-a-string": Bad(b'{"is_draft": true, "name": "Caf\xe9"}'),
    "utf16-body": Bad('{"is_draft": true}'.encode("utf-16")),
    # numbers JSON cannot hold, or that do not fit
    "nan": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"actions": [{"delay": NaN}]}}]}'),
    "infinity": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"actions": [{"delay": Infinity}]}}]}'),
    "huge-integer-percentage": Bad(body({"is_draft": True, "groups": [{"name": "A", "percentage": 10**30, "group_type": None}]}), field="groups"),
    "huge-integer-is_draft": Bad(body({"is_draft": 10**30}), field="is_draft"),
    "integer-with-5000-digits": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": ' + b"9" * 5000 + b', "group_type": null}]}'),
    "float-overflow": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 1e400, "group_type": null}]}', field="groups"),
    # deeply nested JSON
    "deeply-nested-array": Bad(nested(100_000)),
    "deeply-nested-field": Bad(b'{"is_draft": true, "name": ' + nested(100_000) + b"}"),
    "deeply-nested-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}]}"),
    # no body
    "empty-body": Bad(b""),
    "whitespace-body": Bad(b"  \n "),
    "empty-body-no-content-type": Bad(b"", headers={}),
    # not JSON by its content type
    "text-plain": Bad(b'{"is_draft": true}', headers={"Content-Type": "text/plain"}, status=415),
    "application-xml": Bad(b"<experiment><is_draft>true</is_draft></experiment>", headers={"Content-Type": "application/xml"}, status=415),
    "form-data": Bad(None, headers={}, data={"is_draft": "true", "name": "Form"}, status=415),
    "multipart-form-data": Bad(None, headers={}, data={"is_draft": "true"}, files={"file": ("experiment.json", b'{"is_draft": true}', "application/json")}, status=415),
    "no-content-type": Bad(b'{"is_draft": true, "name": "No content type"}', headers={}, status=415),
    # too large
    "10mb-with-content-length": Bad(big_body(), status=413),
    "10mb-chunked": Bad(lambda: chunked(big_body()), status=413),
}


@pytest.fixture
def org(giosg_admin: dict) -> str:
    return giosg_admin["tenant"]["organization_id"]


@pytest.fixture
def admin(giosg_admin: dict) -> dict:
    return {"Authorization": giosg_admin["value"]}


@pytest.fixture
def target(http: httpx.Client, org: str, admin: dict) -> dict:
    """The draft experiment: any well-formed PUT would change it."""
    drafts = [e for e in http.get(f"/api/v5/orgs/{org}/experiments", headers=admin).json()["results"] if e["is_draft"]]
    assert drafts
    return drafts[0]


def snapshot(http: httpx.Client, mock, org: str, admin: dict, target: dict) -> tuple:
    """What a client sees (the list and the target experiment, as JSON text) and how many
    experiments the store holds."""
    listed = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin)
    one = http.get(f"/api/v5/orgs/{org}/experiments/{target['id']}", headers=admin)
    assert listed.status_code == 200 and one.status_code == 200
    return strict_json(listed.text), strict_json(one.text), mock.runtime.store.count(EXPERIMENTS)


def assert_giosg_error(response: httpx.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    error = strict_json(response.text)
    assert isinstance(error, dict) and error, error
    if field is None:
        assert set(error) == {"detail"} and isinstance(error["detail"], str) and error["detail"], error
    else:
        assert field in error and "detail" not in error, error
        assert all(isinstance(reasons, list) and reasons for reasons in error.values()), error
    return error


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_body_gets_a_giosg_4xx_and_changes_nothing(http, mock, org, admin, target, method, case):
    bad = BAD_BODIES[case]
    before = snapshot(http, mock, org, admin, target)
    url = f"/api/v5/orgs/{org}/experiments" + (f"/{target['id']}" if method == "PUT" else "")
    response = bad.send(http, method, url, admin)
    assert_giosg_error(response, bad.status, bad.field)
    assert snapshot(http, mock, org, admin, target) == before


def test_well_formed_requests_work_after_bad_ones(http, mock, org, admin, target):
    url = f"/api/v5/orgs/{org}/experiments"
    for case in ("invalid-json", "non-utf8-bytes", "deeply-nested-array", "10mb-chunked", "no-content-type"):
        BAD_BODIES[case].send(http, "POST", url, admin)
    created = http.post(url, headers=admin, json={"is_draft": True, "name": "After the storm"})
    assert created.status_code == 201, created.text
    updated = http.put(f"{url}/{target['id']}", headers=admin, json={"is_draft": True, "name": "Still editable"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Still editable"


def test_chunked_json_body_is_read_like_any_other(http, org, admin, target):
    """A body sent without Content-Length (chunked) is still a body: not "missing"."""
    url = f"/api/v5/orgs/{org}/experiments"
    created = http.post(url, headers={**admin, **JSON}, content=chunked(body({"is_draft": True, "name": "Sent in chunks"}), size=8))
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Sent in chunks"
    updated = http.put(f"{url}/{target['id']}", headers={**admin, **JSON}, content=chunked(body({"is_draft": True, "name": "Renamed in chunks"}), size=8))
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed in chunks"


def test_bad_authorization_bytes_are_401(http, mock, org, admin, target):
    before = snapshot(http, mock, org, admin, target)
    response = http.post(f"/api/v5/orgs/{org}/experiments", headers={"Authorization": b"Token \xff\xfe\x80", **JSON}, content=b'{"is_draft": true}')
    assert_giosg_error(response, 401)
    assert snapshot(http, mock, org, admin, target) == before


# -- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET-list", "GET", "POST", "PUT", "DELETE"])
def test_unknown_query_parameter_is_400_naming_it(http, mock, org, admin, target, method):
    before = snapshot(http, mock, org, admin, target)
    url = f"/api/v5/orgs/{org}/experiments"
    verb, url = ("GET", url) if method == "GET-list" else (method, url if method == "POST" else f"{url}/{target['id']}")
    payload = {"is_draft": True, "name": "Smuggled"} if verb in ("POST", "PUT") else None
    response = http.request(verb, url, headers=admin, params={"colour": "red"}, json=payload)
    assert_giosg_error(response, 400, "colour")
    assert snapshot(http, mock, org, admin, target) == before


@pytest.mark.parametrize("page_size", ["abc", "1.5", "", "0", "-1", "101", "9" * 5000])
def test_bad_page_size_is_400_naming_it(http, org, admin, page_size):
    response = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin, params={"page_size": page_size})
    assert_giosg_error(response, 400, "page_size")


@pytest.mark.parametrize("cursor", ["garbage", "%%%", "W10", "eyJkIjoic2lkZXdheXMiLCJwIjpbImEiLCJiIl19", "x" * 5000])
def test_made_up_cursor_is_404_invalid_cursor(http, org, admin, cursor):
    response = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin, params={"cursor": cursor})
    assert_giosg_error(response, 404)
