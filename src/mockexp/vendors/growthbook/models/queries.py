"""Query objects: the SQL (or, for Mixpanel, JavaScript) that an analysis runs against a data
source. A fact metric's analysis runs one, an experiment's snapshot one per metric and one for
its traffic; they are read-only (`GET /queries/{id}`). Like everything that runs in a
warehouse they take time: a query is `queued`, then `running`, then `succeeded` as the mock's
clock advances (QUEUED and RUNNING seconds; a stopped clock leaves it where it is), and what
waits on its queries (a snapshot, an analysis) is done when they are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from mockexp.store import Tables
from mockexp.vendors.growthbook.models.common import DATA_SOURCES, QUERIES, moment, timestamp
from mockexp.vendors.growthbook.models.world import World

QUEUED, RUNNING = 2.0, 5.0  # seconds a query waits for the warehouse, then runs
QUEUED_, RUNNING_, DONE = "queued", "running", "done"


class Queries(World):
    def get_query(self, id: str, caller: str) -> dict:
        return {"query": self._shown_query(self.stored(self.org(caller), QUERIES, id))}

    def stage(self, asked: str) -> str:
        """Where work asked for at `asked` is now, on the mock's clock: queued, running or done."""
        waited = (self.clock.now() - moment(asked)).total_seconds()
        return QUEUED_ if waited < QUEUED else RUNNING_ if waited < QUEUED + RUNNING else DONE

    def run_queries(self, org: Tables, datasource_id: str, plans: list[tuple[str, str]]) -> list[str]:
        """One query object per (queryType, text) over the data source, all asked for now; their ids."""
        source = org.get(DATA_SOURCES, datasource_id) or {"type": ""}
        language = "javascript" if source["type"] == "mixpanel" else "sql"
        ids = []
        for query_type, text in plans:
            query = {"id": self.new_id(org, "qry_"), "organization": org.ids[0], "datasource": datasource_id, "language": language, "query": text,
                     "queryType": query_type, "createdAt": self.now(), "dependencies": [], "runAtEnd": False}
            ids.append(org.insert(QUERIES, query["id"], query)["id"])
        return ids

    def _shown_query(self, query: Mapping[str, Any]) -> dict:
        stage = self.stage(query["createdAt"])
        started = "" if stage == QUEUED_ else timestamp(moment(query["createdAt"]) + timedelta(seconds=QUEUED))
        return {"id": query["id"], "organization": query["organization"], "datasource": query["datasource"], "language": query["language"],
                "query": query["query"], "queryType": query["queryType"], "createdAt": query["createdAt"], "startedAt": started,
                "status": "succeeded" if stage == DONE else stage, "externalId": "", "dependencies": list(query["dependencies"]),
                "runAtEnd": query["runAtEnd"]}
