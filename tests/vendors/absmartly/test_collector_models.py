"""ABsmartly's SDK side (the Collector API), tested against the model directly (no HTTP): what
the context serves from the Web Console's experiments, its seeds, the SDK keys, and what
publishing stores. The world is `test_models`'s, with environments and SDK keys added."""

from __future__ import annotations

import pytest

from mockexp.errors import Forbidden, Invalid, Unauthorized
from mockexp.vendors.absmartly.models import ABsmartly
from mockexp.vendors.absmartly.models.common import EXPERIMENTS
from mockexp.vendors.absmartly.sdk.common import EXPOSURES, GOAL_ACHIEVEMENTS, unit_hash
from mockexp.vendors.absmartly.sdk.context import halves
from tests.conftest import clock_at
from tests.vendors.absmartly.test_models import ADMIN_KEY, NOW, create, running, shop_and_other

SHOP_KEY, SHOP_DEV_KEY, OTHER_SDK_KEY = "shop-production-sdk", "shop-development-sdk", "other-production-sdk"


@pytest.fixture
def clock():
    return clock_at(NOW)


@pytest.fixture
def absmartly(clock) -> ABsmartly:
    web_console = shop_and_other(clock)
    for account in ("shop", "other"):
        web_console.add_environment(account, "production", "production")
    web_console.add_environment("shop", "staging", "development")
    web_console.add_sdk_key(SHOP_KEY, "shop", "production")
    web_console.add_sdk_key(SHOP_DEV_KEY, "shop", "staging")
    web_console.add_sdk_key(OTHER_SDK_KEY, "other", "production")
    return web_console


def served(absmartly: ABsmartly, key: str | None = SHOP_KEY, application: str = "www", environment: str = "production") -> dict:
    """The experiments of the context, by name."""
    return {e["name"]: e for e in absmartly.collector_context(key, application, environment)["experiments"]}


def exposure(id: int, variant: int, unit: str = "user_id", **more) -> dict:
    return {"id": id, "name": "x", "unit": unit, "variant": variant, "exposedAt": 1, "assigned": True, "eligible": True, **more}


def publish(absmartly: ABsmartly, *events: dict, key: str = SHOP_KEY, environment: str = "production", batch: bool = False) -> dict:
    return absmartly.collector_publish(key, "www", environment, list(events), batch=batch)


def event(uid: str, *exposures: dict, goals: tuple = (), hashed: bool = False) -> dict:
    return {"hashed": hashed, "publishedAt": 1, "units": [{"type": "user_id", "uid": uid}], "exposures": list(exposures), "goals": list(goals)}


# -- what is served --------------------------------------------------------------------------


def test_only_running_and_full_on_experiments_are_served(absmartly):
    drafts = {state: create(absmartly, name=f"in_{state}", state=state)["id"] for state in ("created", "ready")}
    started = {name: running(absmartly, name=name)["id"] for name in ("kept", "stopped", "full", "archived")}
    absmartly.stop_experiment(started["stopped"], {}, ADMIN_KEY)
    absmartly.full_on_experiment(started["full"], {"full_on_variant": 1}, ADMIN_KEY)
    absmartly.stop_experiment(started["archived"], {}, ADMIN_KEY)
    absmartly.archive_experiment(started["archived"], {"archive": True}, ADMIN_KEY)
    absmartly.development_experiment(create(absmartly, name="in_development", state="ready")["id"], {}, ADMIN_KEY)

    assert set(served(absmartly)) == {"kept", "full"}
    assert set(served(absmartly, SHOP_DEV_KEY, environment="staging")) == {"kept", "full", "in_development"}
    assert drafts  # made, and not served


def test_an_experiment_is_served_only_to_its_applications(absmartly):
    running(absmartly, name="web_only")
    running(absmartly, name="both", applications=[{"application_id": 1}, {"application_id": 2}])

    assert set(served(absmartly, application="ios")) == {"both"}
    assert served(absmartly)["both"]["applications"] == [{"name": "www"}, {"name": "ios"}]


def test_an_experiment_is_served_as_the_sdks_read_it(absmartly):
    made = running(absmartly, percentages="20/30/50", percentage_of_traffic=40, audience_strict=True,
                   variants=[{"name": "control"}, {"name": "green", "config": '{"colour": "green"}'}, {"name": "blue"}])

    experiment = served(absmartly)[made["name"]]

    assert (experiment["id"], experiment["unitType"], experiment["iteration"], experiment["fullOnVariant"]) == (made["id"], "user_id", 1, 0)
    assert experiment["split"] == [0.2, 0.3, 0.5] and experiment["trafficSplit"] == [0.6, 0.4]
    assert experiment["variants"][1] == {"name": "green", "config": '{"colour": "green"}'}
    assert (experiment["audience"], experiment["audienceStrict"]) == (made["audience"], True)


def test_the_seeds_are_the_halves_of_the_hexadecimal_seed(absmartly):
    name = running(absmartly)["name"]
    experiment = served(absmartly)[name]

    assert halves(experiment["seed"]) == (experiment["seedHi"], experiment["seedLo"])
    assert halves(experiment["trafficSeed"]) == (experiment["trafficSeedHi"], experiment["trafficSeedLo"])
    assert experiment["seed"] != experiment["trafficSeed"]


def test_seeds_are_stable_for_an_iteration_and_new_for_a_restart(absmartly):
    first = running(absmartly)
    before = served(absmartly)[first["name"]]
    assert served(absmartly, SHOP_DEV_KEY, environment="staging")[first["name"]]["seed"] == before["seed"]

    absmartly.stop_experiment(first["id"], {}, ADMIN_KEY)
    second = absmartly.restart_experiment(first["id"], {}, ADMIN_KEY)["experiment"]
    after = served(absmartly)[first["name"]]

    assert (after["id"], after["iteration"]) == (second["id"], 2)
    assert after["seed"] != before["seed"] and after["trafficSeed"] != before["trafficSeed"]


def test_a_full_on_experiment_gives_its_variant_and_variant_0_still_reaches_everyone(absmartly):
    one, zero = running(absmartly, name="won"), running(absmartly, name="lost")
    absmartly.full_on_experiment(one["id"], {"full_on_variant": 1}, ADMIN_KEY)
    absmartly.full_on_experiment(zero["id"], {"full_on_variant": 0}, ADMIN_KEY)

    context = served(absmartly)

    assert context["won"]["fullOnVariant"] == 1
    assert context["lost"]["fullOnVariant"] == 0 and context["lost"]["trafficSplit"] == [1, 0]  # nobody in the traffic: variant 0


def test_the_context_is_built_once_per_change_of_the_experiments(absmartly):
    made = running(absmartly)
    first = absmartly.collector_context(SHOP_KEY, "www", "production")
    assert absmartly.collector_context(SHOP_KEY, "www", "production") is first

    absmartly.stop_experiment(made["id"], {}, ADMIN_KEY)

    assert absmartly.collector_context(SHOP_KEY, "www", "production")["experiments"] == []


# -- keys --------------------------------------------------------------------------------------


def test_a_keyless_read_serves_the_first_account_and_a_key_its_own(absmartly):
    running(absmartly, name="in_the_shop")

    assert set(served(absmartly, None)) == {"in_the_shop"}
    assert served(absmartly, OTHER_SDK_KEY) == {}


def test_a_wrong_key_or_another_environments_key_is_refused(absmartly):
    with pytest.raises(Unauthorized):
        served(absmartly, "nope")
    with pytest.raises(Unauthorized):
        served(absmartly, ADMIN_KEY)  # a Web Console key is no SDK key
    with pytest.raises(Forbidden, match="staging"):
        served(absmartly, SHOP_DEV_KEY, environment="production")


@pytest.mark.parametrize("application, environment, field", [("android", "production", "application"), ("www", "qa", "environment")])
def test_an_application_or_environment_the_account_lacks_is_a_400(absmartly, application, environment, field):
    with pytest.raises(Invalid) as refused:
        absmartly.collector_context(None, application, environment)
    assert refused.value.fields == [field]


def test_sdk_keys_are_listed_after_the_web_console_keys_with_their_account_and_environment(absmartly):
    credentials = absmartly.credentials()
    sdk = [c for c in credentials if c.header == "X-API-Key"]

    assert credentials[0].value == f"Api-Key {ADMIN_KEY}" and credentials[-len(sdk):] == sdk
    assert [c.value for c in sdk] == [SHOP_KEY, SHOP_DEV_KEY, OTHER_SDK_KEY]
    assert all("SDK" in c.role and not c.can_write and c.can_read for c in sdk)
    assert "account shop" in sdk[1].note and "environment staging" in sdk[1].note and "www" in sdk[1].note


# -- publishing ---------------------------------------------------------------------------------


def preview(absmartly: ABsmartly, id: int) -> tuple[int, dict[int, int]]:
    experiment = absmartly.get_experiment(id, ADMIN_KEY)["experiment"]
    units = sum(p["unit_count"] for p in experiment["previews"] if p["environment_type"] == "production")
    return units, {v["variant"]: v["unit_count"] for v in experiment["preview_variants"]}


def test_exposed_units_grow_the_preview_once_each_with_the_clocks_time(absmartly, clock):
    made = running(absmartly)

    publish(absmartly, event("ann", exposure(made["id"], 1)), event("ben", exposure(made["id"], 0)))
    publish(absmartly, event("ann", exposure(made["id"], 1)), event("cy", exposure(made["id"], 1)))

    assert preview(absmartly, made["id"]) == (3, {0: 1, 1: 2})
    stored = absmartly.account("shop").get(EXPOSURES, f"{made['id']}/user_id/{unit_hash('ann')}")
    assert (stored["variant"], stored["received_at"], stored["environment"]) == (1, "2026-03-02T09:30:15.123Z", "production")


def test_hashed_units_are_the_same_units_as_their_plain_ids(absmartly):
    made = running(absmartly)
    publish(absmartly, event("ann", exposure(made["id"], 1)))
    publish(absmartly, event(unit_hash("ann"), exposure(made["id"], 1), hashed=True))

    assert preview(absmartly, made["id"]) == (1, {1: 1})


def test_a_development_environment_grows_its_own_preview(absmartly):
    made = running(absmartly)
    publish(absmartly, event("ann", exposure(made["id"], 1)), key=SHOP_DEV_KEY, environment="staging")

    experiment = absmartly.get_experiment(made["id"], ADMIN_KEY)["experiment"]
    assert [(p["environment_type"], p["unit_count"]) for p in experiment["previews"]] == [("development", 1)]


def test_exposures_without_an_experiment_or_a_unit_are_counted_nowhere(absmartly):
    made = running(absmartly)
    publish(absmartly, event("ann", exposure(0, 0), exposure(made["id"], 1, unit="device_id", fullOn=True)))

    assert preview(absmartly, made["id"]) == (0, {})


def test_a_goal_is_stored_with_the_experiments_its_units_were_exposed_to(absmartly):
    made, other = running(absmartly), running(absmartly, name="other")
    publish(absmartly, event("ann", exposure(made["id"], 1)), event("ben", exposure(other["id"], 0)))
    publish(absmartly, event("ann", goals=({"name": "purchase", "achievedAt": 5, "properties": {"price": 10}},)))

    [goal] = absmartly.account("shop").query(GOAL_ACHIEVEMENTS)
    assert (goal["name"], goal["experiment_ids"], goal["properties"], goal["received_at"]) == ("purchase", [made["id"]], {"price": 10}, "2026-03-02T09:30:15.123Z")


@pytest.mark.parametrize("bad, field", [
    (exposure(999, 0), "exposures[1].id"),
    (exposure(1, 2), "exposures[1].variant"),
])
def test_a_publish_naming_what_the_account_lacks_is_refused_and_stores_nothing(absmartly, bad, field):
    made = running(absmartly)
    assert made["id"] == 1
    before = absmartly.account("shop").get(EXPERIMENTS, "1")

    with pytest.raises(Invalid) as refused:
        publish(absmartly, event("ann", exposure(1, 1), bad))

    assert refused.value.fields == [field]
    assert absmartly.account("shop").get(EXPERIMENTS, "1") == before and absmartly.account("shop").count(EXPOSURES) == 0


def test_a_batch_is_stored_whole_or_not_at_all(absmartly):
    made = running(absmartly)
    with pytest.raises(Invalid) as refused:
        publish(absmartly, event("ann", exposure(made["id"], 1)), event("ben", exposure(404, 0)), batch=True)
    assert refused.value.fields == ["[1].exposures[0].id"]
    assert preview(absmartly, made["id"]) == (0, {})


def test_another_accounts_experiment_cannot_be_published_to(absmartly):
    made = running(absmartly)
    with pytest.raises(Invalid):
        publish(absmartly, event("ann", exposure(made["id"] + 100, 1)), key=OTHER_SDK_KEY)
    with pytest.raises(Forbidden):
        publish(absmartly, event("ann", exposure(made["id"], 1)), key=SHOP_KEY, environment="staging")
