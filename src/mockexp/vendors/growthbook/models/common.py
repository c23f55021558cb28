"""What every part of GrowthBook's model shares: table names, roles, GrowthBook's time
format, and how ids are made."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from mockexp.errors import Forbidden, Invalid

# the vendor's own tables
ORGANIZATIONS = "organizations"
KEYS = "api_keys"
# an organization's tables
PROJECTS = "projects"
ENVIRONMENTS = "environments"
FEATURES = "features"
REVISIONS = "feature_revisions"
SDK_CONNECTIONS = "sdk_connections"
SAVED_GROUPS = "saved_groups"
ARCHETYPES = "archetypes"
MEMBERS = "members"
CODE_REFS = "code_refs"
SETTINGS = "settings"
ATTRIBUTES = "attributes"

ADMIN = "admin"
READONLY = "readonly"
KEY_ROLES = (ADMIN, READONLY)
# a member's roles, least to most; environment limits apply to the roles that publish
MEMBER_ROLES = ("noaccess", READONLY, "collaborator", "visualEditor", "analyst", "experimenter", "engineer", ADMIN)
PUBLISHING_ROLES = ("experimenter", "engineer")

SINGULAR = {
    PROJECTS: "Project", ENVIRONMENTS: "Environment", FEATURES: "Feature", SDK_CONNECTIONS: "SDK connection",
    SAVED_GROUPS: "Saved group", ARCHETYPES: "Archetype", MEMBERS: "Member", ORGANIZATIONS: "Organization",
    CODE_REFS: "Code reference",
}


def timestamp(moment: datetime) -> str:
    """GrowthBook's time form: UTC with milliseconds, e.g. 2024-10-14T16:22:32.237Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def moment(text: str) -> datetime:
    """GrowthBook's time text (or a schedule's) as an aware datetime (one without a zone is UTC):
    `timestamp`'s inverse."""
    parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def made_id(prefix: str, *parts: object) -> str:
    """A GrowthBook-looking id (`prj_` and 14 letters and digits) that depends only on `parts`."""
    digest = int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)
    letters = ""
    for _ in range(14):
        digest, digit = divmod(digest, 36)
        letters += "0123456789abcdefghijklmnopqrstuvwxyz"[digit]
    return prefix + letters


# -- experimentation (issue 12): data sources and what is defined over them --------------------

DATA_SOURCES = "data_sources"
DIMENSIONS = "dimensions"
SEGMENTS = "segments"
FACT_TABLES = "fact_tables"
FACT_TABLE_FILTERS = "fact_table_filters"
FACT_METRICS = "fact_metrics"
METRICS = "metrics"

SINGULAR.update({
    DATA_SOURCES: "Data source", DIMENSIONS: "Dimension", SEGMENTS: "Segment", FACT_TABLES: "Fact table",
    FACT_TABLE_FILTERS: "Fact table filter", FACT_METRICS: "Fact metric", METRICS: "Metric",
})


def check_managed(doc: dict, role: str) -> None:
    """`managedBy` as GrowthBook honours it through the API: `config` (from config.yml) cannot be
    changed at all, `admin` only with an admin's key; `""` and `api` through any key that may write."""
    managed = doc.get("managedBy", "")
    if managed == "config":
        raise Forbidden(f"{doc['id']} is managed by config.yml: it cannot be changed through the API.")
    if managed == "admin" and role != ADMIN:
        raise Forbidden(f"{doc['id']} is managed by admins: only an admin may change it.")


METRIC_ANALYSES = "metric_analyses"
SINGULAR[METRIC_ANALYSES] = "Metric analysis"

EXPERIMENTS = "experiments"
SINGULAR[EXPERIMENTS] = "Experiment"
VISUAL_CHANGESETS = "visual_changesets"
SINGULAR[VISUAL_CHANGESETS] = "Visual changeset"
SNAPSHOTS = "snapshots"
SINGULAR[SNAPSHOTS] = "Snapshot"
QUERIES = "queries"
SINGULAR[QUERIES] = "Query"
