"""What the core does for every vendor, shown on a made-up one (`toy.py`, `toy.yaml`): a new
vendor writes a spec, a model and two small HTTP hooks, and gets routing, binding, success
statuses, paging, tenant scoping and its own error shape from the core."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from mockexp import binding, specs
from mockexp.app import Runtime
from mockexp.binding import RegistrationError
from mockexp.clock import Clock
from mockexp.store import Store
from tests.conftest import LiveServer, spec_checked
from tests.kit import toy

HERE = Path(__file__).resolve().parent
REPO_SPECS = HERE.parents[1] / "specs"
ANN, BOB = {"X-Key": "key-ann"}, {"X-Key": "key-bob"}


@pytest.fixture
def toy_specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(HERE / "toy.yaml", tmp_path / "toy.yaml")
    shutil.copy(REPO_SPECS / "mockexp-admin.yaml", tmp_path / "mockexp-admin.yaml")
    monkeypatch.setenv("MOCKEXP_SPECS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def served(toy_specs: Path) -> Iterator[tuple[httpx.Client, Runtime]]:
    runtime = Runtime(Store(), Clock(), [toy.VENDOR])
    runtime.seed()
    with LiveServer(runtime) as server:
        with httpx.Client(base_url=server.url + "/toy/v1", timeout=10, event_hooks={"response": [spec_checked(runtime)]}) as client:
            yield client, runtime


# -- registration -----------------------------------------------------------------------------


def problems_of(vendor, toy_specs: Path) -> list[str]:
    return binding.problems(vendor, specs.load(toy_specs / "toy.yaml"))


def test_a_complete_vendor_has_no_registration_problems(toy_specs):
    assert problems_of(toy.VENDOR, toy_specs) == []


def test_an_operation_nobody_implements_is_named_with_the_vendor_file_and_where_to_add_it(toy_specs):
    class Partial(toy.Toy):
        delete_widget = None  # type: ignore[assignment]

    problems = problems_of(dataclasses.replace(toy.VENDOR, model=Partial), toy_specs)

    assert len(problems) == 1
    assert "vendor toy" in problems[0] and "toy.yaml" in problems[0]
    assert "deleteWidget (DELETE /shops/{shopId}/widgets/{widgetKey})" in problems[0]
    assert "add delete_widget()" in problems[0]


def test_an_implementation_that_does_not_take_the_operations_parameters_is_named(toy_specs):
    class Mismatched(toy.Toy):
        def list_widgets(self, shop_id: str) -> Any:  # no `colour`
            return []

        def get_widget(self, shop_id: str, widget_key: str, version: int) -> Any:  # needs what nobody gives
            return {}

    problems = "\n".join(problems_of(dataclasses.replace(toy.VENDOR, model=Mismatched), toy_specs))

    assert "listWidgets" in problems and "does not take `colour`" in problems
    assert "getWidget" in problems and "needs `version`" in problems


def test_a_vendor_without_an_authenticator_or_error_renderer_is_named(toy_specs):
    bare = dataclasses.replace(toy.VENDOR, handlers=type(toy.handlers)(__name__="bare", __file__="bare.py", get_widget_label=toy.get_widget_label))

    problems = "\n".join(problems_of(bare, toy_specs))

    assert "has no authenticate(" in problems and "has no render_error(" in problems and "bare.py" in problems


def test_the_runtime_refuses_a_vendor_that_cannot_serve_its_spec(toy_specs):
    class Partial(toy.Toy):
        create_widget = None  # type: ignore[assignment]

    with pytest.raises(RegistrationError, match="createWidget"):
        Runtime(Store(), Clock(), [dataclasses.replace(toy.VENDOR, model=Partial)])


# -- serving -----------------------------------------------------------------------------------


def test_an_operation_answers_with_the_one_success_status_its_spec_documents(served):
    http, _ = served
    created = http.post("/shops/north/widgets", headers=ANN, json={"key": "w2", "colour": "blue"})
    assert created.status_code == 201
    deleted = http.delete("/shops/north/widgets/w2", headers=ANN)
    assert deleted.status_code == 204 and deleted.content == b""
    assert http.get("/shops/north/widgets/w2", headers=ANN).status_code == 404


def test_the_model_hears_who_the_credential_acts_as(served):
    http, _ = served
    assert http.post("/shops/north/widgets", headers=BOB, json={"key": "w2", "colour": "blue"}).json()["made_by"] == "bob"


def test_a_handler_wins_over_the_model_where_http_details_need_one(served):
    http, _ = served
    response = http.get("/shops/north/widgets/w1/label", headers=ANN)
    assert response.status_code == 200
    assert response.text == "red widget w1" and response.headers["x-label-of"] == "w1"


def test_errors_leave_in_the_vendors_shape(served):
    http, _ = served
    assert http.get("/shops/north/widgets/nope", headers=ANN).json() == {"error": "no widget nope"}
    assert http.get("/shops/north/widgets", headers={"X-Key": "wrong"}).status_code == 401
    assert set(http.post("/shops/north/widgets", headers=ANN, json={"key": "w1"}).json()) == {"error"}


def test_a_list_pages_as_its_spec_declares(served):
    http, _ = served
    for index in range(2, 8):
        assert http.post("/shops/north/widgets", headers=ANN, json={"key": f"w{index}", "colour": "red" if index % 2 else "blue"}).status_code == 201

    first = http.get("/shops/north/widgets", headers=ANN).json()
    assert [w["key"] for w in first["widgets"]] == ["w1", "w2", "w3"]
    assert (first["total"], first["page"], first["more"]) == (7, 1, True)
    last = http.get("/shops/north/widgets", headers=ANN, params={"page": 3}).json()
    assert [w["key"] for w in last["widgets"]] == ["w7"] and last["more"] is False
    red = http.get("/shops/north/widgets", headers=ANN, params={"colour": "red", "items": 10}).json()
    assert [w["key"] for w in red["widgets"]] == ["w1", "w3", "w5", "w7"] and red["total"] == 4


def test_two_shops_holding_a_widget_with_the_same_key_never_see_change_or_delete_each_others(served):
    http, runtime = served
    assert http.post("/shops/south/widgets", headers=ANN, json={"key": "w1", "colour": "green"}).status_code == 201
    north_before = http.get("/shops/north/widgets/w1", headers=ANN).json()

    assert http.post("/shops/south/widgets", headers=ANN, json={"key": "w1", "colour": "blue"}).status_code == 409
    assert http.delete("/shops/south/widgets/w1", headers=ANN).status_code == 204

    assert http.get("/shops/north/widgets/w1", headers=ANN).json() == north_before == {"key": "w1", "colour": "red", "made_by": "ann"}
    assert http.get("/shops/south/widgets/w1", headers=ANN).status_code == 404
    assert [w["key"] for w in http.get("/shops/north/widgets", headers=ANN).json()["widgets"]] == ["w1"]
    assert http.get("/shops/south/widgets", headers=ANN).json()["widgets"] == []
