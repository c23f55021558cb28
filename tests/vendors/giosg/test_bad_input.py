"""Bad input only Giosg's own fields can get: JSON that is not an object, wrong types,
unknown fields, numbers that do not fit, bad paging parameters. (The malformed bodies every
vendor gets are in tests/test_bad_input.py.)

Each gets a 4xx in Giosg's error shape (Django REST framework's: `{"detail"}`, or one key per
field with its reasons; `application/json`), and afterwards the organization's experiments,
and the experiment a PUT aimed at, are exactly as before.
"""

from __future__ import annotations

import json
from typing import Iterator

import httpx
import pytest

JSON = {"Content-Type": "application/json"}


def strict_json(text: str):
    """Parse as standard JSON: NaN and Infinity are not JSON."""

    def reject(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=reject)


def chunked(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: httpx sends it with `Transfer-Encoding: chunked` and no Content-Length."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


class Bad:
    """A malformed request body and the field its 400 must name (None: a `detail` error)."""

    def __init__(self, content: bytes, field: str | None = None) -> None:
        self.content = content
        self.field = field

    def send(self, http: httpx.Client, method: str, url: str, auth: dict) -> httpx.Response:
        return http.request(method, url, headers={**auth, **JSON}, content=self.content)


def body(value) -> bytes:
    return json.dumps(value).encode()


def group(**fields) -> bytes:
    return body({"is_draft": True, "groups": [{"name": "A", "percentage": 100, "group_type": None, **fields}]})


BAD_BODIES = {
    # JSON, but not an object (Django REST framework names that non_field_errors)
    "json-list": Bad(b'[{"is_draft": true}]', field="non_field_errors"),
    "json-empty-list": Bad(b"[]", field="non_field_errors"),
    "json-string": Bad(b'"is_draft"', field="non_field_errors"),
    "json-number": Bad(b"42", field="non_field_errors"),
    "json-true": Bad(b"true", field="non_field_errors"),
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
    "percentage-string": Bad(group(percentage="100"), field="groups"),
    "percentage-fraction": Bad(group(percentage=50.5), field="groups"),
    "percentage-negative": Bad(group(percentage=-10), field="groups"),
    "treatment-string": Bad(group(treatment="show popup"), field="groups"),
    "starts_at-not-a-date": Bad(body({"is_draft": True, "starts_at": "next monday"}), field="starts_at"),
    "starts_at-impossible-date": Bad(body({"is_draft": True, "starts_at": "2026-13-45T10:00:00Z"}), field="starts_at"),
    "starts_at-beyond-year-9999-in-utc": Bad(body({"is_draft": True, "starts_at": "9999-12-31T23:00:00-05:00"}), field="starts_at"),
    "ends_at-number": Bad(body({"is_draft": True, "ends_at": 1767225600}), field="ends_at"),
    "group_reset_interval-number": Bad(body({"is_draft": True, "group_reset_interval": 7}), field="group_reset_interval"),
    # unknown fields
    "unknown-field": Bad(body({"is_draft": True, "colour": "red"}), field="colour"),
    "unknown-group-field": Bad(group(weight=3), field="groups"),
    # numbers JSON cannot hold, inside a free-form object, or that do not fit
    "nan-in-a-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"actions": [{"delay": NaN}]}}]}'),
    "infinity-in-a-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"actions": [{"delay": Infinity}]}}]}'),
    "huge-integer-percentage": Bad(group(percentage=10**30), field="groups"),
    "huge-integer-is_draft": Bad(body({"is_draft": 10**30}), field="is_draft"),
    "integer-with-5000-digits": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": ' + b"9" * 5000 + b', "group_type": null}]}'),
    "float-overflow": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 1e400, "group_type": null}]}', field="groups"),
    "float-overflow-in-a-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"delay": 1e400}}]}', field="groups"),
    "negative-float-overflow-in-a-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"actions": [{"delay": -1e999}]}}]}', field="groups"),
    "deeply-nested-treatment": Bad(b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}]}"),
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
    """What a client sees (the list and the target experiment, as JSON text) and everything
    the store holds for Giosg."""
    listed = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin)
    one = http.get(f"/api/v5/orgs/{org}/experiments/{target['id']}", headers=admin)
    assert listed.status_code == 200 and one.status_code == 200
    return strict_json(listed.text), strict_json(one.text), mock.runtime.store.vendor("giosg").dump()


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
def test_bad_body_gets_a_giosg_400_naming_the_field_and_changes_nothing(http, mock, org, admin, target, method, case):
    bad = BAD_BODIES[case]
    before = snapshot(http, mock, org, admin, target)
    url = f"/api/v5/orgs/{org}/experiments" + (f"/{target['id']}" if method == "PUT" else "")
    response = bad.send(http, method, url, admin)
    assert_giosg_error(response, 400, bad.field)
    assert snapshot(http, mock, org, admin, target) == before


def test_chunked_json_body_is_read_like_any_other(http, org, admin, target):
    """A body sent without Content-Length (chunked) is still a body: not "missing"."""
    url = f"/api/v5/orgs/{org}/experiments"
    created = http.post(url, headers={**admin, **JSON}, content=chunked(body({"is_draft": True, "name": "Sent in chunks"}), size=8))
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Sent in chunks"
    updated = http.put(f"{url}/{target['id']}", headers={**admin, **JSON}, content=chunked(body({"is_draft": True, "name": "Renamed in chunks"}), size=8))
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed in chunks"


@pytest.mark.parametrize("page_size", ["abc", "1.5", "", "0", "-1", "101", "9" * 5000])
def test_bad_page_size_is_400_naming_it(http, org, admin, page_size):
    response = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin, params={"page_size": page_size})
    assert_giosg_error(response, 400, "page_size")


@pytest.mark.parametrize("cursor", ["garbage", "%%%", "W10", "eyJkIjoic2lkZXdheXMiLCJwIjpbImEiLCJiIl19", "x" * 5000])
def test_made_up_cursor_is_404_invalid_cursor(http, org, admin, cursor):
    response = http.get(f"/api/v5/orgs/{org}/experiments", headers=admin, params={"cursor": cursor})
    assert_giosg_error(response, 404)


def test_a_number_that_overflows_inside_a_free_form_object_is_refused_naming_where_it_is(http, org, admin):
    response = http.post(f"/api/v5/orgs/{org}/experiments", headers={**admin, **JSON},
                         content=b'{"is_draft": true, "groups": [{"name": "A", "percentage": 100, "group_type": null, "treatment": {"delay": 1e400}}]}')
    error = assert_giosg_error(response, 400, "groups")
    assert error["groups"][0]["treatment"]["delay"] == ["A number too large to hold (it overflows to infinity)."]
    assert "Infinity" not in http.get(f"/api/v5/orgs/{org}/experiments", headers=admin).text
