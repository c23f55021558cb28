"""`GET /experiments`: every filter (AND across parameters, OR within one), the preview-only
filters refused without previews=1, latest iterations only unless asked, sorted by any key."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from mockexp.errors import Invalid
from mockexp.paging import Listing
from mockexp.vendors.absmartly.models.common import EXPERIMENTS, METRICS
from mockexp.vendors.absmartly.models.previews import has_alert, summary
from mockexp.vendors.absmartly.models.representation import Representation

Test = Callable[[Mapping[str, Any]], bool]
TRUE = ("true", "1")
ID_FILTERS = {  # parameter -> how an experiment's ids for it are read
    "owners": lambda e: e["owners"],
    "teams": lambda e: e["teams"],
    "tags": lambda e: e["experiment_tags"],
    "applications": lambda e: [a["application_id"] for a in e["applications"]],
    "unit_types": lambda e: [e["unit_type_id"]],
}


class ExperimentListing(Representation):
    def list_experiments(self, caller: str, sort: str = "id", sort_asc: str = "false", search: str | None = None,
                         iterations_of: int | None = None, owners: Sequence[int] | None = None, teams: Sequence[int] | None = None,
                         tags: Sequence[int] | None = None, applications: Sequence[int] | None = None,
                         unit_types: Sequence[int] | None = None, previews: int = 0, iterations: int = 0,
                         impact: Sequence[float] | None = None, confidence: Sequence[float] | None = None,
                         significance: Sequence[str] | None = None, sample_ratio_mismatch: str | None = None,
                         cleanup_needed: str | None = None, audience_mismatch: str | None = None,
                         sample_size_reached: str | None = None) -> Listing:
        account = self.caller(caller).account
        alerts = {"sample_ratio_mismatch": sample_ratio_mismatch, "cleanup_needed": cleanup_needed,
                  "audience_mismatch": audience_mismatch, "sample_size_reached": sample_size_reached}
        tests: list[Test] = [_searched(search)] if search else []
        tests += [_any_of(ID_FILTERS[name], ids) for name, ids in
                  (("owners", owners), ("teams", teams), ("tags", tags), ("applications", applications), ("unit_types", unit_types)) if ids]
        preview_filters = {"impact": impact, "confidence": confidence, "significance": significance, **alerts}
        asked = [name for name, value in preview_filters.items() if value is not None]
        if asked and previews != 1:
            raise Invalid([((name,), f"The {name} filter works only together with previews=1.") for name in asked])
        tests += self._preview_tests(account, impact, confidence, significance, alerts)
        experiments = self.account(account).view(EXPERIMENTS, test=lambda e: all(test(e) for test in tests))
        experiments = self._iterations(account, experiments, iterations_of, every=iterations == 1)
        ordered = _sorted(experiments, sort, ascending=sort_asc in TRUE)
        embedded: dict = {}  # a page's users, teams, metrics... worked out once for all its experiments
        return Listing(ordered, represent=lambda e: self.represent_experiment(account, e, previews=previews == 1, embedded=embedded))

    def _iterations(self, account: str, experiments: list, iterations_of: int | None, *, every: bool) -> list:
        if iterations_of is not None:
            of = self.account(account).get(EXPERIMENTS, str(iterations_of))
            return [e for e in experiments if of is not None and e["chain"] == of["chain"]]
        if every:
            return experiments
        latest: dict[int, int] = {}
        for e in self.account(account).view(EXPERIMENTS):
            latest[e["chain"]] = max(latest.get(e["chain"], 0), e["iteration"])
        return [e for e in experiments if e["iteration"] == latest[e["chain"]]]

    def _preview_tests(self, account: str, impact, confidence, significance, alerts: Mapping[str, str | None]) -> list[Test]:
        for name, bounds in (("impact", impact), ("confidence", confidence)):
            if bounds is not None and bounds[0] > bounds[1]:
                raise Invalid.field(name, f"The {name} range goes from {bounds[0]} to {bounds[1]}: from must not be greater than to.")
        tests: list[Test] = [(lambda e, kind=kind, wanted=value in TRUE: has_alert(e, kind) == wanted) for kind, value in alerts.items() if value is not None]
        if impact is None and confidence is None and significance is None:
            return tests
        effects = {m["id"]: m["effect"] for m in self.account(account).view(METRICS)}

        def previewed(e: Mapping[str, Any]) -> bool:
            found = summary(e, effects.get(e["primary_metric_id"]))
            if found is None:
                return False
            return ((impact is None or impact[0] <= found.impact <= impact[1])
                    and (confidence is None or confidence[0] <= found.confidence <= confidence[1])
                    and (significance is None or found.significance in significance))

        return tests + [previewed]


def _searched(search: str) -> Test:
    needle = search.casefold()
    return lambda e: needle in e["name"].casefold() or needle in (e["display_name"] or "").casefold()


def _any_of(ids_of: Callable[[Mapping[str, Any]], list], wanted: Sequence[int]) -> Test:
    wanted_set = set(wanted)
    return lambda e: not wanted_set.isdisjoint(ids_of(e))


def _sorted(experiments: list, key: str, *, ascending: bool) -> list:
    """By `key` (ties by id), largest first unless ascending; objects without a value last."""
    def value(e: Mapping[str, Any]) -> Any:
        return len(e["variants"]) if key == "nr_variants" else e[key]

    valued = sorted((e for e in experiments if value(e) is not None), key=lambda e: (value(e), e["id"]), reverse=not ascending)
    missing = sorted((e for e in experiments if value(e) is None), key=lambda e: e["id"], reverse=not ascending)
    return valued + missing

