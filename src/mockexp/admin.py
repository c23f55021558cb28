"""The mock's own controls under `/__mockexp/` (spec: `specs/mockexp-admin.yaml`)."""

from __future__ import annotations

from datetime import datetime

from mockexp.errors import DomainError, Invalid, dotted

BASE_PATH = "/__mockexp"
SPEC = "mockexp-admin.yaml"


async def health(runtime) -> dict:
    store = runtime.store.directory
    return {"status": "ok", "vendors": list(runtime.vendors), "store": str(store) if store else "memory"}


async def reset(runtime) -> dict:
    return {"reset": runtime.reset()}


async def credentials(runtime) -> list[dict]:
    return runtime.credentials()


async def get_clock(runtime) -> dict:
    return runtime.clock.state()


async def set_clock(runtime, body: dict) -> dict:
    if "now" in body:
        runtime.clock.freeze(datetime.fromisoformat(body["now"].replace("z", "Z")))
    elif "advance" in body:
        runtime.clock.advance(body["advance"])
    else:
        runtime.clock.run_real()
    return runtime.clock.state()


def render_error(error: DomainError) -> tuple[dict, dict]:
    body: dict = {"message": error.message}
    if isinstance(error, Invalid) and error.fields:
        body["fields"] = {dotted(path): reason for path, reason in error.errors if path}
    return body, dict(error.headers)
