"""The stream's server-sent events, as LaunchDarkly's SDKs read them: `put` (everything),
`patch` (one flag, newer), `delete` (one flag gone, with the version it is gone at), and
comment lines as heartbeats."""

from __future__ import annotations

import orjson

from mockexp.vendors.launchdarkly.models.sdk import Payload

HEARTBEAT = b":\n\n"


def event(name: str, data: bytes) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def put(payload: Payload) -> bytes:
    """Everything the environment holds (its payload's body, encoded once)."""
    return event("put", b'{"path":"/","data":' + payload.body + b"}")


def changes(old: Payload, new: Payload) -> list[bytes]:
    """What a stream sends when the payload went from `old` to `new`: a `patch` per flag with a
    newer version and a `delete` per flag no longer there; a whole new `put` when a patch
    would not do (a flag that came back, or a version that went down: the data was replaced,
    by a reset, and an SDK ignores a patch that is not newer than what it holds)."""
    replaced = new.segments != old.segments or any(
        key not in old.flags or flag["version"] < old.flags[key]["version"] or (flag["version"] == old.flags[key]["version"] and flag != old.flags[key])
        for key, flag in new.flags.items()
    )
    if replaced:
        return [put(new)]
    out = [event("patch", orjson.dumps({"path": f"/flags/{key}", "data": flag}))
           for key, flag in new.flags.items() if flag["version"] > old.flags[key]["version"]]
    out += [event("delete", orjson.dumps({"path": f"/flags/{key}", "version": flag["version"] + 1}))
            for key, flag in old.flags.items() if key not in new.flags]
    return out
