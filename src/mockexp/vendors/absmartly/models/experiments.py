"""Experiments: create, read and change their set-up. (Their lifecycle is `lifecycle.py`,
their notes `activity.py`, their list `listing.py`.)"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Mapping

from mockexp.errors import Invalid
from mockexp.vendors.absmartly.models.activity import Activity
from mockexp.vendors.absmartly.models.common import BLANK_TEXTS, DRAFTS, EVERYONE, EXPERIMENTS, refuse
from mockexp.vendors.absmartly.models.representation import Representation
from mockexp.vendors.absmartly.models.rules import Rules, even_split, frozen_changes

TEXTS = ("display_name", "description", "hypothesis", "prediction", "action_points", "implementation_details", "other")
DEFAULTS: dict[str, Any] = {
    "type": "test", "state": "created", "audience": EVERYONE, "audience_strict": False, "percentage_of_traffic": 100,
    "minimum_detectable_effect": None, "primary_metric": None, "secondary_metrics": [], "owners": [], "teams": [],
    "experiment_tags": [], "applications": [], **{text: None for text in TEXTS}, **{text: "" for text in BLANK_TEXTS},
}


def seed_of(*parts: Any) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:16]


def stored_fields(data: Mapping[str, Any]) -> dict:
    """The request's fields (create shape) as the experiment stores them; only those sent."""
    fields: dict[str, Any] = {}
    for name in ("name", "type", "state", "audience", "audience_strict", "percentage_of_traffic", "percentages", "minimum_detectable_effect", *TEXTS):
        if name in data:
            fields[name] = "" if name in BLANK_TEXTS and data[name] is None else data[name]
    if "unit_type" in data:
        fields["unit_type_id"] = data["unit_type"]["unit_type_id"]
    if "primary_metric" in data:
        fields["primary_metric_id"] = (data["primary_metric"] or {}).get("metric_id")
    if "secondary_metrics" in data:
        fields["secondary_metrics"] = [{"metric_id": m["metric_id"], "type": m.get("type", "secondary"), "order_index": m.get("order_index", index)}
                                       for index, m in enumerate(data["secondary_metrics"])]
    if "applications" in data:
        fields["applications"] = [{"application_id": a["application_id"], "application_version": int(a.get("application_version", 0))} for a in data["applications"]]
    if "variants" in data:
        fields["variants"] = [{"variant": v.get("variant", index), "name": v["name"], "config": v.get("config", "{}")} for index, v in enumerate(data["variants"])]
    for field, key in (("owners", "user_id"), ("teams", "team_id"), ("experiment_tags", "experiment_tag_id")):
        if field in data:
            fields[field] = list(dict.fromkeys(item[key] for item in data[field]))
    return fields


class Experiments(Rules, Activity, Representation):
    def create_experiment(self, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        who = self.caller(caller)
        experiment = {**stored_fields({**DEFAULTS, **body})}
        experiment.setdefault("percentages", even_split(len(experiment["variants"])))
        self.check_setup(who.account, experiment)
        with self.account(who.account).transaction():
            id = self.next_id(who.account, EXPERIMENTS)
            moment = self.now(at)
            experiment.update(
                id=id, chain=id, iteration=1, archived=False, before_archive=None, development_at=None, start_at=None, stop_at=None,
                full_on_at=None, full_on_variant=None, last_seen_in_code_at=None, seed=seed_of(who.account, id, "seed"),
                traffic_seed=seed_of(who.account, id, "traffic"), created_at=moment, created_by_user_id=who.user_id, updated_at=moment,
                updated_by_user_id=who.user_id, alerts=[], sample_size=None, previews=[], preview_variants=[],
            )
            self.account(who.account).insert(EXPERIMENTS, str(id), experiment)
            self.add_note(who.account, id, "create", who.user_id, at=at)
        return self.changed(who.account, experiment)

    def get_experiment(self, id: int, caller: str) -> dict:
        account = self.caller(caller).account
        return {"experiment": self.represent_experiment(account, self.stored(account, EXPERIMENTS, id))}

    def update_experiment(self, id: int, body: Mapping[str, Any], caller: str, *, at: datetime | None = None) -> dict:
        who = self.caller(caller)
        before = self.stored(who.account, EXPERIMENTS, id)
        if body.get("id", id) != id:
            raise Invalid.field("id", f"The body is for experiment {body['id']}, the path for {id}.")
        if before["archived"]:
            raise Invalid(message=f"Experiment {id} is archived: unarchive it to edit it.")
        changes = stored_fields(body["data"])
        if "state" in changes and changes["state"] != before["state"] and before["state"] not in DRAFTS:
            raise Invalid.field(("data", "state"), f"Experiment {id} is {before['state']}: its state changes through its actions (start, stop, ...), not an edit.")
        after = {**before, **changes}
        if "variants" in changes and "percentages" not in changes and len(after["variants"]) != len(before["variants"]):
            after["percentages"] = even_split(len(after["variants"]))
        refuse(frozen_changes(before, after))
        self.check_setup(who.account, after, exclude=id)
        after.update(updated_at=self.now(at), updated_by_user_id=who.user_id)
        with self.account(who.account).transaction():
            self.account(who.account).replace(EXPERIMENTS, str(id), after)
            self.add_note(who.account, id, "edit", who.user_id, text=body.get("note"), at=at)
        return self.changed(who.account, after)

    def changed(self, account: str, experiment: Mapping[str, Any]) -> dict:
        """ABsmartly's answer to a change: `{ok, errors, experiment}`."""
        return {"ok": True, "errors": [], "experiment": self.represent_experiment(account, experiment)}
