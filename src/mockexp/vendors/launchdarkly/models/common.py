"""What every part of LaunchDarkly's model shares: table names, LaunchDarkly's time and id
formats, and small helpers for reading request bodies."""

from __future__ import annotations

from mockexp import ids
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from mockexp.errors import Invalid

# the vendor's own tables
PROJECTS = "projects"
MEMBERS = "members"
TOKENS = "tokens"
# a project's tables
ENVIRONMENTS = "environments"
FLAGS = "flags"
METRICS = "metrics"
METRIC_GROUPS = "metric_groups"
# an environment's tables (tenant: project key, environment key)
HOLDOUTS = "holdouts"
COVARIATES = "covariates"
LAYERS = "layers"
EXPERIMENTS = "experiments"
FLAG_TRAFFIC = "flag_traffic"  # what experiments put on a flag's rules and fallthrough (models/rollouts.py)

API = "/api/v2"
JSON = "application/json"

EXPANDABLE = ("previousIterations", "draftIteration", "secondaryMetrics", "treatments", "analysisConfig")
LIFECYCLE_STATES = ("active", "archived")
FILTER_FIELDS = ("flagKey", "metricKey", "status")
STATUSES = ("not_started", "running", "stopped")
FALLTHROUGH = "fallthrough"

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Errors = list[tuple[tuple, str]]


def millis(moment: datetime) -> int:
    """Unix milliseconds, LaunchDarkly's only time format."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True)
class Ids:
    """Where new ids come from: `hex` for experiments and iterations (24 hex digits, like
    LaunchDarkly's), `uuid` for treatments. The demo data passes Faker's, for stable ids."""

    hex: Callable[[], str] = lambda: ids.token_hex(12)
    uuid: Callable[[], str] = ids.uuid4


RANDOM_IDS = Ids()


def link(href: str) -> dict:
    return {"href": href, "type": JSON}


def env_path(project_key: str, environment_key: str) -> str:
    return f"{API}/projects/{project_key}/environments/{environment_key}"


def split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def percent(value: Any) -> float | None:
    """An `allocationPercent` as a number, or None when it is not a decimal number 0-100."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 <= number <= 100 and value.strip() == value and "e" not in value.lower() else None


def iterations(experiment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [it for it in (experiment["currentIteration"], experiment["draftIteration"], *experiment["previousIterations"]) if it is not None]


def text(instruction: Mapping, field: str, where: tuple, kind: str, *, required: bool = True) -> str | None:
    value = instruction.get(field)
    if value is None:
        if required:
            raise Invalid.field(where + (field,), f"{kind} needs a {field}.")
        return None
    if not isinstance(value, str):
        raise Invalid.field(where + (field,), f"{kind}: {field} must be a string.")
    return value
