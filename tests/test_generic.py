"""Bring your own spec: public documents nobody here wrote (tests/specs/), served by
`mockexp serve --spec` as stateful mocks, every answer checked against the document."""

from __future__ import annotations

import httpx
import pytest

from mockexp import cli
from mockexp.generic import Source, register, vendors
from mockexp.specs import SpecError
from mockexp.testing import run_mock
from mockexp.vendors import ALL
from tests.checked import SPECS, Checked

PETSTORE = SPECS / "petstore3.yaml"
CONDUIT = SPECS / "conduit.yaml"


@pytest.fixture(scope="module")
def petstore():
    with run_mock(specs=[PETSTORE]) as mock:
        yield Checked(mock, "petstore3")


@pytest.fixture(scope="module")
def conduit():
    with run_mock(specs=[CONDUIT]) as mock:
        yield Checked(mock, "conduit")


# -- the Swagger Petstore ---------------------------------------------------------------------


def test_a_created_pet_is_read_listed_changed_and_deleted(petstore):
    created = petstore.post("/pet", json={"name": "Rex", "photoUrls": ["https://example.com/rex.jpg"], "status": "pending", "tags": [{"id": 7, "name": "good-boy"}]})
    assert created.status_code == 200
    pet = created.json()
    assert isinstance(pet["id"], int) and pet["name"] == "Rex"
    assert petstore.get(f"/pet/{pet['id']}").json() == pet
    assert pet in petstore.get("/pet/findByStatus", params={"status": "pending"}).json()
    assert pet not in petstore.get("/pet/findByStatus", params={"status": "sold"}).json()
    assert [found["id"] for found in petstore.get("/pet/findByTags", params={"tags": "good-boy"}).json()] == [pet["id"]]
    replaced = petstore.put("/pet", json={"id": pet["id"], "name": "Rexy", "photoUrls": []})
    assert replaced.status_code == 200 and replaced.json()["name"] == "Rexy"
    assert petstore.post(f"/pet/{pet['id']}", params={"status": "sold"}).status_code == 200
    assert petstore.get(f"/pet/{pet['id']}").json()["status"] == "sold"
    assert petstore.delete(f"/pet/{pet['id']}").status_code == 200
    gone = petstore.get(f"/pet/{pet['id']}")
    assert gone.status_code == 404 and "message" in gone.json()


def test_a_put_of_a_whole_pet_replaces_it_and_a_form_update_changes_one_field(petstore):
    pet = petstore.post("/pet", json={"name": "Tag", "photoUrls": [], "status": "pending", "tags": [{"id": 1, "name": "old"}]}).json()
    replaced = petstore.put("/pet", json={"id": pet["id"], "name": "Tagged", "photoUrls": ["https://example.com/t.jpg"]}).json()
    assert replaced == {"id": pet["id"], "name": "Tagged", "photoUrls": ["https://example.com/t.jpg"]}  # status and tags were not sent
    assert petstore.get(f"/pet/{pet['id']}").json() == replaced
    assert petstore.post(f"/pet/{pet['id']}", params={"name": "Renamed"}).status_code == 200
    assert petstore.get(f"/pet/{pet['id']}").json() == {**replaced, "name": "Renamed"}


def test_an_article_put_without_required_fields_changes_only_what_it_sends(conduit):
    article = conduit.post("/articles", json={"article": {"title": "Partial", "description": "d", "body": "b", "tagList": ["x"]}}).json()["article"]
    changed = conduit.put(f"/articles/{article['slug']}", json={"article": {"description": "new"}}).json()["article"]
    assert changed["description"] == "new" and changed["body"] == "b" and changed["tagList"] == ["x"]


def test_an_overlay_makes_an_update_replace_or_merge(tmp_path):
    (tmp_path / "petstore3.yaml").write_text(PETSTORE.read_text())
    (tmp_path / "petstore3.mockexp.yaml").write_text("paths:\n  /pet:\n    put:\n      x-mockexp-update: merge\n")
    with run_mock(specs=[tmp_path / "petstore3.yaml"]) as mock:
        pets = Checked(mock, "petstore3")
        pet = pets.post("/pet", json={"name": "Kept", "photoUrls": [], "status": "sold"}).json()
        assert pets.put("/pet", json={"id": pet["id"], "name": "Still", "photoUrls": []}).json()["status"] == "sold"
    (tmp_path / "petstore3.mockexp.yaml").write_text("paths:\n  /pet:\n    put:\n      x-mockexp-update: sometimes\n")
    with pytest.raises(SpecError, match="x-mockexp-update must be one of replace, merge, not 'sometimes'"):
        vendors([str(tmp_path / "petstore3.yaml")], [], None)


def test_a_pet_without_its_required_name_is_refused_naming_the_field(petstore):
    refused = petstore.post("/pet", json={"photoUrls": []})
    assert refused.status_code == 400
    assert "name" in refused.json()["message"]


def test_a_client_sent_id_is_kept_and_a_taken_one_refused(petstore):
    created = petstore.post("/pet", json={"id": 424242, "name": "Kept", "photoUrls": []})
    assert created.json()["id"] == 424242
    taken = petstore.post("/pet", json={"id": 424242, "name": "Again", "photoUrls": []})
    assert taken.status_code == 400  # addPet documents no 409: its refusal is 400
    assert petstore.get("/pet/424242").json()["name"] == "Kept"


def test_updating_a_pet_with_a_value_outside_its_enum_is_refused(petstore):
    pet = petstore.post("/pet", json={"name": "Tom", "photoUrls": []}).json()
    assert petstore.post(f"/pet/{pet['id']}", params={"status": "lost"}).status_code == 400
    assert "status" not in petstore.get(f"/pet/{pet['id']}").json()


def test_users_are_keyed_by_their_username(petstore):
    assert petstore.post("/user", json={"username": "ada", "email": "ada@example.com"}).status_code == 200
    assert petstore.put("/user/ada", json={"username": "ada", "firstName": "Ada"}).status_code == 200
    assert petstore.get("/user/ada").json() == {"username": "ada", "email": "ada@example.com", "firstName": "Ada"}
    assert petstore.delete("/user/ada").status_code == 200
    assert petstore.get("/user/ada").status_code == 404


def test_an_order_gets_a_sequence_id_and_its_unknown_id_is_404(petstore):
    order = petstore.post("/store/order", json={"petId": 1, "quantity": 2, "status": "placed"}).json()
    assert petstore.get(f"/store/order/{order['id']}").json() == order
    assert petstore.delete(f"/store/order/{order['id']}").status_code == 200
    assert petstore.get(f"/store/order/{order['id']}").status_code == 404


def test_a_path_parameter_of_the_wrong_type_gets_the_documented_refusal(petstore):
    assert petstore.get("/pet/not-a-number").status_code == 400


def test_the_demo_world_is_made_up_from_the_schemas_and_the_same_each_start(petstore):
    with run_mock(specs=[PETSTORE]) as again:
        other = Checked(again, "petstore3")
        assert other.get("/pet/1").json() == petstore.get("/pet/1").json()
    assert petstore.get("/pet/1").json()["name"]


def test_a_request_without_the_declared_credential_is_401(petstore):
    assert httpx.get(petstore.mock.base_url("petstore3") + "/pet/1").status_code == 401
    assert httpx.get(petstore.mock.base_url("petstore3") + "/pet/1", headers={"api_key": "not-ours"}).status_code == 401
    assert httpx.get(petstore.mock.base_url("petstore3") + "/pet/1", headers=petstore.mock.credential("petstore3")).status_code == 200


OPEN_ID = """openapi: 3.0.3
info: {title: Things, version: "1"}
servers: [{url: /api}]
components:
  securitySchemes:
    oidc: {type: openIdConnect, openIdConnectUrl: "https://example.com/.well-known/openid-configuration"}
  schemas:
    Thing: {type: object, required: [name], properties: {id: {type: integer, readOnly: true}, name: {type: string}}}
security: [{oidc: [things.write]}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
      responses: {"201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}, "401": {description: who}}
"""


def test_an_openid_connect_scheme_takes_its_demo_bearer_token_and_refuses_others(tmp_path):
    (tmp_path / "things.yaml").write_text(OPEN_ID)
    with run_mock(specs=[tmp_path / "things.yaml"]) as mock:
        url = mock.base_url("things") + "/things"
        assert httpx.post(url, json={"name": "a"}, headers=mock.credential("things")).status_code == 201
        assert httpx.post(url, json={"name": "a"}, headers={"Authorization": "Bearer not-ours"}).status_code == 401
        assert httpx.post(url, json={"name": "a"}).status_code == 401


def test_actions_answer_a_body_their_schema_allows_and_are_journalled(petstore):
    assert isinstance(petstore.get("/store/inventory").json(), dict)
    assert isinstance(petstore.get("/user/login", params={"username": "ada", "password": "x"}).json(), str)
    assert petstore.mock.count(vendor="petstore3", operationId="loginUser") >= 1


def test_reset_brings_the_demo_world_back(petstore):
    petstore.delete("/pet/2")
    petstore.mock.reset("petstore3")
    assert petstore.get("/pet/2").status_code == 200


def test_the_state_exports_as_creates_a_world_file_replays():
    with run_mock(specs=[PETSTORE]) as mock:
        model = mock.runtime.models["petstore3"]
        requests = mock.runtime.vendors["petstore3"].export(model)
    assert {request["operationId"] for request in requests} == {"addPet", "createUser", "placeOrder"}
    pets = [request for request in requests if request["operationId"] == "addPet"]
    assert len(pets) == 3 and all(pet["body"]["name"] and pet["credential"] for pet in pets)


# -- RealWorld's Conduit: envelopes and nested resources --------------------------------------


def test_an_article_in_its_envelope_is_created_read_listed_changed_and_deleted(conduit):
    created = conduit.post("/articles", json={"article": {"title": "How to train your dragon", "description": "Ever wonder how?", "body": "Carefully.", "tagList": ["dragons"]}})
    assert created.status_code == 201
    article = created.json()["article"]
    assert article["slug"] == "how-to-train-your-dragon" and article["createdAt"] == article["updatedAt"]
    assert conduit.get(f"/articles/{article['slug']}").json() == {"article": article}
    listed = conduit.get("/articles", params={"tag": "dragons"}).json()
    assert listed == {"articles": [article], "articlesCount": 1}
    changed = conduit.put(f"/articles/{article['slug']}", json={"article": {"body": "With love."}}).json()["article"]
    assert changed["body"] == "With love." and changed["title"] == article["title"]
    assert conduit.delete(f"/articles/{article['slug']}").status_code == 200
    gone = conduit.get(f"/articles/{article['slug']}")
    assert gone.status_code == 422  # the document lists no 404: its refusal, in its error shape
    assert gone.json() == {"errors": {"body": [f"No article {article['slug']}."]}}


def test_a_bad_article_is_refused_in_the_documents_error_shape(conduit):
    refused = conduit.post("/articles", json={"article": {"title": 3}})
    assert refused.status_code == 422
    (message,) = refused.json()["errors"]["body"]
    assert "article.title" in message and "article.body" in message


def test_comments_live_under_their_article(conduit):
    slug = conduit.post("/articles", json={"article": {"title": "Comments here", "description": "d", "body": "b"}}).json()["article"]["slug"]
    comment = conduit.post(f"/articles/{slug}/comments", json={"comment": {"body": "Nice"}}).json()["comment"]
    assert conduit.get(f"/articles/{slug}/comments").json() == {"comments": [comment]}
    assert conduit.delete(f"/articles/{slug}/comments/{comment['id']}").status_code == 200
    assert conduit.get(f"/articles/{slug}/comments").json() == {"comments": []}
    assert conduit.post("/articles/no-such-article/comments", json={"comment": {"body": "Nice"}}).status_code == 422


def test_lists_page_as_their_parameters_say(conduit):
    first = conduit.get("/articles", params={"limit": 2}).json()
    second = conduit.get("/articles", params={"limit": 2, "offset": 2}).json()
    assert len(first["articles"]) == 2 and first["articlesCount"] == second["articlesCount"] >= 3
    assert not {a["slug"] for a in first["articles"]} & {a["slug"] for a in second["articles"]}


# -- the commands -----------------------------------------------------------------------------


@pytest.mark.parametrize("document, api", [(PETSTORE, "petstore3"), (CONDUIT, "conduit")])
def test_the_contract_command_passes_against_the_mock_of_the_document(document, api, capsys):
    with run_mock(specs=[document]) as mock:
        code = cli.main(["contract", "--spec", str(document), "--base-url", mock.url, "--auth-from-mock", "--max-examples", "2", "--seed", "1"])
    assert code == 0, capsys.readouterr().out[-3000:]


def test_explain_prints_what_was_inferred_per_operation(capsys):
    assert cli.main(["specs", "--explain", str(CONDUIT)]) == 0
    out = capsys.readouterr().out
    assert "articles.comments" in out and "inside articles (slug)" in out
    assert "GetArticles" in out and "pages by offset (limit, offset)" in out
    assert "CreateArticle" in out and "create articles; in {'article': ...}; answers 201" in out


def test_an_invalid_document_is_one_error_naming_the_file_and_place(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /things:\n    get:\n      operationId: listThings\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing'}\n")
    assert cli.main(["specs", "--explain", str(broken)]) == 1
    err = capsys.readouterr().err
    assert str(broken) in err and "#/components/schemas/Thing" in err
    assert cli.main(["serve", "--memory", "--spec", str(broken)]) == 1
    assert str(broken) in capsys.readouterr().err


def test_two_apis_on_one_base_path_stop_start_up_naming_both():
    with pytest.raises(SpecError) as refused:
        vendors([f"/api={PETSTORE}", str(CONDUIT)])
    assert "petstore3" in str(refused.value) and "conduit" in str(refused.value) and "/api" in str(refused.value)
    with pytest.raises(SpecError, match="giosg"):
        vendors([f"/api/v5={PETSTORE}"], [ALL["giosg"]])


def test_a_document_can_be_mounted_elsewhere():
    assert register(Source.parse(f"/shop={PETSTORE}")).load_spec(str(PETSTORE)).base_path == "/shop"


# -- the control plane on a generic API -------------------------------------------------------


def test_a_world_file_exported_from_one_mock_loads_in_another(tmp_path):
    import yaml

    from mockexp.worlds.export import world_of

    with run_mock(specs=[PETSTORE]) as mock:
        Checked(mock, "petstore3").post("/pet", json={"name": "Exported", "photoUrls": []})
        before = sorted(pet["name"] for pet in mock.runtime.store.vendor("petstore3").query("pet"))
        (tmp_path / "petstore3.yaml").write_text(yaml.safe_dump(world_of(mock.runtime, "petstore3")), encoding="utf-8")
    with run_mock(specs=[PETSTORE], fixtures=tmp_path) as fresh:
        assert sorted(pet["name"] for pet in fresh.runtime.store.vendor("petstore3").query("pet")) == before
        assert "Exported" in before


def test_a_rate_limit_declared_in_an_overlay_beside_the_document_applies(tmp_path):
    document = tmp_path / "petstore3.yaml"
    document.write_text(PETSTORE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "petstore3.mockexp.yaml").write_text("x-mockexp-rate-limit: {limit: 2, window: 60}\n", encoding="utf-8")
    with run_mock(specs=[document]) as mock:
        mock.runtime.rate_limits.switch(["petstore3"], True)
        client = Checked(mock, "petstore3")
        statuses = [client.client.get("/user/login").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_proxy_reports_nothing_when_the_upstream_is_the_mock_of_the_document():
    from mockexp.generic import register
    from mockexp.proxy.forward import Proxy
    from mockexp.proxy.violations import Violations
    from tests.proxy.servers import served

    vendor = register(str(PETSTORE))
    with run_mock(specs=[PETSTORE]) as mock:
        headers = {c.header: c.value for c in mock.runtime.credentials()}
        with served(Proxy(vendor, [vendor.load_spec(vendor.spec)], mock.url, Violations(100))) as url:
            client = httpx.Client(base_url=url + "/api/v3", headers=headers, timeout=10)
            pet = client.post("/pet", json={"name": "Proxied", "photoUrls": []}).json()
            assert client.get(f"/pet/{pet['id']}").json()["name"] == "Proxied"
            assert client.delete(f"/pet/{pet['id']}").status_code == 200
            assert httpx.get(url + "/__mockexp/violations").json()["violations"] == []


def test_your_own_credentials_replace_the_demo_ones(tmp_path):
    from mockexp.generic.auth import read_given

    (tmp_path / "credentials.yaml").write_text("api_key: [key-one, key-two]\npetstore_auth: my-token\n", encoding="utf-8")
    with run_mock(specs=[PETSTORE], spec_credentials=read_given(tmp_path / "credentials.yaml")) as mock:
        base = mock.base_url("petstore3")
        assert httpx.get(base + "/pet/1", headers={"api_key": "key-two"}).status_code == 200
        assert httpx.get(base + "/pet/findByStatus", headers={"Authorization": "Bearer my-token"}).status_code == 200
        assert httpx.get(base + "/pet/1", headers={"api_key": "key-three"}).status_code == 401
        assert {c.value for c in mock.runtime.credentials()} == {"key-one", "Bearer my-token"}


def test_drift_finds_nothing_between_the_mock_and_itself(tmp_path, capsys):
    with run_mock(specs=[CONDUIT]) as real:
        headers = [f"--header={c.header}: {c.value}" for c in real.runtime.credentials()]
        code = cli.main(["drift", "--spec", str(CONDUIT), "--upstream", real.url, *headers, "--json", str(tmp_path / "drift.json")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "create" in out and "read after delete" in out


@pytest.mark.mockexp_specs("specs/petstore3.yaml")
def test_the_pytest_fixture_serves_a_marked_document(mockexp_server):
    base = mockexp_server.base_url("petstore3")
    assert base.endswith("/api/v3")
    assert httpx.get(base + "/user/login").status_code == 200
    assert mockexp_server.count(vendor="petstore3", operationId="loginUser") == 1


def test_an_openapi_3_1_document_pages_by_page_and_answers_errors_in_its_nested_shape():
    with run_mock(specs=[SPECS / "notes-3.1.yaml"]) as mock:
        notes = Checked(mock, "notes-3-1")
        created = notes.post("/notes", json={"text": "hi", "color": None})
        assert created.status_code == 201 and len(created.json()["id"]) == 36
        first, second = (notes.get("/notes", params={"per_page": 2, "page": page}).json() for page in (1, 2))
        assert len(first["data"]) == 2 and first["total"] == second["total"] == 4
        assert not {n["id"] for n in first["data"]} & {n["id"] for n in second["data"]}
        assert notes.delete(f"/notes/{created.json()['id']}").status_code == 204
        gone = notes.get(f"/notes/{created.json()['id']}")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == 404
        assert notes.post("/notes", json={"text": ""}).json()["error"]["message"] == "text: This field may not be blank."


def test_a_fault_rule_answers_in_the_documents_error_shape(conduit):
    conduit.mock.fail({"vendor": "conduit", "operationId": "GetTags", "status": 503, "times": 1})
    failed = conduit.client.get("/tags")
    assert failed.status_code == 503 and "Injected fault" in failed.json()["errors"]["body"][0]
    assert conduit.get("/tags").status_code == 200


def test_an_overlay_beside_the_document_states_what_cannot_be_inferred(tmp_path, capsys):
    document = tmp_path / "petstore3.yaml"
    document.write_text(PETSTORE.read_text(encoding="utf-8"), encoding="utf-8")
    overlay = tmp_path / "petstore3.mockexp.yaml"
    overlay.write_text("paths:\n  /pet/findByTags:\n    get:\n      x-mockexp-role: action\n", encoding="utf-8")
    assert cli.main(["specs", "--explain", str(document)]) == 0
    out = capsys.readouterr().out
    assert "findPetsByTags               action; answers 200" in out and "role declared by x-mockexp-role" in out
    overlay.write_text("paths:\n  /store/inventory:\n    get:\n      x-mockexp-role: nonsense\n", encoding="utf-8")
    assert cli.main(["specs", "--explain", str(document)]) == 1
    err = capsys.readouterr().err
    assert str(overlay) in err and "GET /store/inventory" in err and "nonsense" in err


def test_operations_without_an_operation_id_are_named_from_method_and_path(tmp_path):
    document = tmp_path / "plain.yaml"
    document.write_text("openapi: 3.0.3\ninfo: {title: Plain, version: '1'}\npaths:\n  /things:\n    get:\n      responses:\n"
                        "        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}}\n"
                        "    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n"
                        "      responses:\n        '201': {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n"
                        "  /things/{thingId}:\n    get:\n      parameters: [{name: thingId, in: path, required: true, schema: {type: integer}}]\n"
                        "      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n"
                        "        '404': {description: missing}\n"
                        "components:\n  schemas:\n    Thing: {type: object, properties: {id: {type: integer, readOnly: true}, name: {type: string}}}\n", encoding="utf-8")
    with run_mock(specs=[document]) as mock:
        things = Checked(mock, "plain")
        made = things.post("/things", json={"name": "one"}).json()
        assert things.get(f"/things/{made['id']}").json() == made
        assert mock.count(vendor="plain", operationId="getThingsThingId") == 1


def test_a_snapshot_brings_back_a_deleted_object():
    with run_mock(specs=[PETSTORE]) as mock:
        pets = Checked(mock, "petstore3")
        assert httpx.post(mock.url + "/__mockexp/snapshots", json={"name": "before"}).status_code == 200
        assert pets.delete("/pet/1").status_code == 200
        assert pets.get("/pet/1").status_code == 404
        assert httpx.post(mock.url + "/__mockexp/snapshots/before/restore", json={}).status_code == 200
        assert pets.get("/pet/1").status_code == 200


def test_a_cursor_list_whose_answer_links_the_next_page_is_walked_to_the_end(tmp_path):
    text = (SPECS / "notes-3.1.yaml").read_text(encoding="utf-8")
    text = text.replace("- {name: page, in: query, schema: {type: integer, default: 1, minimum: 1}}", "- {name: cursor, in: query, schema: {type: string}}")
    text = text.replace("        total: {type: integer}\n", "        total: {type: integer}\n        next: {type: [string, \"null\"]}\n")
    document = tmp_path / "cursored.yaml"
    document.write_text(text, encoding="utf-8")
    with run_mock(specs=[document]) as mock:
        notes = Checked(mock, "cursored")
        made = {notes.post("/notes", json={"text": f"note {i}"}).json()["id"] for i in range(3)}
        seen, target = [], "/notes?per_page=2"
        while target:
            page = notes.get(target).json()
            seen += [note["id"] for note in page["data"]]
            target = page["next"] and page["next"].removeprefix(mock.base_url("cursored"))
    assert len(seen) == len(set(seen)) == page["total"] == 6 and made <= set(seen)


def test_errors_take_the_shape_of_the_default_answer_where_no_4xx_has_one(tmp_path):
    document = tmp_path / "defaulted.yaml"
    document.write_text("openapi: 3.0.3\ninfo: {title: Defaulted, version: '1'}\npaths:\n  /things/{thingId}:\n    get:\n      operationId: getThing\n"
                        "      parameters: [{name: thingId, in: path, required: true, schema: {type: string}}]\n      responses:\n"
                        "        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}\n"
                        "        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}\n"
                        "components:\n  schemas:\n    Error: {type: object, required: [code, message], properties: {code: {type: integer}, message: {type: string}}}\n", encoding="utf-8")
    with run_mock(specs=[document]) as mock:
        missing = Checked(mock, "defaulted").get("/things/nope")
    assert missing.status_code == 404 and missing.json() == {"code": 404, "message": "No thing nope."}
