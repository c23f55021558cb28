"""A small client of Giosg's experiments API, as an application might have one: it retries a
create that the server answers with 503, after the `Retry-After` the server asks for."""

from __future__ import annotations

import time

import httpx


class ExperimentsClient:
    def __init__(self, base_url: str, token: str, organization_id: str, retries: int = 2) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/orgs/{organization_id}", headers={"Authorization": token}, timeout=10)
        self.retries = retries

    def create_draft(self, name: str) -> dict:
        for attempt in range(self.retries + 1):
            response = self.http.post("/experiments", json={"is_draft": True, "name": name})
            if response.status_code != 503 or attempt == self.retries:
                response.raise_for_status()
                return response.json()
            time.sleep(float(response.headers.get("Retry-After", "0")))
        raise AssertionError("unreachable")

    def names(self) -> list[str]:
        return [experiment["name"] for experiment in self.http.get("/experiments").json()["results"]]
