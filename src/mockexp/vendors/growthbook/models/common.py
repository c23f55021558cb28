"""What every part of GrowthBook's model shares: table names, roles, GrowthBook's time
format, and how ids are made."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

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


def made_id(prefix: str, *parts: object) -> str:
    """A GrowthBook-looking id (`prj_` and 14 letters and digits) that depends only on `parts`."""
    digest = int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)
    letters = ""
    for _ in range(14):
        digest, digit = divmod(digest, 36)
        letters += "0123456789abcdefghijklmnopqrstuvwxyz"[digit]
    return prefix + letters
