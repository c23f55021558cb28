"""PostHog's SDK side: what the official SDKs call, read from the same state as the
management API. Project API keys (`tokens.py`); the flag definitions the SDKs evaluate
locally (`definitions.py`); PostHog's hashing (`hashing.py`), property filters
(`properties.py`) and evaluation (`evaluation.py`); remote evaluation (`remote.py`); event
capture (`events.py`); and the HTTP details of the definitions' ETag (`http.py`)."""

from mockexp.vendors.posthog.sdk.events import Events
from mockexp.vendors.posthog.sdk.remote import Remote


class Sdk(Remote, Events):
    """Every operation of the SDK specs that needs no HTTP detail."""


__all__ = ["Sdk"]
