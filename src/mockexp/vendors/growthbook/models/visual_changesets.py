"""Visual changesets: what GrowthBook's visual editor changes on the pages an experiment runs on
(`urlPatterns`), one visual change (CSS, JS, DOM mutations) per variation of the experiment. The
API reads and changes them, and adds or changes visual changes (answering `nModified`); they are
made in the editor (the demo world uses `add_visual_changeset`). A visual change carries its id
(`vch_`), which GrowthBook's update of one addresses."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.errors import Invalid, NotFound
from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import EXPERIMENTS, VISUAL_CHANGESETS
from mockexp.vendors.growthbook.models.experiments import linked_features, shown
from mockexp.vendors.growthbook.models.world import World, changed

CHANGE_FIELDS = ("description", "css", "js", "variation", "domMutations")


class VisualChangesets(World):
    def list_visual_changesets(self, id: str, caller: str) -> dict:
        """The changesets of experiment `id` (not paged)."""
        org = self.org(caller)
        self.stored(org, EXPERIMENTS, id)
        return {"visualChangesets": org.query(VISUAL_CHANGESETS, {"experiment": id}, order_by=lambda c: c["id"])}

    def get_visual_changeset(self, id: str, caller: str, include_experiment: int | None = None) -> dict:
        org = self.org(caller)
        changeset = self.stored(org, VISUAL_CHANGESETS, id)
        if include_experiment:
            return {"visualChangeset": changeset, "experiment": shown(self.stored(org, EXPERIMENTS, changeset["experiment"]), linked_features(org))}
        return {"visualChangeset": changeset}

    def put_visual_changeset(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        changeset = changed(self.stored(org, VISUAL_CHANGESETS, id), body, ("editorUrl", "urlPatterns"))
        return {"nModified": 1, "visualChangeset": org.replace(VISUAL_CHANGESETS, id, changeset)}

    def post_visual_change(self, id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        changeset = self.stored(org, VISUAL_CHANGESETS, id)
        change = self._change(org, changeset, {"id": self.new_id(org, "vch_"), "description": "", "css": "", "js": "", "domMutations": []}, body)
        org.replace(VISUAL_CHANGESETS, id, {**changeset, "visualChanges": changeset["visualChanges"] + [change]})
        return {"nModified": 1}

    def put_visual_change(self, id: str, visual_change_id: str, body: dict, caller: str) -> dict:
        org = self.org(caller)
        changeset = self.stored(org, VISUAL_CHANGESETS, id)
        if visual_change_id not in [c["id"] for c in changeset["visualChanges"]]:
            raise NotFound(f"Could not find visual change with id {visual_change_id}")
        changes = [self._change(org, changeset, c, body) if c["id"] == visual_change_id else c for c in changeset["visualChanges"]]
        org.replace(VISUAL_CHANGESETS, id, {**changeset, "visualChanges": changes})
        return {"nModified": 1}

    def add_visual_changeset(self, org: Tables, experiment_id: str, plan: Mapping[str, Any]) -> dict:
        """A changeset as the visual editor would make it (not an API operation): one empty visual change per variation."""
        experiment = self.stored(org, EXPERIMENTS, experiment_id)
        changes = [{"id": self.new_id(org, "vch_"), "description": "", "css": plan.get("css", ""), "js": "", "variation": v["variationId"],
                    "domMutations": plan.get("domMutations", []) if index else []} for index, v in enumerate(experiment["variations"])]
        changeset = {"id": plan.get("id") or self.new_id(org, "vc_"), "urlPatterns": plan["urlPatterns"], "editorUrl": plan["editorUrl"], "experiment": experiment_id,
                     "visualChanges": changes}
        org.replace(EXPERIMENTS, experiment_id, {**experiment, "hasVisualChangesets": True})
        return org.insert(VISUAL_CHANGESETS, changeset["id"], changeset)

    @staticmethod
    def _change(org: Tables, changeset: Mapping[str, Any], change: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        """`change` with what `body` sends; its variation must be one of the experiment's."""
        change = changed(change, body, CHANGE_FIELDS)
        variations = [v["variationId"] for v in (org.get(EXPERIMENTS, changeset["experiment"]) or {"variations": []})["variations"]]
        if change.get("variation") not in variations:
            raise Invalid.field("variation", f"{change.get('variation')!r} is not a variation of experiment {changeset['experiment']} ({', '.join(variations)}).")
        return change
