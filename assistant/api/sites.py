"""What a site owner needs to see a misconfigured widget: ``GET /api/widget/check`` (``install``) tells the widget,
before a visitor asks anything, whether its site id is served on the page's origin; a refused origin is logged once
(``OriginLog``); refused CORS preflights are JSON errors too (``PreflightRefusals``); configured origins no browser
sends are warned about at start-up (``warn_about_origins``)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response
from assistant.api.schemas import ErrorResponse
from assistant.config import Settings

log = logging.getLogger("assistant.api")
SITES_SETTING = "ASSISTANT_SITES"

_CORS_REFUSAL = b"Disallowed CORS "  # how Starlette's CORSMiddleware starts a refused preflight's body
CHECK_PATH = "/api/widget/check"
CORS_METHODS = ("GET", "POST")
CORS_HEADERS = ("Content-Type", "X-Assistant-Site", "Authorization", "X-API-Key")
"""What the API's CORS layer allows (app.py passes these to CORSMiddleware); a refusal names what fell outside."""
_SAFELISTED = {"accept", "accept-language", "content-language", "content-type"}


class PreflightRefusals:
    """A refused CORS preflight answered with the JSON error envelope, and its origin logged once.

    Starlette's CORSMiddleware answers a refused preflight itself, in plain text ("Disallowed CORS origin"), before
    any route or exception handler runs; only a layer outside it can change that answer. This one rewrites it: 403
    ``origin_not_allowed`` when the page origin is not in ASSISTANT_SITES, else 400 ``cors_refused`` naming the
    method or headers refused. The browser still refuses the request: a preflight's body is never shown to scripts.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.origins = OriginLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" and scope["method"] == "OPTIONS" else Headers()
        origin = headers.get("origin")
        if origin is None or "access-control-request-method" not in headers:
            await self.app(scope, receive, send)
            return
        if scope["path"] == CHECK_PATH:  # readable from any page, as documented: so is its preflight
            await _check_preflight(headers)(scope, receive, send)
            return
        held: Message | None = None

        async def rewrite(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 400:
                held = message  # a refusal: its body says whether it is CORSMiddleware's, and what failed
                return
            body = message.get("body", b"")
            if held is not None and message["type"] == "http.response.body" and body.startswith(_CORS_REFUSAL):
                failures = body.removeprefix(_CORS_REFUSAL).decode("latin-1").split(", ")
                await self._send_refusal(send, held, origin, failures, scope["path"], Headers(scope=scope))
                return
            if held is not None:
                await send(held)
                held = None
            await send(message)

        await self.app(scope, receive, rewrite)

    async def _send_refusal(
        self, send: Send, start: Message, origin: str, failures: list[str], path: str, headers: Headers
    ) -> None:
        if "origin" in failures:
            self.origins.refused(origin, None, f"CORS preflight of {shown(path, 60)}")
            status, code = 403, "origin_not_allowed"
            message = (
                f"The page origin {shown(origin)} may not call this API from a browser: add it to its site's "
                f"origins in {SITES_SETTING} (origins match exactly: scheme, host and port)."
            )
        else:
            status, code, message = 400, "cors_refused", _cors_refused(headers, failures)
        body = error_response(status, code, message).body
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-type", b"content-length")]
        kept += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": kept})
        await send({"type": "http.response.body", "body": body})


def _cors_refused(headers: Headers, failures: list[str]) -> str:
    """The refused preflight's method and/or headers, by name, with what is allowed."""
    refused = []
    if "method" in failures:
        method = headers.get("access-control-request-method", "")
        refused.append(f"method {shown(method, 20)} (allowed: {', '.join(CORS_METHODS)})")
    if "headers" in failures:
        asked = [h.strip() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()]
        allowed = _SAFELISTED | {h.lower() for h in CORS_HEADERS}
        names = ", ".join(shown(h, 40) for h in asked if h.lower() not in allowed) or "?"
        refused.append(f"header {names} (allowed: {', '.join(CORS_HEADERS)})")
    return f"CORS preflight refused: {' and '.join(refused) or ', '.join(failures)} not allowed."


def _check_preflight(headers: Headers) -> Response:
    """The preflight of a GET /api/widget/check with extra headers: allowed from any page (it reveals nothing)."""
    asked = headers.get("access-control-request-headers", "")
    allow = {**_READABLE, "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "600"}
    if asked:
        allow["Access-Control-Allow-Headers"] = asked[:500]
    return Response(status_code=204, headers=allow)


def shown(value: str, limit: int = 120) -> str:
    """A client-chosen value fit for a log line or an error message: quoted, escaped, at most ``limit`` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


class OriginLog:
    """Logs a refused page origin once per site id, so the operator learns what to add to ASSISTANT_SITES without a
    line per request. At most ``per_origin`` site ids are logged for one origin, then one "more refused" line;
    the last ``size`` origins are remembered (forged origins or site ids cannot grow it)."""

    def __init__(self, size: int = 1024, per_origin: int = 5) -> None:
        self._seen: OrderedDict[str, set[str | None]] = OrderedDict()
        self._size, self._per_origin = size, per_origin
        self._lock = threading.Lock()

    def _first(self, origin: str, site: str | None) -> str | None:
        """``"site"`` when this pair is to be logged, ``"more"`` for the origin's one overflow line, else None."""
        with self._lock:
            sites = self._seen.setdefault(origin, set())
            self._seen.move_to_end(origin)
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)
            if site in sites:
                return None
            if len(sites) < self._per_origin:
                sites.add(site)
                return "site"
            if _MORE in sites:
                return None
            sites.add(_MORE)
            return "more"

    def refused(self, origin: str, site: str | None, why: str) -> None:
        first = self._first(origin, site)
        if first == "more":
            log.warning(
                "widget refused: page origin %s: more site ids refused (only the first %d are logged); "
                "the setting to change is %s",
                shown(origin),
                self._per_origin,
                SITES_SETTING,
            )
        if first != "site":
            return
        named = shown(site) if site is not None else "not named (a CORS preflight carries none)"
        log.warning(
            "widget refused: page origin %s, site id %s: %s; the setting to change is %s",
            shown(origin),
            named,
            why,
            SITES_SETTING,
        )


_MORE = "\0more"  # the marker of an origin whose overflow line was written (no site id has a NUL: printable)


def site_origins(settings: Settings) -> dict[str, set[str]]:
    """Each configured site's page origins, as compared with a request's ``Origin`` (a trailing ``/`` dropped)."""
    return {site: {o.rstrip("/") for o in origins} for site, origins in settings.sites.items()}


def _is_origin(value: str) -> bool:
    """Whether ``value`` is an origin as browsers send it: ``scheme://host[:port]``, lower case, no default port."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return False
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return (
        default is not None
        and bool(parts.hostname)
        and value == value.lower()
        and value.isascii()  # a host with accents is sent in its punycode form (xn--...)
        and not (parts.path or parts.query or parts.fragment or parts.username or "@" in parts.netloc)
        and port != default
    )


def warn_about_origins(origins: dict[str, set[str]]) -> None:
    """Warn at start-up about a configured origin that no browser ever sends (it would never match)."""
    for site, values in origins.items():
        for value in sorted(values):
            if not _is_origin(value):
                log.warning(
                    "%s: %r of site %r is not an origin as browsers send it (scheme://host[:port], lower case, no "
                    "path, no default port such as :443, a host with accents as punycode): it never matches",
                    SITES_SETTING,
                    value,
                    site,
                )


class SiteCheck:
    """Whether a site's widget is served on a page of an origin: the rules of ``Guard`` and of the CORS allow-list,
    answered before a visitor asks anything. Without API keys the server's own pages are always served (and every
    same-origin page while no site is configured); a page of another origin must be one of the site's origins (with
    keys, every page must)."""

    def __init__(self, settings: Settings) -> None:
        self.origins = site_origins(settings)
        self.keys = bool(settings.api_keys)
        self.log = OriginLog()

    def refusal(self, origin: str, own: str, site: str, same_origin: bool = False) -> tuple[str, str] | None:
        """``(code, message)`` when the widget of ``site`` would be refused on a page of ``origin``, else None.
        ``same_origin``: the browser sees the page and the API as one origin, so no CORS rule applies."""
        allowed = self.origins.get(site)
        if allowed and origin in allowed:
            return None
        if not self.keys and (origin == own or (same_origin and not self.origins)):  # as Guard._page_allowed
            return None
        hint = _hint(origin, own)
        if allowed is None:
            self.log.refused(origin, site, "the site id is not configured" + hint)
            return "site_not_configured", (
                f"The site id {shown(site)} (the widget's data-site) is not configured in {SITES_SETTING} on this "
                f"server, so no page origin, {shown(origin)} included, is served: check its spelling{hint}."
            )
        self.log.refused(origin, site, f"its origins are {sorted(allowed)}{hint}")
        return "origin_not_allowed", (
            f"The page origin {shown(origin)} is not one of the origins of site {shown(site)}: add it to that "
            f"site's list in {SITES_SETTING} (origins match exactly: scheme, host and port){hint}."
        )


def _hint(origin: str, own: str) -> str:
    """What else explains a refusal: a page with no origin, or a page served by this very server."""
    if origin == "null":
        return (
            "; 'null' is the origin of a file:// page or a sandboxed frame, which no site can list: serve the page "
            "over http(s) from one of the site's origins"
        )
    if origin == own:
        return "; with ASSISTANT_API_KEYS set, the server's own pages need it too"
    if _netloc(origin) == _netloc(own):  # same host, another scheme: a TLS proxy not trusted
        return (
            f"; this server sees itself as {shown(own)}: behind a reverse proxy, have it send X-Forwarded-Proto "
            "and list it in ASSISTANT_TRUSTED_PROXIES"
        )
    return ""


def _netloc(value: str) -> str | None:
    try:
        return urlsplit(value).netloc
    except ValueError:  # "http://[", for one: the client chose it
        return None


class WidgetAccess(BaseModel):
    """The widget of ``site`` is served on pages of ``origin``."""

    site: str = Field(description="The widget's data-site.")
    origin: str = Field(description="The page origin, as the browser sent it (the server's own when it sent none).")


# Readable by the widget on any page, so a refused one can say why; it holds nothing but the caller's own words.
_READABLE = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def _site_check(request: Request) -> SiteCheck:
    """The app's SiteCheck, made on first use from the settings the app was built with."""
    state = request.app.state
    if getattr(state, "site_check", None) is None:
        state.site_check = SiteCheck(state.holder.settings)
    return state.site_check


def widget_check(request: Request, site: str, page: str | None = None) -> JSONResponse:
    """200 with ``WidgetAccess`` when the widget of ``site`` is served on the calling page, else 403 (or 422 for a
    malformed parameter) with the error envelope, readable from any origin.

    The page is the ``Origin`` header, which browsers send on every cross-origin request; a same-origin GET carries
    none, so then the page's own word (``page``, the widget's ``location.origin``: its POSTs will carry that), else
    the server's own origin. Only the caller is told anything: the check allows nothing by itself."""
    if not 0 < len(site) <= 64 or not site.isprintable():
        return error_response(422, "invalid_request", "site: 1 to 64 printable characters", _READABLE)
    if page is not None and (not 0 < len(page) <= 200 or not page.isprintable()):
        return error_response(422, "invalid_request", "origin: 1 to 200 printable characters", _READABLE)
    own = f"{request.url.scheme}://{request.url.netloc}"
    header = request.headers.get("origin")
    origin = (header or page or own).rstrip("/")
    refusal = _site_check(request).refusal(origin, own, site, same_origin=header is None)
    if refusal is not None:
        return error_response(403, *refusal, _READABLE)
    return JSONResponse(WidgetAccess(site=site, origin=origin).model_dump(), headers=_READABLE)


def install(app: FastAPI) -> None:
    """Add ``GET /api/widget/check``, the widget's first call (a simple request: no preflight, no key)."""

    @app.get(
        "/api/widget/check",
        response_model=WidgetAccess,
        responses={
            403: {"model": ErrorResponse, "description": "site_not_configured or origin_not_allowed"},
            422: {"model": ErrorResponse, "description": "Malformed site id"},
        },
        tags=["widget"],
    )
    async def check_widget(
        request: Request,
        # Checked by widget_check, not FastAPI, so that a refusal is readable by the page (the schema states it).
        site: str = Query(
            description="The widget's data-site (1 to 64 printable characters).",
            json_schema_extra={"minLength": 1, "maxLength": 64},
        ),
        origin: str | None = Query(
            None,
            description="The page's origin, used only when the request has no Origin header (same-origin).",
            json_schema_extra={"minLength": 1, "maxLength": 200},
        ),
    ) -> JSONResponse:
        """Whether the widget of `site` is served on the calling page's origin (its `Origin` header, else `origin`,
        else the server's own), by the rules of ASSISTANT_SITES and ASSISTANT_API_KEYS. The widget calls it on load
        and stays hidden when refused. Answers are readable from any origin (`Access-Control-Allow-Origin: *`), never
        cached, and not rate limited: they say nothing but whether the caller's own origin and site id fit."""
        return widget_check(request, site, origin)
