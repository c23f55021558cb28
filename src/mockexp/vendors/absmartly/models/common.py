"""What every part of ABsmartly's model shares: table names, the states and actions of an
experiment, ABsmartly's time format, and a helper to refuse a request."""

from __future__ import annotations

from datetime import datetime, timezone

from mockexp.errors import Invalid

# the vendor's own tables
ACCOUNTS = "accounts"
KEYS = "api_keys"
# an account's tables
USERS = "users"
TEAMS = "teams"
APPLICATIONS = "applications"
UNIT_TYPES = "unit_types"
EXPERIMENT_TAGS = "experiment_tags"
GOALS = "goals"
METRICS = "metrics"
EXPERIMENTS = "experiments"
NOTES = "experiment_notes"

ADMIN = "Experiment Admin"
LIST = "Experiment List"
PERMISSIONS = (ADMIN, LIST)

STATES = ("created", "ready", "development", "running", "stopped", "full_on", "archived")
DRAFTS = ("created", "ready")
STARTED = ("running", "stopped", "full_on")
ALERTS = ("cleanup_needed", "audience_mismatch", "sample_size_reached", "sample_ratio_mismatch")
EVERYONE = '{"filter":[{"and":[]}]}'
BLANK_TEXTS = ("action_points", "implementation_details", "other")  # an experiment's texts that are never null: empty when there are none
DEFAULT_AVATAR = "/cropUrl/100x100/default-avatar.png"  # the picture of a user who uploaded none
NOBODY = 0  # the user id ABsmartly stamps on what no user made (its examples' `created_by_user_id: 0`)

Errors = list[tuple[tuple, str]]


def timestamp(moment: datetime) -> str:
    """ABsmartly's time form: UTC with milliseconds, e.g. 2024-10-14T16:22:32.237Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def refuse(errors: Errors) -> None:
    if errors:
        raise Invalid(errors)
