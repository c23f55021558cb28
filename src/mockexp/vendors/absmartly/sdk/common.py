"""What the SDK side's modules share: its tables, the header its keys travel in, and how the
SDKs hash a unit's id."""

from __future__ import annotations

import base64
import hashlib

# the vendor's own table
SDK_KEYS = "sdk_keys"
# an account's tables
ENVIRONMENTS = "environments"
EXPOSURES = "exposures"  # one per unit first exposed to an experiment
GOAL_ACHIEVEMENTS = "goal_achievements"

KEY_HEADER = "X-API-Key"
DEVELOPMENT = "development"  # the environment type that also serves experiments in development


def unit_hash(uid: str) -> str:
    """What the SDKs publish for a unit id when `hashed` is true: base64url of its MD5, unpadded."""
    return base64.urlsafe_b64encode(hashlib.md5(uid.encode("utf-8")).digest()).rstrip(b"=").decode("ascii")
