"""Experiment snapshots: a refresh of an experiment's results. A new snapshot is `queued`, then
`running`, then `success` as the mock's clock advances (QUEUED and RUNNING seconds); a stopped
clock leaves it where it is. Only an experiment that has run (a phase) over a data source can be
analysed."""

from __future__ import annotations

from datetime import datetime

from mockexp.errors import Invalid
from mockexp.vendors.growthbook.models.common import EXPERIMENTS, SNAPSHOTS
from mockexp.vendors.growthbook.models.world import World

QUEUED, RUNNING = 2.0, 5.0  # seconds a snapshot waits, then runs


class Snapshots(World):
    def post_experiment_snapshot(self, id: str, caller: str, body: dict | None = None) -> dict:
        org = self.org(caller)
        experiment = self.stored(org, EXPERIMENTS, id)
        if not experiment["phases"]:
            raise Invalid.field("id", f"Experiment {id} is a draft that has not run yet: there is nothing to analyse.")
        if not experiment["settings"]["datasourceId"]:
            raise Invalid.field("id", f"Experiment {id} has no data source to analyse.")
        snapshot = {"id": self.new_id(org, "snp_"), "experiment": id, "dateCreated": self.now(), "phase": len(experiment["phases"]) - 1,
                    "triggeredBy": (body or {}).get("triggeredBy", "manual")}
        org.insert(SNAPSHOTS, snapshot["id"], snapshot)
        return {"snapshot": self._shown(snapshot)}

    def get_snapshot(self, id: str, caller: str) -> dict:
        return {"snapshot": self._shown(self.stored(self.org(caller), SNAPSHOTS, id))}

    def snapshot_status(self, snapshot: dict) -> str:
        """Where the snapshot is now, by how long ago (on the mock's clock) it was asked for."""
        waited = (datetime.fromisoformat(self.now().replace("Z", "+00:00")) - datetime.fromisoformat(snapshot["dateCreated"].replace("Z", "+00:00"))).total_seconds()
        return "queued" if waited < QUEUED else "running" if waited < QUEUED + RUNNING else "success"

    def _shown(self, snapshot: dict) -> dict:
        return {"id": snapshot["id"], "experiment": snapshot["experiment"], "status": self.snapshot_status(snapshot)}
