"""Every private (or undocumented) name of a third-party library that mockexp relies on, once,
with the versions it was checked on. `tests/test_compat.py` guards each entry: an upgrade
that renames, removes or reshapes one fails there, naming the library, the version found and
the internal, instead of misbehaving at run time.

mockexp never assigns over these: it subclasses the class that has them and hands its
subclass to the library (`fastpath.MockApp`, `server.Bounded`, `store/tinydb_adapter.py`'s table).

Kinds of entry:
* ``attribute``: ``module:Class.name`` (or ``module:name``) must exist; for a function, its
  parameters must start with `parameters`.
* ``instance``: ``module:Class.name`` is an attribute the class's own code sets on its
  instances (``self.name``), looked for in the source of the class and its bases.
"""

from __future__ import annotations

from dataclasses import dataclass

CONNEXION = "3.3.0"
UVICORN = "0.55.0"
TINYDB = "4.9.0"


@dataclass(frozen=True)
class Internal:
    library: str  # the distribution, as pip names it
    name: str  # module:qualified.name
    used_by: str  # where mockexp relies on it
    checked: str  # the versions it was checked on
    kind: str = "attribute"
    parameters: tuple[str, ...] = ()


def _connexion(name: str, used_by: str, kind: str = "attribute", parameters: tuple[str, ...] = ()) -> Internal:
    return Internal("connexion", name, used_by, CONNEXION, kind, parameters)


def _uvicorn(name: str, kind: str = "attribute", parameters: tuple[str, ...] = ()) -> Internal:
    return Internal("uvicorn", name, "server.Bounded", UVICORN, kind, parameters)


def _tinydb(name: str, kind: str = "attribute", parameters: tuple[str, ...] = ()) -> Internal:
    return Internal("tinydb", name, "store.tinydb_adapter", TINYDB, kind, parameters)


_APP = "fastpath.MockApp"
_DECORATE = "fastpath._DecorateOnce / _RenameOnce"
_VALIDATE = "fastpath._ValidateOnce"
_VALIDATORS = "validation.BodyValidator / ParameterRules"

INTERNALS: tuple[Internal, ...] = (
    # the app: mockexp's own API class and validated specification, handed to Connexion
    _connexion("connexion.apps.asynchronous:AsyncApp._middleware_app", _APP, "instance"),
    _connexion("connexion.apps.asynchronous:AsyncASGIApp.api_cls", _APP),
    _connexion("connexion.apps.abstract:AbstractApp.middleware", _APP, "instance"),
    _connexion("connexion.middleware.main:API", _APP, parameters=("self", "specification", "base_path")),
    _connexion("connexion.middleware.main:ConnexionMiddleware.apis", _APP, "instance"),
    _connexion("connexion.middleware.main:ConnexionMiddleware.options", _APP, "instance"),
    _connexion("connexion.middleware.main:ConnexionMiddleware.middleware_stack", _APP, "instance"),
    _connexion("connexion.middleware.main:_Options.replace", _APP, parameters=("self",)),
    _connexion("connexion.spec:OpenAPISpecification._validate_spec", "fastpath._Validated", parameters=("spec",)),
    _connexion("connexion.spec:OpenAPISpecification.operation_cls", "fastpath._Validated"),
    _connexion("connexion.operations:OpenAPIOperation.__init__", "fastpath._OwnParameters", parameters=("self", "method", "path", "operation")),
    _connexion("connexion.operations:OpenAPIOperation.body_definition", "fastpath._OwnParameters", parameters=("self", "content_type")),
    _connexion("connexion.operations:OpenAPIOperation.with_definitions", "fastpath._OwnParameters", parameters=("self", "schema")),
    # answers encoded to bytes by the app's Jsonifier, which the response decorator hands on as the body
    _connexion("connexion.decorators.response:BaseResponseDecorator._serialize_data", "fastpath._BytesJsonifier", parameters=("self", "data")),
    # the handler's decorators, made once per operation
    _connexion("connexion.apps.asynchronous:AsyncApi.make_operation", _APP, parameters=("self", "operation")),
    _connexion("connexion.apps.asynchronous:AsyncOperation.fn", "fastpath._Operation"),
    _connexion("connexion.apps.asynchronous:AsyncOperation._fn", "fastpath._Operation", "instance"),
    _connexion("connexion.decorators.main:StarletteDecorator._parameter_decorator_cls", _DECORATE),
    _connexion("connexion.decorators.main:StarletteDecorator._response_decorator_cls", "fastpath._DecorateOnce / _RespondOnce"),
    _connexion("connexion.decorators.main:ASGIDecorator._sync_async_decorator", _DECORATE),
    _connexion("connexion.decorators.response:BaseResponseDecorator._infer_content_type", "fastpath._RespondOnce", parameters=("data", "headers")),
    _connexion("connexion.decorators.response:BaseResponseDecorator.build_framework_response", "fastpath._RespondOnce", parameters=("self", "handler_response")),
    _connexion("connexion.decorators.response:BaseResponseDecorator.jsonifier", "fastpath._RespondOnce", "instance"),
    _connexion("connexion.operations:OpenAPIOperation.produces", "fastpath._OwnParameters.only_produces"),
    _connexion("connexion.decorators.main:BaseDecorator.decorate", _DECORATE, parameters=("self", "function")),
    _connexion("connexion.decorators.main:StarletteDecorator.uri_parser", _DECORATE),
    _connexion("connexion.decorators.parameter:AsyncParameterDecorator.sanitize_fn", _DECORATE, "instance"),
    _connexion("connexion.decorators.parameter:get_arguments", _DECORATE,
               parameters=("operation", "path_params", "query_params", "body", "files", "arguments", "has_kwargs", "sanitize", "content_type")),
    _connexion("connexion.decorators.parameter:unwrap_decorators", _DECORATE, parameters=("function",)),
    _connexion("connexion.decorators.parameter:_get_body_argument", _DECORATE, parameters=("body", "operation", "arguments", "has_kwargs", "sanitize", "content_type")),
    _connexion("connexion.lifecycle:ConnexionRequest._path_params", "fastpath._take_parameters / validation.ParameterRules", "instance"),
    _connexion("connexion.lifecycle:ConnexionRequest._query_params", "fastpath._take_parameters / validation.ParameterRules", "instance"),
    Internal("werkzeug", "connexion.context:operation._get_current_object", _DECORATE, "3.1.9"),  # Connexion's context proxies are werkzeug's
    # request validation, kept per operation
    _connexion("connexion.middleware.request_validation:RequestValidationMiddleware.api_cls", "fastpath._Validation"),
    # the credential check, its request made from a Starlette request
    _connexion("connexion.middleware.security:SecurityMiddleware.api_cls", "fastpath._Security"),
    _connexion("connexion.middleware.security:SecurityAPI.make_operation", "fastpath._SecurityAPI", parameters=("self", "operation")),
    _connexion("connexion.middleware.security:SecurityAPI.security_handler_factory", "fastpath._SecurityAPI", "instance"),
    _connexion("connexion.middleware.security:SecurityOperation.from_operation", "fastpath._CheckCredentials", parameters=("operation", "next_app", "security_handler_factory")),
    _connexion("connexion.middleware.security:SecurityOperation.security", "fastpath._CheckCredentials", "instance"),
    _connexion("connexion.middleware.security:SecurityOperation.verification_fn", "fastpath._CheckCredentials", "instance"),
    _connexion("connexion.middleware.security:SecurityOperation.next_app", "fastpath._CheckCredentials", "instance"),
    _connexion("connexion.middleware.request_validation:RequestValidationAPI.make_operation", _VALIDATE, parameters=("self", "operation")),
    _connexion("connexion.middleware.request_validation:RequestValidationOperation._operation", _VALIDATE, "instance"),
    _connexion("connexion.middleware.request_validation:RequestValidationOperation._validator_map", _VALIDATE, "instance"),
    _connexion("connexion.middleware.request_validation:RequestValidationOperation.extract_content_type", _VALIDATE, parameters=("self", "headers")),
    _connexion("connexion.middleware.request_validation:RequestValidationOperation.validate_mime_type", _VALIDATE, parameters=("self", "mime_type")),
    _connexion("connexion.operations.abstract:AbstractOperation._uri_parser_class", _VALIDATE, "instance"),
    _connexion("connexion.middleware.swagger_ui:SwaggerUIMiddleware.router", "fastpath.DocsOnlySwaggerUI", "instance"),
    # validators and security handlers: mockexp's subclasses, in the maps given to the app
    _connexion("connexion.validators.json:JSONRequestBodyValidator._validate", _VALIDATORS, parameters=("self", "body")),
    _connexion("connexion.validators.abstract:AbstractRequestBodyValidator._parse", _VALIDATORS, parameters=("self", "stream", "scope")),
    _connexion("connexion.validators.abstract:AbstractRequestBodyValidator._encoding", _VALIDATORS, "instance"),
    _connexion("connexion.validators.abstract:AbstractRequestBodyValidator._nullable", _VALIDATORS, "instance"),
    _connexion("connexion.validators.abstract:AbstractRequestBodyValidator._required", _VALIDATORS, "instance"),
    _connexion("connexion.validators.abstract:AbstractRequestBodyValidator._schema", _VALIDATORS, "instance"),
    _connexion("connexion.validators.parameter:ParameterValidator.validate_path_parameter", _VALIDATORS, parameters=("self", "param", "request")),
    _connexion("connexion.validators.parameter:ParameterValidator.validate_query_parameter_list", _VALIDATORS, parameters=("self", "request")),
    _connexion("connexion.validators.parameter:draft4_format_checker", _VALIDATORS),
    _connexion("connexion.security:AbstractSecurityHandler._accepts_kwarg", "auth._SignatureOnce", parameters=("func", "keyword")),
    # query parameters: a list filter given more than once counts every value
    _connexion("connexion.uri_parsing:OpenAPIURIParser._resolve_param_duplicates", "query_lists.MergingURIParser", parameters=("values", "param_defn", "_in")),
    _connexion("connexion.uri_parsing:OpenAPIURIParser.style_defaults", "query_lists.MergingURIParser"),
    _connexion("connexion.uri_parsing:QUERY_STRING_DELIMITERS", "query_lists.MergingURIParser"),
    # uvicorn's httptools protocol, subclassed for the connection, header and time limits
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol._unset_keepalive_if_required", parameters=("self",)),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol._unsupported_upgrade_warning", parameters=("self",)),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.send_400_response", parameters=("self", "msg")),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.on_headers_complete", parameters=("self",)),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.shutdown", parameters=("self",)),  # the server stopping: streams end (SHUTDOWN)
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.connections", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.parser", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.cycle", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.scope", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.url", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:RequestResponseCycle.on_response", "instance"),
    _uvicorn("uvicorn.protocols.http.httptools_impl:RequestResponseCycle.transport", "instance"),
    # TinyDB: a table written in place (its own write copies the whole table twice)
    _tinydb("tinydb.table:Table._update_table", parameters=("self", "updater")),
    _tinydb("tinydb.table:Table._storage", "instance"),
    _tinydb("tinydb.table:Table.document_id_class"),
    _tinydb("tinydb.database:TinyDB.table_class"),
)
