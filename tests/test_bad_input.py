"""Bad input never breaks the mock and never changes what it holds, for every vendor.

Each vendor's first create gets every kind of malformed body (not JSON, not UTF-8, NaN,
nesting too deep, empty, the wrong content type, too large), and every other operation that
takes a JSON body the commonest ones; every operation gets an unknown query parameter, and a
credential that is not text is refused. Each answer is the status the case calls for, in the
vendor's own error shape (the `http` client checks it against the vendor's spec), and the
vendor's state is exactly as before. (The cost grows with vendors, not with operations.)
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Callable, Iterator

import httpx
import pytest

from mockexp.specs import load_named
from mockexp.vendors import ALL
from tests.world import example, has_example, headers, operations, state, url, with_json_body, writer

TEN_MB = 10 * 1024 * 1024
JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


def big_body() -> bytes:
    head, tail = b'{"name": "', b'"}'
    return head + b"x" * (TEN_MB - len(head) - len(tail)) + tail


def chunked(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: httpx sends it with `Transfer-Encoding: chunked` and no Content-Length."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


class Bad:
    """A malformed request body: what is sent, and the status it must get."""

    def __init__(self, content: bytes | Callable[[], object] | None, headers: dict | None = None, status: int = 400, data: dict | None = None, files: dict | None = None) -> None:
        self.content, self.headers, self.status, self.data, self.files = content, JSON if headers is None else headers, status, data, files

    def send(self, http: httpx.Client, method: str, target: str, auth: dict) -> httpx.Response:
        content = self.content() if callable(self.content) else self.content
        return http.request(method, target, headers={**auth, **self.headers}, content=content, data=self.data, files=self.files)


BAD_BODIES = {
    "invalid-json": Bad(b'{"name": "x",'),
    "invalid-json-single-quotes": Bad(b"{'name': 'x'}"),
    "invalid-json-trailing-garbage": Bad(b"{} {}"),
    "json-list": Bad(b"[{}]"),
    "json-string": Bad(b'"name"'),
    "json-number": Bad(b"42"),
    "json-null": Bad(b"null"),
    "non-utf8-bytes": Bad(b'\xff\xfe{"name": "x"}'),
    "latin1-in-a-string": Bad(b'{"name": "Caf\xe9"}'),
    "utf16-body": Bad('{"name": "x"}'.encode("utf-16")),
    "nan": Bad(b'{"name": NaN}'),
    "infinity": Bad(b'{"name": -Infinity}'),
    "integer-with-5000-digits": Bad(b'{"name": ' + b"9" * 5000 + b"}"),
    "deeply-nested-array": Bad(nested(100_000)),
    "deeply-nested-object": Bad(b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    "empty-body": Bad(b""),
    "whitespace-body": Bad(b"  \n "),
    "text-plain": Bad(b"{}", headers={"Content-Type": "text/plain"}, status=415),
    "application-xml": Bad(b"<name>x</name>", headers={"Content-Type": "application/xml"}, status=415),
    "form-data": Bad(None, headers={}, data={"name": "Form"}, status=415),
    "multipart-form-data": Bad(None, headers={}, data={"name": "x"}, files={"file": ("body.json", b"{}", "application/json")}, status=415),
    "no-content-type": Bad(b'{"name": "x"}', headers={}, status=415),
    "10mb-with-content-length": Bad(big_body(), status=413),
    "10mb-chunked": Bad(lambda: chunked(big_body()), status=413),
    # a compressed body is read decompressed (PostHog's SDKs send gzip); one that is not what it says is a 400, one that grows past the limit a 413
    "not-gzip": Bad(b'{"name": "x"}', headers={**JSON, "Content-Encoding": "gzip"}),
    "gzip-cut-short": Bad(gzip.compress(b'{"name": "x"}')[:-10], headers={**JSON, "Content-Encoding": "gzip"}),
    "gzip-of-invalid-json": Bad(gzip.compress(b'{"name": "x",'), headers={**JSON, "Content-Encoding": "gzip"}),
    "gzip-of-10mb": Bad(lambda: gzip.compress(big_body()), headers={**JSON, "Content-Encoding": "gzip"}, status=413),
    "deflate-of-invalid-json": Bad(zlib.compress(b"{'name': 'x'}"), headers={**JSON, "Content-Encoding": "deflate"}),
}


FORM_CASES = {"form-data": "application/x-www-form-urlencoded", "multipart-form-data": "multipart/form-data"}  # bad only where not taken
EVERY_BODY_OPERATION_GETS = ("invalid-json", "non-utf8-bytes", "json-null", "text-plain", "no-content-type")


def first_creates() -> list:
    found = []
    for vendor in sorted(ALL):
        posts = [op for op in with_json_body(load_named(ALL[vendor].spec)) if op.method == "POST"]
        assert posts, f"{vendor} has no POST with a JSON body"
        found.append(pytest.param(vendor, posts[0].operation_id, id=f"{vendor}-{posts[0].operation_id}"))
    return found


def operation(mock, vendor: str, operation_id: str):
    return next(op for op in mock.runtime.specs[vendor].operations if op.operation_id == operation_id)


def assert_json_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    assert isinstance(json.loads(response.text), dict)


def bad_body_cases() -> list:
    """Each vendor's first create with each bad body, but a form body where the operation takes
    forms (those are checked in tests/vendors/<vendor>/test_form_bodies.py)."""
    found = []
    for created in first_creates():
        vendor, operation_id = created.values
        content = next(op for op in load_named(ALL[vendor].spec).operations if op.operation_id == operation_id).definition["requestBody"]["content"]
        found += [pytest.param(vendor, operation_id, case, id=f"{created.id}-{case}") for case in BAD_BODIES
                  if not (case in FORM_CASES and FORM_CASES[case] in content)]
    return found


@pytest.mark.parametrize("vendor, operation_id, case", bad_body_cases())
def test_bad_body_gets_the_vendors_4xx_and_changes_nothing(http, mock, vendor, operation_id, case):
    op, who = operation(mock, vendor, operation_id), writer(mock.runtime, vendor)
    target = url(http, mock.runtime, vendor, op, who)
    before = state(mock.runtime, vendor)

    response = BAD_BODIES[case].send(http, op.method, target, headers(who))

    assert_json_error(response, BAD_BODIES[case].status)
    assert state(mock.runtime, vendor) == before


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_every_operation_with_a_body_refuses_malformed_ones_and_changes_nothing(http, mock, vendor):
    found = with_json_body(mock.runtime.specs[vendor])
    assert found, f"{vendor} has no operation with a JSON body"
    who = writer(mock.runtime, vendor)
    before = state(mock.runtime, vendor)
    for op in found:
        target = url(http, mock.runtime, vendor, op, who)
        for case in EVERY_BODY_OPERATION_GETS:
            assert_json_error(BAD_BODIES[case].send(http, op.method, target, headers(who)), BAD_BODIES[case].status)
    assert state(mock.runtime, vendor) == before


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_well_formed_requests_work_after_bad_ones(http, mock, vendor):
    creates = [op for op in operations(mock.runtime.specs[vendor], "POST") if op.success_statuses]
    assert creates, f"{vendor} has nothing to create"
    op, who = creates[0], writer(mock.runtime, vendor)
    target = url(http, mock.runtime, vendor, op, who)
    for case in ("invalid-json", "non-utf8-bytes", "deeply-nested-array", "10mb-chunked", "no-content-type"):
        BAD_BODIES[case].send(http, "POST", target, headers(who))

    response = http.post(target, headers=headers(who), json=example(op))

    assert response.status_code in op.success_statuses, response.text


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_an_unknown_query_parameter_is_400_naming_it_and_changes_nothing(http, mock, vendor):
    found = operations(mock.runtime.specs[vendor])
    assert found
    who = writer(mock.runtime, vendor)
    before = state(mock.runtime, vendor)
    for op in found:
        body = example(op) if op.has_body and has_example(op) else ({} if op.has_body else None)
        response = http.request(op.method, url(http, mock.runtime, vendor, op, who), headers=headers(who), params={"colour_of_the_day": "red"}, json=body)
        assert_json_error(response, 400)
        assert "colour_of_the_day" in response.text, (op.label, response.text)
    assert state(mock.runtime, vendor) == before


@pytest.mark.parametrize("vendor", sorted(ALL))
def test_a_credential_that_is_not_text_is_401(http, mock, vendor):
    spec, who = mock.runtime.specs[vendor], writer(mock.runtime, vendor)
    op = operations(spec, "GET")[0]
    before = state(mock.runtime, vendor)

    response = http.get(url(http, mock.runtime, vendor, op, who), headers={who["header"]: b"\xff\xfe\x80 \xc3"})

    assert_json_error(response, 401)
    assert state(mock.runtime, vendor) == before


def test_an_integer_beyond_64_bits_that_an_answer_echoes_is_sent_not_a_500():
    from mockexp.fastpath import JSONIFIER

    assert JSONIFIER.dumps({"n": 2**70, "text": "é"}).strip() == '{"n":1180591620717411303424,"text":"é"}'.encode()
