"""GrowthBook's demo experimentation data (issue 12), made through the model's own operations
like the rest of the demo world, each a day after the one before, starting 380 days ago: data
sources, then what is defined over them. References in the plan are indexes (into projects,
data sources, ...) or the readable ids the plan gives."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any, Callable

from mockexp.store import Tables
from mockexp.vendors.growthbook.models import GrowthBook
from mockexp.vendors.growthbook.models.common import DATA_SOURCES
from mockexp.worlds.vocabulary import Idea, ideas

DAY = timedelta(days=1)
SNAPSHOT_AGO = timedelta(hours=1)


def load(growthbook: GrowthBook, admin: str, plan: dict[str, Any], projects: list[str]) -> None:
    days = itertools.count()

    def at(make: Callable[[], Any]) -> Any:
        with growthbook.backdated(growthbook.clock.now() - (380 - next(days)) * DAY):
            return make()

    sources = [at(lambda: growthbook.add_data_source({**item, "projectIds": _each(projects, item.get("projects"))}, admin))["id"]
               for item in plan.get("dataSources", [])]
    for item in plan.get("dimensions", []):
        at(lambda: growthbook.post_dimension(_over(item, sources), admin))
    _facts(growthbook, growthbook.org(admin), plan, sources, projects, at)
    for item in plan.get("segments", []):
        at(lambda: growthbook.post_segment({**_over(item, sources), "projects": _each(projects, item.get("projects"))}, admin))
    for item in plan.get("metrics", []):
        at(lambda: growthbook.post_metric({**_over(item, sources), "projects": _each(projects, item.get("projects"))}, admin))
    _experiments(growthbook, admin, plan, sources, projects, at)


def _facts(growthbook: GrowthBook, org: Tables, plan: dict[str, Any], sources: list[str], projects: list[str], at: Callable) -> None:
    """Fact tables, their filters and fact metrics, with the ids the plan chooses."""
    for item in plan.get("factTables", []):
        data = {**item["data"], "datasource": sources[item["data"]["datasource"]], "projects": _each(projects, item["data"].get("projects"))}
        at(lambda: growthbook.put_fact_table(org, item["id"], data))
    for item in plan.get("factTableFilters", []):
        at(lambda: growthbook.put_fact_table_filter(org, item["factTableId"], item["id"], item["data"]))
    for item in plan.get("factMetrics", []):
        at(lambda: growthbook.put_fact_metric(org, item["id"], item["data"]))


def _each(ids: list[str], indexes: list[int] | None) -> list[str]:
    return [ids[index] for index in indexes or []]


def _over(item: dict[str, Any], sources: list[str]) -> dict[str, Any]:
    """A plan's item with its data source (an index) as the id the model knows."""
    body = {name: value for name, value in item.items() if name != "datasource"}
    return {**body, "datasourceId": sources[item["datasource"]]}


STATUSES = ("draft", "running", "stopped")


def _experiments(growthbook: GrowthBook, admin: str, plan: dict[str, Any], sources: list[str], projects: list[str], at: Callable) -> None:
    """The plan's exact experiments, then generated ones, each started (and stopped) a day after it
    was made, with a finished snapshot: a stopped one's the day after it stopped, a running one's
    an hour ago."""
    org = growthbook.org(admin)
    made_ids = []
    for item in plan.get("experiments", []) + _generated_experiments(plan):
        body = {name: value for name, value in item.items() if name not in ("id", "datasource", "project", "status")}
        source = org.get(DATA_SOURCES, sources[item["datasource"]])
        body.update(datasourceId=source["id"], assignmentQueryId=source["assignmentQueries"][0]["id"], project=projects[item["project"]])
        made = at(lambda: growthbook.put_experiment(org, item.get("id"), body))
        made_ids.append(made["id"])
        if item["status"] in ("running", "stopped"):
            at(lambda: growthbook.update_experiment(made["id"], {"status": "running"}, admin))
        if item["status"] == "stopped":
            at(lambda: growthbook.update_experiment(made["id"], {"status": "stopped", "releasedVariationId": made["variations"][1]["variationId"]}, admin))
            at(lambda: growthbook.post_experiment_snapshot(made["id"], admin))
        elif item["status"] == "running":
            with growthbook.backdated(growthbook.clock.now() - SNAPSHOT_AGO):  # results up to an hour ago, ready to read
                growthbook.post_experiment_snapshot(made["id"], admin)
    generated = made_ids[len(plan.get("experiments", [])):]
    for item in plan.get("visualChangesets", []):
        experiment = item["experiment"] if isinstance(item["experiment"], str) else generated[item["experiment"]]
        at(lambda: growthbook.add_visual_changeset(org, experiment, item))


def _generated_experiments(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Experiments from the shared vocabulary's ideas, a domain at a time in turn (the plan's
    areas first), in turn draft, running and stopped."""
    exact = {item["name"] for item in plan.get("experiments", [])}
    chosen = [idea for idea in _in_turn(plan.get("areas", [])) if idea.name not in exact][:plan.get("generatedExperiments", 0)]
    return [{"trackingKey": idea.key(), "name": idea.name, "project": index % 3, "datasource": 0, "status": STATUSES[index % 3],
             "hypothesis": idea.hypothesis, "description": idea.description, "metrics": ["fact__purchased"],
             "variations": [{"key": "0", "name": "Control"}, {"key": "1", "name": "Treatment"}] + ([{"key": "2", "name": "Bold"}] if index % 4 == 0 else [])}
            for index, idea in enumerate(chosen)]


def _in_turn(areas: list[str]) -> list[Idea]:
    domains = sorted({idea.domain for idea in ideas()}, key=lambda domain: (domain not in areas, areas.index(domain) if domain in areas else 0, domain))
    by_domain = [[idea for idea in ideas() if idea.domain == domain] for domain in domains]
    return [idea for row in itertools.zip_longest(*by_domain) for idea in row if idea is not None]
