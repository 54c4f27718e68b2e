"""Request guards: body size, request ids, per-client rate limits, API keys and widget site origins."""

from __future__ import annotations

import hmac
import logging
import math
import time
import uuid

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import APIError, error_response
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
    """Give every request an id (``X-Request-ID``) and log it with its status and time; never headers or keys."""

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


class Guard:
    """Who may call: widget pages of configured sites (by Origin), or clients with a key when keys are set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = [k.get_secret_value() for k in settings.api_keys]
        self.origins = {site: {o.rstrip("/") for o in origins} for site, origins in settings.sites.items()}
        self.limit = None if settings.rate_limit == "0" else parse(settings.rate_limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _key(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return request.headers.get("x-api-key")

    def _widget_origin(self, request: Request) -> bool:
        origin = (request.headers.get("origin") or "").rstrip("/")
        if not origin:
            return False
        same = origin == f"{request.url.scheme}://{request.url.netloc}"
        site = request.headers.get("x-assistant-site")
        allowed = self.origins.get(site, set()) if site else set().union(*self.origins.values())
        return same or origin in allowed

    def check(self, request: Request) -> None:
        """Raise 401 for a missing/wrong key, 403 for a widget origin not allowed, 429 past the rate limit."""
        key = self._key(request) if self.keys else None  # without configured keys, any key is ignored
        client = "anonymous"
        if key is not None:
            if not any(hmac.compare_digest(key, k) for k in self.keys):
                raise APIError(401, "unauthorized", "The API key is not valid.")
            client = "key:" + key[:4]
        elif self.keys and not self._widget_origin(request):
            raise APIError(401, "unauthorized", "An API key is required (Authorization: Bearer KEY or X-API-Key).")
        elif request.headers.get("origin") and self.origins and not self._widget_origin(request):
            raise APIError(403, "forbidden", "This page's origin is not allowed for this site.")
        if client == "anonymous":
            client = request.client.host if request.client else "unknown"
        if self.limit is not None and not self.limiter.hit(self.limit, client):
            reset = self.limiter.get_window_stats(self.limit, client).reset_time
            retry = max(1, math.ceil(reset - time.time()))
            raise APIError(429, "rate_limited", f"Too many requests; retry in {retry} s.", {"Retry-After": str(retry)})
