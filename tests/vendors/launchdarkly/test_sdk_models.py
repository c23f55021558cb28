"""The SDK side's rules, on the model directly (no HTTP): what an iteration does to its flag,
what the SDK payload holds and when it is rebuilt, which key opens which environment, and the
stream's events and queues."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Callable

import pytest

from mockexp.broadcast import Watch
from mockexp.errors import Unauthorized
from mockexp.vendors.launchdarkly.models import LaunchDarkly
from mockexp.vendors.launchdarkly.models.rollouts import seed
from mockexp.vendors.launchdarkly.sdk import events
from mockexp.vendors.launchdarkly.sdk.stream import EventStream
from tests.vendors.launchdarkly.test_models import BLUE, GREEN, PRODUCTION, PROJECT, RULE, STAGING, create, iteration, patch, stored  # noqa: F401
from tests.vendors.launchdarkly.test_models import clock, ld  # noqa: F401 (fixtures)


def config(ld: LaunchDarkly, flag: str = "button", environment: str = PRODUCTION) -> dict:
    """The flag's configuration as it serves now (experiments' traffic applied)."""
    return ld.configuration(ld.flag(PROJECT, flag), environment)


def rule(ld: LaunchDarkly) -> dict:
    return next(r for r in config(ld)["rules"] if r["_id"] == RULE)


# -- what an iteration does to its flag ------------------------------------------------------------


def test_starting_an_iteration_puts_an_experiment_rollout_of_its_allocation_on_the_rule(ld):
    create(ld, iteration=iteration(treatments=[
        {"name": "Blue", "baseline": True, "allocationPercent": "10", "parameters": [{"flagKey": "button", "variationId": BLUE}]},
        {"name": "Green", "baseline": False, "allocationPercent": "30.5", "parameters": [{"flagKey": "button", "variationId": GREEN}]},
    ]))
    version = config(ld)["version"]
    patch(ld, {"kind": "startIteration"})
    current = stored(ld)["currentIteration"]
    assert rule(ld)["rollout"] == {
        "kind": "experiment", "seed": seed(current["_id"]), "contextKind": "user", "bucketBy": "key",
        "variations": [{"variation": 0, "weight": 10000, "untracked": False}, {"variation": 1, "weight": 30500, "untracked": False},
                       {"variation": 0, "weight": 59500, "untracked": True}],  # the rest: the baseline's variation, outside the experiment
    }
    assert "variation" not in rule(ld)
    assert config(ld)["version"] == version + 1
    assert config(ld, environment=STAGING)["version"] == 2  # another environment's configuration is not touched


def test_an_experiment_in_a_layer_gets_its_reservation_at_its_place_in_the_layer_bucketed_by_the_layers_seed(ld):
    create(ld, key="someone-else")  # reserves 50% of the checkout-flow layer, after "layered" (25%)
    patch(ld, {"kind": "startIteration"}, key="someone-else")
    rollout = rule(ld)["rollout"]
    assert rollout["variations"] == [{"variation": 0, "weight": 25000, "untracked": True},  # the layer's first 25%: layered's
                                     {"variation": 0, "weight": 25000, "untracked": False}, {"variation": 1, "weight": 25000, "untracked": False},
                                     {"variation": 0, "weight": 25000, "untracked": True}]
    assert rollout["seed"] == seed(f"{PROJECT}.{PRODUCTION}.checkout-flow")


def test_an_iteration_on_the_fallthrough_rolls_out_there_by_its_randomization_unit(ld):
    create(ld, iteration=iteration(flags={"button": {"ruleId": "fallthrough", "flagConfigVersion": 7}}, randomizationUnit="organization",
                                   metrics=[{"key": "checkout"}]))
    patch(ld, {"kind": "startIteration"})
    rollout = config(ld)["fallthrough"]["rollout"]
    assert rollout["kind"] == "experiment" and rollout["contextKind"] == "organization"
    assert [v["weight"] for v in rollout["variations"]] == [50000, 50000]
    assert rule(ld)["variation"] == 0  # the rule it does not run on serves what it served


def test_stopping_an_iteration_takes_the_rollout_away_and_serves_the_winner(ld):
    create(ld)
    patch(ld, {"kind": "startIteration"})
    started = config(ld)["version"]
    winner = stored(ld)["currentIteration"]["treatments"][1]["_id"]
    patch(ld, {"kind": "stopIteration", "winningTreatmentId": winner})
    assert "rollout" not in rule(ld)
    assert rule(ld)["variation"] == 1  # green, the winner's variation
    assert config(ld)["version"] == started + 1
    assert ld.flag_version(ld.flag(PROJECT, "button")) == 3  # the flag's own version counts each change too
    assert ld.get_feature_flag(PROJECT, "button")["environments"][PRODUCTION]["rules"][0]["variation"] == 1  # the REST API shows the same


def test_each_iteration_buckets_by_its_own_seed(ld):
    create(ld)
    patch(ld, {"kind": "startIteration"})
    first = rule(ld)["rollout"]["seed"]
    ld.create_iteration(PROJECT, PRODUCTION, "exp", iteration())
    patch(ld, {"kind": "startIteration", "changeJustification": "Again"})
    assert rule(ld)["rollout"]["kind"] == "experiment"
    assert rule(ld)["rollout"]["seed"] != first


def test_a_refused_patch_leaves_the_flag_as_it_was(ld):
    create(ld)
    before = config(ld)
    with pytest.raises(Exception):
        patch(ld, {"kind": "startIteration"}, {"kind": "noSuchInstruction"})
    assert config(ld) == before


def test_dropping_the_experiments_traffic_puts_the_flag_back_as_the_world_made_it(ld):
    create(ld)
    before = config(ld)
    patch(ld, {"kind": "startIteration"})
    ld.store.drop_everywhere(["experiments", "flag_traffic"])  # what a world file that replaces the experiments does
    assert config(ld) == before


# -- the payload -------------------------------------------------------------------------------


def test_the_payload_holds_the_flags_in_the_sdk_data_model(ld):
    payload = ld.sdk_payload(PROJECT, PRODUCTION)
    button = payload.flags["button"]
    assert button["variations"] == [0, 1, 2]
    assert button["version"] == 7 and button["on"] is True
    assert button["rules"] == [{"id": RULE, "clauses": [{"attribute": "country", "op": "in", "values": ["FI"], "negate": False, "contextKind": "user"}],
                                "variation": 0, "trackEvents": False}]
    assert button["fallthrough"] == {"variation": 0} and button["offVariation"] == 0
    assert set(payload.flags) == {"button", "banner"} and payload.segments == {}
    assert set(ld.sdk_payload(PROJECT, STAGING).flags) == {"button"}  # banner has no configuration there


def test_the_payload_is_built_once_per_change(ld):
    first = ld.sdk_payload(PROJECT, PRODUCTION)
    assert ld.sdk_payload(PROJECT, PRODUCTION) is first
    create(ld)
    assert ld.sdk_payload(PROJECT, PRODUCTION) is first  # a draft changes no flag
    patch(ld, {"kind": "startIteration"})
    changed = ld.sdk_payload(PROJECT, PRODUCTION)
    assert changed is not first and changed.etag != first.etag
    assert changed.flags["button"]["version"] == 8


def test_archived_flags_are_not_sent(ld):
    ld.add_flag(PROJECT, "retired", "Retired", variations=[{"_id": "a", "name": "A", "value": False}], environments={PRODUCTION: {"version": 1, "rules": []}},
                archived_date=1)
    assert "retired" not in ld.sdk_payload(PROJECT, PRODUCTION).flags


# -- keys --------------------------------------------------------------------------------------


def test_the_sdk_key_opens_its_environment_and_a_mobile_or_unknown_key_is_refused(ld):
    environment = ld.get_environment(PROJECT, STAGING)
    assert ld.sdk_environment(environment["apiKey"]) == (PROJECT, STAGING)
    with pytest.raises(Unauthorized, match="mobile key"):
        ld.sdk_environment(environment["mobileKey"])
    with pytest.raises(Unauthorized, match="Invalid SDK key"):
        ld.sdk_environment("sdk-00000000-0000-0000-0000-000000000000")


def test_every_environment_lists_its_sdk_key_mobile_key_and_client_side_id(ld):
    listed = {(c.tenant["environmentKey"], c.role): c for c in ld.credentials() if c.spec == "launchdarkly-sdk.yaml" and c.tenant["projectKey"] == PROJECT}
    environment = ld.get_environment(PROJECT, PRODUCTION)
    assert listed[PRODUCTION, "SDK key"].value == environment["apiKey"] and listed[PRODUCTION, "SDK key"].can_write
    assert listed[PRODUCTION, "mobile key"].value == environment["mobileKey"] and not listed[PRODUCTION, "mobile key"].can_read
    assert listed[PRODUCTION, "client-side ID"].value == environment["_id"]
    assert {environment for environment, _ in listed} == {PRODUCTION, STAGING}


# -- the stream's events and queues ------------------------------------------------------------


def test_a_change_is_a_patch_of_the_flag_and_a_replaced_world_a_new_put(ld):
    before = ld.sdk_payload(PROJECT, PRODUCTION)
    create(ld)
    patch(ld, {"kind": "startIteration"})
    after = ld.sdk_payload(PROJECT, PRODUCTION)
    sent = events.changes(before, after)
    assert len(sent) == 1 and sent[0].startswith(b'event: patch\ndata: {"path":"/flags/button","data":{"key":"button","version":8')
    assert events.changes(after, before)[0].startswith(b'event: put\ndata: {"path":"/","data":{"flags":')  # versions went down: a reset


def test_a_listener_that_stops_taking_is_dropped_and_the_others_keep_receiving():
    async def scenario() -> None:
        state = {"answer": object()}
        watch = Watch(lambda: state["answer"], lambda old, new: ["changed"], interval=3600, queue_size=2)
        slow, _ = watch.listen()
        reader, _ = watch.listen()
        for _ in range(5):
            state["answer"] = object()
            watch.check()
            assert await reader.queue.get() == "changed"
        assert slow.dropped.is_set() and slow not in watch.listeners
        assert reader in watch.listeners and not reader.dropped.is_set()
        watch.leave(reader)

    asyncio.run(scenario())


# -- the stream as an ASGI answer ---------------------------------------------------------------


class Client:
    """The ASGI side of one stream: what was sent, a client that may stop reading after some
    messages, a disconnect on demand, and the server's extensions (drop, shutdown)."""

    def __init__(self, reads: int | None = None) -> None:
        self.sent: list[dict] = []
        self.reads = reads
        self.gone = asyncio.Event()
        self.dropped = False
        self.on_shutdown = None

    async def send(self, message: dict) -> None:
        self.sent.append(message)
        if self.reads is not None and len(self.sent) > self.reads:
            await asyncio.Event().wait()  # stopped reading: the write never completes

    async def receive(self) -> dict:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    def scope(self) -> dict:
        return {"type": "http", "extensions": {"mockexp.drop": self.drop, "mockexp.on_shutdown": self.register}}

    def drop(self) -> None:
        self.dropped = True

    def register(self, callback) -> None:
        self.on_shutdown = callback

    def bodies(self) -> list[bytes]:
        return [m["body"] for m in self.sent if m["type"] == "http.response.body"]


def changing(ld: LaunchDarkly, queue_size: int = 256) -> tuple[Watch, Callable[[], None]]:
    """A watch of the production payload, and a way to change what it sees (a new version each call)."""
    state = {"payload": ld.sdk_payload(PROJECT, PRODUCTION)}
    watch = Watch(lambda: state["payload"], lambda old, new: [b"event: patch\ndata: {}\n\n"], interval=3600, queue_size=queue_size)

    def change() -> None:
        state["payload"] = dataclasses.replace(state["payload"], fingerprint=(object(),))
        watch.check()

    return watch, change


def test_a_stream_sends_the_put_then_each_change_with_heartbeats_until_the_client_goes(ld):
    async def scenario() -> None:
        watch, change = changing(ld)
        client = Client()
        task = asyncio.create_task(EventStream(watch, {"X-LD-EnvID": "e1"}, heartbeat=0.05)(client.scope(), client.receive, client.send))
        await asyncio.sleep(0.01)
        change()
        await asyncio.sleep(0.12)
        client.gone.set()
        await asyncio.wait_for(task, 1)
        start, *bodies = client.sent
        assert start["status"] == 200 and (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"] and (b"x-ld-envid", b"e1") in start["headers"]
        assert bodies[0]["body"].startswith(b'event: put\ndata: {"path":"/","data":{"flags":{"banner"')
        assert bodies[1]["body"] == b"event: patch\ndata: {}\n\n"
        assert events.HEARTBEAT in [b["body"] for b in bodies[2:]]
        assert not watch.listeners  # it left the watch

    asyncio.run(scenario())


def test_a_stream_whose_client_stopped_reading_is_dropped_and_its_connection_closed(ld):
    async def scenario() -> None:
        watch, change = changing(ld, queue_size=2)
        slow, reader = Client(reads=2), Client()
        tasks = [asyncio.create_task(EventStream(watch, {})(c.scope(), c.receive, c.send)) for c in (slow, reader)]
        await asyncio.sleep(0.01)
        for _ in range(5):
            change()
            await asyncio.sleep(0.01)
        await asyncio.wait_for(tasks[0], 1)  # the slow one ended
        assert slow.dropped
        assert reader.bodies()[1:] == [b"event: patch\ndata: {}\n\n"] * 5 and not reader.dropped
        reader.gone.set()
        await asyncio.wait_for(tasks[1], 1)

    asyncio.run(scenario())


def test_a_stream_ends_its_answer_when_the_server_stops(ld):
    async def scenario() -> None:
        watch, _ = changing(ld)
        client = Client()
        task = asyncio.create_task(EventStream(watch, {})(client.scope(), client.receive, client.send))
        await asyncio.sleep(0.01)
        client.on_shutdown()
        await asyncio.wait_for(task, 1)
        assert client.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}

    asyncio.run(scenario())
