"""How the widget and the operator learn that a site is misconfigured (issue 17, item 1), at the HTTP level:
GET /api/widget/check, refused CORS preflights as JSON errors, and what the server logs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

PAGE = "https://www.aiccre.it"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-assistant-site"}


def _check(
    client: TestClient, site: str | None, origin: str | None = PAGE, page: str | None = None
) -> tuple[int, dict, str | None]:
    params = {k: v for k, v in {"site": site, "origin": page}.items() if v is not None}
    response = client.get("/api/widget/check", params=params, headers={"Origin": origin} if origin else {})
    return response.status_code, response.json(), response.headers.get("access-control-allow-origin")


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("widget refused")]


def test_a_listed_page_is_served(client: TestClient) -> None:
    status, body, readable_by = _check(client, "aiccre")
    assert (status, body, readable_by) == (200, {"site": "aiccre", "origin": PAGE}, PAGE)


@pytest.mark.parametrize(
    ("site", "origin", "code"),
    [
        ("aiccre", "https://aiccre.it", "origin_not_allowed"),  # another host name
        ("aiccre", "http://www.aiccre.it", "origin_not_allowed"),  # another scheme
        ("aiccre", "https://www.aiccre.it:8443", "origin_not_allowed"),  # another port
        ("aicre", PAGE, "site_not_configured"),  # a typing slip in data-site
        ("aiccre", "http://[", "origin_not_allowed"),  # no URL at all
        ("aiccre", "null", "origin_not_allowed"),  # a sandboxed frame or a file:// page
    ],
)
def test_a_refusal_is_readable_by_the_widget_on_any_page_and_says_what_to_change(
    client: TestClient, site: str, origin: str, code: str
) -> None:
    status, body, readable_by = _check(client, site, origin)
    assert status == 403 and body["error"]["code"] == code
    assert readable_by in ("*", origin)  # the widget on that page reads why, and stays hidden instead of failing later
    assert origin in body["error"]["message"] and "ASSISTANT_SITES" in body["error"]["message"]


def test_the_servers_own_page_is_served_without_keys_and_needs_its_site_with_keys(
    make_app: Callable[..., FastAPI],
) -> None:
    with TestClient(make_app()) as open_client:
        assert _check(open_client, "demo", origin=None)[:2] == (200, {"site": "demo", "origin": "http://testserver"})
    with TestClient(make_app(api_keys="k-1")) as keyed:
        status, body, _ = _check(keyed, "demo", origin=None)
        assert status == 403 and "ASSISTANT_API_KEYS" in body["error"]["message"]
        assert _check(keyed, "aiccre")[0] == 200  # a listed page needs no key
    with TestClient(make_app(api_keys="k-1", sites={"demo": ["http://testserver"]})) as keyed:
        assert _check(keyed, "demo", origin=None)[0] == 200


def test_the_page_names_its_origin_only_when_the_browser_sends_none(client: TestClient) -> None:
    """A same-origin GET has no Origin header; the widget then names its page (its questions will carry that)."""
    assert _check(client, "aiccre", origin=None, page=PAGE)[:2] == (200, {"site": "aiccre", "origin": PAGE})
    assert _check(client, "aiccre", origin="https://evil.example", page=PAGE)[0] == 403  # the header wins


def test_a_tls_proxy_the_server_does_not_trust_is_named(make_app: Callable[..., FastAPI]) -> None:
    """Behind an untrusted TLS proxy the server sees itself as http://...: its own https page is another origin."""
    with TestClient(make_app(api_keys="k-1", sites={"demo": ["https://testserver"]})) as keyed:
        assert _check(keyed, "demo", origin="https://testserver")[0] == 200
    with TestClient(make_app()) as open_client:
        status, body, _ = _check(open_client, "demo", origin=None, page="https://testserver")
        assert status == 403 and "X-Forwarded-Proto" in body["error"]["message"]
        assert "ASSISTANT_TRUSTED_PROXIES" in body["error"]["message"]
        # As its questions would be, which the browser sends with Origin: https://testserver.
        ask = {"question": "hello"}
        assert open_client.post("/api/ask", json=ask, headers={"Origin": "https://testserver"}).status_code == 403
    with TestClient(make_app(sites={})) as unconfigured:  # no site at all: the server's pages are never refused
        assert _check(unconfigured, "demo", origin=None, page="https://testserver")[0] == 200
        assert unconfigured.post("/api/ask", json=ask, headers={"Origin": "https://testserver"}).status_code == 200


@pytest.mark.parametrize(
    ("site", "page"), [(None, None), ("", None), ("x" * 65, None), ("ai\x00ccre", None), ("aiccre", "h" * 201)]
)
def test_a_malformed_parameter_is_a_json_422(client: TestClient, site: str | None, page: str | None) -> None:
    status, body, _ = _check(client, site, page=page)
    assert status == 422 and body["error"]["code"] == "invalid_request"


def test_the_check_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/widget/check"]["get"]
    assert operation["description"] and {"200", "403", "422"} <= set(operation["responses"])


def test_a_refused_origin_is_logged_once_with_its_site_id(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="assistant.api")
    for _ in range(3):
        assert _check(client, "aiccre", "https://aiccre.it")[0] == 403
    assert _check(client, "aiccre", "https://other.example")[0] == 403
    logged = _refusals(caplog)
    assert len(logged) == 2
    assert "'https://aiccre.it'" in logged[0] and "'aiccre'" in logged[0] and "ASSISTANT_SITES" in logged[0]
    assert PAGE in logged[0]  # the site's configured origins, for the operator; never sent to the page:
    assert "www.aiccre.it" not in _check(client, "aiccre", "https://aiccre.it")[1]["error"]["message"]


def test_a_refused_preflight_is_a_json_error_and_its_origin_is_logged_once(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="assistant.api")
    allowed = client.options("/api/ask/stream", headers={"Origin": PAGE, **PREFLIGHT})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == PAGE
    for _ in range(2):
        refused = client.options("/api/ask/stream", headers={"Origin": "https://evil.example", **PREFLIGHT})
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/json"
        assert refused.json()["error"]["code"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in refused.headers
    bad_method = client.options("/api/ask", headers={"Origin": PAGE, "Access-Control-Request-Method": "DELETE"})
    assert bad_method.status_code == 400 and bad_method.json()["error"] == {
        "code": "cors_refused",
        "message": "CORS preflight refused: method 'DELETE' (allowed: GET, POST) not allowed.",
    }
    logged = _refusals(caplog)
    assert len(logged) == 1 and "'https://evil.example'" in logged[0] and "/api/ask/stream" in logged[0]


def test_origins_no_browser_sends_are_warned_about_at_start(
    make_app: Callable[..., FastAPI], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="assistant.api")
    good = ["https://www.aiccre.it/", "http://127.0.0.1:8080"]
    bad = ["www.aiccre.it", "https://www.aiccre.it/widget", "https://www.aiccre.it:443", "https://WWW.aiccre.it"]
    bad += ["https://www.città.it", "ftp://www.aiccre.it", "https://user@www.aiccre.it"]
    good += ["https://www.xn--citt-3na.it"]
    make_app(sites={"aiccre": good + bad})
    warned = [r.getMessage() for r in caplog.records if "is not an origin as browsers send it" in r.getMessage()]
    assert sorted(w.split("'")[1] for w in warned) == sorted(bad)


@pytest.mark.parametrize("keys", ["", "k-1"])
@pytest.mark.parametrize("sites", [{}, {"aiccre": [PAGE]}, {"aiccre": [PAGE], "demo": ["http://testserver"]}])
def test_the_check_foretells_whether_the_widgets_questions_would_be_answered(
    make_app: Callable[..., FastAPI], keys: str, sites: dict[str, list[str]]
) -> None:
    """The check and a question agree, for every kind of page: the server's own (also as seen through a TLS proxy
    it does not trust), a listed page and another page; a question from another origin must pass CORS as well."""
    pages = [(True, "http://testserver"), (True, "https://testserver"), (False, PAGE), (False, "https://evil.example")]
    with TestClient(make_app(api_keys=keys, sites=sites)) as client:
        for same_origin, page in pages:
            for site in ("aiccre", "demo"):
                widget = {"Origin": page, "X-Assistant-Site": site}
                answered = client.post("/api/ask", json={"question": "hello"}, headers=widget).status_code == 200
                if not same_origin:
                    preflight = client.options("/api/ask/stream", headers={"Origin": page, **PREFLIGHT})
                    answered = answered and preflight.headers.get("access-control-allow-origin") == page
                header, named = (None, page) if same_origin else (page, None)
                assert (_check(client, site, origin=header, page=named)[0] == 200) == answered, (page, site)


def test_a_refused_preflight_names_the_header_refused(client: TestClient) -> None:
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-tracking-id"}
    refused = client.options("/api/ask", headers={"Origin": PAGE, **asked})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "cors_refused"
    message = refused.json()["error"]["message"]
    assert "'x-tracking-id'" in message and "content-type" not in message.split("(")[0]


def test_the_checks_preflight_is_answered_for_any_page(client: TestClient) -> None:
    """Documented as readable from any page: a page adding a header (a preflight) may still read it."""
    asked = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-requested-with"}
    answer = client.options("/api/widget/check?site=aiccre", headers={"Origin": "https://evil.example", **asked})
    assert answer.status_code == 204 and answer.headers["access-control-allow-origin"] == "*"
    assert "GET" in answer.headers["access-control-allow-methods"]
    assert answer.headers["access-control-allow-headers"] == "x-requested-with"
    # Other routes' preflights keep their allow-list.
    assert client.options("/api/ask", headers={"Origin": "https://evil.example", **PREFLIGHT}).status_code == 403


def test_many_site_ids_from_one_origin_log_a_bounded_number_of_lines(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="assistant.api")
    for n in range(300):
        assert _check(client, f"site-{n}", "https://probe.example")[0] == 403
    _check(client, "aiccre", "https://other.example")  # another origin is still logged
    logged = _refusals(caplog)
    from_probe = [line for line in logged if "probe.example" in line]
    assert 2 <= len(from_probe) <= 10 and "more site ids refused" in from_probe[-1]
    assert sum("other.example" in line for line in logged) == 1


def test_an_unknown_site_id_is_named_without_revealing_the_configured_ones(client: TestClient) -> None:
    status, body, _ = _check(client, "aicre", PAGE)
    message = body["error"]["message"]
    assert status == 403 and body["error"]["code"] == "site_not_configured"
    assert "'aicre'" in message and "data-site" in message and "spelling" in message
    assert "'aiccre'" not in message and "www.aiccre.it" not in message.replace(PAGE, "")


def test_a_file_page_is_told_to_be_served_over_http(client: TestClient) -> None:
    status, body, _ = _check(client, "aiccre", "null")
    assert status == 403 and "file://" in body["error"]["message"] and "http(s)" in body["error"]["message"]


def test_a_question_without_preflight_from_a_refused_origin_names_origin_site_and_setting(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A simple POST (text/plain, no preflight) reaches the guard: its 403 says what to change, logged once."""
    caplog.set_level("WARNING", logger="assistant.api")
    widget = {"Origin": "https://evil.example", "X-Assistant-Site": "aiccre", "Content-Type": "application/json"}
    for _ in range(2):
        refused = client.post("/api/ask", json={"question": "hello"}, headers=widget)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        message = refused.json()["error"]["message"]
        assert "'https://evil.example'" in message and "'aiccre'" in message and "ASSISTANT_SITES" in message
    logged = _refusals(caplog)
    assert len(logged) == 1 and "'https://evil.example'" in logged[0] and "'aiccre'" in logged[0]
