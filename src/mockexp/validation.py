"""Connexion validators that report what is wrong field by field, as domain errors.

Connexion's own validators stop at the first problem and describe it as one sentence (and
answer a body that is not UTF-8 with a 500). These raise `Invalid` with one reason per field
path, so every vendor can render field errors in its own shape.
"""

from __future__ import annotations

import json
import math
import re
import typing as t
import uuid
from datetime import date, datetime, timezone

from connexion.datastructures import MediaTypeDict
from connexion.lifecycle import ConnexionRequest
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from connexion.validators.parameter import draft4_format_checker
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.types import Scope

from mockexp import forms
from mockexp.errors import Invalid, NotFound
from mockexp.quick_checks import quick_check

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@FORMATS.checks("date-time", raises=(ValueError, OverflowError))
def _is_date_time(value: object) -> bool:
    """ISO 8601 with a time, that stays within years 1-9999 in UTC too."""
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", value):
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    if moment.tzinfo is not None:
        moment.astimezone(timezone.utc)
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


_FORMAT_REASONS = {
    "uuid": "Must be a valid UUID.",
    "date-time": "Datetime has wrong format. Use ISO 8601, e.g. 2019-05-08T13:02:35.123Z.",
    "date": "Date has wrong format. Use YYYY-MM-DD.",
}

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}


def reasons(error: ValidationError) -> list[tuple[tuple, str]]:
    """One (field path, reason) per field a jsonschema error is about, in plain words."""
    path = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        present = value if isinstance(value, dict) else {}
        return [(path + (name,), "This field is required.") for name in expected if name not in present]
    if kind == "additionalProperties" and isinstance(value, dict):
        known = set(error.schema.get("properties", {}))
        return [(path + (name,), "Unknown field.") for name in value if name not in known]
    if kind == "type":
        if value is None:
            return [(path, "This field may not be null.")]
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return [(path, f"Expected {wanted}, got {_JSON_TYPES.get(type(value), 'value')}.")]
    if kind == "enum":
        return [(path, f"{json.dumps(value)} is not a valid choice.")]
    if kind == "format":
        return [(path, _FORMAT_REASONS.get(expected, f"Must be a valid {expected}."))]
    if kind == "minimum":
        return [(path, f"Ensure this value is greater than or equal to {expected}.")]
    if kind == "maximum":
        return [(path, f"Ensure this value is less than or equal to {expected}.")]
    if kind == "minLength":
        return [(path, "This field may not be blank." if expected == 1 else f"Ensure this field has at least {expected} characters.")]
    if kind == "maxLength":
        return [(path, f"Ensure this field has no more than {expected} characters.")]
    if kind == "minItems":
        return [(path, f"Ensure this list has at least {expected} items.")]
    if kind == "maxItems":
        return [(path, f"Ensure this list has no more than {expected} items.")]
    return [(path, error.message)]


MAX_DEPTH = 64


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)  # one for every body (json.loads made one per call)


def _depth_and_overflow(value: t.Any) -> tuple[int, bool]:
    """How deeply a parsed JSON value nests (counted up to past MAX_DEPTH, without recursion),
    and whether a number in it overflowed to infinity (`1e400`)."""
    deepest, overflowed, stack = 0, False, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                break
        kind = type(node)
        if kind is dict:
            stack.extend([(child, depth + 1) for child in node.values()])
        elif kind is list:
            stack.extend([(child, depth + 1) for child in node])
        elif kind is float and not math.isfinite(node):
            overflowed = True
    return deepest, overflowed


def _non_finite(value: t.Any) -> t.Iterator[tuple]:
    """Paths of the numbers in a parsed body that overflowed to infinity (`1e400`)."""
    stack: list[tuple[t.Any, tuple]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            yield path
        elif isinstance(node, dict):
            stack.extend((child, path + (key,)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, path + (index,)) for index, child in enumerate(node))


JSON_NULL = object()  # a body that was the JSON literal null
PARSED_BODY = "mockexp.parsed_body"  # the scope key under which the body, parsed here, goes on to the handler
RESOLVED_PARAMETERS = "mockexp.resolved_parameters"  # and the path and query parameters resolved here


class BodyValidator(JSONRequestBodyValidator):
    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        body = await self._parse_once(stream)
        scope[PARSED_BODY] = None if body is JSON_NULL else body  # what Connexion's own parse would give the handler
        return body

    async def _parse_once(self, stream: t.AsyncGenerator[bytes, None]) -> t.Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw.strip():
            return None
        try:
            text = raw.decode(self._encoding or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise Invalid(message=f"Request body is not valid {self._encoding or 'utf-8'} text.") from None
        try:
            body = json.loads(text, parse_constant=_no_constant) if text.startswith("\ufeff") else _DECODER.decode(text)  # json.loads refuses a BOM by name
        except (ValueError, RecursionError) as exc:
            raise Invalid(message=f"JSON parse error - {exc}") from None
        depth, overflowed = _depth_and_overflow(body)
        if depth > MAX_DEPTH:
            raise Invalid(message=f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        if overflowed:
            raise Invalid([(path, "A number too large to hold (it overflows to infinity).") for path in _non_finite(body)])
        return JSON_NULL if body is None else body

    def _validate(self, body: t.Any) -> t.Optional[dict]:
        if body is JSON_NULL:  # sent as `null`: not the same as no body at all
            if self._nullable:
                return None
            raise Invalid(message="Request body must not be null.")
        if body is None:
            if self._nullable or not self._required:
                return None
            raise Invalid(message="Request body must not be empty.")
        if _quick(self._schema)(body):
            return None
        validator = _validator(_RequestValidator, self._schema)
        problems = [reason for error in validator.iter_errors(body) for reason in reasons(error)]
        if problems:
            raise Invalid(sorted(set(problems), key=lambda p: [str(x) for x in p[0]]))
        return None


INVALID_PATH = "x-mockexp-invalid-status"  # on a path parameter: 400 where the vendor refuses a value that does not fit as bad input


class FormBodyValidator(BodyValidator):
    """A form body (urlencoded), made into the value the JSON body would be (see `forms`),
    then checked and handed on exactly as that JSON body is."""

    parser: type = FormParser

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        try:
            form = await self.parser(Headers(scope=scope), stream).parse()
            fields = [(name, await _text(value)) for name, value in form.multi_items()]
            body = forms.typed(self._schema, forms.nested(fields)) if fields else None
        except (MultiPartException, forms.FormError, UnicodeDecodeError) as exc:
            raise Invalid(message=f"Form body not readable - {exc}") from None
        scope[PARSED_BODY] = body
        return body


class MultipartBodyValidator(FormBodyValidator):
    parser = MultiPartParser


async def _text(value: t.Any) -> str:
    """A form field's text; an uploaded file's content, read as UTF-8."""
    if isinstance(value, UploadFile):
        return (await value.read()).decode("utf-8")
    return value


_READ = {"query": "query_params", "header": "headers", "cookie": "cookies"}  # where a request holds each kind of parameter


class ParameterRules(ParameterValidator):
    """Path parameters that do not fit are 404 (the URL names nothing), or 400 where the spec
    says the vendor answers so (`x-mockexp-invalid-status: 400` on the parameter); others are 400."""

    def validate(self, scope: Scope) -> None:
        request = ConnexionRequest.from_starlette_request(Request(scope), uri_parser=self.uri_parser)  # (Connexion's own constructor looks for the request by a failing attribute lookup first)
        self.validate_request(request)
        if request._query_params is None and not scope.get("query_string"):
            request._query_params = {}  # what resolving no query at all gives
        scope[RESOLVED_PARAMETERS] = (request._path_params, request._query_params)  # not the request: that would be a cycle

    def validate_request(self, request: ConnexionRequest) -> None:
        problems: list[tuple[tuple, str]] = []
        for param in self.parameters.get("path", []):
            if self.validate_path_parameter(param, request):
                if param.get(INVALID_PATH) != 400:
                    raise NotFound()
                problems.extend(self._check(param, request.path_params.get(param["name"])) or [((param["name"],), "Not a valid value.")])
        if self.strict_validation and request.scope.get("query_string"):  # no query: nothing unknown in it
            for name in sorted(self.validate_query_parameter_list(request, security_params=self.security_query_params)):
                problems.append(((name,), "Unknown query parameter."))
        for where in ("query", "header", "cookie"):
            declared = self.parameters.get(where)
            if declared:  # the request's headers and cookies parsed only for an operation that reads them
                read = getattr(request, _READ[where]).get
                problems.extend(problem for param in declared for problem in self._check(param, read(param["name"])))
        if problems:
            raise Invalid(problems)

    @staticmethod
    def validate_parameter(parameter_type: str, value: t.Any, param: dict, param_name: t.Any = None) -> str | None:
        """Connexion's check of one parameter (a path parameter here), with its validator made
        once per schema rather than a deep copy of the parameter and a new validator per request."""
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                _validator(Draft4Validator, param.get("schema", param), draft4_format_checker).validate(value)
            except ValidationError as exception:
                return str(exception)
            return None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None

    @staticmethod
    def _check(param: dict, value: t.Any) -> list[tuple[tuple, str]]:
        name = param["name"]
        if value is None:
            return [((name,), "This parameter is required.")] if param.get("required") else []
        validator = _validator(Draft4Validator, param.get("schema", ANY))
        return [((name,) + path, reason) for error in validator.iter_errors(value) for path, reason in reasons(error)]


_MADE: dict[tuple, tuple[dict, t.Any]] = {}  # (what, id of the schema, ...) -> (the schema, what was made of it)
ANY: dict = {}  # the schema of a parameter that has none


def _per_schema(key: tuple, schema: dict, make: t.Callable[[], t.Any]) -> t.Any:
    """What `make` makes of `schema`, made once per schema (the spec's schemas live as long as
    the app; a schema made per request that took a dead one's id is told apart by identity)."""
    known = _MADE.get(key)
    if known is None or known[0] is not schema:
        if len(_MADE) > 10_000:  # schemas made per request would fill it: start again
            _MADE.clear()
        known = _MADE[key] = (schema, make())
    return known[1]


def _validator(kind: type, schema: dict, formats: FormatChecker | None = None) -> t.Any:
    """A validator of `schema`, made once per schema."""
    formats = formats or FORMATS
    return _per_schema((kind, id(schema), id(formats)), schema, lambda: kind(schema, format_checker=formats))


def _quick(schema: dict) -> t.Callable[[t.Any], bool]:
    """`quick_checks.quick_check` of a request body's schema, made once per schema: True passes
    the body at once, False leaves it to the validator."""
    return _per_schema((quick_check, id(schema)), schema, lambda: quick_check(schema, FORMATS))


def _nullable_type(validator, types, instance, schema):
    if instance is None and schema.get("nullable"):
        return
    yield from Draft4Validator.VALIDATORS["type"](validator, types, instance, schema)


def _nullable_enum(validator, enums, instance, schema):
    if instance is None and schema.get("nullable"):
        return
    yield from Draft4Validator.VALIDATORS["enum"](validator, enums, instance, schema)


def _nullable(keyword: str):
    """`nullable: true` beside allOf / anyOf / oneOf lets null through as a whole (as
    Schemathesis and most OpenAPI 3.0 tools read it)."""

    def check(validator, subschemas, instance, schema):
        if instance is None and schema.get("nullable"):
            return
        yield from Draft4Validator.VALIDATORS[keyword](validator, subschemas, instance, schema)

    return check


_RequestValidator = extend(Draft4Validator, {
    "type": _nullable_type,
    "enum": _nullable_enum,
    **{keyword: _nullable(keyword) for keyword in ("allOf", "anyOf", "oneOf")},
})

VALIDATOR_MAP = {
    "parameter": ParameterRules,
    "body": MediaTypeDict({"*/*json": BodyValidator, "application/x-www-form-urlencoded": FormBodyValidator, "multipart/form-data": MultipartBodyValidator}),
}


def schema_problems(schema: dict, value: t.Any) -> list[tuple[tuple, str]]:
    """(field path, reason) for each way `value` breaks `schema`, as request bodies are
    checked (OpenAPI 3.0's `nullable` understood)."""
    validator = _RequestValidator(schema, format_checker=FORMATS)
    return [reason for error in validator.iter_errors(value) for reason in reasons(error)]


def response_problems(operation, status: int, content_type: str | None, body: bytes) -> list[str]:
    """What is wrong with a response to `operation` (a `specs.Operation`), as its spec
    describes it: an undocumented status, or a body that is not the documented JSON."""
    if not operation.documents(status):
        return [f"{operation.label} answered {status}, which its spec does not document"]
    schema = operation.response_schema(status)
    if not schema:
        return []  # no JSON body promised
    if not (content_type or "").split(";")[0].strip().endswith("json"):
        return [f"{operation.label} answered {status} with {content_type or 'no content type'}, not JSON"]
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except ValueError as exc:
        return [f"{operation.label} answered {status} with a body that is not JSON: {exc}"]
    validator = _RequestValidator(schema, format_checker=FORMATS)
    return [f"{operation.label} {status}: {'.'.join(map(str, error.absolute_path)) or 'body'}: {error.message}" for error in validator.iter_errors(value)]
