"""Request guards: body size, request ids, API keys, widget site origins and per-client rate limits (the widget's
own check of its site and page origin, and refused preflights as JSON: ``assistant/api/sites.py``)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
import uuid

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import APIError, error_response
from assistant.api.sites import SITES_SETTING, OriginLog, shown, site_origins, warn_about_origins
from assistant.config import Settings

log = logging.getLogger("assistant.api")


class BodyLimit:
    """Refuse bodies over ``max_bytes`` with 413, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        too_big = error_response(413, "payload_too_large", f"The request body exceeds {self.max_bytes} bytes.")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await too_big(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException, not an APIError: FastAPI passes it through its body parsing untouched,
                    # where any other exception would become a 400 "error parsing the body".
                    raise HTTPException(413, f"The request body exceeds {self.max_bytes} bytes.")
            return message

        await self.app(scope, limited, send)


class RequestLog:
    """Give every request an id (``X-Request-ID``) and log it with its status and time; never headers or keys.

    The outermost layer of the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:12]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s %s %d %.0fms",
                request_id,
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


WIDGET_ROUTES = frozenset({"/api/ask", "/api/ask/stream", "/api/feedback"})
"""The routes the widget calls: the only ones open to anonymous widget use when API keys are set."""


def _limit(value: str) -> RateLimitItem | None:
    return None if value == "0" else parse(value)


def _digest(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


class Guard:
    """Who may call, and which bucket of the rate limit a request counts against.

    Without API keys anyone may call; a browser page (Origin) that is neither a configured site's page nor the
    server's own is refused (403). With keys, a request needs a valid key, except *anonymous widget use*: a
    widget route, an ``X-Assistant-Site`` that is configured, and an ``Origin`` that is one of that site's
    origins. Origin and Host are chosen by the client, so they never stand in for a key beyond that: anonymous
    use is limited to the widget's routes and counted per client address. Key holders are counted per key (a
    hash of the whole key); failed authentications are counted per client address, and past
    ``auth_failure_limit`` that address gets 429 before any key is compared.
    """

    def __init__(self, settings: Settings) -> None:
        self.keys = [_digest(k.get_secret_value().encode()) for k in settings.api_keys]
        self.origins = site_origins(settings)
        warn_about_origins(self.origins)
        self.limit = _limit(settings.rate_limit)
        self.failure_limit = _limit(settings.auth_failure_limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.refusals = OriginLog()

    @staticmethod
    def _key(request: Request) -> bytes | None:
        """The key as the client sent it, in bytes (Starlette decodes headers as Latin-1, so this is lossless)."""
        auth = request.headers.get("authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else request.headers.get("x-api-key")
        return None if key is None else key.encode("latin-1")

    @staticmethod
    def _client(request: Request) -> str:
        """The client's address: the peer, or what a trusted proxy forwarded (uvicorn, ASSISTANT_TRUSTED_PROXIES)."""
        return request.client.host if request.client else "unknown"

    def _origin(self, request: Request) -> str:
        return (request.headers.get("origin") or "").rstrip("/")

    def _widget_use(self, request: Request) -> bool:
        """A configured site's widget on one of that site's pages, calling a widget route."""
        route = getattr(request.scope.get("route"), "path", request.url.path)
        site = request.headers.get("x-assistant-site", "")
        return route in WIDGET_ROUTES and self._origin(request) in self.origins.get(site, ())

    def _page_allowed(self, request: Request) -> bool:
        """Without keys: may a browser page of this Origin use the API? (Not authentication: see the class.)"""
        origin = self._origin(request)
        if not origin or not self.origins or origin == f"{request.url.scheme}://{request.url.netloc}":
            return True
        site = request.headers.get("x-assistant-site")
        allowed = self.origins.get(site, set()) if site else set().union(*self.origins.values())
        return origin in allowed

    def _forbidden(self, request: Request) -> APIError:
        """403 ``forbidden`` naming the page origin, the site id and the setting; logged once (``OriginLog``)."""
        origin, site = self._origin(request), request.headers.get("x-assistant-site")
        named = f"site {shown(site)}" if site else "any site (no X-Assistant-Site header)"
        self.refusals.refused(origin, site, f"a {request.method} of {shown(request.url.path, 60)} without preflight")
        return APIError(
            403,
            "forbidden",
            f"The page origin {shown(origin)} is not one of the origins of {named}: add it to that site's list in "
            f"{SITES_SETTING} (origins match exactly: scheme, host and port).",
        )

    def _hit(self, limit: RateLimitItem | None, bucket: str, what: str) -> None:
        if limit is not None and not self.limiter.hit(limit, bucket):
            raise self._too_many(limit, bucket, what)

    def _too_many(self, limit: RateLimitItem, bucket: str, what: str) -> APIError:
        reset = self.limiter.get_window_stats(limit, bucket).reset_time
        retry = max(1, math.ceil(reset - time.time()))
        return APIError(429, "rate_limited", f"{what}; retry in {retry} s.", {"Retry-After": str(retry)})

    def _authenticate(self, request: Request, client: str) -> str:
        """The rate-limit bucket of a request when keys are set; 401 or 429 when it may not pass."""
        key = self._key(request)
        if key is None and self._widget_use(request):
            return "ip:" + client
        failures = "auth-failures:" + client
        if self.failure_limit is not None and not self.limiter.test(self.failure_limit, failures):
            raise self._too_many(self.failure_limit, failures, "Too many failed authentications")
        digest = _digest(key) if key is not None else b""
        if key is None or not any(hmac.compare_digest(digest, k) for k in self.keys):
            self._hit(self.failure_limit, failures, "Too many failed authentications")
            if key is None:
                raise APIError(401, "unauthorized", "An API key is required (Authorization: Bearer KEY or X-API-Key).")
            raise APIError(401, "unauthorized", "The API key is not valid.")
        return "key:" + digest.hex()[:32]

    def check(self, request: Request) -> None:
        """Raise 401 for a missing/wrong key, 403 for a page origin not allowed, 429 past a rate limit."""
        client = self._client(request)
        if self.keys:
            bucket = self._authenticate(request, client)
        elif self._page_allowed(request):
            bucket = "ip:" + client
        else:
            raise self._forbidden(request)
        self._hit(self.limit, bucket, "Too many requests")
