"""Objects of a project that PostHog lists, retrieves, replaces (PUT), changes (PATCH) and
destroys the same way (holdouts, saved metrics): one set of those operations, for each `Kind`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from mockexp.errors import missing
from mockexp.paging import Listing
from mockexp.vendors.posthog.models.common import Errors, refuse
from mockexp.vendors.posthog.models.world import World


def _as_given(field: str, value: Any, stored: Mapping[str, Any]) -> Any:
    return value


def _nothing_uses_it(model: Any, project_id: int | str, id: int) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    table: str
    required: tuple[str, ...]  # what a PUT must give, as a create must
    fields: tuple[str, ...]  # what a change may set
    not_null: tuple[str, ...]  # of those, what may not be set to null
    errors: Callable[[Mapping[str, Any]], Errors]  # what is wrong with a body, beyond missing or null fields
    represent: Callable[[Any, int | str, Mapping[str, Any], int | None], dict]  # (model, project id, stored object, caller) -> PostHog's answer
    value: Callable[[str, Any, Mapping[str, Any]], Any] = _as_given  # (field, value given, stored object) -> the value stored
    before_destroy: Callable[[Any, int | str, int], None] = _nothing_uses_it  # (model, project id, id): refuse, or let go of it


def newest_first(stored: Mapping[str, Any]) -> tuple:
    return (stored["created_at"], stored["id"])


class ProjectObjects(World):
    def list_objects(self, kind: Kind, project_id: int | str, caller: int | None = None) -> Listing:
        """Newest first."""
        rows = self.project(project_id).view(kind.table, order_by=newest_first, reverse=True)
        return Listing(rows, represent=lambda stored: kind.represent(self, project_id, stored, caller))

    def retrieve_object(self, kind: Kind, project_id: int | str, id: int, caller: int | None = None) -> dict:
        return kind.represent(self, project_id, self.stored(project_id, kind.table, id), caller)

    def update_object(self, kind: Kind, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        """PUT: the fields a create requires are required."""
        refuse(missing(body, kind.required))
        return self.partial_update_object(kind, project_id, id, body, caller)

    def partial_update_object(self, kind: Kind, project_id: int | str, id: int, body: Mapping[str, Any], caller: int | None = None) -> dict:
        with self.store.transaction():
            stored = self.stored(project_id, kind.table, id)
            refuse(kind.errors(body) + [((field,), "This field may not be null.") for field in kind.not_null if field in body and body[field] is None])
            for field in kind.fields:
                if field in body:
                    stored[field] = kind.value(field, body[field], stored)
            stored["updated_at"] = self.now()
            self.project(project_id).replace(kind.table, str(id), stored)
            return kind.represent(self, project_id, stored, caller)

    def destroy_object(self, kind: Kind, project_id: int | str, id: int) -> None:
        with self.store.transaction():
            self.stored(project_id, kind.table, id)
            kind.before_destroy(self, project_id, id)
            self.project(project_id).delete(kind.table, str(id))
