"""Remote evaluation: every active flag of the project evaluated for the distinct id, groups
and properties a `/flags` (or the older `/decide`) request sends, answered in the shape of
the version asked for. Inactive flags (a draft experiment's) are left out, as PostHog's flags
service leaves them out."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp import ids
from mockexp.errors import Invalid
from mockexp.vendors.posthog.sdk.definitions import Definitions
from mockexp.vendors.posthog.sdk.evaluation import Outcome, Subject, evaluate

TOKEN_FIELDS = ("token", "api_key", "$token")


def token_in(body: Any) -> Any:
    """The project API key in a JSON body (`token`, `api_key`), if any."""
    if isinstance(body, Mapping):
        for field in TOKEN_FIELDS:
            if body.get(field):
                return body[field]
    return None


def subject_of(body: Mapping[str, Any]) -> Subject:
    distinct_id = body.get("distinct_id")
    if distinct_id is None or isinstance(distinct_id, (dict, list, bool)) or str(distinct_id) == "":
        raise Invalid([(("distinct_id",), "This field is required.")])
    return Subject(str(distinct_id), _mapping(body, "person_properties"), _mapping(body, "groups"), _mapping(body, "group_properties"))


def _mapping(body: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    value = body.get(field)
    if value is not None and not isinstance(value, Mapping):
        raise Invalid([((field,), "Expected an object.")])
    return value or {}


def flag_detail(flag: Mapping[str, Any], outcome: Outcome) -> dict:
    """A flag of `/flags?v=2` and later: its value, why, and its metadata."""
    return {"key": flag["key"], "enabled": outcome.enabled, "variant": outcome.variant,
            "reason": {"code": outcome.code, "condition_index": outcome.condition_index, "description": outcome.description},
            "metadata": {"id": flag["id"], "version": flag.get("version", 1), "payload": None, "description": flag["name"]}}


class Remote(Definitions):
    def evaluate_for(self, body: Any) -> list[tuple[dict, Outcome]]:
        """Each active flag (of those in `flag_keys_to_evaluate`, if sent) with its outcome for the request's subject."""
        project = self.project_for_token(token_in(body))
        subject = subject_of(body)
        definitions = self.flag_definitions(project["id"])
        wanted = body.get("flag_keys_to_evaluate")
        flags = [flag for flag in definitions["flags"] if flag["active"] and (not isinstance(wanted, list) or flag["key"] in wanted)]
        return [(flag, evaluate(flag, subject, definitions["group_type_mapping"])) for flag in flags]

    def posthog_flags(self, body: Any, v: int | None = None, config: str | None = None) -> dict:
        """`POST /flags`."""
        return self.flags_response(body, 1 if v is None else v)

    def posthog_decide(self, body: Any, v: int | None = None) -> dict:
        """`POST /decide`."""
        return self.decide_response(body, 1 if v is None else v)

    def flags_response(self, body: Any, version: int) -> dict:
        """`/flags`: `flags` with each flag's detail from version 2 on; the version 1 shape before."""
        evaluated = self.evaluate_for(body)
        if version < 2:
            return {**_values(evaluated), "errorsWhileComputingFlags": False, "requestId": ids.uuid4()}
        return {"flags": {flag["key"]: flag_detail(flag, outcome) for flag, outcome in evaluated}, "errorsWhileComputingFlags": False,
                "quotaLimited": [], "requestId": ids.uuid4(), "evaluatedAt": int(self.clock.now().timestamp() * 1000)}

    def decide_response(self, body: Any, version: int) -> dict:
        """`/decide`: the enabled flags' keys (version 1), or each flag's value and payload (2 and later)."""
        evaluated = self.evaluate_for(body)
        flags = [flag["key"] for flag, outcome in evaluated if outcome.enabled] if version < 2 else _values(evaluated)["featureFlags"]
        return {"featureFlags": flags, "featureFlagPayloads": {}, "errorsWhileComputingFlags": False,
                "config": {"enable_collect_everything": True}, "isAuthenticated": False, "supportedCompression": ["gzip", "gzip-js"],
                "sessionRecording": False, "toolbarParams": {}}


def _values(evaluated: list[tuple[dict, Outcome]]) -> dict:
    return {"featureFlags": {flag["key"]: outcome.value for flag, outcome in evaluated},
            "featureFlagPayloads": {}}
