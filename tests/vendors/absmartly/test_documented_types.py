"""ABsmartly's answers carry the types ABsmartly documents: its texts and avatar paths are
strings (empty or a default, never null), its user and version numbers integers; the spec's
`nullable` flags say exactly which fields of an answer may be null; a list filter given
more than once counts every value; an id below the path's minimum is ABsmartly's 400."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.answers import nullable, walk
from tests.conftest import credential
from tests.vendors.absmartly.test_http import V1, assert_absmartly_error, everything

pytestmark = pytest.mark.vendors("absmartly")

# field name -> the JSON type ABsmartly's documentation gives it (its examples: "string", 0, "/cropUrl/100x100/1.png")
DOCUMENTED = {"action_points": str, "implementation_details": str, "other": str, "avatar_file_upload_url": str,
              "created_by_user_id": int, "application_version": int}


@pytest.fixture
def admin(mock) -> dict:
    return {"Authorization": credential(mock.runtime, "absmartly", role="Experiment Admin")["value"]}


def answers(http, headers) -> Iterator[tuple[str, Any]]:
    """Every kind of answer that carries experiments, users and notes: (operationId, body)."""
    listed = everything(http, headers, previews=1, iterations=1)
    yield "listExperiments", {"experiments": listed}
    for experiment in listed[:5]:
        yield "getExperiment", http.get(f"{V1}/experiments/{experiment['id']}", headers=headers).json()
        yield "listExperimentActivity", http.get(f"{V1}/experiments/{experiment['id']}/activity", headers=headers).json()
    yield "listUsers", http.get(f"{V1}/users", headers=headers, params={"items": 100}).json()


def test_every_null_in_an_answer_is_where_the_spec_says_nullable_and_documented_fields_have_their_type(http, mock, admin):
    spec = mock.runtime.specs["absmartly"]
    seen = {name: 0 for name in DOCUMENTED}
    for operation_id, body in answers(http, admin):
        schema = next(op for op in spec.operations if op.operation_id == operation_id).response_schema(200)
        for path, part, value in walk(schema, body):
            if value is None:
                assert nullable(part), f"{operation_id}: {'.'.join(map(str, path))} is null, which the spec does not allow"
            name = path[-1] if path else None
            if name in DOCUMENTED:
                assert not nullable(part), f"the spec lets {name} be null; ABsmartly documents it as {DOCUMENTED[name].__name__}"
                assert type(value) is DOCUMENTED[name], f"{operation_id}: {'.'.join(map(str, path))} = {value!r}"
                seen[name] += 1
    assert all(seen.values()), f"every documented field was checked somewhere: {seen}"


def test_an_experiment_made_without_texts_has_empty_ones_and_integer_versions(http, admin):
    body = {"name": "typed", "unit_type": {"unit_type_id": 1}, "applications": [{"application_id": 1}],
            "variants": [{"name": "control"}, {"name": "treatment"}], "action_points": None}
    made = http.post(f"{V1}/experiments", headers=admin, json=body)
    assert made.status_code == 200, made.text
    experiment = made.json()["experiment"]
    assert (experiment["action_points"], experiment["implementation_details"], experiment["other"]) == ("", "", "")
    assert experiment["applications"][0]["application_version"] == 0
    assert experiment["created_by"]["avatar_file_upload_url"].startswith("/")


def test_a_list_filter_given_more_than_once_counts_every_value(http, admin):
    assert {e["id"] for e in everything(http, admin, owners=["1", "3"])} == {e["id"] for e in everything(http, admin, owners="1,3")}
    assert {e["id"] for e in everything(http, admin, owners=["1", "3"])} != {e["id"] for e in everything(http, admin, owners="3")}


@pytest.mark.parametrize("path", ["experiments/0", "users/0", "experiments/0/activity"])
def test_an_id_that_cannot_be_one_is_400_naming_it(http, admin, path):
    assert_absmartly_error(http.get(f"{V1}/{path}", headers=admin), 400, "id")
