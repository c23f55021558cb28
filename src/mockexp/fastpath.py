"""Connexion's per-operation work done once per operation instead of once per request.

Connexion 3's `AsyncOperation.fn` builds, on every request, a new decorator, decorates the
handler with it (parameter decorator, response decorator, `inspect` of the handler's
arguments, `functools.wraps`), makes the operation's URI parser, and renames every parameter
with a regex (`sanitized`). None of that depends on the request. Here the decorated handler is
built on an operation's first request and kept, with its URI parser; parameter names are
renamed once per name. Likewise an operation's body definition per content type, its one
response media type, a request's mimetype per header value.

What runs per request is Connexion's own code, with steps that gave the same result for every
request of a kind taken in one: the body argument alone for an operation with no path or
query values, the common answer (a body and a status of a JSON operation) made into its
response directly, requests made from Starlette requests (Connexion's constructor starts with
a failing attribute lookup). Connexion's response-validation and lifespan middlewares, which
mockexp never turns on, are left out of its middleware list.

Responses are encoded with orjson (`JSONIFIER`, given to the app; `encoding.py`) where
Connexion used the standard library's encoder, and handed to Starlette as bytes; an answer
kept for many responses (`kept_reads.Encoded`) is sent as the bytes it was encoded to once.

All of it reaches Connexion as classes handed to it (`MockApp`, the app mockexp builds):
nothing of Connexion's own is changed for other apps in the process. The private names of
Connexion's this relies on are listed, and guarded by tests, in `compat.py`.
"""

from __future__ import annotations

import asyncio
import functools
import typing as t

import orjson

from connexion import AsyncApp, NoContent
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import context as connexion_context
from connexion.context import operation as context_operation
from connexion.context import receive, scope
from connexion.datastructures import MediaTypeDict
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import CONTEXT_NAME, AsyncParameterDecorator, _get_body_argument, get_arguments, unwrap_decorators
from connexion.decorators.response import AsyncResponseDecorator
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.main import API as ConnexionApi
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationAPI, RequestValidationMiddleware, RequestValidationOperation
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import OpenAPIOperation
from connexion.spec import OpenAPISpecification
from connexion.utils import inspect_function_arguments, is_json_mimetype, is_nullable, split_content_type
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse

from mockexp.encoding import answer_body
from mockexp.kept_reads import Encoded
from mockexp.validation import PARSED_BODY, RESOLVED_PARAMETERS


class _OrJSON:
    """The module-like object Connexion's Jsonifier reads JSON with (`loads`; `_BytesJsonifier`
    encodes itself)."""

    loads = staticmethod(orjson.loads)


class _BytesJsonifier(Jsonifier):
    """Connexion's Jsonifier, giving its response decorator the encoded bytes (Starlette sends
    bytes as they are, where text was encoded again), an `Encoded` answer's as kept. The JSON
    is the same, with Connexion's newline at the end."""

    def dumps(self, data: t.Any, **kwargs: t.Any) -> bytes:  # type: ignore[override]
        if isinstance(data, Encoded):
            return data.body()
        return answer_body(data)


JSONIFIER = _BytesJsonifier(_OrJSON)


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
            body = await self._body(request, current, arguments, has_kwargs)
            content_type = _mimetype(request, scope._get_current_object()["headers"])
            if content_type in FORM_CONTENT_TYPES and PARSED_BODY in request.scope:
                content_type, files = "application/json", {}  # a form made into its JSON body: handed on as that
            else:
                files = await request.files() if content_type in FORM_CONTENT_TYPES else {}
            path_params, query_params = request.path_params, request.query_params
            if path_params or query_params or files or _takes_query(current) or current.method.upper() == "TRACE":
                kwargs = get_arguments(current, path_params=path_params, query_params=query_params, body=body, files=files,
                                       arguments=arguments, has_kwargs=has_kwargs, sanitize=self.sanitize_fn, content_type=content_type)
            else:  # what get_arguments gives then: the body's argument alone (no path, query or file arguments, no query defaults)
                kwargs = _get_body_argument(body, operation=current, arguments=arguments, has_kwargs=has_kwargs, sanitize=self.sanitize_fn,
                                            content_type=content_type)
            kwargs = {self.sanitize_fn(key): value for key, value in kwargs.items()}
            for key, value in connexion_context.items():
                if has_kwargs or key in arguments:
                    kwargs[key] = value
            if CONTEXT_NAME in arguments:
                kwargs[CONTEXT_NAME] = connexion_context
            return await function(**kwargs)

        return wrapper

    async def _body(self, request: ConnexionRequest, operation: t.Any, arguments: list[str], has_kwargs: bool) -> t.Any:
        """The body as Connexion gives it to the handler: none for an operation that takes
        none (Connexion parsed every request's body, an exception for each empty one), and
        the JSON body the request validator parsed already (Connexion parsed it twice)."""
        if not operation.is_request_body_defined:
            return None
        if not has_kwargs and self.sanitize_fn(operation.body_name(request.content_type)) not in arguments:
            return None
        if PARSED_BODY in request.scope:  # a JSON body, or a form made into one (validation.FormBodyValidator)
            return request.scope[PARSED_BODY]
        return await request.get_body()


def _takes_query(operation: t.Any) -> bool:
    """Whether the operation declares query parameters (whose defaults its handler is given)."""
    return getattr(operation, "takes_query", True)


def _mimetype(request: ConnexionRequest, headers: t.Any) -> str:
    """`request.mimetype`, worked out once per Content-Type header value (a request parsed its
    header anew), the header read from the scope's `headers` as `request.content_type` reads it
    (the first, else `application/octet-stream`)."""
    header = _content_type(headers) or "application/octet-stream"
    found = _MIMETYPES.get(header)
    if found is None:
        if len(_MIMETYPES) > 256:  # values made up by a fuzzer must not pile up
            _MIMETYPES.clear()
        found = _MIMETYPES[header] = request.mimetype
    return found


_MIMETYPES: dict[str, str] = {}


class _RespondOnce(AsyncResponseDecorator):
    """Connexion's response decorator, with the content type of an operation that produces one
    media type taken from the operation once (where the handler names none: it was worked out
    anew, from a set of the operation's media types and the handler's headers, per response),
    and the common answer made into its response in one step."""

    def build_framework_response(self, handler_response: t.Any) -> t.Any:
        """Connexion's, in one step for the answer handlers mostly give: a body and a status,
        of an operation whose answers are one JSON media type (the same response: the body
        encoded by the app's Jsonifier, that media type as its Content-Type)."""
        if type(handler_response) is tuple and len(handler_response) == 2:
            data, status = handler_response
            if type(status) is int and status and data is not None and data is not NoContent and not isinstance(data, StarletteResponse):
                media = getattr(context_operation._get_current_object(), "only_json", None)
                if media is not None:
                    return StarletteResponse(content=self.jsonifier.dumps(data), status_code=status, media_type=media, headers={"Content-Type": media})
        return super().build_framework_response(handler_response)

    @staticmethod
    def _infer_content_type(data: t.Any, headers: dict) -> t.Optional[str]:
        if not headers:
            only = getattr(context_operation._get_current_object(), "only_produces", None)
            if only is not None:
                return only
        return AsyncResponseDecorator._infer_content_type(data, headers)


class _DecorateOnce(StarletteDecorator):
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return _RenameOnce

    @property
    def _response_decorator_cls(self) -> type[AsyncResponseDecorator]:
        return _RespondOnce

    @property
    def _sync_async_decorator(self) -> t.Callable[[t.Callable], t.Callable]:
        """Connexion's, asking once whether the handler is a coroutine function (it asked at
        every call): one is called as it is, any other as Connexion calls it."""
        connexions = super()._sync_async_decorator

        def decorator(function: t.Callable) -> t.Callable:
            return function if asyncio.iscoroutinefunction(function) else connexions(function)

        return decorator

    def __call__(self, function: t.Callable) -> t.Callable:
        decorated = self.decorate(function)
        parsers: list = []

        @functools.wraps(function)
        async def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if not parsers:  # the operation's (Connexion makes it from the operation in context)
                parsers.append(self.uri_parser)
            # the scope and receive themselves, not Connexion's context proxies of them: the
            # request reads its scope many times, each through the proxy's lookup otherwise; and
            # the request made as `framework.get_request` makes it, without the failing attribute
            # lookup Connexion's constructor starts with
            current = scope._get_current_object()
            request = ConnexionRequest.from_starlette_request(StarletteRequest(current, receive._get_current_object()), uri_parser=parsers[0])
            _take_parameters(request, current.get(RESOLVED_PARAMETERS))
            return await decorated(request)

        return wrapper


def _take_parameters(request: ConnexionRequest, resolved: tuple | None) -> None:
    """The path and query parameters the request validator resolved (from the same scope, by
    the same operation's parameters), not resolved a second time for the handler."""
    if resolved is not None:
        request._path_params, request._query_params = resolved


class _Operation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> t.Callable:  # type: ignore[override]
        return _DecorateOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class _Api(AsyncApi):
    def make_operation(self, operation: t.Any) -> AsyncOperation:
        return _Operation.from_operation(operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


class DocsOnlySwaggerUI(SwaggerUIMiddleware):
    """Connexion's Swagger UI middleware, asked only for what it serves (`<base path>/ui...`
    and the spec at `<base path>/openapi.json`): every other request went through its router
    (a copy of the scope, then a walk over every API's mount) to come out unchanged."""

    DOCUMENTS = ("/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger.yaml")

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        if scope["type"] == "http" and not self._serves(scope["path"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _serves(self, path: str) -> bool:
        documents, pages = self._paths
        return path in documents or path.startswith(pages)

    @functools.cached_property
    def _paths(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Each API's documents, and the start of its UI's paths (asked once the app serves:
        no API is added after that)."""
        bases = [getattr(mount, "path", "") for mount in self.router.routes]
        return frozenset(base + document for base in bases for document in self.DOCUMENTS), tuple(base + "/ui" for base in bases)


class _ValidateOnce(RequestValidationOperation):
    """Connexion's request validation, with what it made anew for every request made on an
    operation's first request and kept: the parameter validator (and its URI parser), the
    answer to whether a content type is accepted, and the body validator for a content type
    and encoding. The validation itself runs as in Connexion."""

    MOST_KEPT = 32  # content types kept per operation (a fuzzer sends many)

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        self._kept(("parameters",), self._parameter_validator).validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        if not self._kept(("accepted", mime_type), lambda: self._accepts(mime_type)):
            super().validate_mime_type(mime_type)  # raises Connexion's own problem
        validator = self._kept(("body", mime_type, encoding), lambda: self._body_validator(mime_type, encoding))
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)

    def extract_content_type(self, headers: t.Any) -> tuple[str, str]:
        """Connexion's answer (a best guess where the request names none), read with `_content_type`."""
        mime_type, encoding = split_content_type(_content_type(headers))
        if mime_type is None:
            mime_type = self._operation.consumes[0] if self._operation.consumes else "application/octet-stream"
        return mime_type, encoding or "utf-8"

    def _kept(self, key: tuple, make: t.Callable[[], t.Any]) -> t.Any:
        kept = self.__dict__.setdefault("_kept_for", {})
        if key not in kept:
            if len(kept) > self.MOST_KEPT:
                kept.clear()
            kept[key] = make()
        return kept[key]

    def _parameter_validator(self) -> t.Any:
        uri_parser = self._operation._uri_parser_class(self._operation.parameters, self._operation.body_definition())
        return self._validator_map["parameter"](self._operation.parameters, uri_parser=uri_parser, strict_validation=self.strict_validation,
                                                security_query_params=self.security_query_params)

    def _accepts(self, mime_type: str) -> bool:
        try:
            super().validate_mime_type(mime_type)
        except UnsupportedMediaTypeProblem:
            return False
        return True

    def _body_validator(self, mime_type: str, encoding: str) -> t.Any:
        """Connexion's body validator for the content type (None where it validates none)."""
        operation = self._operation
        if not operation.body_schema(mime_type):
            return None
        try:
            body_validator = self._validator_map["body"][mime_type]  # type: ignore[index]
        except KeyError:
            return None
        return body_validator(schema=operation.body_schema(mime_type), required=operation.request_body.get("required", False),
                              nullable=is_nullable(operation.body_definition(mime_type)), encoding=encoding,
                              strict_validation=self.strict_validation,
                              uri_parser=operation.uri_parser_class(operation.parameters, operation.body_definition()))


class _ValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: t.Any) -> RequestValidationOperation:
        return _ValidateOnce(self.next_app, operation=operation, strict_validation=self.strict_validation, validator_map=self.validator_map)


class _Validation(RequestValidationMiddleware):
    api_cls = _ValidationAPI


class _CheckCredentials(SecurityOperation):
    """Connexion's credential check, with the request it hands the security hooks made from a
    Starlette request (Connexion's own constructor looks for one by a failing attribute lookup
    first). The check itself is Connexion's."""

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        if self.security:
            await self.verification_fn(ConnexionRequest.from_starlette_request(StarletteRequest(scope)))
        await self.next_app(scope, receive, send)


class _SecurityAPI(SecurityAPI):
    def make_operation(self, operation: t.Any) -> SecurityOperation:
        return _CheckCredentials.from_operation(operation, next_app=self.next_app, security_handler_factory=self.security_handler_factory)


class _Security(SecurityMiddleware):
    api_cls = _SecurityAPI


_OURS = {SwaggerUIMiddleware: DocsOnlySwaggerUI, SecurityMiddleware: _Security, RequestValidationMiddleware: _Validation}
# Connexion's middlewares with ours in their place, less two that mockexp never turns on and
# that passed every request on: response validation (`validate_responses`, which looked every
# request's operation up first) and lifespan handlers (`lifespan`)
_UNUSED = (ResponseValidationMiddleware, LifespanMiddleware)
MIDDLEWARES = [_OURS.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares if middleware not in _UNUSED]


def _content_type(headers: t.Any) -> str | None:
    """`connexion.utils.extract_content_type`, the same answer without the typing subscripts
    it evaluates on every call."""
    for key, value in headers.items() if isinstance(headers, dict) else headers:
        name = key.decode("latin-1") if isinstance(key, bytes) else key
        if name.lower() == "content-type":
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


class _OwnParameters(OpenAPIOperation):
    """Connexion's OpenAPIOperation adds the path's parameters to the operation's own list in
    place (`+=`, connexion/operations/openapi.py, still so in 3.3.0), and every middleware makes
    its operations from the same document: a GET with its own parameters ended up with the
    path's parameters six times, each validated on every request. Each operation made here
    gets its own list."""

    def __init__(self, method: str, path: str, operation: dict, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(method, path, {**operation, "parameters": list(operation.get("parameters", []))}, *args, **kwargs)

    @functools.cached_property
    def takes_query(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self.parameters)

    @functools.cached_property
    def only_produces(self) -> str | None:
        """The one media type the operation's responses have (None where they have several or
        none): Connexion's answer for a response whose handler names no content type."""
        produces = set(self.produces)
        return produces.pop() if len(produces) == 1 else None

    @functools.cached_property
    def only_json(self) -> str | None:
        """`only_produces`, where it is a JSON media type."""
        only = self.only_produces
        return only if only is not None and is_json_mimetype(split_content_type(only)[0]) else None

    def body_definition(self, content_type: str | None = None) -> dict:
        """Connexion's, made once per content type (to read, never to change), without the
        warning it logs at every call for an operation that takes several media types (by
        design here: GrowthBook's JSON and form bodies, LaunchDarkly's semantic patch sent as
        two media types with one schema)."""
        if not self.request_body:
            return {}
        kept = self.__dict__.setdefault("_bodies", {})  # per content type: it was made anew at every call, several per request
        found = kept.get(content_type)
        if found is None:
            if len(kept) > _ValidateOnce.MOST_KEPT:
                kept.clear()
            chosen = MediaTypeDict(self.request_body.get("content", {})).get(content_type or self.consumes[0], {})
            found = kept[content_type] = self.with_definitions(chosen)
        return found


class _Validated(OpenAPISpecification):
    """A document `specs.load` has resolved and validated (with openapi-spec-validator): Connexion
    would validate it again, once per API (about 1 s for the vendors' specs). Its operations
    are `_OwnParameters`."""

    operation_cls = _OwnParameters

    @classmethod
    def _validate_spec(cls, spec: dict) -> None:
        """Validated already, by `specs.load`."""


class MockApp(AsyncApp):
    """Connexion's AsyncApp, serving mockexp's validated documents with the operation, API and
    middleware classes above (given to Connexion, never assigned over its own)."""

    def __init__(self, import_name: str, **kwargs: t.Any) -> None:
        super().__init__(import_name, jsonifier=JSONIFIER, middlewares=list(MIDDLEWARES), **kwargs)
        self._middleware_app.api_cls = _Api

    def add_api(self, specification: t.Any, **kwargs: t.Any) -> t.Any:  # type: ignore[override]
        """A document of `specs.load`'s (a dict) is added as validated; anything else, as
        Connexion adds it."""
        if not isinstance(specification, dict):
            return super().add_api(specification, **kwargs)
        middleware = self.middleware
        if middleware.middleware_stack is not None:
            raise RuntimeError("Cannot add api after an application has started")
        base_path, name = kwargs.pop("base_path", None), kwargs.pop("name", None)
        options = middleware.options.replace(**kwargs)
        middleware.apis.append(ConnexionApi(_Validated(specification), base_path=base_path, name=name, **options.__dict__))
