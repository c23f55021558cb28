"""What the SDKs evaluate locally: every flag of a project that is not deleted, as PostHog's
local-evaluation endpoints serve it (its `filters` with the condition groups, the variants of
a multivariate flag, a group flag's group type index and, for an experiment with a holdout,
`holdout: {id, exclusion_percentage}`), with the project's group type mapping and cohorts.
Read from the stored flags, experiments and holdouts: one state with the management API."""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Mapping

import orjson

from mockexp.vendors.posthog.models.common import EXPERIMENTS, FLAGS, HOLDOUTS, PROJECTS
from mockexp.vendors.posthog.sdk.tokens import ProjectTokens

SHOWN = ("id", "team_id", "name", "key", "deleted", "active", "ensure_experience_continuity")


def exclusion_of(holdout: Mapping[str, Any]) -> dict:
    """The holdout as a flag's filters carry it: the share its (first) group holds back."""
    groups = holdout.get("filters") or [{}]
    return {"id": holdout["id"], "exclusion_percentage": groups[0].get("rollout_percentage") or 0}


def etag_of(definitions: Mapping[str, Any]) -> str:
    return '"' + hashlib.sha1(orjson.dumps(definitions, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32] + '"'


class Definitions(ProjectTokens):
    def flag_definitions(self, project_id: int | str) -> dict:
        """`{flags, group_type_mapping, cohorts}` of a project (the mock keeps no cohorts: `{}`).
        Not to be changed: the same answer is handed out until a table it is read from changes."""
        return self.versioned_definitions(project_id)[0]

    def versioned_definitions(self, project_id: int | str) -> tuple[dict, str]:
        """The definitions and their ETag. Worked out again only when one of the tables they are
        read from has changed: the store hands out the same rows of a table until it is written
        to (and, held here, rows once handed out are never reused for another state)."""
        tables = self.project(project_id)
        sources = (tables.view(FLAGS), tables.view(EXPERIMENTS), tables.view(HOLDOUTS), self.store.view(PROJECTS))
        cache = self._definitions_kept
        kept = cache.get(str(project_id))
        if kept is None or any(now is not then for now, then in zip(sources, kept[0])):
            definitions = self._definitions_from(project_id, *sources[:3])
            kept = cache[str(project_id)] = (sources, definitions, etag_of(definitions))
        return kept[1], kept[2]

    @functools.cached_property
    def _definitions_kept(self) -> dict[str, tuple]:
        """Project id -> (the rows read, the definitions, their ETag)."""
        return {}

    def _definitions_from(self, project_id: int | str, flags: list, experiments: list, holdouts: list) -> dict:
        by_id = {holdout["id"]: holdout for holdout in holdouts}
        held = {e["feature_flag_key"]: by_id[e["holdout_id"]] for e in experiments if e["holdout_id"] in by_id}
        shown = [self._definition(flag, held.get(flag["key"])) for flag in sorted(flags, key=lambda f: f["id"]) if not flag["deleted"]]
        group_types = self.project_of(project_id).get("group_types") or []
        return {"flags": shown, "group_type_mapping": {str(index): name for index, name in enumerate(group_types)}, "cohorts": {}}

    def _definition(self, flag: Mapping[str, Any], holdout: Mapping[str, Any] | None) -> dict:
        shown = {field: flag[field] for field in SHOWN}
        filters = {"groups": [dict(group) for group in flag["filters"].get("groups") or []], "multivariate": flag["filters"].get("multivariate"),
                   "aggregation_group_type_index": flag["filters"].get("aggregation_group_type_index"), "payloads": {}}
        if holdout is not None:
            filters["holdout"] = exclusion_of(holdout)
        shown.update(filters=filters, version=flag.get("version", 1), has_encrypted_payloads=False)
        return shown
