"""The FastAPI app: ``create_app(settings)`` builds the one Assistant at start-up and shares it.

Routes are thin: they check the caller (guards), validate, and call ``Assistant.ask``/``stream``. Here: the /api
routes, the Telegram webhook and the widget's files; the OpenAI-compatible routes are in ``openai_compat``, the
OpenAPI error descriptions and offline /docs and /redoc in ``docs``.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response, StreamingResponse

from assistant.api import docs, errors, openai_compat, sites
from assistant.api.docs import ERRORS
from assistant.api.errors import APIError
from assistant.api.feedback import FeedbackStore, FeedbackUnavailable, known_sites
from assistant.api.guards import BodyLimit, Guard, RequestLog
from assistant.api.schemas import (
    EVENT_STREAM_HEADERS,
    AskRequest,
    AskResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    Health,
)
from assistant.api.sites import CORS_HEADERS, CORS_METHODS, PreflightRefusals
from assistant.config import Settings
from assistant.service import Assistant, StreamEvent
from assistant.store import StoreUnavailable

log = logging.getLogger("assistant.api")


class AssistantHolder:
    """Builds the Assistant once; if the store is down at start, builds it on the first request that finds it up."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._lock = threading.Lock()

    def get(self) -> Assistant:
        if self._assistant is None:
            # Another request may be building it against a slow store: wait about one store timeout, then 503.
            if not self._lock.acquire(timeout=self.settings.chroma_timeout):
                raise StoreUnavailable("the assistant is still connecting to the store")
            try:
                if self._assistant is None:
                    assistant = Assistant(self.settings)
                    assistant.warm_up()
                    self._assistant = assistant
            finally:
                self._lock.release()
        return self._assistant


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or Settings()
    holder = AssistantHolder(settings, assistant)
    guard = Guard(settings)
    feedback = FeedbackStore.for_settings(settings)
    feedback_sites = known_sites(settings)

    telegram = _telegram_application(settings, holder)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        try:
            holder.get()
        except StoreUnavailable as exc:
            log.warning("starting without the store (%s); requests get 503 until it is back", exc)
        if telegram is not None:
            await telegram.initialize()
            if telegram.post_init:
                await telegram.post_init(telegram)
            await telegram.start()
        yield
        if telegram is not None:
            await telegram.stop()
            await telegram.shutdown()

    app = FastAPI(
        title="twinning-assistant",
        version="0.1.0",
        description="Answers questions about EU town-twinning funding (CERV, CEMR) from official documents, "
        "with citations. Stateless: clients send the conversation history with each question.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.holder = holder
    errors.install(app)
    sites.install(app)  # the widget's check route
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_origins,
        allow_methods=list(CORS_METHODS),
        allow_headers=list(CORS_HEADERS),
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PreflightRefusals)  # outside the CORS layer: a refused preflight answered as JSON
    app.add_middleware(RequestLog)

    def checked(request: Request, body: AskRequest) -> Assistant:
        guard.check(request)
        if len(body.question) > settings.max_question_chars:
            raise APIError(422, "invalid_request", f"question: at most {settings.max_question_chars} characters")
        if len(body.history) > settings.max_history_turns:
            raise APIError(422, "invalid_request", f"history: at most {settings.max_history_turns} turns")
        return holder.get()

    @app.post("/api/ask", response_model=AskResponse, responses=ERRORS, tags=["ask"])
    def ask(body: AskRequest, request: Request) -> AskResponse:
        """Answer a question, given the conversation so far; cites exactly the sources it used."""
        assistant = checked(request, body)
        answer = assistant.ask(body.question, [t.model_dump() for t in body.history], body.language)
        return AskResponse(**answer.model_dump())

    @app.post(
        "/api/ask/stream",
        responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
        tags=["ask"],
    )
    def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
        """The same answer as server-sent events: `delta` events with text pieces, then `sources`, then `done`
        (`{"answered", "language", "answer"}`). An `error` event reports a failure after the stream started."""
        assistant = checked(request, body)
        events = assistant.stream(body.question, [t.model_dump() for t in body.history], body.language)
        first = next(events)  # retrieval happens here: a store failure is still a 503, not a broken stream
        return StreamingResponse(
            _sse(first, events),
            media_type="text/event-stream",
            headers=EVENT_STREAM_HEADERS,
        )

    @app.get("/api/health", response_model=Health, responses={503: {"model": Health}}, tags=["service"])
    def health() -> Any:
        """Status, number of indexed chunks and the embedding model."""
        try:
            chunks = holder.get().chunk_count
        except StoreUnavailable as exc:
            body = Health(status="unavailable", chunks=0, model=settings.embedding_model, detail=str(exc))
            return JSONResponse(body.model_dump(), status_code=503)
        return Health(status="ok", chunks=chunks, model=settings.embedding_model)

    @app.post(
        "/api/feedback",
        response_model=FeedbackResponse,
        responses={**ERRORS, 503: {"model": ErrorResponse, "description": "Feedback cannot be stored now"}},
        tags=["feedback"],
    )
    def give_feedback(body: FeedbackRequest, request: Request) -> FeedbackResponse:
        """Store a thumbs up/down (and an optional comment) about an answer, for evaluators. `site` (else the
        X-Assistant-Site header) must be a configured site id or `demo`."""
        guard.check(request)
        site = body.site or request.headers.get("x-assistant-site") or None
        if site is not None and site not in feedback_sites:  # never stored, never echoed: it may be huge
            raise APIError(422, "invalid_request", "site: not a configured site id (ASSISTANT_SITES)")
        try:
            new_id = feedback.add(
                rating=body.rating,
                question=body.question,
                answer=body.answer,
                sources=[s.model_dump() for s in body.sources],
                comment=body.comment,
                site=site,
            )
        except FeedbackUnavailable as exc:
            log.warning("feedback not stored: %s", exc)
            raise APIError(
                503,
                "feedback_unavailable",
                "Feedback cannot be saved right now; please try again later.",
                {"Retry-After": "60"},
            ) from exc
        return FeedbackResponse(id=new_id)

    app.include_router(openai_compat.router(guard, checked, settings.max_history_turns, settings.max_question_chars))

    if telegram is not None:

        @app.post(settings.telegram_webhook_path or "/telegram", include_in_schema=False)
        async def telegram_webhook(request: Request) -> dict[str, bool]:
            """Telegram posts updates here; the secret header proves it is Telegram (set it with setWebhook)."""
            from telegram import Update

            expected = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
            given = request.headers.get("x-telegram-bot-api-secret-token", "")
            if not expected or not hmac.compare_digest(given, expected):
                raise APIError(403, "forbidden", "Wrong or missing X-Telegram-Bot-Api-Secret-Token.")
            try:
                data = await request.json()
                update = Update.de_json(data, telegram.bot)
            except (ValueError, TypeError, KeyError) as exc:
                raise APIError(400, "invalid_json", "The body is not a Telegram update.") from exc
            await telegram.update_queue.put(update)
            return {"ok": True}

    static = files("assistant.api") / "static"

    # Static routes are async: they run on the event loop and never wait for a worker thread, so they keep
    # working while every thread waits on a slow store.
    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> Response:
        return Response(
            (static / "widget.js").read_bytes(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @app.get("/", include_in_schema=False)
    async def demo() -> Response:
        return Response((static / "demo.html").read_bytes(), media_type="text/html; charset=utf-8")

    docs.install(app)
    return app


class _LazyAssistant:
    """The Assistant as the bot sees it in webhook mode: built by the holder when first needed."""

    def __init__(self, holder: AssistantHolder) -> None:
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._holder.get(), name)


def _telegram_application(settings: Settings, holder: AssistantHolder) -> Any:
    if not settings.telegram_webhook_path:
        return None
    if settings.telegram_token is None or settings.telegram_webhook_secret is None:
        raise ValueError("webhook mode needs ASSISTANT_TELEGRAM_TOKEN and ASSISTANT_TELEGRAM_WEBHOOK_SECRET")
    from assistant.bots.telegram import build_application

    return build_application(settings, _LazyAssistant(holder), webhook=True)  # type: ignore[arg-type]


def _format(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sse(first: StreamEvent, events: Iterator[StreamEvent]) -> Iterator[str]:
    try:
        yield _format(first.event, first.data)
        for e in events:
            yield _format(e.event, e.data)
    except Exception as exc:  # after the headers went out, an error can only be an event
        log.warning("stream failed: %s", exc)
        yield _format("error", {"code": "stream_failed", "message": "The answer could not be completed."})
