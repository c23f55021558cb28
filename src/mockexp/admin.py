"""The mock's own controls (spec: `specs/mockexp-admin.yaml`, mounted at its server URL,
`/__mockexp`): health, reset, the demo credentials, the clock, and the control plane (the
request journal, fault rules, snapshots)."""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any, Callable

from mockexp.console.experiments import experiments
from mockexp.control.journal import Filter
from mockexp.binding import function_name
from mockexp.errors import DomainError, Invalid, dotted
from mockexp.worlds.export import world_of

SPEC = "mockexp-admin.yaml"


async def health(runtime) -> dict:
    store = runtime.store.directory
    return {"status": "ok", "vendors": list(runtime.vendors), "store": str(store) if store else "memory"}


async def reset(runtime, body: dict | None = None) -> dict:
    """Vendors back to their demo data; the clock back to real time too when every vendor is
    reset, unless `clock` says otherwise (`false` keeps a frozen clock: the same world every
    time)."""
    body = body or {}
    names = body.get("vendors")
    runtime.check_vendors(names)
    if body.get("clock", names is None):
        runtime.clock.run_real()
        runtime.save_clock()
    return {"reset": runtime.reset(names), "clock": runtime.clock.state()}


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
    runtime.save_clock()
    return runtime.clock.state()


# -- the request journal ----------------------------------------------------------------------


async def list_requests(runtime, **filters: Any) -> dict:
    where = Filter.of(filters)
    return {"requests": runtime.journal.entries(where), "dropped": runtime.journal.dropped, "capacity": runtime.journal.capacity}


async def clear_requests(runtime) -> dict:
    return {"cleared": runtime.journal.clear()}


async def count_requests(runtime, body: dict | None = None) -> dict:
    return {"count": runtime.journal.count(Filter.of(body or {}))}


# -- faults -------------------------------------------------------------------------------------


async def list_faults(runtime) -> dict:
    latency = runtime.faults.latency_ms
    return {"rules": runtime.faults.listed(), "latency_ms": list(latency) if latency else None}


async def put_faults(runtime, body: dict) -> dict:
    return {"rules": runtime.faults.install(body["rules"])}


async def clear_faults(runtime) -> dict:
    runtime.faults.clear()
    return {"rules": []}


# -- rate limits --------------------------------------------------------------------------------


async def list_rate_limits(runtime) -> dict:
    return {"vendors": runtime.rate_limits.state()}


async def set_rate_limits(runtime, body: dict) -> dict:
    runtime.rate_limits.switch(body["vendors"], body["enabled"])
    return {"vendors": runtime.rate_limits.state()}


# -- snapshots ----------------------------------------------------------------------------------


async def list_snapshots(runtime) -> dict:
    return {"snapshots": runtime.snapshots.listed()}


async def save_snapshot(runtime, body: dict) -> dict:
    return runtime.snapshots.save(body["name"], runtime.clock.now().isoformat().replace("+00:00", "Z"))


async def restore_snapshot(runtime, name: str) -> dict:
    return runtime.snapshots.restore(name)


async def delete_snapshot(runtime, name: str) -> dict:
    runtime.snapshots.delete(name)
    return {"deleted": name}


async def list_experiments(runtime) -> dict:
    return await experiments(runtime)


async def export_world(runtime, vendor: str) -> dict:
    return world_of(runtime, vendor)


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
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = set(parameters) - {"runtime"}

    async def call(**kwargs: Any) -> Any:
        given = {key: value for key, value in kwargs.items() if key in accepted or (takes_any and key not in ("token_info", "user"))}
        return await function(runtime, **given)

    return call


def render_error(error: DomainError) -> tuple[dict, dict]:
    body: dict = {"message": error.message}
    if isinstance(error, Invalid) and error.fields:
        body["fields"] = {dotted(path): reason for path, reason in error.errors if path}
    return body, dict(error.headers)
