"""ABsmartly's rules, tested against the model directly (no HTTP).

Every test builds its own small world over an in-memory store and a clock frozen at `NOW`,
so the data each rule is checked against is visible in the test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mockexp.clock import Clock
from mockexp.errors import Forbidden, Invalid, NotFound, Unauthorized
from mockexp.paging import Listing
from mockexp.store import Store
from mockexp.vendors.absmartly.models import ABsmartly
from mockexp.vendors.absmartly.models.common import (
    ADMIN, APPLICATIONS, EXPERIMENT_TAGS, GOALS, LIST, METRICS, TEAMS, UNIT_TYPES, USERS,
)
from tests.conftest import clock_at

NOW = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=timezone.utc)
DAY = timedelta(days=1)
ADMIN_KEY, LIST_KEY, OTHER_KEY = "shop-admin", "shop-list", "other-admin"
USER_ID, COLLEAGUE = 1, 2
UPLIFT, TIME_TO_BOOK = 1, 2  # metrics: a positive one, and one whose good direction is down


@pytest.fixture
def clock() -> Clock:
    return clock_at(NOW)


@pytest.fixture
def absmartly(clock: Clock) -> ABsmartly:
    return shop_and_other(clock)


def shop_and_other(clock: Clock) -> ABsmartly:
    """Two accounts, `shop` and `other`, each with its catalogue and keys."""
    model = ABsmartly(Store().vendor("absmartly"), clock)
    for account in ("shop", "other"):
        model.add_account(account, account.title())
        for first in ("Ann", "Ben", "Cy"):
            model.add(account, USERS, {"email": f"{first.lower()}@{account}.test", "first_name": first, "last_name": "Doe", "department": None,
                                       "job_title": None, "archived": False, "avatar": None, "avatar_file_upload_url": None})
        for name in ("user_id", "device_id"):
            model.add(account, UNIT_TYPES, {"name": name, "description": None, "archived": False})
        for name in ("www", "ios"):
            model.add(account, APPLICATIONS, {"name": name, "description": None, "archived": False})
        for name in ("Growth", "Checkout"):
            model.add(account, TEAMS, {"external_id": None, "name": name, "initials": name[:2], "color": "#123456", "description": None, "archived": False})
        for tag in ("location:Header", "type:Copy"):
            model.add(account, EXPERIMENT_TAGS, {"tag": tag})
        goal = model.add(account, GOALS, {"name": "purchase", "description": None, "archived": False})["id"]
        for name, effect in (("Uplift", "positive"), ("Time to book", "negative")):
            model.add(account, METRICS, {"goal_id": goal, "name": name, "description": None, "type": "goal_count", "effect": effect, "archived": False,
                                         "format_str": "{}", "scale": 1, "precision": 2, "value_source_property": "", "property_filter": ""})
    model.add_key(ADMIN_KEY, "shop", USER_ID, ADMIN, "admin")
    model.add_key(LIST_KEY, "shop", COLLEAGUE, LIST, "list")
    model.add_key(OTHER_KEY, "other", USER_ID, ADMIN, "other admin")
    return model


def body(name: str = "green_button", **changes) -> dict:
    return {"name": name, "unit_type": {"unit_type_id": 1}, "variants": [{"name": "control"}, {"name": "green"}], **changes}


def complete(name: str = "green_button", **changes) -> dict:
    return body(name, **{"primary_metric": {"metric_id": UPLIFT}, "applications": [{"application_id": 1}], **changes})


def create(absmartly: ABsmartly, **changes) -> dict:
    return absmartly.create_experiment(complete(**changes), ADMIN_KEY)["experiment"]


def running(absmartly: ABsmartly, **changes) -> dict:
    made = create(absmartly, state="ready", **changes)
    return absmartly.start_experiment(made["id"], {}, ADMIN_KEY)["experiment"]


def fields_of(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.fields


def listed(absmartly: ABsmartly, key: str = ADMIN_KEY, **filters) -> list[int]:
    found = absmartly.list_experiments(key, **filters)
    assert isinstance(found, Listing)
    return [e["id"] for e in found.items]


# -- creating ---------------------------------------------------------------------------------


def test_a_new_experiment_is_a_created_first_iteration_split_evenly(absmartly):
    made = absmartly.create_experiment(body(variants=[{"name": "a"}, {"name": "b"}, {"name": "c"}]), ADMIN_KEY)

    experiment = made["experiment"]
    assert made["ok"] is True and made["errors"] == []
    assert (experiment["state"], experiment["iteration"], experiment["percentages"], experiment["nr_variants"]) == ("created", 1, "34/33/33", 3)
    assert [v["variant"] for v in experiment["variants"]] == [0, 1, 2] and experiment["variants"][0]["config"] == "{}"
    assert experiment["created_at"] == "2026-03-02T09:30:15.123Z" and experiment["created_by"]["first_name"] == "Ann"
    assert experiment["unit_type"]["name"] == "user_id" and experiment["primary_metric"] is None


def test_the_name_is_unique_per_unit_type_among_experiments_not_archived(absmartly):
    first = create(absmartly)
    with pytest.raises(Invalid) as refused:
        create(absmartly)
    assert fields_of(refused) == ["name"]

    create(absmartly, unit_type={"unit_type_id": 2})                       # another unit type: free
    absmartly.archive_experiment(first["id"], {"archive": True}, ADMIN_KEY)
    create(absmartly)                                                        # the archived one no longer counts


def test_variants_need_unique_names_and_their_own_numbers(absmartly):
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(variants=[{"name": "control"}, {"name": "Control"}]), ADMIN_KEY)
    assert fields_of(refused) == ["variants[1].name"]
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(variants=[{"variant": 1, "name": "a"}, {"variant": 0, "name": "b"}]), ADMIN_KEY)
    assert fields_of(refused) == ["variants[0].variant", "variants[1].variant"]


@pytest.mark.parametrize("percentages", ["50/40", "50/25/25", "100"])
def test_the_traffic_split_gives_every_variant_a_share_adding_up_to_100(absmartly, percentages):
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(percentages=percentages), ADMIN_KEY)
    assert fields_of(refused) == ["percentages"]
    assert absmartly.create_experiment(body(percentages="90/10"), ADMIN_KEY)["experiment"]["percentages"] == "90/10"


@pytest.mark.parametrize("change, field", [
    ({"unit_type": {"unit_type_id": 9}}, "unit_type.unit_type_id"),
    ({"primary_metric": {"metric_id": 9}}, "primary_metric.metric_id"),
    ({"secondary_metrics": [{"metric_id": 9}]}, "secondary_metrics[0].metric_id"),
    ({"applications": [{"application_id": 9}]}, "applications[0].application_id"),
    ({"owners": [{"user_id": 9}]}, "owners[0].user_id"),
    ({"teams": [{"team_id": 9}]}, "teams[0].team_id"),
    ({"experiment_tags": [{"experiment_tag_id": 9}]}, "experiment_tags[0].experiment_tag_id"),
])
def test_everything_an_experiment_refers_to_must_exist(absmartly, change, field):
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(**change), ADMIN_KEY)
    assert fields_of(refused) == [field]


def test_the_audience_must_be_a_json_filter(absmartly):
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(audience="everyone"), ADMIN_KEY)
    assert fields_of(refused) == ["audience"]
    made = absmartly.create_experiment(body(audience='{"filter":[{"and":[{"eq":[{"var":"country"},{"value":"NL"}]}]}]}'), ADMIN_KEY)
    assert made["experiment"]["audience"].startswith('{"filter"')


def test_only_a_complete_set_up_is_ready(absmartly):
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment(body(state="ready"), ADMIN_KEY)
    assert fields_of(refused) == ["primary_metric", "applications"]
    assert create(absmartly, state="ready")["state"] == "ready"


# -- changing ---------------------------------------------------------------------------------


def test_an_edit_keeps_what_it_does_not_name_and_is_noted(absmartly, clock):
    made = create(absmartly, owners=[{"user_id": 2}])
    clock.advance(60)

    absmartly.add_key("shop-admin-2", "shop", COLLEAGUE, ADMIN, "second admin")

    changed = absmartly.update_experiment(made["id"], {"data": {"display_name": "Green button"}, "note": "nicer name"}, "shop-admin-2")["experiment"]

    assert changed["display_name"] == "Green button" and [o["user_id"] for o in changed["owners"]] == [2]
    assert changed["updated_at"] == "2026-03-02T09:31:15.123Z" and changed["updated_by_user_id"] == COLLEAGUE
    notes = absmartly.list_experiment_activity(made["id"], ADMIN_KEY)["experiment_notes"]
    assert [(n["action"], n["note"]) for n in notes] == [("create", None), ("edit", "nicer name")]


def test_a_started_experiment_keeps_its_variants_and_unit_type(absmartly):
    experiment = running(absmartly)
    for change, field in (({"variants": [{"name": "control"}, {"name": "blue"}]}, "variants"), ({"unit_type": {"unit_type_id": 2}}, "unit_type")):
        with pytest.raises(Invalid) as refused:
            absmartly.update_experiment(experiment["id"], {"data": change}, ADMIN_KEY)
        assert fields_of(refused) == [field]
    changed = absmartly.update_experiment(experiment["id"], {"data": {"hypothesis": "Green wins", "percentage_of_traffic": 50}}, ADMIN_KEY)
    assert changed["experiment"]["hypothesis"] == "Green wins"


def test_a_draft_moves_between_created_and_ready_by_an_edit_but_a_started_one_does_not(absmartly):
    made = create(absmartly)
    assert absmartly.update_experiment(made["id"], {"data": {"state": "ready"}}, ADMIN_KEY)["experiment"]["state"] == "ready"
    started = absmartly.start_experiment(made["id"], {}, ADMIN_KEY)["experiment"]
    with pytest.raises(Invalid) as refused:
        absmartly.update_experiment(started["id"], {"data": {"state": "created"}}, ADMIN_KEY)
    assert fields_of(refused) == ["data.state"]


def test_an_archived_experiment_cannot_be_edited(absmartly):
    made = create(absmartly)
    absmartly.archive_experiment(made["id"], {"archive": True}, ADMIN_KEY)
    with pytest.raises(Invalid, match="archived"):
        absmartly.update_experiment(made["id"], {"data": {"display_name": "x"}}, ADMIN_KEY)


# -- the lifecycle ----------------------------------------------------------------------------


def test_the_whole_lifecycle_stamps_its_times_from_the_clock(absmartly, clock):
    made = create(absmartly, state="ready")
    id = made["id"]
    clock.advance(3600)
    assert absmartly.development_experiment(id, {}, ADMIN_KEY)["experiment"]["development_at"] == "2026-03-02T10:30:15.123Z"
    clock.advance(3600)
    started = absmartly.start_experiment(id, {"note": "go"}, ADMIN_KEY)["experiment"]
    assert (started["state"], started["start_at"]) == ("running", "2026-03-02T11:30:15.123Z")
    clock.advance(DAY.total_seconds())
    stopped = absmartly.stop_experiment(id, {"reason": "hypothesis_rejected"}, ADMIN_KEY)["experiment"]
    assert (stopped["state"], stopped["stop_at"]) == ("stopped", "2026-03-03T11:30:15.123Z")
    full_on = absmartly.full_on_experiment(id, {"full_on_variant": 1}, ADMIN_KEY)["experiment"]
    assert (full_on["state"], full_on["full_on_variant"], full_on["full_on_at"]) == ("full_on", 1, "2026-03-03T11:30:15.123Z")
    archived = absmartly.archive_experiment(id, {"archive": True, "note": "done"}, ADMIN_KEY)["experiment"]
    assert (archived["state"], archived["archived"]) == ("archived", True)
    back = absmartly.archive_experiment(id, {"archive": False}, ADMIN_KEY)["experiment"]
    assert (back["state"], back["archived"]) == ("full_on", False)


def test_every_action_is_noted_with_its_text_user_and_time(absmartly, clock):
    id = create(absmartly, state="ready")["id"]
    absmartly.start_experiment(id, {"note": "go"}, ADMIN_KEY)
    clock.advance(10)
    absmartly.stop_experiment(id, {"note": "enough", "reason": "testing"}, ADMIN_KEY)
    absmartly.full_on_experiment(id, {"full_on_variant": 1}, ADMIN_KEY)

    notes = absmartly.list_experiment_activity(id, LIST_KEY)["experiment_notes"]

    assert [(n["action"], n["note"], n["reason"], n["variant"]) for n in notes] == [
        ("create", None, None, None), ("start", "go", None, None), ("stop", "enough", "testing", None), ("full_on", None, None, 1)]
    assert {n["created_by_user_id"] for n in notes} == {USER_ID} and notes[2]["created_at"] == "2026-03-02T09:30:25.123Z"


@pytest.mark.parametrize("state, action", [
    ("created", "start"), ("created", "stop"), ("created", "full_on"), ("created", "restart"), ("created", "unarchive"),
    ("ready", "stop"), ("running", "development"), ("running", "start"), ("running", "archive"), ("running", "restart"),
    ("stopped", "start"), ("archived", "archive"), ("archived", "stop"),
])
def test_an_action_that_does_not_apply_to_the_state_is_refused_and_changes_nothing(absmartly, state, action):
    id = create(absmartly, state="ready" if state != "created" else "created")["id"]
    steps = {"running": ["start"], "stopped": ["start", "stop"], "archived": ["archive"]}.get(state, [])
    for step in steps:
        perform(absmartly, id, step)
    before = absmartly.get_experiment(id, ADMIN_KEY)

    with pytest.raises(Invalid, match=f"it is {state}"):
        perform(absmartly, id, action)

    assert absmartly.get_experiment(id, ADMIN_KEY) == before


def perform(absmartly: ABsmartly, id: int, action: str) -> dict:
    if action in ("archive", "unarchive"):
        return absmartly.archive_experiment(id, {"archive": action == "archive"}, ADMIN_KEY)
    details = {"full_on_variant": 0} if action == "full_on" else {}
    return getattr(absmartly, f"{action}_experiment")(id, details, ADMIN_KEY)


def test_serving_in_development_is_noted(absmartly):
    id = create(absmartly, state="ready")["id"]
    absmartly.development_experiment(id, {"note": "on staging"}, ADMIN_KEY)
    notes = absmartly.list_experiment_activity(id, ADMIN_KEY)["experiment_notes"]
    assert [(n["action"], n["note"]) for n in notes] == [("create", None), ("development", "on staging")]


def test_full_on_names_a_variant_the_experiment_has(absmartly):
    experiment = running(absmartly)
    with pytest.raises(Invalid) as refused:
        absmartly.full_on_experiment(experiment["id"], {"full_on_variant": 2}, ADMIN_KEY)
    assert fields_of(refused) == ["full_on_variant"]


def test_starting_needs_a_complete_set_up_even_from_development(absmartly):
    made = absmartly.create_experiment(body(), ADMIN_KEY)["experiment"]
    with pytest.raises(Invalid) as refused:
        absmartly.development_experiment(made["id"], {}, ADMIN_KEY)
    assert fields_of(refused) == ["primary_metric", "applications"]


def test_unarchiving_needs_the_name_to_be_free_again(absmartly):
    first = create(absmartly)
    absmartly.archive_experiment(first["id"], {"archive": True}, ADMIN_KEY)
    create(absmartly)
    with pytest.raises(Invalid) as refused:
        absmartly.archive_experiment(first["id"], {"archive": False}, ADMIN_KEY)
    assert fields_of(refused) == ["name"]


def test_a_restart_is_a_new_iteration_and_lists_show_the_latest(absmartly):
    first = running(absmartly)
    absmartly.stop_experiment(first["id"], {}, ADMIN_KEY)

    second = absmartly.restart_experiment(first["id"], {"note": "again", "reshuffle": True}, ADMIN_KEY)["experiment"]

    assert (second["iteration"], second["state"], second["name"]) == (2, "running", first["name"]) and second["id"] != first["id"]
    assert second["traffic_seed"] != first["traffic_seed"] and second["seed"] == first["seed"]
    notes = absmartly.list_experiment_activity(first["id"], ADMIN_KEY)["experiment_notes"]
    assert (notes[-1]["action"], notes[-1]["new_experiment_id"], notes[-1]["note"]) == ("restart", second["id"], "again")
    assert listed(absmartly) == [second["id"]]
    assert listed(absmartly, iterations=1) == [second["id"], first["id"]]
    assert listed(absmartly, iterations_of=second["id"], sort_asc="true") == [first["id"], second["id"]]


# -- activity ---------------------------------------------------------------------------------


def test_a_comment_may_answer_a_note_of_the_same_experiment_only(absmartly):
    one, other = create(absmartly), create(absmartly, name="other_one")
    first_note = absmartly.list_experiment_activity(one["id"], ADMIN_KEY)["experiment_notes"][0]
    reply = absmartly.create_experiment_note(one["id"], {"note": "looks good", "reply_to_note_id": first_note["id"]}, ADMIN_KEY)
    assert reply["experiment_note"]["action"] == "comment" and reply["experiment_note"]["reply_to_note_id"] == first_note["id"]
    with pytest.raises(Invalid) as refused:
        absmartly.create_experiment_note(other["id"], {"note": "wrong thread", "reply_to_note_id": first_note["id"]}, ADMIN_KEY)
    assert fields_of(refused) == ["reply_to_note_id"]


# -- the list ---------------------------------------------------------------------------------


def with_statistics(absmartly: ABsmartly, experiment: dict, impact: float, pvalue: float, alerts: tuple = ()) -> None:
    variants = [{"metric_id": experiment["primary_metric_id"], "variant": v, "unit_count": 10, "first_exposure_at": None, "last_exposure_at": None,
                 "value": 1, "mean": 0.1, "variance": 0.09, "pvalue": None if v == 0 else pvalue, "impact": None if v == 0 else impact,
                 "impact_lower": None, "impact_upper": None} for v in (0, 1)]
    absmartly.record_statistics("shop", experiment["id"], previews=[], preview_variants=variants, sample_size=None, last_seen_in_code_at=None,
                                alerts=[{"type": kind, "dismissed": False, "created_at": "2026-03-01T00:00:00.000Z", "updated_at": "2026-03-01T00:00:00.000Z", "metadata": None}
                                        for kind in alerts])


def test_filters_combine_with_and_across_parameters_and_or_within_one(absmartly):
    a = create(absmartly, name="a", owners=[{"user_id": 1}], teams=[{"team_id": 1}])
    b = create(absmartly, name="b", owners=[{"user_id": 2}], teams=[{"team_id": 1}])
    c = create(absmartly, name="c", owners=[{"user_id": 3}], teams=[{"team_id": 2}])

    assert listed(absmartly, owners=[1, 3]) == [c["id"], a["id"]]
    assert listed(absmartly, owners=[1, 3], teams=[1]) == [a["id"]]
    assert listed(absmartly, teams=[1], tags=[1]) == []
    assert b["id"] in listed(absmartly, teams=[1])


def test_search_looks_in_the_name_and_the_display_name_in_any_case(absmartly):
    by_name = create(absmartly, name="checkout_banner")
    by_display = create(absmartly, name="exp_2", display_name="New CHECKOUT flow")
    create(absmartly, name="search_ranking")
    assert listed(absmartly, search="Checkout") == [by_display["id"], by_name["id"]]


def test_preview_filters_are_refused_without_previews(absmartly):
    with pytest.raises(Invalid) as refused:
        absmartly.list_experiments(ADMIN_KEY, impact=[0, 5], sample_ratio_mismatch="1")
    assert fields_of(refused) == ["impact", "sample_ratio_mismatch"]


def test_significance_follows_the_metrics_good_direction(absmartly):
    uplift = running(absmartly, name="uplift")
    slower = running(absmartly, name="slower", primary_metric={"metric_id": TIME_TO_BOOK})
    unsure = running(absmartly, name="unsure")
    with_statistics(absmartly, uplift, impact=4.0, pvalue=0.01)
    with_statistics(absmartly, slower, impact=6.0, pvalue=0.01)   # time to book went up: bad
    with_statistics(absmartly, unsure, impact=9.0, pvalue=0.4)

    assert listed(absmartly, previews=1, significance=["positive"]) == [uplift["id"]]
    assert listed(absmartly, previews=1, significance=["negative", "insignificant"]) == [unsure["id"], slower["id"]]
    assert listed(absmartly, previews=1, impact=[5, 10]) == [unsure["id"], slower["id"]]
    assert listed(absmartly, previews=1, confidence=[95, 100]) == [slower["id"], uplift["id"]]


def test_alert_filters_select_with_or_without_the_alert(absmartly):
    flagged, calm = running(absmartly, name="flagged"), running(absmartly, name="calm")
    with_statistics(absmartly, flagged, 1.0, 0.5, alerts=("sample_ratio_mismatch",))
    with_statistics(absmartly, calm, 1.0, 0.5)
    assert listed(absmartly, previews=1, sample_ratio_mismatch="true") == [flagged["id"]]
    assert listed(absmartly, previews=1, sample_ratio_mismatch="0") == [calm["id"]]


def test_a_range_from_above_its_to_is_refused(absmartly):
    with pytest.raises(Invalid) as refused:
        absmartly.list_experiments(ADMIN_KEY, previews=1, confidence=[90, 10])
    assert fields_of(refused) == ["confidence"]


def test_sorting_is_largest_first_unless_ascending_and_empty_values_go_last(absmartly, clock):
    first = running(absmartly, name="first")
    clock.advance(60)
    second = running(absmartly, name="second")
    draft = create(absmartly, name="draft")
    assert listed(absmartly, sort="start_at") == [second["id"], first["id"], draft["id"]]
    assert listed(absmartly, sort="start_at", sort_asc="1") == [first["id"], second["id"], draft["id"]]
    assert listed(absmartly, sort="name", sort_asc="true") == [draft["id"], first["id"], second["id"]]


# -- keys and accounts ------------------------------------------------------------------------


def test_accounts_never_see_each_others_experiments(absmartly):
    mine = create(absmartly)
    assert listed(absmartly, OTHER_KEY) == []
    with pytest.raises(NotFound):
        absmartly.get_experiment(mine["id"], OTHER_KEY)
    theirs = absmartly.create_experiment(complete(), OTHER_KEY)["experiment"]   # the same name and id, in another account
    assert theirs["id"] == mine["id"] and listed(absmartly) == [mine["id"]]


def test_a_list_key_may_read_but_not_change_and_an_unknown_key_nothing(absmartly):
    key = absmartly.authenticate(LIST_KEY)
    absmartly.authorize(key, write=False)
    with pytest.raises(Forbidden, match="Experiment List"):
        absmartly.authorize(key, write=True)
    with pytest.raises(Unauthorized):
        absmartly.authenticate("nope")


def test_demo_credentials_name_their_role_and_account(absmartly):
    found = {c.value: c for c in absmartly.credentials()}
    assert found[f"Api-Key {ADMIN_KEY}"].can_write and found[f"Api-Key {ADMIN_KEY}"].permissions == (ADMIN,)
    assert not found[f"Api-Key {LIST_KEY}"].can_write and found[f"Api-Key {LIST_KEY}"].can_read
    assert list(found)[0] == f"Api-Key {ADMIN_KEY}"  # the account's admin first: what a user reaches for
