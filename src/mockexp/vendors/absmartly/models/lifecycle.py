"""An experiment's lifecycle: created / ready -> development -> running -> stopped or
full_on -> archived (and back to the state it had), a restart as a new iteration, each
action only from the states it applies to, each recorded in the activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.vendors.absmartly.models.common import EXPERIMENTS
from mockexp.vendors.absmartly.models.experiments import Experiments, seed_of

# action -> the states it applies to
FROM = {
    "development": ("created", "ready"),
    "start": ("ready", "development"),
    "stop": ("running", "full_on"),
    "full_on": ("running", "stopped"),
    "restart": ("stopped", "full_on"),
    "archive": ("created", "ready", "stopped", "full_on"),
    "unarchive": ("archived",),
}


class Lifecycle(Experiments):
    def development_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        return self._act(id, caller, "development", body, {"state": "development", "development_at": self.now(at)}, at=at)

    def start_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        return self._act(id, caller, "start", body, {"state": "running", "start_at": self.now(at)}, at=at)

    def stop_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        return self._act(id, caller, "stop", body, {"state": "stopped", "stop_at": self.now(at)}, at=at, reason=body.get("reason"))

    def full_on_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        variant = body["full_on_variant"]
        count = len(self.stored(self.caller(caller).account, EXPERIMENTS, id)["variants"])
        if variant >= count:
            raise Invalid.field("full_on_variant", f"Experiment {id} has variants 0 to {count - 1}: there is no variant {variant}.")
        changes = {"state": "full_on", "full_on_at": self.now(at), "full_on_variant": variant}
        return self._act(id, caller, "full_on", body, changes, at=at, variant=variant)

    def archive_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        who = self.caller(caller)
        experiment = self.stored(who.account, EXPERIMENTS, id)
        if body["archive"]:
            return self._act(id, caller, "archive", body, {"state": "archived", "archived": True, "before_archive": experiment["state"]}, at=at)
        back = {"state": experiment["before_archive"] or "created", "archived": False, "before_archive": None}
        if experiment["archived"]:
            self.check_name_free(who.account, {**experiment, **back}, exclude=id)
        return self._act(id, caller, "unarchive", body, back, at=at)

    def restart_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        """A new iteration: a new experiment with the same set-up and the next iteration number,
        running (or in development); a full-on one is stopped."""
        who = self.caller(caller)
        old = self._in_state(who.account, id, "restart")
        tables = self.account(who.account)
        moment = self.now(at)
        state = body.get("state", "running")
        with tables.transaction():
            new_id = self.next_id(who.account, EXPERIMENTS)
            new = {
                **old, "id": new_id, "iteration": old["iteration"] + 1, "state": state, "created_at": moment, "created_by_user_id": who.user_id,
                "updated_at": moment, "updated_by_user_id": who.user_id, "development_at": moment if state == "development" else None,
                "start_at": moment if state == "running" else None, "stop_at": None, "full_on_at": None, "full_on_variant": None,
                "traffic_seed": seed_of(who.account, new_id, "traffic") if body.get("reshuffle") else old["traffic_seed"],
                "alerts": [], "sample_size": None, "previews": [], "preview_variants": [],
            }
            tables.insert(EXPERIMENTS, str(new_id), new)
            tables.replace(EXPERIMENTS, str(id), {**old, "state": "stopped", "stop_at": old["stop_at"] or moment, "updated_at": moment, "updated_by_user_id": who.user_id})
            self.add_note(who.account, id, "restart", who.user_id, text=body.get("note"), at=at, reason=body.get("reason"), new_experiment_id=new_id)
            self.add_note(who.account, new_id, "start" if state == "running" else "development", who.user_id, text=body.get("note"), at=at)
        return self.changed(who.account, new)

    def _act(self, id: int, caller: str, action: str, body: Mapping[str, Any], changes: Mapping[str, Any], *, at: datetime | None, **details: Any) -> dict:
        who = self.caller(caller)
        experiment = {**self._in_state(who.account, id, action), **changes, "updated_at": self.now(at), "updated_by_user_id": who.user_id}
        if action in ("development", "start"):
            self.check_setup(who.account, experiment, exclude=id)
        with self.account(who.account).transaction():
            self.account(who.account).replace(EXPERIMENTS, str(id), experiment)
            self.add_note(who.account, id, action, who.user_id, text=body.get("note"), at=at, **details)
        return self.changed(who.account, experiment)

    def _in_state(self, account: str, id: int, action: str) -> dict:
        experiment = self.stored(account, EXPERIMENTS, id)
        if experiment["state"] not in FROM[action]:
            allowed = " or ".join(FROM[action])
            raise Invalid(message=f"Cannot {action.replace('_', ' ')} experiment {id}: it is {experiment['state']}, and only an experiment that is {allowed} can be.")
        return experiment
