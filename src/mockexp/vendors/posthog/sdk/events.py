"""Event ingestion: a batch (`{"batch": [...]}` or a JSON array) or a single event, with the
project API key in the body, an event or the query. The events are checked and accepted, and
nothing else is done with them: they are kept only as the request journal keeps every request
(`GET /__mockexp/requests`), where their names and distinct ids can be read."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.vendors.posthog.sdk.remote import token_in
from mockexp.vendors.posthog.sdk.tokens import ProjectTokens

ACCEPTED = {"status": 1}


def events_in(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and "batch" in body:
        batch = body["batch"]
        if not isinstance(batch, list):
            raise Invalid([(("batch",), "Expected a list of events.")])
        return batch
    return [body]


def _token(body: Any, events: list[Any], query_token: str | None) -> Any:
    """The project API key: in the body, else in an event (or its properties), else in the query."""
    found = token_in(body)
    for event in events:
        if found:
            break
        if isinstance(event, Mapping):
            found = token_in(event) or token_in(_properties(event))
    return found or query_token


def _properties(event: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = event.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def _problems(events: list[Any]) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    for index, event in enumerate(events):
        if not isinstance(event, Mapping) or not isinstance(event.get("event"), str) or not event["event"]:
            problems.append((("batch", index, "event"), "Each event needs an event name."))
        elif event.get("distinct_id") is None and _properties(event).get("distinct_id") is None:
            problems.append((("batch", index, "distinct_id"), "Each event needs a distinct_id."))
    return problems


class Events(ProjectTokens):
    def capture_events(self, body: Any, query_token: str | None = None) -> dict:
        """Accept the events of a capture request for the project whose key it carries."""
        events = events_in(body)
        self.project_for_token(_token(body, events, query_token))
        problems = _problems(events)
        if problems:
            raise Invalid(problems)
        return dict(ACCEPTED)

    def posthog_batch(self, body: Any, token: str | None = None) -> dict:
        return self.capture_events(body, token)

    def posthog_capture(self, body: Any, token: str | None = None) -> dict:
        return self.capture_events(body, token)

    def posthog_e(self, body: Any, token: str | None = None, ip: str | None = None, ver: str | None = None) -> dict:
        return self.capture_events(body, token)

    def posthog_ingest(self, body: Any, token: str | None = None, ip: str | None = None, ver: str | None = None) -> dict:
        return self.capture_events(body, token)
