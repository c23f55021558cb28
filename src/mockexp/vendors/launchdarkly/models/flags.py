"""Feature flags, read-only: the flags a project's experiments run on, in LaunchDarkly's
shape (variations with their `_id`s, each environment's configuration with its `on`,
`version` and targeting rules), and what stops an iteration on a flag from starting."""

from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

from mockexp.errors import Invalid, NotFound
from mockexp.paging import Listing
from mockexp.vendors.launchdarkly.models.common import API, ENVIRONMENTS, FLAGS, link, split
from mockexp.vendors.launchdarkly.models.rollouts import Rollouts

FLAG_FILTERS = ("archived",)
TARGETING = ("targets", "contextTargets", "rules", "fallthrough", "offVariation", "prerequisites")  # stored as LaunchDarkly's SDKs read them


class Flags(Rollouts):
    def get_feature_flags(self, project_key: str, env: str | None = None, summary: str | None = None, filter: str | None = None) -> Listing:
        """The project's flags, newest first; archived ones only with `filter=archived:true`.
        Each environment's rules are left out unless `summary=0` (or `false`), as LaunchDarkly does."""
        self.project_of(project_key)
        environments = self._environments(project_key, env)
        wanted = _archived_test(filter)
        docs = self.project(project_key).view(FLAGS, test=wanted, order_by=lambda f: (f["creationDate"], f["key"]), reverse=True)
        full = summary in ("0", "false")
        return Listing(docs, represent=lambda flag: self.represent_flag(flag, environments, rules=full))

    def get_feature_flag(self, project_key: str, feature_flag_key: str, env: str | None = None) -> dict:
        """One flag with every environment's configuration (or those `env` names), rules included."""
        self.project_of(project_key)
        environments = self._environments(project_key, env)
        flag = self.flag(project_key, feature_flag_key)
        if flag is None:
            raise NotFound(f'Unknown flag "{feature_flag_key}" in project {project_key}')
        return self.represent_flag(flag, environments, rules=True)

    def flag_refusal(self, project_key: str, environment_key: str, flag_key: str) -> str | None:
        """Why an iteration on this flag cannot start in the environment, or None: the flag
        must be toggled on there and not archived."""
        flag = self.flag(project_key, flag_key)
        if flag is None:
            return f'its flag "{flag_key}" no longer exists'
        if flag["archivedDate"] is not None:
            return f'its flag "{flag_key}" is archived'
        config = flag["environments"].get(environment_key)
        if config is None or not config["on"]:
            return f'its flag "{flag_key}" is off in environment {environment_key}; turn it on first'
        return None

    # -- representation ----------------------------------------------------------------------

    def represent_flag(self, flag: Mapping[str, Any], environments: list[dict], *, rules: bool) -> dict:
        project_key, key = flag["projectKey"], flag["key"]
        variations = flag["variations"]
        rep: dict[str, Any] = {
            "name": flag["name"],
            "kind": "boolean" if [v["value"] for v in variations] in ([True, False], [False, True]) else "multivariate",
            "description": flag["description"],
            "key": key,
            "_version": self.flag_version(flag),
            "creationDate": flag["creationDate"],
            "includeInSnippet": False,
            "clientSideAvailability": {"usingMobileKey": False, "usingEnvironmentId": False},
            "variations": [copy.deepcopy(v) for v in variations],
            "temporary": flag["temporary"],
            "tags": list(flag["tags"]),
            "_links": {"parent": link(f"{API}/flags/{project_key}"), "self": link(f"{API}/flags/{project_key}/{key}")},
            "experiments": {"baselineIdx": 0, "items": []},  # LaunchDarkly's legacy, flag-attached experiments: none here
            "customProperties": {},
            "archived": flag["archivedDate"] is not None,
            "deprecated": False,
            "defaults": {"onVariation": 0, "offVariation": 0},
        }
        if flag["maintainerId"] is not None:
            rep["maintainerId"] = flag["maintainerId"]
        if flag["archivedDate"] is not None:
            rep["archivedDate"] = flag["archivedDate"]
        rep["environments"] = {
            env["key"]: _config(flag, self.configuration(flag, env["key"]), env, rules=rules) for env in environments if env["key"] in flag["environments"]
        }
        return rep

    def _environments(self, project_key: str, env: str | None) -> list[dict]:
        """The project's environments, or those `env` names (comma-separated): 400 for one it does not have."""
        every = self.project(project_key).query(ENVIRONMENTS, order_by=lambda e: e["position"])
        names = split(env)
        if not names:
            return every
        known = {e["key"]: e for e in every}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise Invalid.field("env", f'"{unknown[0]}" is not an environment of project {project_key}; use {", ".join(known)}.')
        return [known[name] for name in names]


def _config(flag: Mapping[str, Any], config: Mapping[str, Any], environment: Mapping[str, Any], *, rules: bool) -> dict:
    rep: dict[str, Any] = {
        "on": config["on"],
        "archived": flag["archivedDate"] is not None,
        "salt": config["salt"],
        "sel": config["salt"][::-1],
        "lastModified": config["lastModified"],
        "version": config["version"],
    }
    if rules:
        rep.update({field: copy.deepcopy(config[field]) for field in TARGETING})
    rep.update({
        "_site": {"href": f"/{flag['projectKey']}/{environment['key']}/features/{flag['key']}", "type": "text/html"},
        "_environmentName": environment["name"],
        "trackEvents": False,
        "trackEventsFallthrough": False,
    })
    return rep


def _archived_test(filter: str | None) -> Callable[[Mapping[str, Any]], bool]:
    """`filter=archived:true|false` (unarchived flags only when not given)."""
    archived = False
    for part in split(filter):
        field, _, value = part.partition(":")
        if field not in FLAG_FILTERS or value not in ("true", "false"):
            raise Invalid.field("filter", f'"{part}" is not a filter this mock knows; use archived:true or archived:false.')
        archived = value == "true"
    return lambda flag: (flag["archivedDate"] is not None) == archived

