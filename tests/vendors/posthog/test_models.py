"""PostHog's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`
(see the fixtures below), so the data each rule is checked against is visible in the test.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mockexp import paging, specs
from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, MethodNotAllowed, NotFound, Unauthorized
from mockexp.store import Store
from mockexp.vendors.posthog import fixtures
from tests.conftest import clock_at
from mockexp.vendors.posthog.models import CHANGE_REQUESTS, EXPERIMENTS, ApprovalRequired, PostHog

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=timezone.utc)
DAY = timedelta(days=1)
SHOP, GATED, ELSEWHERE = 1, 2, 7
ANN, BEN, OLA = 11, 12, 21  # Ann and Ben of the shop's organization, Ola of another


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def posthog(clock: Clock) -> PostHog:
    model = PostHog(Store().vendor("posthog"), clock)
    model.add_organization("org-shop", "Shop Inc.")
    model.add_organization("org-other", "Other Ltd.")
    model.add_project(SHOP, "org-shop", "Web shop")
    model.add_project(GATED, "org-shop", "Mobile app", approval_policy=["experiment.launch"])
    model.add_project(ELSEWHERE, "org-other", "Elsewhere")
    for user_id, organization, first in ((ANN, "org-shop", "Ann"), (BEN, "org-shop", "Ben"), (OLA, "org-other", "Ola")):
        model.add_user(user_id, organization, uuid=f"00000000-0000-4000-8000-0000000000{user_id}", distinct_id=f"d{user_id}", first_name=first, last_name="Doe", email=f"{first}@example.com".lower())
    model.add_key("phx_all", "all", ANN, ["*"])
    model.add_key("phx_read", "read", BEN, ["experiment:read"])
    model.add_key("phx_metrics", "metrics", BEN, ["experiment_saved_metric:write"])
    model.add_key("phx_gated_only", "gated", ANN, ["*"], projects=[GATED])
    model.add_key("phx_other", "other", OLA, ["*"])
    model.add_flag(SHOP, "existing-flag", "Existing flag")
    return model


def holdout(posthog: PostHog, project: int = SHOP, share: float = 10, **changes) -> dict:
    return posthog.experiment_holdouts_create(project, ANN, {"name": "Holdout", "filters": [{"properties": [], "rollout_percentage": share}], **changes})


def metric(posthog: PostHog, project: int = SHOP, **changes) -> dict:
    body = {"name": "Purchases", "query": {"kind": "ExperimentTrendsQuery", "count_query": {"kind": "TrendsQuery", "series": []}}, "tags": ["revenue"], **changes}
    return posthog.experiment_saved_metrics_create(project, ANN, body)


def experiment(posthog: PostHog, key: str = "new-cta", project: int = SHOP, **changes) -> dict:
    return posthog.experiments_create(project, ANN, {"name": "New CTA", "feature_flag_key": key, **changes})


def patch(posthog: PostHog, made: dict, project: int = SHOP, **changes) -> dict:
    return posthog.experiments_partial_update(project, made["id"], ANN, changes)


def refused(call, *args, **kwargs) -> dict:
    """The field errors of an Invalid, as {"a__b": reason}."""
    with pytest.raises(Invalid) as excinfo:
        call(*args, **kwargs)
    return {"__".join(map(str, path)): reason for path, reason in excinfo.value.errors}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# -- holdouts --------------------------------------------------------------------------------


def test_a_holdout_names_each_groups_variant_after_its_id(posthog):
    made = posthog.experiment_holdouts_create(SHOP, ANN, {"name": "Q1", "filters": [{"properties": [], "rollout_percentage": 10}, {"rollout_percentage": 2.5}]})

    assert made["filters"] == [{"properties": [], "rollout_percentage": 10, "variant": f"holdout-{made['id']}"},
                               {"properties": [], "rollout_percentage": 2.5, "variant": f"holdout-{made['id']}"}]
    assert made["created_by"]["id"] == ANN and made["created_at"] == made["updated_at"] == "2026-03-02T09:30:15.123456Z"


@pytest.mark.parametrize("filters, where", [([], "filters"), ([{"rollout_percentage": 101}], "filters__0__rollout_percentage"),
                                            ([{"rollout_percentage": -1}], "filters__0__rollout_percentage"), ([{"properties": []}], "filters__0__rollout_percentage")])
def test_a_holdout_needs_groups_with_a_share_from_0_to_100(posthog, filters, where):
    assert where in refused(posthog.experiment_holdouts_create, SHOP, ANN, {"name": "Bad", "filters": filters})
    assert posthog.project(SHOP).count("experiment_holdouts") == 0


def test_replacing_a_holdout_needs_its_name_and_filters_and_a_partial_update_keeps_the_rest(posthog):
    made = holdout(posthog, description="Kept")
    assert set(refused(posthog.experiment_holdouts_update, SHOP, made["id"], {"name": "Only a name"})) == {"filters"}

    renamed = posthog.experiment_holdouts_partial_update(SHOP, made["id"], {"name": "Renamed"})

    assert (renamed["name"], renamed["description"], renamed["filters"]) == ("Renamed", "Kept", made["filters"])


def test_a_holdout_an_experiment_uses_cannot_be_deleted_until_the_experiment_is(posthog):
    made = holdout(posthog)
    using = experiment(posthog, holdout_id=made["id"])

    with pytest.raises(Invalid, match="used by 1 experiment"):
        posthog.experiment_holdouts_destroy(SHOP, made["id"])
    patch(posthog, using, deleted=True)
    posthog.experiment_holdouts_destroy(SHOP, made["id"])

    with pytest.raises(NotFound):
        posthog.experiment_holdouts_retrieve(SHOP, made["id"])


def test_a_holdout_of_another_project_is_not_found(posthog):
    theirs = holdout(posthog, project=GATED)
    with pytest.raises(NotFound):
        posthog.experiment_holdouts_retrieve(SHOP, theirs["id"])


# -- saved metrics ----------------------------------------------------------------------------------


def test_a_saved_metric_keeps_its_query_and_tags(posthog):
    made = metric(posthog)
    assert made["query"]["kind"] == "ExperimentTrendsQuery" and made["tags"] == ["revenue"]
    assert posthog.experiment_saved_metrics_retrieve(SHOP, made["id"], ANN) == made


@pytest.mark.parametrize("body, where", [({"query": {"kind": "HogQLQuery"}}, "query"), ({"query": "count()"}, "query"), ({"tags": ["ok", 3]}, "tags")])
def test_a_saved_metric_needs_a_query_of_a_kind_posthog_knows_and_string_tags(posthog, body, where):
    assert where in refused(metric, posthog, **body)


def test_deleting_a_saved_metric_takes_it_off_the_experiments_that_measured_it(posthog):
    made = metric(posthog)
    measured = experiment(posthog, saved_metrics_ids=[{"id": made["id"], "metadata": {"type": "primary"}}])
    assert [m["saved_metric"] for m in measured["saved_metrics"]] == [made["id"]]

    posthog.experiment_saved_metrics_destroy(SHOP, made["id"])

    assert posthog.experiments_retrieve(SHOP, measured["id"])["saved_metrics"] == []


# -- creating experiments ------------------------------------------------------------------------------


def test_creating_an_experiment_creates_its_multivariate_flag_off_with_control_and_test(posthog):
    made = experiment(posthog)

    flag = made["feature_flag"]
    assert (flag["key"], flag["active"], flag["team_id"]) == ("new-cta", False, SHOP)
    assert flag["filters"]["multivariate"]["variants"] == [{"key": "control", "name": "Control", "rollout_percentage": 50},
                                                             {"key": "test", "name": "Test", "rollout_percentage": 50}]
    assert made["status"] == "draft" and made["start_date"] is None
    assert posthog.flag(SHOP, "new-cta")["id"] == flag["id"]


def test_an_experiments_flag_takes_the_variants_it_is_given(posthog):
    variants = [{"key": "control", "rollout_percentage": 34}, {"key": "big", "rollout_percentage": 33}, {"key": "bold", "rollout_percentage": 33}]
    made = experiment(posthog, parameters={"feature_flag_variants": variants, "minimum_detectable_effect": 5})

    assert [v["key"] for v in made["feature_flag"]["filters"]["multivariate"]["variants"]] == ["control", "big", "bold"]
    assert made["parameters"]["minimum_detectable_effect"] == 5


@pytest.mark.parametrize("variants, reason", [
    ([{"key": "control", "rollout_percentage": 100}], "at least two"),
    ([{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}], "control"),
    ([{"key": "control", "rollout_percentage": 50}, {"key": "control", "rollout_percentage": 50}], "unique"),
    ([{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 40}], "add up to 90"),
])
def test_an_experiments_variants_need_a_control_and_shares_adding_up_to_100(posthog, variants, reason):
    errors = refused(experiment, posthog, parameters={"feature_flag_variants": variants})
    assert reason in errors["parameters__feature_flag_variants"]
    assert posthog.flag(SHOP, "new-cta") is None


def test_a_flag_key_the_project_already_has_is_refused_naming_it(posthog):
    assert refused(experiment, posthog, key="existing-flag") == {"feature_flag_key": "There is already a feature flag with this key."}
    experiment(posthog, key="existing-flag", project=GATED)  # another project's flags are its own


def test_name_and_flag_key_are_required(posthog):
    assert set(refused(posthog.experiments_create, SHOP, ANN, {"description": "No name"})) == {"name", "feature_flag_key"}


def test_the_holdout_and_saved_metrics_must_be_the_projects(posthog):
    theirs_holdout, theirs_metric = holdout(posthog, project=GATED), metric(posthog, project=GATED)
    errors = refused(experiment, posthog, holdout_id=theirs_holdout["id"], saved_metrics_ids=[{"id": theirs_metric["id"], "metadata": {"type": "primary"}}])
    assert set(errors) == {"holdout_id", "saved_metrics_ids__0"}


def test_an_experiment_with_a_start_date_is_launched_at_once_and_cannot_be_created_deleted(posthog):
    launched = experiment(posthog, start_date="2026-03-01T00:00:00Z")
    assert launched["status"] == "running" and launched["feature_flag"]["active"] is True
    assert set(refused(experiment, posthog, key="gone", deleted=True)) == {"deleted"}


# -- the lifecycle ------------------------------------------------------------------------------------------


def test_setting_the_start_date_launches_and_the_end_date_ends(posthog):
    made = experiment(posthog)

    running = patch(posthog, made, start_date=iso(NOW - DAY))
    assert (running["status"], running["feature_flag"]["active"]) == ("running", True)
    ended = patch(posthog, made, end_date=iso(NOW), conclusion="won", conclusion_comment="Clear lift")
    assert (ended["status"], ended["conclusion"], ended["end_date"]) == ("complete", "won", "2026-03-02T09:30:15.123456Z")


def test_an_end_before_the_start_or_without_one_is_refused(posthog):
    made = experiment(posthog)
    assert set(refused(patch, posthog, made, end_date=iso(NOW))) == {"end_date"}
    patch(posthog, made, start_date=iso(NOW))
    assert refused(patch, posthog, made, end_date=iso(NOW - DAY)) == {"end_date": "end_date must be after start_date."}
    assert posthog.experiments_retrieve(SHOP, made["id"])["end_date"] is None


def test_a_launched_experiments_flag_key_variants_and_holdout_cannot_change(posthog):
    made = experiment(posthog, start_date=iso(NOW))
    other = holdout(posthog)
    for change, where in ((dict(feature_flag_key="renamed"), "feature_flag_key"), (dict(holdout_id=other["id"]), "holdout_id"),
                          (dict(parameters={"feature_flag_variants": [{"key": "control", "rollout_percentage": 20}, {"key": "test", "rollout_percentage": 80}]}),
                           "parameters__feature_flag_variants")):
        assert where in refused(patch, posthog, made, **change)
    assert posthog.experiments_retrieve(SHOP, made["id"], ANN) == made


def test_parameters_are_kept_as_sent_and_only_named_variants_change_the_flag(posthog):
    made = experiment(posthog, parameters=None, start_date=iso(NOW))
    assert made["parameters"] is None and [v["key"] for v in made["feature_flag"]["filters"]["multivariate"]["variants"]] == ["control", "test"]

    changed = patch(posthog, made, parameters={"minimum_detectable_effect": 3})

    assert changed["parameters"] == {"minimum_detectable_effect": 3}
    assert changed["feature_flag"]["filters"] == made["feature_flag"]["filters"]


def test_a_drafts_flag_key_and_variants_can_change_and_its_flag_follows(posthog):
    made = experiment(posthog)
    variants = [{"key": "control", "rollout_percentage": 20}, {"key": "test", "rollout_percentage": 80}]

    changed = patch(posthog, made, feature_flag_key="renamed", parameters={"feature_flag_variants": variants})

    assert changed["feature_flag"]["key"] == "renamed" and posthog.flag(SHOP, "new-cta") is None
    assert [v["rollout_percentage"] for v in changed["feature_flag"]["filters"]["multivariate"]["variants"]] == [20, 80]
    assert changed["feature_flag"]["id"] == made["feature_flag"]["id"]


def test_archived_experiments_leave_the_default_list_and_deleted_ones_leave_everything(posthog, clock):
    kept, archived, deleted = experiment(posthog, "kept"), experiment(posthog, "archived"), experiment(posthog, "deleted")
    patch(posthog, archived, archived=True)
    patch(posthog, deleted, deleted=True)

    listed = lambda **query: [e["feature_flag_key"] for e in posthog.experiments_list(SHOP, **query).items]  # noqa: E731
    assert listed() == ["kept"] and listed(archived=True) == ["archived"] and listed(archived=False) == ["kept"]
    with pytest.raises(NotFound):
        posthog.experiments_retrieve(SHOP, deleted["id"])
    with pytest.raises(NotFound):
        patch(posthog, deleted, deleted=False)
    assert posthog.experiments_retrieve(SHOP, kept["id"])["id"] == kept["id"]


def test_a_hard_delete_is_refused_and_deletes_nothing(posthog):
    made = experiment(posthog)
    with pytest.raises(MethodNotAllowed, match="deleted"):
        posthog.experiments_destroy(SHOP, made["id"])
    assert posthog.experiments_retrieve(SHOP, made["id"], ANN) == made


def test_launching_where_an_approval_policy_gates_it_opens_a_change_request_and_changes_nothing(posthog):
    made = experiment(posthog, project=GATED)

    with pytest.raises(ApprovalRequired) as gated:
        patch(posthog, made, project=GATED, start_date=iso(NOW))

    request = gated.value.change_request
    assert (request["action_key"], request["state"], request["resource_id"]) == ("experiment.launch", "pending", made["id"])
    assert request["intent"] == {"start_date": iso(NOW)} and gated.value.status == 409
    assert posthog.project(GATED).get(CHANGE_REQUESTS, request["id"]) == request
    assert posthog.experiments_retrieve(GATED, made["id"], ANN) == made
    assert patch(posthog, made, project=GATED, description="Not a launch")["description"] == "Not a launch"


def test_creating_an_experiment_launched_where_launches_are_gated_creates_nothing(posthog):
    with pytest.raises(ApprovalRequired):
        experiment(posthog, project=GATED, start_date=iso(NOW))
    assert posthog.project(GATED).count(EXPERIMENTS) == 0 and posthog.flag(GATED, "new-cta") is None


# -- lists ------------------------------------------------------------------------------------------------


LIST = next(op for op in specs.load_named("posthog.yaml").operations if op.operation_id == "experiments_list").pagination


def test_lists_are_newest_first_with_the_whole_count_and_full_urls(posthog, clock):
    for key in ("a", "b", "c"):
        experiment(posthog, key)
        clock.advance(60)
    request = paging.Request("https://mock.test", "/api/projects/1/experiments/", [("limit", "2")])

    page = paging.render(LIST, posthog.experiments_list(SHOP), request)

    assert [e["feature_flag_key"] for e in page["results"]] == ["c", "b"] and page["count"] == 3
    assert page["next"] == "https://mock.test/api/projects/1/experiments/?limit=2&offset=2" and page["previous"] is None


# -- keys -----------------------------------------------------------------------------------------------------


def test_a_write_scope_allows_reading_and_a_missing_scope_is_named(posthog):
    posthog.authorize(posthog.authenticate("phx_metrics"), SHOP, ["experiment_saved_metric:read"])
    with pytest.raises(Forbidden, match="'experiment:read'"):
        posthog.authorize(posthog.authenticate("phx_metrics"), SHOP, ["experiment:read"])
    with pytest.raises(Forbidden, match="'experiment:write'"):
        posthog.authorize(posthog.authenticate("phx_read"), SHOP, ["experiment:write"])


def test_a_key_reaches_only_its_projects_and_its_organizations(posthog):
    posthog.authorize(posthog.authenticate("phx_gated_only"), GATED, ["experiment:write"])
    with pytest.raises(Forbidden, match="project 2"):
        posthog.authorize(posthog.authenticate("phx_gated_only"), SHOP, ["experiment:read"])
    with pytest.raises(Forbidden, match="access to the project"):
        posthog.authorize(posthog.authenticate("phx_other"), SHOP, ["experiment:read"])
    with pytest.raises(NotFound):
        posthog.authorize(posthog.authenticate("phx_all"), 999, ["experiment:read"])


@pytest.mark.parametrize("value", ["phx_unknown", "", "PHX_ALL"])
def test_an_unknown_key_is_unauthorized(posthog, value):
    with pytest.raises(Unauthorized):
        posthog.authenticate(value)


def test_credentials_say_what_each_key_may_do(posthog):
    by_value = {c.value: c for c in posthog.credentials()}
    assert by_value["Bearer phx_all"].can_write and by_value["Bearer phx_all"].tenant == {"project_id": "1"}
    assert not by_value["Bearer phx_read"].can_write and by_value["Bearer phx_read"].permissions == ("experiment:read",)
    assert not by_value["Bearer phx_metrics"].can_write and "scopes" in by_value["Bearer phx_metrics"].note
    assert by_value["Bearer phx_gated_only"].tenant == {"project_id": "2"} and by_value["Bearer phx_other"].tenant == {"project_id": "7"}


# -- the demo world ---------------------------------------------------------------------------------------------


def loaded(clock: Clock) -> PostHog:
    model = PostHog(Store().vendor("posthog"), clock)
    fixtures.load(model)
    return model


def test_the_demo_world_has_experiments_in_every_state_and_is_the_same_for_the_same_seed(clock):
    first, second = loaded(clock), loaded(clock)
    assert first.store.dump() == second.store.dump()

    stored = first.project(1).query(EXPERIMENTS)
    states = {e["feature_flag_key"]: ("deleted" if e["deleted"] else "archived" if e["archived"] else first.experiments_retrieve(1, e["id"])["status"]) for e in stored}
    assert states == {"onboarding-checklist": "draft", "pricing-page-cta": "running", "search-suggestions": "complete",
                      "legacy-banner": "archived", "abandoned-idea": "deleted"}
    assert {m["query"]["kind"] for m in first.project(1).query("experiment_saved_metrics")} == {"ExperimentTrendsQuery", "ExperimentFunnelsQuery", "ExperimentMetric"}
    assert first.project(1).count("experiment_holdouts") == 2 and first.project_of(2)["approval_policy"] == ["experiment.launch"]
    assert {c.role for c in first.credentials()} >= {"all scopes", "experiment:read only", "saved metrics only"}
