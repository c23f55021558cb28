"""The SDK endpoint, read by GrowthBook's official Python SDK (PyPI `growthbook`) given the mock
as its API host and a demo client key: it evaluates the demo features to what their rules
give, and a change made through the REST API shows in the next payload."""

from __future__ import annotations

import httpx
import pytest
from growthbook import GrowthBook

V1 = "/api/v1"
ADMIN = {"Authorization": "Bearer secret_mockexp_demo_admin"}


def fnv1a32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def in_rollout(feature: str, user: str, coverage: float) -> bool:
    """GrowthBook's version-1 hash of a unit for a rollout seeded by the feature key."""
    return (fnv1a32(user + feature) % 1000) / 1000 < coverage


def client_key(http: httpx.Client, environment: str) -> str:
    connections = http.get(f"{V1}/sdk-connections", headers=ADMIN, params={"limit": 100}).json()["connections"]
    return next(c["key"] for c in connections if c["environment"] == environment)


def sdk(mock, key: str, **attributes) -> GrowthBook:
    growthbook = GrowthBook(api_host=mock.url, client_key=key, attributes=attributes, cache_ttl=0)
    growthbook.load_features()
    return growthbook


def test_an_unknown_client_key_is_growthbooks_400(http):
    response = http.get("/api/features/sdk-nope")
    assert response.status_code == 400 and response.json() == {"status": 400, "error": "Invalid API key"}


def test_a_path_that_names_no_client_key_is_404(http):
    """Longer than any client key (256 characters), as the spec says: nothing is there."""
    response = http.get("/api/features/" + "k" * 257)
    assert response.status_code == 404 and set(response.json()) == {"message"}


def test_the_payload_has_only_the_environments_enabled_unarchived_features(http):
    payload = http.get(f"/api/features/{client_key(http, 'production')}").json()
    features = http.get(f"{V1}/features", headers=ADMIN, params={"limit": 100}).json()["features"]
    expected = {f["id"] for f in features if f["environments"]["production"]["enabled"] and not f["archived"]}
    assert set(payload["features"]) == expected and "legacy-header" not in expected
    assert payload["dateUpdated"] == max(f["dateUpdated"] for f in features if f["id"] in expected)


def test_the_python_sdk_evaluates_a_forced_rule(mock, http):
    key = client_key(http, "production")
    assert sdk(mock, key, id="u1", employee=True).eval_feature("dark-mode").value is True
    assert sdk(mock, key, id="u1", plan="premium").eval_feature("search-results-per-page").value == 50
    assert sdk(mock, key, id="u1", country="DE").eval_feature("checkout-button-color").value == "green"
    assert sdk(mock, key, id="u1", country="FR").eval_feature("pricing-banner").value == {"show": True, "text": "Summer sale: 20% off"}
    assert sdk(mock, key, id="u1", country="US").eval_feature("pricing-banner").value == {"show": False}


def test_the_python_sdk_puts_a_fixed_user_in_or_out_of_a_percentage_rollout(mock, http):
    key = client_key(http, "production")
    inside = next(f"user-{n}" for n in range(1000) if in_rollout("dark-mode", f"user-{n}", 0.5))
    outside = next(f"user-{n}" for n in range(1000) if not in_rollout("dark-mode", f"user-{n}", 0.5))
    assert sdk(mock, key, id=inside).eval_feature("dark-mode").value is True
    assert sdk(mock, key, id=outside).eval_feature("dark-mode").value is False


def test_a_change_through_the_rest_api_shows_in_the_next_payload(mock, http):
    key = client_key(http, "production")
    assert sdk(mock, key, id="u1").eval_feature("dark-mode").on in (True, False)
    http.post(f"{V1}/features/dark-mode/toggle", headers=ADMIN, json={"environments": {"production": False}})
    assert "dark-mode" not in http.get(f"/api/features/{key}").json()["features"]
    assert sdk(mock, key, id="u1", employee=True).eval_feature("dark-mode").value is None


def test_the_payload_answers_304_to_its_etag_until_a_change_through_the_rest_api(http):
    key = client_key(http, "production")
    first = http.get(f"/api/features/{key}")
    etag = first.headers["ETag"]
    unchanged = http.get(f"/api/features/{key}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["ETag"] == etag
    http.post(f"{V1}/features/dark-mode/toggle", headers=ADMIN, json={"environments": {"production": False}})
    changed = http.get(f"/api/features/{key}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "dark-mode" in first.json()["features"] and "dark-mode" not in changed.json()["features"]


def test_the_payload_etag_is_the_weak_etag_express_gives_its_body(http):
    import base64
    import hashlib

    response = http.get(f"/api/features/{client_key(http, 'production')}")
    digest = base64.b64encode(hashlib.sha1(response.content).digest()).decode()[:27]
    assert response.headers["ETag"] == f'W/"{len(response.content):x}-{digest}"'
    assert http.get(response.url, headers={"If-None-Match": f'"other", {response.headers["ETag"]}'}).status_code == 304
    assert http.get(response.url, headers={"If-None-Match": '"other"'}).status_code == 200
