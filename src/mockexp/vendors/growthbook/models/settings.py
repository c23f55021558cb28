"""The organization's settings: GrowthBook's defaults, with what the organization changed
(the demo world's); read-only through the API."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.growthbook.models.common import SETTINGS
from mockexp.vendors.growthbook.models.world import World

KEY = "settings"
PRIOR = {"override": False, "proper": False, "mean": 0, "stddev": 0.3}
DEFAULTS: Mapping[str, Any] = {
    "confidenceLevel": 0.95, "northStar": None,
    "metricDefaults": {"priorSettings": PRIOR, "minimumSampleSize": 150, "maxPercentageChange": 0.5, "minPercentageChange": 0.005, "targetMDE": 0.1},
    "pastExperimentsMinLength": 6, "metricAnalysisDays": 90, "updateSchedule": {"type": "stale", "cron": None, "hours": 6},
    "multipleExposureMinPercent": 0.01, "defaultRole": {"role": "collaborator", "limitAccessByEnvironment": False, "environments": []},
    "statsEngine": "bayesian", "pValueThreshold": 0.05, "regressionAdjustmentEnabled": False, "regressionAdjustmentDays": 14,
    "sequentialTestingEnabled": False, "sequentialTestingTuningParameter": 5000, "attributionModel": "firstExposure", "targetMDE": 0.1,
    "delayHours": 0, "windowType": "conversion", "windowHours": 72, "winRisk": 0.0025, "loseRisk": 0.0125, "secureAttributeSalt": "",
    "killswitchConfirmation": False, "requireReviews": [], "featureKeyExample": "", "featureRegexValidator": "",
    "banditScheduleValue": 1, "banditScheduleUnit": "days", "banditBurnInValue": 1, "banditBurnInUnit": "days",
    "experimentMinLengthDays": 3, "experimentMaxLengthDays": None, "preferredEnvironment": None, "maxMetricSliceLevels": 2,
}


class Settings(World):
    def get_settings(self, caller: str) -> dict:
        changed = self.org(caller).get(SETTINGS, KEY) or {}
        return {"settings": {**DEFAULTS, **{name: value for name, value in changed.items() if name in DEFAULTS}}}

    def change_settings(self, changes: Mapping[str, Any], caller: str) -> dict:
        """Settings the organization changed (the demo world's; the API cannot change them)."""
        org = self.org(caller)
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"no such settings: {', '.join(sorted(unknown))}")
        found = org.get(SETTINGS, KEY)
        merged = {**(found or {}), **changes}
        return org.replace(SETTINGS, KEY, merged) if found else org.insert(SETTINGS, KEY, merged)
