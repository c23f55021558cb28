"""How ABsmartly shows an experiment: its own fields, with every object it refers to (unit
type, metrics with their goals, owners, teams, tags, applications) embedded, its alerts and
sample size, and, when asked, its preview statistics."""

from __future__ import annotations

from typing import Any, Mapping

from mockexp.vendors.absmartly.models.catalogue import Catalogue
from mockexp.vendors.absmartly.models.common import APPLICATIONS, BLANK_TEXTS, EXPERIMENT_TAGS, METRICS, TEAMS, UNIT_TYPES, USERS

AS_STORED = (
    "id", "name", "display_name", "iteration", "type", "state", "development_at", "start_at", "stop_at", "full_on_at",
    "full_on_variant", "last_seen_in_code_at", "percentages", "percentage_of_traffic", "seed", "traffic_seed",
    "created_at", "created_by_user_id", "updated_at", "updated_by_user_id", "description", "unit_type_id",
    "primary_metric_id", "audience", "audience_strict", "hypothesis", "prediction", "action_points",
    "implementation_details", "other", "minimum_detectable_effect", "archived", "sample_size",
)


class Representation(Catalogue):
    def represent_experiment(self, account: str, experiment: Mapping[str, Any], *, previews: bool = True, embedded: dict | None = None) -> dict:
        """An experiment as the API shows it; `embedded` keeps the catalogue objects shown, for
        the other experiments of the same answer (a list page)."""
        id = experiment["id"]
        embedded = {} if embedded is None else embedded
        shown: dict[str, Any] = {field: experiment[field] for field in AS_STORED}
        shown.update({text: experiment[text] or "" for text in BLANK_TEXTS})  # (data saved by an older mockexp may hold null)

        def one(table: str, key: Any) -> dict:
            found = embedded.get((table, key))
            if found is None:
                found = embedded[table, key] = self.represent_catalogue(account, table, self.peeked(account, table, key))
            return found

        shown.update(
            nr_variants=len(experiment["variants"]),
            created_by=one(USERS, experiment["created_by_user_id"]),
            updated_by=one(USERS, experiment["updated_by_user_id"]),
            unit_type=one(UNIT_TYPES, experiment["unit_type_id"]),
            primary_metric=one(METRICS, experiment["primary_metric_id"]) if experiment["primary_metric_id"] is not None else None,
            applications=[{"experiment_id": id, **app, "application": one(APPLICATIONS, app["application_id"])} for app in experiment["applications"]],
            variants=[{"experiment_id": id, **variant} for variant in experiment["variants"]],
            secondary_metrics=[{"experiment_id": id, **metric, "metric": one(METRICS, metric["metric_id"])} for metric in experiment["secondary_metrics"]],
            teams=[{"experiment_id": id, "team_id": team, "team": one(TEAMS, team)} for team in experiment["teams"]],
            owners=[{"experiment_id": id, "user_id": user, "user": one(USERS, user)} for user in experiment["owners"]],
            experiment_tags=[{"experiment_id": id, "experiment_tag_id": tag, "experiment_tag": one(EXPERIMENT_TAGS, tag)} for tag in experiment["experiment_tags"]],
            alerts=[{"experiment_id": id, **alert} for alert in experiment["alerts"]],
        )
        if previews:
            shown["previews"] = [{"experiment_id": id, **preview} for preview in experiment["previews"]]
            shown["preview_variants"] = [{"experiment_id": id, **variant} for variant in experiment["preview_variants"]]
        return shown
