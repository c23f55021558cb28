"""The Collector API as an app's own ABsmartly SDK meets it: the official Python SDK (PyPI
`absmartly`) and JavaScript SDK (npm `@absmartly/javascript-sdk`, run with node), given the
mock's `/v1` as their endpoint and a demo SDK key, are assigned to the demo experiments, agree
unit by unit, follow what the Web Console API changes, and their published exposures fill the
experiments' preview statistics. Bad input is refused in ABsmartly's error body with nothing
changed. (The JavaScript tests are skipped only where node is absent.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from sdk.absmartly import ABSmartly
from sdk.absmartly_config import ABSmartlyConfig
from sdk.client import Client
from sdk.client_config import ClientConfig
from sdk.context import Context
from sdk.context_config import ContextConfig
from sdk.default_http_client import DefaultHTTPClient
from sdk.default_http_client_config import DefaultHTTPClientConfig

from tests.conftest import credential
from tests.vendors.absmartly.test_http import assert_absmartly_error
from tests.world import state

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).parent / "js" / "treatments.js"
UNITS = [f"visitor-{n}" for n in range(1000)]
UNIT_TYPES = ("user_id", "anonymous_id", "device_id")  # the demo account's: every unit has each, with the same id


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed: ABsmartly's JavaScript SDK cannot run")
    if not (ROOT / "node_modules" / "@absmartly" / "javascript-sdk").is_dir():
        pytest.fail("@absmartly/javascript-sdk is not installed: `python3 dev.py test` installs package.json's packages (npm ci)")
    return found


def sdk_key(mock) -> str:
    return credential(mock.runtime, "absmartly", role="SDK key (production)")["value"]


def admin(mock) -> dict:
    return {"Authorization": credential(mock.runtime, "absmartly", role="Experiment Admin")["value"]}


def python_sdk(mock) -> ABSmartly:
    client = ClientConfig()
    client.endpoint, client.api_key, client.application, client.environment = mock.url + "/v1", sdk_key(mock), "www", "production"
    config = ABSmartlyConfig()
    config.client = Client(client, DefaultHTTPClient(DefaultHTTPClientConfig()))
    return ABSmartly(config)


def context_config(uid: str) -> ContextConfig:
    config = ContextConfig()
    config.units = {unit_type: uid for unit_type in UNIT_TYPES}
    config.refresh_interval, config.publish_delay = 0, -1  # no timers: the test refreshes and publishes itself
    return config


def python_context(mock, uid: str) -> Context:
    context = python_sdk(mock).create_context(context_config(uid))
    context.wait_until_ready()
    assert context.is_ready() and not context.is_failed()
    return context


def python_treatments(mock, units: list[str], experiments: list[str]) -> list[list[int]]:
    """Each unit's treatment of each experiment, from one read of the context.

    The absmartly SDK (0.2.4) has a read-write lock that a reader on one thread can leave held
    when another thread releases it (`sdk/internal/lock/read_write_lock.py`); a later read then
    waits forever (seen once in a suite run, in this function). So the SDK is asked on a thread
    of its own, given 60 s, and asked once more with a fresh SDK and contexts if it hangs."""
    for _ in range(2):
        found: list = []
        asking = threading.Thread(target=lambda: found.append(_treatments(python_sdk(mock), units, experiments)), daemon=True)
        asking.start()
        asking.join(60)
        if found:
            return found[0]
    raise AssertionError("the absmartly Python SDK hung twice (its read-write lock)")


def _treatments(sdk, units: list[str], experiments: list[str]) -> list[list[int]]:
    data = sdk.get_context_data().result()
    return [[context.get_treatment(name) for name in experiments] for context in (sdk.create_context_with(context_config(uid), data) for uid in units)]


def js_treatments(node: str, mock, units: list[str], experiments: list[str], publish: dict | None = None) -> list[list[int]]:
    request = {"endpoint": mock.url + "/v1", "apiKey": sdk_key(mock), "application": "www", "environment": "production",
               "unitTypes": UNIT_TYPES, "units": units, "experiments": experiments, "publish": publish}
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(request), capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def context(http: httpx.Client, **query) -> dict:
    response = http.get("/v1/context", params={"application": "www", "environment": "production", **query})
    assert response.status_code == 200, response.text
    return {e["name"]: e for e in response.json()["experiments"]}


def new_experiment(http: httpx.Client, mock, name: str, percentages: str, variants: int, start: bool = True) -> dict:
    """An experiment of the demo account for `www`, 100% of the traffic, made (and started) through the Web Console API."""
    catalogue = {table: http.get(f"/v1/{table}", headers=admin(mock)).json()[table] for table in ("applications", "unit_types", "metrics")}
    body = {"name": name, "state": "ready", "percentages": percentages, "percentage_of_traffic": 100,
            "unit_type": {"unit_type_id": next(u["id"] for u in catalogue["unit_types"] if u["name"] == "user_id")},
            "applications": [{"application_id": next(a["id"] for a in catalogue["applications"] if a["name"] == "www")}],
            "primary_metric": {"metric_id": catalogue["metrics"][0]["id"]},
            "variants": [{"name": f"variant_{n}", "config": json.dumps({"n": n})} for n in range(variants)]}
    response = http.post("/v1/experiments", headers=admin(mock), json=body)
    assert response.status_code == 200, response.text
    made = response.json()["experiment"]
    if start:
        act(http, mock, made["id"], "start")
    return made


def act(http: httpx.Client, mock, id: int, action: str, **body) -> None:
    response = http.put(f"/v1/experiments/{id}/{action}", headers=admin(mock), json=body)
    assert response.status_code == 200, response.text


def preview(http: httpx.Client, mock, id: int) -> dict[int, int]:
    experiment = http.get(f"/v1/experiments/{id}", headers=admin(mock)).json()["experiment"]
    return {v["variant"]: v["unit_count"] for v in experiment["preview_variants"]}


def preview_once_published(http: httpx.Client, mock, id: int, units: int) -> dict[int, int]:
    """The preview once `units` units are in it, or as it is after 5 s: the Python SDK's
    publish() can return before its request has been answered, so the last one may land late."""
    deadline = time.monotonic() + 5
    found = preview(http, mock, id)
    while sum(found.values()) < units and time.monotonic() < deadline:
        time.sleep(0.02)
        found = preview(http, mock, id)
    return found


# -- assignment -------------------------------------------------------------------------------


def test_python_and_javascript_sdks_give_every_unit_the_same_variant_in_the_splits_shares(http, mock, node):
    new_experiment(http, mock, "sdk_three_way", "20/30/50", 3)
    experiments = sorted(context(http))
    assert len(experiments) >= 5 and "sdk_three_way" in experiments

    python = python_treatments(mock, UNITS, experiments)
    javascript = js_treatments(node, mock, UNITS, experiments)

    assert python == javascript
    column = experiments.index("sdk_three_way")
    shares = [sum(1 for row in python if row[column] == variant) / len(UNITS) for variant in range(3)]
    assert all(abs(share - expected) < 0.04 for share, expected in zip(shares, (0.2, 0.3, 0.5))), shares
    assert all(len({row[i] for row in python}) > 1 for i in range(len(experiments)) if context(http)[experiments[i]]["fullOnVariant"] == 0)


def test_a_smaller_traffic_share_leaves_the_other_units_on_variant_0(http, mock):
    made = new_experiment(http, mock, "sdk_a_fifth", "50/50", 2, start=False)
    response = http.put(f"/v1/experiments/{made['id']}", headers=admin(mock), json={"id": made["id"], "data": {"percentage_of_traffic": 20}})
    assert response.status_code == 200, response.text
    act(http, mock, made["id"], "start")

    treated = [row[0] for row in python_treatments(mock, UNITS, ["sdk_a_fifth"])]

    assert abs(treated.count(1) / len(UNITS) - 0.1) < 0.03  # half of a fifth


def test_a_full_on_experiment_gives_every_unit_its_variant(http, mock, node):
    made = new_experiment(http, mock, "sdk_full_on", "34/33/33", 3)
    apps = (python_context(mock, uid) for uid in UNITS)  # an app already running (which refreshes), for a unit not on variant 2
    running_app = next(app for app in apps if app.get_treatment("sdk_full_on") != 2)

    act(http, mock, made["id"], "full_on", full_on_variant=2)
    running_app.refresh()

    assert running_app.get_treatment("sdk_full_on") == 2

    assert context(http)["sdk_full_on"]["fullOnVariant"] == 2
    assert {row[0] for row in python_treatments(mock, UNITS[:200], ["sdk_full_on"])} == {2}
    assert {row[0] for row in js_treatments(node, mock, UNITS[:200], ["sdk_full_on"])} == {2}


def test_a_stopped_experiment_is_absent_and_one_started_appears_after_refresh(http, mock):
    made = new_experiment(http, mock, "sdk_later", "50/50", 2, start=False)
    app = python_context(mock, "visitor-7")
    assert "sdk_later" not in app.get_experiments()

    act(http, mock, made["id"], "start")
    app.refresh()
    assert "sdk_later" in app.get_experiments()

    act(http, mock, made["id"], "stop", reason="testing")
    app.refresh()
    assert "sdk_later" not in app.get_experiments() and app.get_treatment("sdk_later") == 0


def test_a_restarted_experiment_is_served_as_its_new_iteration(http, mock):
    made = new_experiment(http, mock, "sdk_again", "50/50", 2)
    before = context(http)["sdk_again"]
    act(http, mock, made["id"], "stop", reason="testing")
    response = http.put(f"/v1/experiments/{made['id']}/restart", headers=admin(mock), json={"reason": "hypothesis_iteration"})
    assert response.status_code == 200, response.text

    after = context(http)["sdk_again"]

    assert (after["id"], after["iteration"]) == (response.json()["experiment"]["id"], 2)
    assert (after["seedHi"], after["seedLo"]) != (before["seedHi"], before["seedLo"])


# -- publishing ---------------------------------------------------------------------------------


def test_tracked_and_published_exposures_grow_the_previews_units_per_variant(http, mock, node):
    made = new_experiment(http, mock, "sdk_filling_up", "50/50", 2)
    assert preview(http, mock, made["id"]) == {}
    counted = {0: 0, 1: 0}
    for uid in UNITS[:30]:
        app = python_context(mock, uid)
        counted[app.get_treatment("sdk_filling_up")] += 1
        app.track("purchase", {"price": 10})
        app.publish()
    assert preview_once_published(http, mock, made["id"], 30) == counted

    for row in js_treatments(node, mock, UNITS[30:50], ["sdk_filling_up"], publish={"goal": "purchase", "properties": {"price": 5}}):
        counted[row[0]] += 1
    python_treatments(mock, UNITS[:5], ["sdk_filling_up"])  # exposed again, never published: no change

    assert preview_once_published(http, mock, made["id"], 50) == counted and sum(counted.values()) == 50
    journal = http.get("/__mockexp/requests", params={"operationId": "collectorPublish", "status": 200}).json()["requests"]
    assert sum(1 for entry in journal if [goal["name"] for goal in entry["request"]["body"].get("goals", [])] == ["purchase"]) >= 50


# -- what is refused ----------------------------------------------------------------------------


def publisher(mock, key: str | None = None) -> dict:
    return {"X-API-Key": key or sdk_key(mock), "X-Application": "www", "X-Environment": "production", "Content-Type": "application/json"}


def test_reads_need_no_key_but_a_wrong_one_is_401(http, mock):
    assert context(http) == context(http, **{}) and context(http)
    response = http.get("/v1/context", params={"application": "www", "environment": "production"}, headers={"X-API-Key": "nope"})
    assert_absmartly_error(response, 401, "Invalid API key")
    response = http.get("/v1/context", params={"application": "www", "environment": "production"}, headers={"X-API-Key": sdk_key(mock)})
    assert response.status_code == 200 and {e["name"] for e in response.json()["experiments"]} == set(context(http))


@pytest.mark.parametrize("query, mention", [({"application": "tv"}, "Application 'tv'"), ({"environment": "qa"}, "Environment 'qa'")])
def test_an_application_or_environment_the_account_lacks_is_a_400(http, mock, query, mention):
    response = http.get("/v1/context", params={"application": "www", "environment": "production", **query})
    assert_absmartly_error(response, 400, mention)


@pytest.mark.parametrize("content, mention", [
    (b'{"units": [{', "JSON"),
    (b'{"units": [{"type": "user_id", "uid": "u"}], "exposures": [{"id": 999999, "name": "x", "unit": "user_id", "variant": 0}]}', "999999"),
    (b'{"units": [{"type": "user_id", "uid": "u"}], "exposures": [{"id": 1, "name": "x", "unit": "user_id", "variant": -1}]}', "variant"),
    (b'{"units": [{"type": "user_id", "uid": "u"}], "publishedAt": -5}', "publishedAt"),
])
def test_a_bad_publish_is_a_400_that_changes_nothing(http, mock, content, mention):
    before = state(mock.runtime, "absmartly")
    response = http.put("/v1/context", content=content, headers=publisher(mock))
    assert_absmartly_error(response, 400, mention)
    assert state(mock.runtime, "absmartly") == before


def test_publishing_needs_a_known_sdk_key(http, mock):
    body = {"units": [{"type": "user_id", "uid": "u"}]}
    assert_absmartly_error(http.put("/v1/context", json=body, headers={k: v for k, v in publisher(mock).items() if k != "X-API-Key"}), 401)
    assert_absmartly_error(http.put("/v1/context", json=body, headers=publisher(mock, "nope")), 401)
    assert http.get("/v1/healthy").json() == {"ok": True}


def test_a_batch_is_stored_whole_or_refused_naming_the_event_at_fault(http, mock):
    made = new_experiment(http, mock, "sdk_batched", "50/50", 2)

    def one(uid: str, id: int) -> dict:
        return {"hashed": False, "units": [{"type": "user_id", "uid": uid}], "exposures": [{"id": id, "name": "sdk_batched", "unit": "user_id", "variant": 1}]}

    before = state(mock.runtime, "absmartly")
    refused = http.put("/v1/context/batch", json=[one("ann", made["id"]), one("ben", 999999)], headers=publisher(mock))
    assert assert_absmartly_error(refused, 400, "999999")[0].startswith("[1].exposures[0].id")
    assert state(mock.runtime, "absmartly") == before

    assert http.put("/v1/context/batch", json=[one("ann", made["id"]), one("ben", made["id"])], headers=publisher(mock)).json() == {}
    assert preview(http, mock, made["id"]) == {1: 2}
