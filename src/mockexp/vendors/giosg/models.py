"""Giosg's rules: organizations, their users and API tokens, rooms, goals and experiments.

Plain Python over the store and the clock; no HTTP here. Request bodies arrive already
checked against the spec (types, formats, enums, unknown fields); these are the rules the
spec cannot state.
"""

from __future__ import annotations

import functools

from mockexp import ids
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from mockexp.clock import Clock
from mockexp.errors import NOT_NULL, REQUIRED, Forbidden, Invalid, NotFound, Unauthorized, missing
from mockexp.paging import Listing
from mockexp.store import Tables
from mockexp.vendor import Credential

# the vendor's own tables
ORGANIZATIONS = "organizations"
USERS = "users"
TOKENS = "tokens"
# an organization's tables
ROOMS = "rooms"
GOALS = "goals"
EXPERIMENTS = "experiments"

PUBLISH_REQUIRES = ("goal_id", "groups", "name", "room_ids", "starts_at")
FIXED_ONCE_STARTED = ("goal_id", "room_ids", "starts_at", "group_reset_interval")
GROUP_FIXED_ONCE_STARTED = ("group_type", "treatment")
SETTABLE = ("is_draft", "goal_id", "name", "room_ids", "starts_at", "ends_at", "group_reset_interval")

FIXED = "This field cannot be changed after the experiment has started."


def _uuid() -> str:
    return ids.uuid4()


def timestamp(moment: datetime) -> str:
    """Giosg's datetime form: UTC with milliseconds, e.g. 2019-05-08T13:02:35.123Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Giosg:
    def __init__(self, store: Tables, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def organization(self, organization_id: str) -> Tables:
        """The tables of one organization."""
        return self.store.tenant(organization_id)

    # -- the world around experiments (set up by fixtures) ---------------------------------

    def add_organization(self, id: str, name: str, subscription_active_until: datetime | None) -> dict:
        return self.store.insert(ORGANIZATIONS, id, {
            "id": id,
            "name": name,
            "subscription_active_until": timestamp(subscription_active_until) if subscription_active_until else None,
        })

    def add_user(self, id: str, organization_id: str, first_name: str, last_name: str, *, settings_permission: bool, is_bot: bool = False) -> dict:
        return self.store.insert(USERS, id, {
            "id": id,
            "first_name": first_name,
            "last_name": last_name,
            "full_name": f"{first_name} {last_name}",
            "organization_id": organization_id,
            "is_bot": is_bot,
            "settings_permission": settings_permission,
        })

    def add_token(self, token: str, user_id: str) -> dict:
        return self.store.insert(TOKENS, token, {"token": token, "user_id": user_id})

    def add_room(self, id: str, organization_id: str, name: str) -> dict:
        return self.organization(organization_id).insert(ROOMS, id, {"id": id, "name": name, "organization_id": organization_id})

    def add_goal(self, id: str, organization_id: str, name: str) -> dict:
        return self.organization(organization_id).insert(GOALS, id, {"id": id, "name": name, "organization_id": organization_id})

    # -- who may do what ---------------------------------------------------------------------

    def authenticate(self, token: str) -> dict:
        """The user an API token acts as."""
        record = self.store.peek(TOKENS, token)
        user = self.store.peek(USERS, record["user_id"]) if record else None
        if user is None:
            raise Unauthorized("Invalid token.")
        return user

    def authorize(self, user: Mapping[str, Any], organization_id: str, *, write: bool) -> None:
        if user["organization_id"] != organization_id:
            raise Forbidden("You do not have access to this organization.")
        organization = self.store.peek(ORGANIZATIONS, organization_id)
        until = organization and organization["subscription_active_until"]
        if not until or self.clock.passed(parse_time(until)):
            raise Forbidden("Your organization does not have an active subscription.")
        if write and not user["settings_permission"]:
            raise Forbidden("You do not have settings permission.")

    def credentials(self) -> list[Credential]:
        return [self._credential(record) for record in self.store.query(TOKENS, order_by=lambda t: t["token"])]

    def _credential(self, token: Mapping[str, Any]) -> Credential:
        user = self.store.get(USERS, token["user_id"])
        organization = self.store.get(ORGANIZATIONS, user["organization_id"])
        until = organization["subscription_active_until"]
        active = bool(until) and not self.clock.passed(parse_time(until))
        writes = active and user["settings_permission"]
        return Credential(
            vendor="giosg",
            header="Authorization",
            value=f"Token {token['token']}",
            user=user["full_name"],
            role="settings permission" if user["settings_permission"] else "no settings permission",
            permissions=(("read experiments",) + (("write experiments (settings permission)",) if writes else ())) if active else (),
            can_write=writes,
            tenant={"organization_id": organization["id"]},
            note=None if active else f"the organization ({organization['name']}) has no active subscription: every request is 403",
        )

    # -- experiments -------------------------------------------------------------------------

    def list_experiments(self, organization_id: str) -> Listing:
        """Every experiment of the organization, newest first (paged by cursor)."""
        rows = self.organization(organization_id).view(EXPERIMENTS, order_by=_newest_first, reverse=True)
        return Listing(rows, represent=functools.partial(self.represent, seen={}), key=_newest_first, descending=True)

    def retrieve_experiment(self, organization_id: str, experiment_id: str) -> dict:
        return self.represent(self._experiment(organization_id, experiment_id, peek=True))

    def create_experiment(self, organization_id: str, caller: str, body: Mapping[str, Any], *, at: datetime | None = None, new_id: Callable[[], str] = _uuid) -> dict:
        """`caller`: the id of the user creating it. `at` and `new_id` let the demo data
        choose creation times and stable ids."""
        now = timestamp(at or self.clock.now())
        errors: list[tuple[tuple, str]] = []
        if body.get("is_draft") is False:
            errors += missing(body, PUBLISH_REQUIRES)
        groups = body.get("groups")
        if groups is not None:
            errors += _group_errors(groups, require_type=True, fixed=None)
        experiment = {
            "id": new_id(),
            "organization_id": organization_id,
            "is_draft": body["is_draft"],
            "name": body.get("name"),
            "goal_id": body.get("goal_id"),
            "room_ids": list(body.get("room_ids") or []),
            "starts_at": _normal_time(body.get("starts_at")),
            "ends_at": _normal_time(body.get("ends_at")),
            "group_reset_interval": body.get("group_reset_interval") or "full",
            "groups": _groups(groups or [], [], now, new_id),
            "created_at": now,
            "created_by_user_id": caller,
            "updated_at": now,
            "updated_by_user_id": caller,
        }
        named = {path for path, _ in errors}
        errors += [error for error in self._consistency_errors(experiment) if error[0] not in named]
        if errors:
            raise Invalid(errors)
        self.organization(organization_id).insert(EXPERIMENTS, experiment["id"], experiment)
        return self.represent(experiment)

    def update_experiment(self, organization_id: str, experiment_id: str, caller: str, body: Mapping[str, Any]) -> dict:
        """PUT: the attributes sent replace the stored ones; those left out stay as they are."""
        with self.store.transaction():
            current = self._experiment(organization_id, experiment_id)
            if self.has_ended(current):
                raise Invalid(message="The experiment has ended and can no longer be updated.")
            errors = self._update_errors(current, body)
            if errors:
                raise Invalid(errors)
            updated = self._updated(current, body, caller)
            errors = self._consistency_errors(updated)
            if errors:
                raise Invalid(errors)
            self.organization(organization_id).replace(EXPERIMENTS, experiment_id, updated)
            return self.represent(updated)

    def _update_errors(self, current: Mapping[str, Any], body: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        started = self.has_started(current)
        errors: list[tuple[tuple, str]] = []
        if not current["is_draft"] and body["is_draft"]:
            errors.append((("is_draft",), "A published experiment cannot be changed back to a draft."))
        if body["is_draft"] is False:
            errors += missing(body, ("name",) if started else ("goal_id", "name", "room_ids", "starts_at"))
        if started:
            errors += [((field,), FIXED) for field in FIXED_ONCE_STARTED if field in body and _differs(field, body[field], current[field])]
        groups = body.get("groups")
        if "groups" in body and groups is None:
            errors.append((("groups",), NOT_NULL))
        elif groups is not None:
            errors += _group_errors(groups, require_type=False, fixed=current["groups"] if started else None)
        return errors

    def _updated(self, current: Mapping[str, Any], body: Mapping[str, Any], caller: str) -> dict:
        now = timestamp(self.clock.now())
        updated = dict(current)
        for field in SETTABLE:
            if field in body:
                updated[field] = body[field]
        updated["starts_at"] = _normal_time(updated["starts_at"])
        updated["ends_at"] = _normal_time(updated["ends_at"])
        updated["room_ids"] = list(updated["room_ids"] or [])
        updated["group_reset_interval"] = updated["group_reset_interval"] or "full"
        if body.get("groups") is not None:
            updated["groups"] = _groups(body["groups"], current["groups"], now, _uuid)
        updated["updated_at"] = now
        updated["updated_by_user_id"] = caller
        return updated

    def delete_experiment(self, organization_id: str, experiment_id: str) -> None:
        with self.store.transaction():
            self._experiment(organization_id, experiment_id)
            self.organization(organization_id).delete(EXPERIMENTS, experiment_id)

    # -- states --------------------------------------------------------------------------------

    def has_started(self, experiment: Mapping[str, Any]) -> bool:
        return not experiment["is_draft"] and bool(experiment["starts_at"]) and self.clock.passed(parse_time(experiment["starts_at"]))

    def has_ended(self, experiment: Mapping[str, Any]) -> bool:
        return not experiment["is_draft"] and bool(experiment["ends_at"]) and self.clock.passed(parse_time(experiment["ends_at"]))

    # -- helpers -------------------------------------------------------------------------------

    def _experiment(self, organization_id: str, experiment_id: str, *, peek: bool = False) -> dict:
        """`peek`: the stored document itself, to read only (as a list page shows them)."""
        tables = self.organization(organization_id)
        experiment = tables.peek(EXPERIMENTS, experiment_id) if peek else tables.get(EXPERIMENTS, experiment_id)
        if experiment is None:
            raise NotFound()
        return experiment

    def _consistency_errors(self, experiment: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        """What is wrong with an experiment as it would be stored."""
        errors: list[tuple[tuple, str]] = []
        organization_id = experiment["organization_id"]
        goal_id = experiment["goal_id"]
        if goal_id and not self._owned(GOALS, goal_id, organization_id):
            errors.append((("goal_id",), f'Invalid pk "{goal_id}" - object does not exist.'))
        for room_id in experiment["room_ids"]:
            if not self._owned(ROOMS, room_id, organization_id):
                errors.append((("room_ids",), f'Invalid pk "{room_id}" - object does not exist.'))
        if experiment["starts_at"] and experiment["ends_at"] and parse_time(experiment["ends_at"]) <= parse_time(experiment["starts_at"]):
            errors.append((("ends_at",), "ends_at must be after starts_at."))
        if not experiment["is_draft"]:
            if not experiment["groups"]:
                errors.append((("groups",), "A published experiment needs at least one group."))
            elif _whole(experiment["groups"]) and sum(group["percentage"] for group in experiment["groups"]) != 100:
                errors.append((("groups",), "Percentages of groups must add up to 100."))
        return errors

    def _owned(self, table: str, key: str, organization_id: str) -> bool:
        return self.organization(organization_id).get(table, key) is not None

    def represent(self, experiment: Mapping[str, Any], seen: dict | None = None) -> dict:
        """The experiment as Giosg shows it, with its related objects embedded. `seen`: the
        users, organization, goals and rooms already shown on the same page (a page works
        each out once)."""
        seen = {} if seen is None else seen
        organization_id = experiment["organization_id"]
        organization = self._organization(organization_id, seen)
        return {
            "id": experiment["id"],
            "is_draft": experiment["is_draft"],
            "created_at": experiment["created_at"],
            "created_by_user": self._user(experiment["created_by_user_id"], seen),
            "created_by_user_id": experiment["created_by_user_id"],
            "updated_at": experiment["updated_at"],
            "updated_by_user": self._user(experiment["updated_by_user_id"], seen),
            "updated_by_user_id": experiment["updated_by_user_id"],
            "organization_id": organization["id"],
            "organization": organization,
            "goal_id": experiment["goal_id"],
            "goal": self._goal(organization_id, experiment["goal_id"], seen) if experiment["goal_id"] else None,
            "groups": experiment["groups"],
            "name": experiment["name"],
            "starts_at": experiment["starts_at"],
            "ends_at": experiment["ends_at"],
            "group_reset_interval": experiment["group_reset_interval"],
            "rooms": self._rooms(organization_id, experiment["room_ids"], seen),
            "room_ids": experiment["room_ids"],
        }

    def _organization(self, organization_id: str, seen: dict) -> dict:
        if ("organization", organization_id) not in seen:
            organization = self.store.peek(ORGANIZATIONS, organization_id)
            seen["organization", organization_id] = {"id": organization["id"], "name": organization["name"]}
        return seen["organization", organization_id]

    def _goal(self, organization_id: str, goal_id: str, seen: dict) -> dict | None:
        if ("goal", goal_id) not in seen:
            goal = self.organization(organization_id).peek(GOALS, goal_id)
            seen["goal", goal_id] = None if goal is None else {**goal, "organization": self._organization(organization_id, seen)}
        return seen["goal", goal_id]

    def _rooms(self, organization_id: str, room_ids: list[str], seen: dict) -> list[dict]:
        key = ("rooms", *room_ids)
        if key not in seen:
            tables = self.organization(organization_id)
            seen[key] = [room for room in (tables.peek(ROOMS, room_id) for room_id in room_ids) if room is not None]
        return seen[key]

    def _user(self, user_id: str, seen: dict) -> dict:
        if ("user", user_id) in seen:
            return seen["user", user_id]
        user = self.store.peek(USERS, user_id)
        seen["user", user_id] = {key: user[key] for key in ("id", "first_name", "last_name", "full_name", "organization_id", "is_bot")}
        return seen["user", user_id]


def _group_errors(groups: list[Mapping[str, Any]], *, require_type: bool, fixed: list[Mapping[str, Any]] | None) -> list[tuple[tuple, str]]:
    """Each group needs a name and a percentage (and a type when created); once the experiment
    has started (`fixed` = its groups) the groups' types and treatments stay as they are."""
    errors: list[tuple[tuple, str]] = []
    needed = ("name", "percentage", "group_type") if require_type else ("name", "percentage")
    for index, group in enumerate(groups):
        for field in needed:
            if field not in group:
                errors.append((("groups", index, field), REQUIRED))
            elif group[field] is None and field != "group_type":
                errors.append((("groups", index, field), NOT_NULL))
    if fixed is not None:
        if len(groups) != len(fixed):
            errors.append((("groups",), "Groups cannot be added or removed after the experiment has started."))
        else:
            for index, (group, before) in enumerate(zip(groups, fixed)):
                for field in GROUP_FIXED_ONCE_STARTED:
                    if field in group and group[field] != before[field]:
                        errors.append((("groups", index, field), FIXED))
    return errors


def _groups(groups: list[Mapping[str, Any]], before: list[Mapping[str, Any]], now: str, new_id: Callable[[], str]) -> list[dict]:
    """Stored groups: a group keeps the id and creation time of the group it replaces at the
    same position; unchanged groups keep their update time too."""
    out = []
    for order, group in enumerate(groups):
        previous = before[order] if order < len(before) else None
        stored = {
            "id": previous["id"] if previous else new_id(),
            "created_at": previous["created_at"] if previous else now,
            "updated_at": now,
            "order": order,
            "name": group.get("name"),
            "percentage": group.get("percentage"),
            "group_type": group.get("group_type", previous["group_type"] if previous else None),
            "treatment": group.get("treatment", previous["treatment"] if previous else {}),
        }
        if previous and all(stored[k] == previous[k] for k in ("name", "percentage", "group_type", "treatment")):
            stored["updated_at"] = previous["updated_at"]
        out.append(stored)
    return out


def _newest_first(experiment: Mapping[str, Any]) -> tuple:
    return (experiment["created_at"], experiment["id"])


def _whole(groups: list[Mapping[str, Any]]) -> bool:
    """Whether every group has a percentage (if not, that is reported on its own)."""
    return all(isinstance(group.get("percentage"), int) for group in groups)


def _normal_time(value: str | None) -> str | None:
    return timestamp(parse_time(value)) if value else None


def _differs(field: str, new: Any, old: Any) -> bool:
    if field == "starts_at":
        return (parse_time(new) if new else None) != (parse_time(old) if old else None)
    if field == "room_ids":
        return sorted(new or []) != sorted(old or [])
    if field == "group_reset_interval":
        return (new or "full") != old
    return new != old
