"""Who may call the API when keys are set, and how clients are counted: issue 13, findings 2, 3 and 4.

A keyless request is anonymous widget use only when it names a configured site and comes from one of that site's
page origins, on the widget's routes; headers a client chooses (Origin, Host) never stand in for a key.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

ASK = {"question": "hello"}
KEYS = "k-live-one,k-live-two"
WIDGET = {"Origin": "https://www.aiccre.it", "X-Assistant-Site": "aiccre"}


def _codes(client: TestClient, path: str = "/api/ask", times: int = 1, **headers: str | bytes) -> list[int]:
    return [client.post(path, json=ASK, headers=headers).status_code for _ in range(times)]


def test_keyless_request_needs_a_configured_site_and_its_origin(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(api_keys=KEYS)) as keyed:
        # A configured site's Origin alone, or with a site id that is not configured, or another site's origin.
        for headers in (
            {"Origin": "https://www.aiccre.it"},
            {"Origin": "https://www.aiccre.it", "X-Assistant-Site": "nope"},
            {"Origin": "https://evil.example", "X-Assistant-Site": "aiccre"},
            {"X-Assistant-Site": "aiccre"},
        ):
            response = keyed.post("/api/ask", json=ASK, headers=headers)
            assert response.status_code == 401, headers
            assert response.json()["error"]["code"] == "unauthorized"


def test_forged_same_origin_is_not_a_key(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(api_keys=KEYS)) as keyed:
        forged = {"Host": "evil.example", "Origin": "http://evil.example"}
        assert _codes(keyed, **forged) == [401]
        assert _codes(keyed, **forged, **{"X-Assistant-Site": "aiccre"}) == [401]


def test_widget_use_without_a_key_is_answered_rate_limited_and_only_on_widget_routes(
    make_app: Callable[..., FastAPI],
) -> None:
    with TestClient(make_app(api_keys=KEYS, rate_limit="2/minute")) as keyed:
        assert _codes(keyed, times=3, **WIDGET) == [200, 200, 429]
        chat = {"messages": [{"role": "user", "content": "hello"}]}
        refused = keyed.post("/v1/chat/completions", json=chat, headers=WIDGET)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        # A key holder has a bucket of its own, apart from the widget users of this address.
        assert _codes(keyed, **{"X-API-Key": "k-live-one"}) == [200]


def test_keys_sharing_their_first_characters_have_buckets_of_their_own(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(api_keys="abcd-first,abcd-second", rate_limit="2/minute")) as keyed:
        assert _codes(keyed, times=3, Authorization="Bearer abcd-first") == [200, 200, 429]
        assert _codes(keyed, times=2, Authorization="Bearer abcd-second") == [200, 200]


def test_repeated_wrong_keys_are_throttled(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(api_keys=KEYS, auth_failure_limit="3/minute")) as keyed:
        assert _codes(keyed, times=3, **{"X-API-Key": "guess"}) == [401, 401, 401]
        blocked = keyed.post("/api/ask", json=ASK, headers={"X-API-Key": "guess"})
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "rate_limited"
        assert int(blocked.headers["retry-after"]) >= 1
        # While blocked, even the right key is not checked (a guesser learns nothing) ...
        assert _codes(keyed, **{"X-API-Key": "k-live-one"}) == [429]
        # ... but anonymous widget use from the same address, which proves nothing, goes on.
        assert _codes(keyed, **WIDGET) == [200]


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
def test_non_ascii_key_is_401_not_500(
    make_app: Callable[..., FastAPI], caplog: pytest.LogCaptureFixture, header: str
) -> None:
    caplog.set_level("INFO")
    value = "clé-ключ".encode()
    if header == "Authorization":
        value = b"Bearer " + value
    with TestClient(make_app(api_keys=KEYS), raise_server_exceptions=False) as keyed:
        response = keyed.post("/api/ask", json=ASK, headers={header: value})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


def test_without_keys_the_origin_check_stays_as_before(make_app: Callable[..., FastAPI]) -> None:
    """No keys: anyone may ask; a browser page of another origin is refused, the server's own page is not."""
    with TestClient(make_app()) as open_client:
        assert _codes(open_client) == [200]
        assert _codes(open_client, **WIDGET) == [200]
        assert _codes(open_client, Origin="https://evil.example") == [403]
        assert _codes(open_client, Origin="http://testserver", **{"X-Assistant-Site": "demo"}) == [200]
