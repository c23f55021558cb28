"""GrowthBook takes request data "as either JSON or Form data encoding": every operation with
a body takes `application/x-www-form-urlencoded` and `multipart/form-data` (nested fields in
the bracket form, `environments[production][enabled]=true`), checked and answered exactly as
the same body sent as JSON."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from mockexp import forms
from mockexp.specs import load_named
from mockexp.validation import schema_problems
from tests.vendors.growthbook.test_http import ADMIN, V1, assert_message, bearer

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SPEC = load_named("growthbook.yaml")
WITH_BODY = [pytest.param(op, id=op.operation_id) for op in SPEC.operations if op.has_body]
FORM = {**bearer(ADMIN), "Content-Type": "application/x-www-form-urlencoded"}


def form_fields(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """A JSON value as a client writes it as a form: `a[b][0]=x`, texts for scalars."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from form_fields(item, f"{name}[{key}]" if name else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from form_fields(item, f"{name}[{index}]")
    else:
        yield name, "true" if value is True else "false" if value is False else "" if value is None else str(value)


def without_empty(value: Any) -> Any:
    """What a form can carry of a value: empty lists and objects, and null, cannot be written as fields."""
    if isinstance(value, dict):
        return {key: without_empty(item) for key, item in value.items() if item not in ([], {}, None)}
    if isinstance(value, list):
        return [without_empty(item) for item in value]
    return value


def example_of(operation) -> Any:
    media = operation.definition["requestBody"]["content"]["application/json"]
    return media["example"] if "example" in media else next(iter(media["examples"].values()))["value"]


@pytest.mark.parametrize("operation", WITH_BODY)
def test_every_operation_with_a_body_takes_form_encodings_with_the_json_schema(operation):
    content = operation.definition["requestBody"]["content"]
    for media in FORMS:
        assert content.get(media, {}).get("schema") == content["application/json"]["schema"], f"{operation.label} does not take {media}"


@pytest.mark.parametrize("operation", WITH_BODY)
def test_every_operations_example_written_as_a_form_reads_as_its_json_body(operation):
    schema = operation.definition["requestBody"]["content"]["application/json"]["schema"]
    example = without_empty(example_of(operation))
    read = forms.typed(schema, forms.nested(list(form_fields(example))))
    assert list(form_fields(read)) == list(form_fields(example))  # the same fields, nested the same way
    assert schema_problems(schema, read) == schema_problems(schema, example) == []  # and each read as a type its place takes


def test_a_project_made_from_a_form_is_the_project_the_json_body_makes(http):
    fields = {"name": "Form project", "description": "Made by a form"}
    by_form = http.post(f"{V1}/projects", headers=FORM, data=fields)
    by_json = http.post(f"{V1}/projects", headers=bearer(ADMIN), json={**fields, "name": "Json project"})
    assert by_form.status_code == by_json.status_code == 200, by_form.text
    made, twin = by_form.json()["project"], by_json.json()["project"]
    assert made["name"] == "Form project" and {k: v for k, v in made.items() if k not in ("id", "name", "dateCreated", "dateUpdated")} == \
        {k: v for k, v in twin.items() if k not in ("id", "name", "dateCreated", "dateUpdated")}
    assert http.get(f"{V1}/projects/{made['id']}", headers=bearer(ADMIN)).json()["project"] == made


def test_a_feature_made_from_a_form_with_nested_fields_has_its_tags_and_environment_rules(http):
    body = {"id": "form-flag", "owner": "ann@example.com", "valueType": "boolean", "defaultValue": "false", "tags": ["checkout", "forms"],
            "environments": {"production": {"enabled": True, "rules": [{"type": "force", "value": "true", "condition": '{"country": "US"}'}]}}}
    made = http.post(f"{V1}/features", headers=FORM, content="&".join(f"{k}={v}" for k, v in form_fields(body)).replace('"', "%22").replace(" ", "+"))
    assert made.status_code == 200, made.text
    feature = made.json()["feature"]
    assert feature["tags"] == ["checkout", "forms"] and feature["environments"]["production"]["enabled"] is True
    assert feature["environments"]["production"]["rules"][0]["condition"] == '{"country": "US"}'


def test_a_multipart_form_body_is_taken_as_well(http):
    made = http.post(f"{V1}/projects", headers=bearer(ADMIN), files={"name": (None, "Multipart project"), "description": (None, "Parts")})
    assert made.status_code == 200 and made.json()["project"]["description"] == "Parts", made.text


@pytest.mark.parametrize("fields, mention", [({"name": ""}, "name"), ({"name": "x", "colour": "red"}, "colour")])
def test_an_invalid_form_is_refused_with_the_message_the_json_body_gets(http, fields, mention):
    as_form = assert_message(http.post(f"{V1}/projects", headers=FORM, data=fields), 400, mention)
    assert as_form == assert_message(http.post(f"{V1}/projects", headers=bearer(ADMIN), json=fields), 400, mention)


def test_a_form_change_with_a_boolean_reads_it_as_one(http):
    made = http.post(f"{V1}/environments", headers=FORM, data={"id": "form-env", "toggleOnList": "true"})
    assert made.status_code == 200 and made.json()["environment"]["toggleOnList"] is True, made.text
    changed = http.put(f"{V1}/environments/form-env", headers=FORM, data={"toggleOnList": "false"})
    assert changed.status_code == 200 and changed.json()["environment"]["toggleOnList"] is False, changed.text


@pytest.mark.parametrize("content_type, content", [
    ("multipart/form-data", b"no boundary"),
    ("multipart/form-data; boundary=xyz", b"not the parts it announces"),
    ("application/x-www-form-urlencoded", b"name[a]=1&name=2"),
    ("application/x-www-form-urlencoded", b"name" + b"[a]" * 30 + b"=1"),
    ("application/x-www-form-urlencoded", b""),
], ids=["multipart-without-boundary", "multipart-garbage", "value-and-object", "too-deep", "empty"])
def test_a_form_that_cannot_be_read_is_400_and_changes_nothing(http, mock, content_type, content):
    before = http.get(f"{V1}/projects", headers=bearer(ADMIN), params={"limit": 100}).json()["total"]
    assert_message(http.post(f"{V1}/projects", headers={**bearer(ADMIN), "Content-Type": content_type}, content=content), 400)
    assert http.get(f"{V1}/projects", headers=bearer(ADMIN), params={"limit": 100}).json()["total"] == before


def test_an_empty_field_where_a_list_of_names_goes_is_refused_as_one_empty_name(http):
    # a form cannot write an empty list: `projects=` is [""], which a project id may not be
    assert_message(http.post(f"{V1}/archetypes", headers=FORM, data={"name": "Reader", "isPublic": "false", "projects": ""}), 400, "projects")


@pytest.mark.parametrize("flag", ["1", "yes", "True"])
def test_a_boolean_in_a_form_is_true_or_false_as_json_writes_it(http, flag):
    assert_message(http.post(f"{V1}/environments", headers=FORM, data={"id": "odd-env", "toggleOnList": flag}), 400, "toggleOnList")
