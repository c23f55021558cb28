"""The catalogue experiments refer to, read-only: applications, unit types, users, teams,
experiment tags, goals and metrics, each listed (by id, searched by name) and read by id."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mockexp.paging import Listing
from mockexp.vendors.absmartly.models.access import Access
from mockexp.vendors.absmartly.models.common import APPLICATIONS, DEFAULT_AVATAR, EXPERIMENT_TAGS, GOALS, METRICS, TEAMS, UNIT_TYPES, USERS

# table -> (the key one object is sent under, the fields `search` looks in)
KINDS = {
    APPLICATIONS: ("application", ("name",)),
    UNIT_TYPES: ("unit_type", ("name",)),
    USERS: ("user", ("first_name", "last_name", "email")),
    TEAMS: ("team", ("name",)),
    EXPERIMENT_TAGS: ("experiment_tag", ("tag",)),
    GOALS: ("goal", ("name",)),
    METRICS: ("metric", ("name",)),
}


def _lister(table: str) -> Callable:
    def lister(self: "Catalogue", caller: str, search: str | None = None) -> Listing:
        return self.list_catalogue(caller, table, search)

    lister.__name__ = f"list_{table}"
    lister.__doc__ = f"One page of the account's {table.replace('_', ' ')}, by id."
    return lister


def _getter(table: str) -> Callable:
    def getter(self: "Catalogue", id: int, caller: str) -> dict:
        return self.get_catalogue(caller, table, id)

    getter.__name__ = f"get_{KINDS[table][0]}"
    getter.__doc__ = f"One {KINDS[table][0].replace('_', ' ')} of the account, or 404."
    return getter


class Catalogue(Access):
    def list_catalogue(self, caller: str, table: str, search: str | None) -> Listing:
        account = self.caller(caller).account
        words = KINDS[table][1]
        needle = (search or "").casefold()

        def matches(doc: Mapping[str, Any]) -> bool:
            return not needle or any(needle in str(doc.get(word) or "").casefold() for word in words)

        found = self.account(account).view(table, test=matches, order_by=lambda doc: doc["id"])
        return Listing(found, represent=lambda doc: self.represent_catalogue(account, table, doc))

    def get_catalogue(self, caller: str, table: str, id: int) -> dict:
        account = self.caller(caller).account
        return {KINDS[table][0]: self.represent_catalogue(account, table, self.stored(account, table, id))}

    def represent_catalogue(self, account: str, table: str, doc: Mapping[str, Any]) -> dict:
        shown = dict(doc)
        if table == METRICS:
            shown["goal"] = dict(self.peeked(account, GOALS, doc["goal_id"]))
        if table == USERS:
            shown["avatar_file_upload_url"] = doc.get("avatar_file_upload_url") or DEFAULT_AVATAR
        return shown

    list_applications = _lister(APPLICATIONS)
    get_application = _getter(APPLICATIONS)
    list_unit_types = _lister(UNIT_TYPES)
    get_unit_type = _getter(UNIT_TYPES)
    list_users = _lister(USERS)
    get_user = _getter(USERS)
    list_teams = _lister(TEAMS)
    get_team = _getter(TEAMS)
    list_experiment_tags = _lister(EXPERIMENT_TAGS)
    get_experiment_tag = _getter(EXPERIMENT_TAGS)
    list_goals = _lister(GOALS)
    get_goal = _getter(GOALS)
    list_metrics = _lister(METRICS)
    get_metric = _getter(METRICS)
