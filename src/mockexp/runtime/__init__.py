"""A running mock (`Runtime`) and the ASGI app built from it (`build_app`); see
`runtime.py` for what each module of the package does."""

from mockexp.runtime.asgi import MAX_BODY_BYTES, api_app, build_app
from mockexp.runtime.meta import META
from mockexp.runtime.runtime import Runtime

__all__ = ["MAX_BODY_BYTES", "META", "Runtime", "api_app", "build_app"]
