"""ABsmartly's SDK side: the Collector API its SDKs call (`/v1/context`), read from the same
state as the Web Console API: the context of an application and environment (a read model
over the stored experiments), SDK keys per account and environment, and the exposures and
goals the SDKs publish, which grow the experiments' preview statistics."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendor import Credential
from mockexp.vendors.absmartly.models.access import Access
from mockexp.vendors.absmartly.sdk.context import Contexts
from mockexp.vendors.absmartly.sdk.publishing import Publishing


class Collector(Contexts, Publishing, Access):
    """Every operation of the Collector API (the reads and publishes take the key and headers
    the handlers pass)."""

    def collector_healthy(self) -> dict:
        return {"ok": True}

    def collector_context(self, key: str | None, application: str, environment: str) -> dict:
        return self.context_for(self.reading_account(key, environment), application, environment)

    def collector_units_context(self, key: str, application: str, environment: str, body: Mapping[str, Any]) -> dict:
        """The context for given units: the same experiments (the SDKs assign the units themselves)."""
        record = self.sdk_key(key)
        self.check_environment(record, environment)
        return self.context_for(record["account"], application, environment)

    def collector_publish(self, key: str, application: str, environment: str, events: list, *, batch: bool = False) -> dict:
        return self.publish_events(self.sdk_key(key), application, environment, events, batch=batch)

    def credentials(self) -> list[Credential]:
        """The Web Console's keys (`Access`), then the SDK keys."""
        return [*super().credentials(), *self.sdk_credentials()]
