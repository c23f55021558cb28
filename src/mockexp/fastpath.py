"""Connexion's per-operation work done once per operation instead of once per request.

Connexion 3's `AsyncOperation.fn` builds, on every request, a new decorator, decorates the
handler with it (parameter decorator, response decorator, `inspect` of the handler's
arguments, `functools.wraps`), makes the operation's URI parser, and renames every parameter
with a regex (`sanitized`). None of that depends on the request. Here the decorated handler is
built on an operation's first request and kept, with its URI parser; parameter names are
renamed once per name. What runs per request (parsing and validating the request, the
handler, the response) is Connexion's own code, unchanged.

Responses are encoded with orjson (`JSONIFIER`, given to the app) where Connexion used the
standard library's encoder: the same JSON, without spaces after separators and with non-ASCII
characters as UTF-8 rather than escapes; the types Connexion's encoder adds (datetimes, dates,
decimals, UUIDs) are handled the same way.

Installed by `install(app)` (pinned to connexion 3.3: `pyproject.toml`).
"""

from __future__ import annotations

import decimal
import json
import functools
import typing as t

import orjson

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.context import context as connexion_context
from connexion.context import operation as context_operation
from connexion.decorators.parameter import CONTEXT_NAME, AsyncParameterDecorator, get_arguments, unwrap_decorators
from connexion.utils import inspect_function_arguments
from connexion.lifecycle import ConnexionRequest
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.jsonifier import Jsonifier
from connexion.spec import OpenAPISpecification


def _default(value: t.Any) -> t.Any:
    """What Connexion's JSONEncoder adds to JSON beyond orjson's own (datetimes, dates and UUIDs
    orjson writes itself; a naive datetime as UTC, `+00:00` where Connexion wrote `Z`; the
    models hand out times as text anyway)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _OrJSON:
    """The module-like object Connexion's Jsonifier calls (`dumps(data, **options)`, `loads`)."""

    @staticmethod
    def dumps(data: t.Any, **options: t.Any) -> str:
        try:
            return orjson.dumps(data, default=_default, option=orjson.OPT_NAIVE_UTC).decode()
        except TypeError:
            # orjson holds integers to 64 bits; an answer that echoes a larger one a client
            # sent (JSON allows it) goes out through the standard library's encoder instead
            return json.dumps(data, default=_default, separators=(",", ":"), ensure_ascii=False)

    loads = staticmethod(orjson.loads)


JSONIFIER = Jsonifier(_OrJSON)


class _RenameOnce(AsyncParameterDecorator):
    """Connexion's parameter decorator, with the operation taken out of its context proxy once
    per request (not at every one of the many reads of it), parameter names renamed once per
    name, and no form parsing for a request that carries no form (Connexion parsed the body
    of every request as a form, to find files)."""

    def __init__(self, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.sanitize_fn = functools.lru_cache(maxsize=4096)(self.sanitize_fn)

    def __call__(self, function: t.Callable) -> t.Callable:
        unwrapped = unwrap_decorators(function)
        arguments, has_kwargs = inspect_function_arguments(unwrapped)

        @functools.wraps(function)
        async def wrapper(request: ConnexionRequest) -> t.Any:
            current = context_operation._get_current_object()
            body_name = self.sanitize_fn(current.body_name(request.content_type))
            body = await request.get_body() if body_name in arguments or has_kwargs else None
            files = await request.files() if request.mimetype in FORM_CONTENT_TYPES else {}
            kwargs = get_arguments(current, path_params=request.path_params, query_params=request.query_params, body=body, files=files,
                                   arguments=arguments, has_kwargs=has_kwargs, sanitize=self.sanitize_fn, content_type=request.mimetype)
            kwargs = {self.sanitize_fn(key): value for key, value in kwargs.items()}
            for key, value in connexion_context.items():
                if has_kwargs or key in arguments:
                    kwargs[key] = value
            if CONTEXT_NAME in arguments:
                kwargs[CONTEXT_NAME] = connexion_context
            return await function(**kwargs)

        return wrapper


class _DecorateOnce(StarletteDecorator):
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return _RenameOnce

    def __call__(self, function: t.Callable) -> t.Callable:
        decorated = self.decorate(function)
        parsers: list = []

        @functools.wraps(function)
        async def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if not parsers:  # the operation's (Connexion makes it from the operation in context)
                parsers.append(self.uri_parser)
            request = self.framework.get_request(uri_parser=parsers[0], scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class _Operation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> t.Callable:  # type: ignore[override]
        return _DecorateOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class _Api(AsyncApi):
    def make_operation(self, operation: t.Any) -> AsyncOperation:
        return _Operation.from_operation(operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


VALIDATED = "x-mockexp-validated"  # on a document mockexp has validated already (specs.py)
_validate_spec = OpenAPISpecification._validate_spec.__func__


def _validate_unless_done(cls: type, spec: dict) -> None:
    """Connexion validates every document it is given; one that `specs.load` validated
    (with the same openapi-spec-validator) and marked is not validated twice."""
    if spec.get(VALIDATED) is not True:
        _validate_spec(cls, spec)


OpenAPISpecification._validate_spec = classmethod(_validate_unless_done)


def validated(document: dict) -> dict:
    """A document `specs.load` has validated, marked so that Connexion does not again."""
    return {**document, VALIDATED: True}


def install(app: AsyncApp) -> None:
    """Before `add_api`: the app's APIs make their operations as above."""
    app._middleware_app.api_cls = _Api
