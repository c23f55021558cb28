"""An experiment's activity: the note every action records (with the text sent with it),
and comments users add."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.vendors.absmartly.models.catalogue import Catalogue
from mockexp.vendors.absmartly.models.common import EXPERIMENTS, NOTES, USERS


class Activity(Catalogue):
    def add_note(self, account: str, experiment_id: int, action: str, user_id: int, *, text: str | None = None, at: datetime | None = None,
                 **details: Any) -> dict:
        """Record `action` in the experiment's activity (`details`: reason, variant, new_experiment_id, reply_to_note_id)."""
        id = self.next_id(account, NOTES)
        note = {
            "id": id, "experiment_id": experiment_id, "action": action, "note": text, "reason": details.get("reason"),
            "reply_to_note_id": details.get("reply_to_note_id"), "variant": details.get("variant"),
            "new_experiment_id": details.get("new_experiment_id"), "created_at": self.now(at), "created_by_user_id": user_id,
            "updated_at": None, "updated_by_user_id": None,
        }
        return self.account(account).insert(NOTES, str(id), note)

    def list_experiment_activity(self, id: int, caller: str) -> dict:
        account = self.caller(caller).account
        self.stored(account, EXPERIMENTS, id)
        notes = self.account(account).view(NOTES, {"experiment_id": id}, order_by=lambda note: note["id"])
        return {"experiment_notes": [self.represent_note(account, note) for note in notes]}

    def create_experiment_note(self, id: int, body: Mapping[str, Any], caller: str) -> dict:
        who = self.caller(caller)
        self.stored(who.account, EXPERIMENTS, id)
        reply_to = body.get("reply_to_note_id")
        if reply_to is not None:
            replied = self.account(who.account).get(NOTES, str(reply_to))
            if replied is None or replied["experiment_id"] != id:
                raise Invalid.field("reply_to_note_id", f"Experiment {id} has no note {reply_to}.")
        if not body["note"].strip():
            raise Invalid.field("note", "A comment needs some text.")
        note = self.add_note(who.account, id, "comment", who.user_id, text=body["note"], reply_to_note_id=reply_to)
        return {"ok": True, "errors": [], "experiment_note": self.represent_note(who.account, note)}

    def represent_note(self, account: str, note: Mapping[str, Any]) -> dict:
        return {**note, "created_by": self.represent_catalogue(account, USERS, self.stored(account, USERS, note["created_by_user_id"]))}
