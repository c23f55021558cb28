"""A user's own test module (copied into a temporary project as test_user_project.py by test_users_process.py): its
Connexion app, checked before and after a mock ran in the same pytest process."""

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

LIBRARIES = ("connexion", "starlette", "uvicorn", "tinydb", "schemathesis", "werkzeug", "jsonschema", "httptools")
MOCK_MODULES = ("mockexp.app", "mockexp.runtime", "mockexp.store", "mockexp.server", "mockexp.vendors", "mockexp.testing", "mockexp.fastpath")
LOADED_AT_COLLECTION = sorted(name for name in sys.modules if name.startswith(MOCK_MODULES))

for name in json.loads(Path(__file__).with_name("modules.json").read_text()):
    importlib.import_module(name)  # every library module a mock imports, before the snapshot


def _is_code(value):
    return callable(value) or isinstance(value, (staticmethod, classmethod, property))


def snapshot():
    """Every function and class of the libraries, and every one of their classes' members."""
    found = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in LIBRARIES:
            continue
        for attribute, value in list(vars(module).items()):
            if _is_code(value):
                found[(name, attribute)] = value
            if isinstance(value, type) and value.__module__ == name:
                for member, code in list(vars(value).items()):
                    if _is_code(code):
                        found[(name, value.__qualname__, member)] = code
    return found


BEFORE = snapshot()


def hello(count=1):
    return {"hello": count}


def serve_plain_app():
    from connexion import AsyncApp

    document = {"openapi": "3.0.3", "info": {"title": "users", "version": "1"},
                "paths": {"/hello": {"get": {"operationId": "test_user_project.hello",
                                             "parameters": [{"name": "count", "in": "query", "schema": {"type": "integer"}}],
                                             "responses": {"200": {"description": "ok"}}}}}}
    app = AsyncApp(__name__)
    app.add_api(document)
    client = app.test_client()
    ok, bad = client.get("/hello?count=2"), client.get("/hello?count=two")
    return ok.status_code, ok.json(), bad.status_code


def test_loading_the_plugin_loaded_no_part_of_the_mock():
    assert LOADED_AT_COLLECTION == []


def test_the_users_connexion_app_serves_before_a_mock():
    assert serve_plain_app() == (200, {"hello": 2}, 400)


@pytest.mark.mockexp_vendors("giosg")
def test_a_mock_runs_in_the_same_process(mockexp_server):
    import httpx

    assert httpx.get(mockexp_server.url + "/__mockexp/credentials").status_code == 200
    if os.environ.get("PATCH_ON_PURPOSE"):  # proves the next test can fail
        import connexion.utils

        connexion.utils.extract_content_type = lambda headers: None


def test_no_function_or_class_of_the_libraries_changed():
    after = snapshot()
    changed = sorted(".".join(key) for key, value in BEFORE.items() if key in after and after[key] is not value)
    assert changed == []


def test_the_users_connexion_app_serves_after_a_mock():
    assert serve_plain_app() == (200, {"hello": 2}, 400)
