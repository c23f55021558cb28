"""Form fields read as the JSON body they stand for (`mockexp.forms`), whatever the vendor:
bracket names nested, lists by index, by `[]` or by repetition, each text read as the type its
place takes, and forms that cannot be one value refused with the field named."""

from __future__ import annotations

import pytest

from mockexp.forms import MAX_DEPTH, FormError, nested, typed

SCHEMA = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "share": {"type": "number"},
        "on": {"type": "boolean"},
        "name": {"type": "string"},
        "value": {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "rules": {"type": "array", "items": {"allOf": [{"type": "object", "properties": {"weight": {"type": "number"}}}]}},
        "by_env": {"type": "object", "additionalProperties": {"type": "object", "properties": {"enabled": {"type": "boolean"}}}},
    },
}


def test_bracket_names_nest_and_lists_come_by_index_by_append_or_by_repetition():
    fields = [("a[b][c]", "1"), ("l[]", "x"), ("l[]", "y"), ("i[1]", "second"), ("i[0]", "first"), ("r", "1"), ("r", "2"), ("plain", "p")]
    assert nested(fields) == {"a": {"b": {"c": "1"}}, "l": ["x", "y"], "i": ["first", "second"], "r": ["1", "2"], "plain": "p"}


def test_each_text_is_read_as_the_type_of_its_place():
    body = nested([("count", "12"), ("share", "0.5"), ("on", "true"), ("name", "007"), ("value", "false"), ("tags", "solo"),
                   ("rules[0][weight]", "0.25"), ("by_env[production][enabled]", "false")])
    assert typed(SCHEMA, body) == {"count": 12, "share": 0.5, "on": True, "name": "007", "value": "false", "tags": ["solo"],
                                   "rules": [{"weight": 0.25}], "by_env": {"production": {"enabled": False}}}


@pytest.mark.parametrize("field, text", [("count", "1.5"), ("on", "1"), ("on", "yes"), ("share", "nan")])
def test_a_text_that_is_not_its_type_stays_text_for_validation_to_refuse(field, text):
    assert typed(SCHEMA, {field: text}) == {field: text}


@pytest.mark.parametrize("fields, named", [
    ([("a[b]", "1"), ("a", "2")], "a"),
    ([("a", "2"), ("a[b]", "1")], "a[b]"),
    ([("a" + "[x]" * (MAX_DEPTH + 1), "1")], "a[x]"),
])
def test_a_form_that_cannot_be_one_value_is_refused_naming_the_field(fields, named):
    with pytest.raises(FormError, match=named.replace("[", r"\[").replace("]", r"\]")):
        nested(fields)
