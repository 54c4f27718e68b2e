"""How ``assistant serve`` runs uvicorn: every connection-level limit and the proxy trust, from Settings, in one place.

uvicorn (0.54) is run with its pure-Python h11 parser, which bounds the request line and headers
(``h11_max_incomplete_event_size``; the httptools parser buffers any amount), with forwarding headers believed
only from ``trusted_proxies``, and with the protocol below. uvicorn arms its keep-alive timer only after a
response and stops it on any byte received, so a connection that never completes a request (idle from the start,
or trickling its headers: "slowloris") is never closed; and its ``limit_concurrency`` answers 503 to requests but
keeps every idle socket open, so the process can still run out of file descriptors. ``BoundedH11Protocol`` adds
the two missing bounds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
import sys
import time

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.config import Settings

log = logging.getLogger("assistant.api")

FD_RESERVE = 64
"""File descriptors kept free of client connections, for the store, the model, logs and the listening socket."""

_BODY = json.dumps({"error": {"code": "unavailable", "message": "Too many connections; please retry shortly."}})
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_BODY), _BODY.encode())
)


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request deadline and a connection cap.

    - A connection has ``request_timeout`` seconds, from its start or from the end of its previous response, to
      send a whole request (headers and body); bytes trickling in do not extend it. Then it is closed.
    - While ``max_connections`` connections are open, a new one is answered 503 and closed at once.
    """

    request_timeout: float = 10.0
    max_connections: int = 500
    _warned_at: float = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._request_timer: asyncio.TimerHandle | None = None
        self._refused = len(self.connections) >= self.max_connections
        if self._refused:
            self.transport = transport
            transport.write(BUSY)
            transport.close()
            self._warn_full()
            return
        super().connection_made(transport)
        self._arm_request_timer()

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        if not self._refused:
            super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_request_timer()

    def _arm_request_timer(self) -> None:
        self._cancel_request_timer()
        self._request_timer = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_timed_out(self) -> None:
        """Close the connection if its request is still incomplete; one being answered is left alone."""
        self._request_timer = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            self.transport.close()

    def _warn_full(self) -> None:
        now = time.monotonic()
        if now - type(self)._warned_at > 10:
            type(self)._warned_at = now
            log.warning("%d connections open (ASSISTANT_MAX_CONNECTIONS): refusing new ones", self.max_connections)


def connection_cap(configured: int) -> int:
    """``configured``, lowered so client sockets can never take the last ``FD_RESERVE`` file descriptors."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or configured <= soft - FD_RESERVE:
        return configured
    capped = max(1, soft - FD_RESERVE)
    log.warning("ASSISTANT_MAX_CONNECTIONS=%d lowered to %d: the open-file limit is %d", configured, capped, soft)
    return capped


def build_config(app: ASGIApp, settings: Settings, host: str | None = None, port: int | None = None) -> uvicorn.Config:
    """The uvicorn configuration of ``assistant serve``: limits, timeouts and proxy trust from ``settings``."""
    protocol = type(
        "BoundedH11Protocol",
        (BoundedH11Protocol,),
        {"request_timeout": settings.request_timeout, "max_connections": connection_cap(settings.max_connections)},
    )
    return uvicorn.Config(
        app,
        host=host or settings.host,
        port=settings.port if port is None else port,
        http=protocol,
        ws="none",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]  # a float works (call_later)
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        server_header=False,
        log_level="warning",
    )


class AnnouncedServer(uvicorn.Server):
    """uvicorn's server that says on stderr where it listens once its socket is bound (its own startup message is
    silenced with the rest of its INFO log): the address asked for, with the port actually bound (``--port 0``)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            print(listening_message(self.config.host, port), file=sys.stderr, flush=True)


def listening_message(host: str, port: int) -> str:
    """The line ``assistant serve`` prints once it listens on ``host``:``port``."""
    shown = f"[{host}]" if ":" in host else host
    everywhere = " (every address of this machine)" if host in ("0.0.0.0", "::") else ""
    return (
        f"Serving on http://{shown}:{port}{everywhere} (demo page with the widget: /, API docs: /docs). Ctrl-C stops."
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Build the app and run it until interrupted.

    The embedding model is loaded first: one that cannot be (a missing or broken package, a model name the hub
    does not know) ends the command with its reason, which names the setting to change, instead of a failed
    startup's traceback; so does, in webhook mode, a Telegram token that Telegram rejects. A store that is down
    does not stop it (requests get 503 until the store is back). Once listening, it prints the address.
    """
    from assistant.api.app import create_app
    from assistant.embeddings import EmbeddingUnavailable, from_settings

    if settings.telegram_webhook_path:
        _check_telegram(settings)
    try:
        from_settings(settings).load()  # cached: the app's Assistant reuses it
    except EmbeddingUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    try:
        app = create_app(settings)
    except ValueError as exc:  # a configuration the app refuses (webhook mode without its token or secret)
        raise SystemExit(f"error: {exc}") from None
    config = build_config(app, settings, host, port)  # configures uvicorn's log handlers
    if settings.telegram_token is not None:
        from assistant.bots.telegram import TokenGuard

        TokenGuard(settings.telegram_token.get_secret_value()).install("uvicorn", "uvicorn.error", "uvicorn.access")
    AnnouncedServer(config).run()


def _check_telegram(settings: Settings) -> None:
    """Webhook mode: the token must work (getMe) before the server starts; else one line, without the token."""
    from assistant.bots.telegram import BotUnavailable, bot_username

    try:
        username = asyncio.run(bot_username(settings))
    except BotUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"Telegram updates posted to {settings.telegram_webhook_path} are answered as @{username}.", file=sys.stderr)
