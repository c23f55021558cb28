"""What an experiment's preview statistics say about its primary metric: the impact of its
best variant against variant 0, how confident that is, and whether it is significant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from mockexp.vendors.absmartly.models.common import EXPERIMENTS
from mockexp.vendors.absmartly.models.world import World

SIGNIFICANT = 0.05  # p-value below which a result counts as significant


@dataclass(frozen=True)
class Summary:
    impact: float
    confidence: float
    significance: str


def summary(experiment: Mapping[str, Any], effect: str | None) -> Summary | None:
    """None for an experiment with no preview statistics on its primary metric yet."""
    direction = -1 if effect == "negative" else 1
    candidates = [v for v in experiment["preview_variants"]
                  if v["variant"] > 0 and v["metric_id"] == experiment["primary_metric_id"] and v["impact"] is not None and v["pvalue"] is not None]
    if not candidates:
        return None
    best = max(candidates, key=lambda v: (v["impact"] * direction, -v["pvalue"]))
    significance = "insignificant"
    if best["pvalue"] < SIGNIFICANT:
        significance = "positive" if best["impact"] * direction > 0 else "negative"
    return Summary(impact=best["impact"], confidence=round((1 - best["pvalue"]) * 100, 2), significance=significance)


def has_alert(experiment: Mapping[str, Any], kind: str) -> bool:
    return any(alert["type"] == kind and not alert["dismissed"] for alert in experiment["alerts"])


class Statistics(World):
    """Preview statistics come from ABsmartly's analysis of exposure and goal events, which the
    mock does not receive: the demo world records them, and experiments made through the API
    have none (empty `previews` and `preview_variants`)."""

    def record_statistics(self, account: str, id: int, *, previews: list, preview_variants: list, alerts: list,
                          sample_size: Mapping[str, Any] | None, last_seen_in_code_at: str | None) -> dict:
        tables = self.account(account)
        with tables.transaction():
            experiment = tables.get(EXPERIMENTS, str(id))
            numbered = [{"id": self.next_id(account, "experiment_alerts"), **alert} for alert in alerts]
            experiment.update(previews=previews, preview_variants=preview_variants, alerts=numbered, sample_size=sample_size,
                              last_seen_in_code_at=last_seen_in_code_at)
            return tables.replace(EXPERIMENTS, str(id), experiment)
