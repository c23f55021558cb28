"""Routing by base path: specs that share one are served as one API, and each request still
belongs to the spec (so the vendor) whose path it is."""

from __future__ import annotations

import pytest
import yaml

from mockexp import specs
from mockexp.routing import Mounted, Routes, united


def _spec(tmp_path, name: str, base: str, paths: dict, security: list | None = None, schemes: dict | None = None) -> specs.Spec:
    document = {"openapi": "3.0.3", "info": {"title": name, "version": "1"}, "servers": [{"url": base}],
                "paths": {path: {"get": {"operationId": operation, "responses": {"200": {"description": "ok"}}}} for path, operation in paths.items()}}
    if security is not None:
        document["security"] = security
    if schemes:
        document["components"] = {"securitySchemes": schemes}
    file = tmp_path / f"{name}.yaml"
    file.write_text(yaml.safe_dump(document))
    return specs.load(file)


@pytest.fixture
def routes(tmp_path):
    console = _spec(tmp_path, "console", "/v1", {"/experiments": "listExperiments"}, [{"ApiKey": []}], {"ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"}})
    collector = _spec(tmp_path, "collector", "/v1", {"/context": "getContext"})
    stream = _spec(tmp_path, "stream", "/", {"/all": "streamAll"})
    flags = _spec(tmp_path, "flags", "/", {"/flags": "flags"})
    other = _spec(tmp_path, "other", "/api/v5", {"/things": "listThings"})
    return Routes(Mounted(name, spec) for name, spec in [("absmartly", console), ("absmartly", collector), ("launchdarkly", stream), ("posthog", flags), ("giosg", other)])


def test_a_path_belongs_to_the_spec_that_has_it_when_two_share_a_base_path(routes):
    assert routes.at("/v1/context").spec.name == "collector"
    assert routes.at("/v1/experiments").spec.name == "console"


def test_an_unknown_path_below_a_shared_base_path_belongs_to_the_vendors_main_spec(routes):
    assert routes.at("/v1/nothing-here").spec.name == "console"


def test_specs_at_the_root_claim_only_their_own_paths(routes):
    assert routes.at("/all").owner == "launchdarkly"
    assert routes.at("/flags").owner == "posthog"
    assert routes.at("/unknown") is None
    assert routes.at("/api/v5/things").owner == "giosg"


def test_specs_sharing_a_base_path_are_served_as_one_document_keeping_each_operations_security(routes):
    shared = next(api for api in routes.apis if api.base_path == "/v1")
    document = shared.document
    assert set(document["paths"]) == {"/experiments", "/context"}
    assert "security" not in document
    assert document["paths"]["/experiments"]["get"]["security"] == [{"ApiKey": []}]
    assert "security" not in document["paths"]["/context"]["get"]
    assert document["components"]["securitySchemes"] == {"ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"}}


def test_two_specs_defining_one_path_at_one_base_path_are_a_start_up_error_naming_both(tmp_path):
    first = _spec(tmp_path, "first", "/", {"/all": "streamAll"})
    second = _spec(tmp_path, "second", "/", {"/all": "everything"})
    with pytest.raises(specs.SpecError, match=r"path '/all' is in both .*first\.yaml and .*second\.yaml"):
        Routes([Mounted("a", first), Mounted("b", second)])


def test_two_specs_at_one_base_path_may_not_share_an_operation_id(tmp_path):
    first = _spec(tmp_path, "first", "/v1", {"/a": "same"})
    second = _spec(tmp_path, "second", "/v1", {"/b": "same"})
    with pytest.raises(specs.SpecError, match="operationId 'same'"):
        united([first, second]) and Routes([Mounted("a", first), Mounted("b", second)])


def test_an_unknown_path_under_a_root_specs_own_first_segment_belongs_to_that_spec(tmp_path):
    sdk = _spec(tmp_path, "sdk", "/", {"/sdk/latest-all": "latestAll", "/all": "streamAll"})
    flags = _spec(tmp_path, "flags", "/", {"/flags": "flags", "/i/v0/e": "capture"})
    routes = Routes([Mounted("launchdarkly", sdk), Mounted("posthog", flags)])
    assert routes.at("/sdk/nothing").owner == "launchdarkly"
    assert routes.at("/i/v9/x").owner == "posthog"
    assert routes.at("/all/more") is None  # /all has no paths below it: nobody's
    assert routes.at("/nothing") is None
