"""The mock's own controls (spec: `specs/mockexp-admin.yaml`, mounted at its server URL,
`/__mockexp`): health, reset, the demo credentials and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from mockexp.binding import function_name
from mockexp.errors import DomainError, Invalid, dotted

SPEC = "mockexp-admin.yaml"


async def health(runtime) -> dict:
    store = runtime.store.directory
    return {"status": "ok", "vendors": list(runtime.vendors), "store": str(store) if store else "memory"}


async def reset(runtime, body: dict | None = None) -> dict:
    return {"reset": runtime.reset((body or {}).get("vendors"))}


async def credentials(runtime) -> list[dict]:
    return [credential.to_json() for credential in runtime.credentials()]


async def get_clock(runtime) -> dict:
    return runtime.clock.state()


async def set_clock(runtime, body: dict) -> dict:
    try:
        if "now" in body:
            runtime.clock.freeze(datetime.fromisoformat(body["now"].replace("z", "Z")))
        elif "advance" in body:
            runtime.clock.advance(body["advance"])
        else:
            runtime.clock.run_real()
    except (ValueError, OverflowError) as exc:
        raise Invalid.field(next(iter(body)), str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    return runtime.clock.state()


def bind(runtime) -> dict[str, Callable]:
    """operationId -> the function Connexion calls, for every operation of the admin spec."""
    functions = {}
    for operation in runtime.admin_spec.operations:
        function = globals().get(function_name(operation.operation_id))
        if function is None:
            raise LookupError(f"{__name__} has no {function_name(operation.operation_id)}() for {operation.operation_id} of {runtime.admin_spec.path}")
        functions[operation.operation_id] = _with_runtime(function, runtime)
    return functions


def _with_runtime(function: Callable, runtime) -> Callable:
    async def call(**kwargs: Any) -> Any:
        return await function(runtime, **{key: value for key, value in kwargs.items() if key == "body"})

    return call


def render_error(error: DomainError) -> tuple[dict, dict]:
    body: dict = {"message": error.message}
    if isinstance(error, Invalid) and error.fields:
        body["fields"] = {dotted(path): reason for path, reason in error.errors if path}
    return body, dict(error.headers)
