"""What an experiment's changes must respect: its dates (launch, end), its flag key, variants
and holdout (fixed once launched), the saved metrics it measures, and soft deletion."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.posthog.models.common import EXPERIMENTS, HOLDOUTS, LAUNCH, SAVED_METRICS, Errors, normal_time, parse_time, refuse
from mockexp.vendors.posthog.models.experiments import AS_SENT
from mockexp.vendors.posthog.models.flags import variant_errors, variants_of
from mockexp.vendors.posthog.models.world import World

FIXED = "Can't change the {} of a launched experiment."


class Lifecycle(World):
    def experiments_partial_update(self, project_id: int | str, id: int, caller: int, body: Mapping[str, Any], *, at: str | None = None) -> dict:
        """Change some fields: setting `start_date` launches, `end_date` ends, `deleted` deletes."""
        current = self.experiment(project_id, id)
        refuse(self.change_errors(project_id, body, current))
        launching = current["start_date"] is None and bool(body.get("start_date"))
        if launching and LAUNCH in self.project_of(project_id)["approval_policy"]:
            raise self.approval_required(project_id, id, caller, body)
        with self.store.transaction():
            now = at or self.now()
            updated = self._changed(project_id, current, body, now)
            self.project(project_id).replace(EXPERIMENTS, str(id), updated)
            return self.represent_experiment(updated, caller)

    def _changed(self, project_id: int | str, current: Mapping[str, Any], body: Mapping[str, Any], now: str) -> dict:
        updated = {**current, **{field: body[field] for field in AS_SENT if field in body}}
        for field in ("start_date", "end_date"):
            if field in body:
                updated[field] = normal_time(body[field])
        if "holdout_id" in body:
            updated["holdout_id"] = body["holdout_id"]
        if body.get("deleted") is not None:
            updated["deleted"] = body["deleted"]
        if "saved_metrics_ids" in body:
            updated["saved_metrics"] = self.saved_metric_links(body["saved_metrics_ids"] or [], now)
        if "parameters" in body:
            updated["parameters"] = body["parameters"]
        flag = self.change_flag(project_id, current["feature_flag_key"], new_key=body.get("feature_flag_key"), active=updated["start_date"] is not None,
                                variants=_given_variants(body))
        updated["feature_flag_key"] = flag["key"]
        updated["updated_at"] = now
        return updated

    def change_errors(self, project_id: int | str, body: Mapping[str, Any], current: Mapping[str, Any] | None) -> Errors:
        """What is wrong with `body` as a create (`current` None) or as a change of `current`."""
        launched = current is not None and current["start_date"] is not None
        errors = self._date_errors(body, current) + self._flag_errors(project_id, body, current, launched)
        errors += self._reference_errors(project_id, body, current, launched)
        if current is None and body.get("deleted"):
            errors.append((("deleted",), "An experiment cannot be created deleted."))
        return errors

    def _date_errors(self, body: Mapping[str, Any], current: Mapping[str, Any] | None) -> Errors:
        start = body["start_date"] if "start_date" in body else (current or {}).get("start_date")
        end = body["end_date"] if "end_date" in body else (current or {}).get("end_date")
        if end and not start:
            return [(("end_date",), "An experiment that has not started cannot end: set start_date too.")]
        if end and start and parse_time(end) < parse_time(start):
            return [(("end_date",), "end_date must be after start_date.")]
        return []

    def _flag_errors(self, project_id: int | str, body: Mapping[str, Any], current: Mapping[str, Any] | None, launched: bool) -> Errors:
        errors: Errors = []
        key = body.get("feature_flag_key")
        if key is not None and (current is None or key != current["feature_flag_key"]):
            if launched:
                errors.append((("feature_flag_key",), FIXED.format("feature flag key")))
            elif self.flag(project_id, key) is not None:
                errors.append((("feature_flag_key",), "There is already a feature flag with this key."))
        variants = variants_of(body.get("parameters")) if current is None else _given_variants(body)
        if variants is not None:
            errors += variant_errors(variants)
            flag = self.flag(project_id, current["feature_flag_key"]) if current is not None else None
            shown = ((flag or {}).get("filters", {}).get("multivariate") or {}).get("variants") or []
            if launched and [(v.get("key"), v.get("rollout_percentage")) for v in variants] != [(v["key"], v["rollout_percentage"]) for v in shown]:
                errors.append((("parameters", "feature_flag_variants"), FIXED.format("feature flag variants")))
        return errors

    def _reference_errors(self, project_id: int | str, body: Mapping[str, Any], current: Mapping[str, Any] | None, launched: bool) -> Errors:
        errors: Errors = []
        holdout_id = body.get("holdout_id")
        if "holdout_id" in body and launched and holdout_id != current["holdout_id"]:
            errors.append((("holdout_id",), FIXED.format("holdout")))
        elif holdout_id is not None and self.project(project_id).get(HOLDOUTS, str(holdout_id)) is None:
            errors.append((("holdout_id",), f'Invalid pk "{holdout_id}" - object does not exist.'))
        for index, link in enumerate(body.get("saved_metrics_ids") or []):
            metric_id = link.get("id") if isinstance(link, Mapping) else None
            if metric_id is None:
                errors.append((("saved_metrics_ids", index), "Saved metric must have an id."))
            elif self.project(project_id).get(SAVED_METRICS, str(metric_id)) is None:
                errors.append((("saved_metrics_ids", index), f"Saved metric {metric_id} does not exist."))
        return errors


def _given_variants(body: Mapping[str, Any]) -> list[dict] | None:
    """The variants a change asks for, if it names any (`parameters.feature_flag_variants`)."""
    parameters = body.get("parameters")
    given = parameters.get("feature_flag_variants") if isinstance(parameters, Mapping) else None
    return [dict(variant) for variant in given] if given else None
