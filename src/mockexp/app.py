"""The runtime and its ASGI app, where they were first imported from: `mockexp.runtime`."""

from mockexp.runtime import MAX_BODY_BYTES, META, Runtime, build_app

__all__ = ["MAX_BODY_BYTES", "META", "Runtime", "build_app"]
