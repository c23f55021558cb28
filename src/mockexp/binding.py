"""Each operationId of a vendor's spec bound to what implements it, checked before serving.

An operation is implemented by the vendor's model method of the same name in snake_case
(`listExperiments` -> `list_experiments`), or by a handler of that name in the vendor's
`handlers.py` where HTTP details need one. The core passes the operation's path and query
parameters by their snake_case names, `body`, and `caller` (the id the credential acts as),
and shapes what the model returns: a `Listing` becomes the page the spec's pagination
declaration describes, and the response gets the one success status the spec documents
(204 with no body). A read (GET) bound to a model method is answered through the vendor's
`KeptReads`: made once, and again only when the vendor's data (or the clock it read) changes.

`problems()` lists everything that would stop a vendor from serving its spec: an operation
with no implementation, an implementation that does not take the operation's parameters,
a missing authenticator or error renderer. The app refuses to start on any of them and
`mockexp specs` reports them.
"""

from __future__ import annotations

import inspect
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import inflection
from connexion import NoContent
from connexion.context import scope as request_scope
from connexion.decorators.parameter import sanitized
from starlette.requests import HTTPConnection

from mockexp import paging
from mockexp.errors import ServerError
from mockexp.encoding import named_by
from mockexp.kept_reads import Encoded, KeptReads, frozen
from mockexp.paging import Listing
from mockexp.specs import Operation, Spec
from mockexp.vendor import Vendor

class RegistrationError(Exception):
    """A vendor that cannot serve its spec; the message names the vendor, file and operation."""


def function_name(operation_id: str) -> str:
    return inflection.underscore(sanitized(operation_id))


def argument_name(parameter: str) -> str:
    return inflection.underscore(sanitized(parameter))


@dataclass(frozen=True)
class Implementation:
    function: Callable
    handler: bool  # a handler in handlers.py (HTTP details its own), else a model method
    where: str

    @property
    def signature(self) -> inspect.Signature:
        parameters = list(inspect.signature(self.function).parameters.values())[1:]  # self, or the model
        return inspect.Signature(parameters)


def implementation(vendor: Vendor, operation: Operation) -> Implementation | None:
    name = function_name(operation.operation_id)
    handler = getattr(vendor.handlers, name, None)
    if callable(handler):
        return Implementation(handler, True, f"{vendor.handlers.__name__}.{name}")
    method = getattr(vendor.model, name, None)
    if callable(method):
        return Implementation(method, False, f"{vendor.model.__module__}.{vendor.model.__qualname__}.{name}")
    return None


def arguments(operation: Operation) -> dict[str, str]:
    """Connexion's keyword for each parameter the implementation gets -> the implementation's name."""
    pagination = operation.pagination
    consumed = set(pagination.parameters.values()) if pagination else set()
    names = {sanitized(p["name"]): argument_name(p["name"]) for p in operation.parameters if p.get("in") in ("path", "query") and p["name"] not in consumed}
    if operation.has_body:
        names["body"] = "body"
    return names


def problems(vendor: Vendor, spec: Spec) -> list[str]:
    """Everything that stops `vendor` from serving `spec`, one line each."""
    where = f"vendor {vendor.name} ({spec.path})"
    found = []
    if spec.document.get("components", {}).get("securitySchemes") and not callable(vendor.authenticate):
        found.append(f"{where}: {_file(vendor.handlers)} has no authenticate(model, scheme, credential, request, operation)")
    if not callable(vendor.render_error):
        found.append(f"{where}: {_file(vendor.handlers)} has no render_error(error)")
    for operation in spec.operations:
        found += [f"{where}: {operation.operation_id} ({operation.label}): {problem}" for problem in _operation_problems(vendor, operation)]
    return found


def check(vendor: Vendor, spec: Spec) -> None:
    found = problems(vendor, spec)
    if found:
        raise RegistrationError("\n".join(found))


def _operation_problems(vendor: Vendor, operation: Operation) -> list[str]:
    found = implementation(vendor, operation)
    if found is None:
        name = function_name(operation.operation_id)
        return [f"not implemented: add {name}() to {vendor.model.__module__}.{vendor.model.__qualname__} (or to {vendor.handlers.__name__})"]
    parameters = found.signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    offered = set(arguments(operation).values())
    out = []
    for parameter in parameters.values():
        if parameter.kind is not inspect.Parameter.VAR_POSITIONAL and parameter.default is parameter.empty and parameter.name not in offered | {"caller"}:
            out.append(f"{found.where}() needs `{parameter.name}`, which the operation does not give (it gives {', '.join(sorted(offered)) or 'nothing'}, and caller)")
    for name in sorted(offered - set(parameters)):
        out.append(f"{found.where}() does not take `{name}`" + (" (a Python keyword: use a handler)" if keyword.iskeyword(name) else ""))
    return out


def bind(vendor: Vendor, spec: Spec, model: Any, kept: KeptReads | None = None) -> dict[str, Callable]:
    """operationId -> the async function Connexion calls for it. `kept`: where the answers of
    reads bound to model methods are kept (None: every answer made anew)."""
    check(vendor, spec)
    return {operation.operation_id: _bound(vendor, operation, model, kept) for operation in spec.operations}


def _bound(vendor: Vendor, operation: Operation, model: Any, kept: KeptReads | None) -> Callable:
    found = implementation(vendor, operation)
    assert found is not None
    names = arguments(operation)
    accepted = set(found.signature.parameters)
    takes_caller = "caller" in accepted
    function = _with_model(found.function, model) if found.handler else getattr(model, function_name(operation.operation_id))
    statuses = operation.success_statuses
    status = statuses[0] if len(statuses) == 1 else None
    pagination = operation.pagination

    def values_of(kwargs: dict[str, Any]) -> dict[str, Any]:
        values = {name: kwargs[key] for key, name in names.items() if key in kwargs}
        if takes_caller:
            values["caller"] = (kwargs.get("token_info") or {}).get("sub")
        return values

    async def call(**kwargs: Any) -> Any:
        result = function(**values_of(kwargs))
        if inspect.isawaitable(result):
            result = await result
        return result if found.handler else _shape(result, status, pagination, operation)

    async def read(**kwargs: Any) -> Any:
        values = values_of(kwargs)

        def make() -> Any:
            return _encoded(_shape(function(**values), status, pagination, operation))

        try:
            key = (operation.operation_id, frozen(values), _page_address() if pagination else None)
        except TypeError:  # an argument that cannot be a key
            answer = make()
        else:
            answer = kept.answer(key, make)
        return _tagged(answer) if operation.etag else answer

    async def repeatable(**kwargs: Any) -> Any:
        answer = await call(**kwargs)
        kept.note()
        return answer

    get = kept is not None and operation.method.upper() == "GET"
    if get and not found.handler and not inspect.iscoroutinefunction(function):
        bound = read
    elif get and found.handler and getattr(found.function, "repeatable", False):
        bound = repeatable
    else:
        bound = call
    bound.__name__ = function_name(operation.operation_id)
    return bound


def _encoded(shaped: Any) -> Any:
    """A shaped answer with its body to be encoded once (`Encoded`)."""
    if not isinstance(shaped, tuple):
        return Encoded(shaped)
    if shaped[0] is NoContent:
        return shaped
    return (Encoded(shaped[0]), *shaped[1:])


def _tagged(answer: Any) -> Any:
    """An answer with its ETag, or 304 with no body when the request's `If-None-Match` names it."""
    encoded, rest = (answer[0], answer[1:]) if isinstance(answer, tuple) else (answer, ())
    if not isinstance(encoded, Encoded):
        return answer
    etag = encoded.etag()
    if named_by(HTTPConnection(request_scope._get_current_object()).headers.get("if-none-match"), etag):
        return NoContent, 304, {"ETag": etag}
    return encoded, rest[0] if rest else 200, {"ETag": etag}


def _page_address() -> tuple:
    """What a page's links are made from: the request's scheme, host, path and query."""
    url = HTTPConnection(request_scope._get_current_object()).url
    return url.scheme, url.netloc, url.path, url.query


def _with_model(handler: Callable, model: Any) -> Callable:
    def call(**values: Any) -> Any:
        return handler(model, **values)

    return call


def _shape(result: Any, status: int | None, pagination: paging.Pagination | None, operation: Operation) -> Any:
    if isinstance(result, Listing):
        if pagination is None:
            raise ServerError(f"{operation.operation_id} returned a Listing but its spec declares no x-mockexp-pagination")
        result = paging.render(pagination, result, _paging_request())
    if isinstance(result, tuple) or status is None:
        return result
    if status == 204:
        return NoContent, 204
    return result, status


def _paging_request() -> paging.Request:
    """The request's URL and query. (Over the scope itself: Connexion's `request` proxy makes
    a new request over proxies of the scope at each attribute read.)"""
    connection = HTTPConnection(request_scope._get_current_object())
    url = connection.url
    return paging.Request(origin=f"{url.scheme}://{url.netloc}", path=url.path, query=list(connection.query_params.multi_items()))


def _file(module: Any) -> str:
    return str(Path(getattr(module, "__file__", None) or module.__name__))

