"""What every part of PostHog's model shares: table names, PostHog's time format, the
approval-gate error, and small helpers for request bodies."""

from __future__ import annotations

from datetime import datetime, timezone

from mockexp.errors import Conflict, Invalid

# the vendor's own tables
ORGANIZATIONS = "organizations"
PROJECTS = "projects"
USERS = "users"
KEYS = "personal_api_keys"
# a project's tables
FLAGS = "feature_flags"
HOLDOUTS = "experiment_holdouts"
SAVED_METRICS = "experiment_saved_metrics"
EXPERIMENTS = "experiments"
CHANGE_REQUESTS = "change_requests"

SCOPES = ("experiment:read", "experiment:write", "experiment_saved_metric:read", "experiment_saved_metric:write")
QUERY_KINDS = ("ExperimentMetric", "ExperimentTrendsQuery", "ExperimentFunnelsQuery")
LAUNCH = "experiment.launch"


Errors = list[tuple[tuple, str]]


class ApprovalRequired(Conflict):
    """The project's approval policy gates the change: a change request was opened instead."""

    def __init__(self, change_request: dict) -> None:
        super().__init__("This change requires approval. A change request has been opened; nothing was changed until it is approved.")
        self.change_request = change_request


def timestamp(moment: datetime) -> str:
    """PostHog's datetime form: UTC with microseconds, e.g. 2024-01-15T10:30:00.123456Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def normal_time(value: str | None) -> str | None:
    return timestamp(parse_time(value)) if value else None


def refuse(errors: Errors) -> None:
    if errors:
        raise Invalid(errors)
