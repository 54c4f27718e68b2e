"""Request and response models of the HTTP API; their docstrings and field descriptions make the OpenAPI text."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.answer.answer import Answer

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LANGUAGES = Literal["en", "fr", "it", "hu", "ro", "de", "es"]
EVENT_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""Headers of every streamed reply (/api/ask/stream, /v1/chat/completions): no cache or proxy (nginx) may hold the
events back until the answer is complete."""
MAX_MESSAGE_CHARS = 8000
MAX_TEXT_PARTS = 64


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("text must not contain control characters")
    return value


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(max_length=MAX_MESSAGE_CHARS, description="What was said.")

    _check = field_validator("content")(_no_control)


class AskRequest(BaseModel):
    """A question and the conversation so far (the API keeps no state: send the history each time)."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(
        min_length=1, description="The question, 1 to 2,000 characters (ASSISTANT_MAX_QUESTION_CHARS)."
    )
    history: list[Turn] = Field(default_factory=list, description="Earlier turns, oldest first (20 at most).")
    language: LANGUAGES | None = Field(None, description="Answer in this language instead of the detected one.")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        _no_control(value)
        if not value.strip():
            raise ValueError("question must not be blank")
        return value


class AskResponse(Answer):
    """The answer, whether the documents held it, and exactly the sources it cites."""


class Health(BaseModel):
    status: Literal["ok", "unavailable"] = Field(description="ok when the store answers.")
    chunks: int = Field(description="Chunks in the index.")
    model: str = Field(description="Embedding model.")
    detail: str | None = Field(None, description="Why the service is unavailable.")


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable error code, such as invalid_request or rate_limited.")
    message: str = Field(description="What went wrong, for people.")


class ErrorResponse(BaseModel):
    """Every error has this shape."""

    error: ErrorBody


class FeedbackSource(BaseModel):
    """A source as the client showed it with the answer (every field capped: feedback is stored)."""

    title: str = Field(max_length=500, description="Title of the document.")
    url: str | None = Field(None, max_length=2048, description="Its official page.")
    snippet: str = Field(max_length=2000, description="The words the answer used.")


class FeedbackRequest(BaseModel):
    """A thumbs up or down on an answer, with an optional comment. Every field is capped; ``site`` (or the
    X-Assistant-Site header) must be a configured site id (ASSISTANT_SITES) or ``demo``, the built-in demo page."""

    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"] = Field(description="Thumbs up or down.")
    question: str = Field(max_length=2000, description="The question that was answered.")
    answer: str = Field(max_length=20000, description="The answer given.")
    sources: list[FeedbackSource] = Field(default_factory=list, max_length=20, description="The sources shown.")
    comment: str | None = Field(None, max_length=2000, description="Optional comment.")
    site: str | None = Field(None, max_length=64, description="The widget's public site id (a configured one).")


class FeedbackResponse(BaseModel):
    id: int = Field(description="Id of the stored feedback.")


class TextPart(BaseModel):
    """One part of a message's content given as an array; only text parts are read."""

    type: Literal["text"] = Field(description="Always `text`: images, audio and files are refused (422).")
    text: str = Field(max_length=MAX_MESSAGE_CHARS, description="The text.")


def _content_problem(value: object) -> str | None:
    """Why a message's ``content`` is not one the assistant reads (in words for OpenAI clients), else None."""
    if value is None:
        return None
    if isinstance(value, str):
        return f"at most {MAX_MESSAGE_CHARS} characters" if len(value) > MAX_MESSAGE_CHARS else None
    if not isinstance(value, list):
        return 'must be a string or an array of text parts [{"type": "text", "text": "..."}]'
    if len(value) > MAX_TEXT_PARTS:
        return f"at most {MAX_TEXT_PARTS} parts"
    for i, part in enumerate(value):
        if not isinstance(part, dict):
            return f'part [{i}] must be an object {{"type": "text", "text": "..."}}'
        if part.get("type") != "text":
            return f'part [{i}]: only parts of type "text" are supported (no images, audio or files)'
        if not isinstance(part.get("text"), str):
            return f'part [{i}]: a "text" part needs a "text" string'
        if len(part["text"]) > MAX_MESSAGE_CHARS:
            return f"part [{i}]: at most {MAX_MESSAGE_CHARS} characters"
    return None


class ChatMessage(BaseModel):
    """One message of an OpenAI conversation; other fields (name, tool_calls, ...) are ignored."""

    role: Literal["system", "user", "assistant", "developer", "tool"] = Field(
        description="Only user and assistant messages are read; the others are ignored."
    )
    content: (
        Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]
        | Annotated[list[TextPart], Field(max_length=MAX_TEXT_PARTS)]
        | None
    ) = Field(None, description="A string, or an array of text parts (joined with line breaks).")

    @field_validator("content", mode="before")
    @classmethod
    def _text_parts_only(cls, value: object) -> object:
        # One clear reason here, rather than one error per member of the union, named by pydantic's internals.
        if problem := _content_problem(value):
            raise ValueError(problem)
        return value

    @property
    def text(self) -> str:
        """The content as one string."""
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class StreamOptions(BaseModel):
    """Options of a streamed reply (with `stream: true` only); other keys are ignored."""

    include_usage: bool = Field(
        False, strict=True, description="Send a last chunk with `usage` and no choices before `[DONE]`."
    )


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's chat-completions request the assistant understands; other fields are ignored."""

    model: str | None = Field(None, description="Any value works; GET /v1/models lists `twinning-assistant`.")
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation; the last one is the question.")
    stream: bool = Field(False, strict=True, description="Stream chat.completion.chunk events (`true` or `false`).")
    stream_options: StreamOptions | None = Field(None, description="With `stream: true` only.")


class Usage(BaseModel):
    """Tokens as the embedding model's tokenizer counts them (not an OpenAI tokenizer): see docs/api.md."""

    prompt_tokens: int = Field(description="Tokens of the user and assistant messages read (history and question).")
    completion_tokens: int = Field(description="Tokens of the reply (answer and sources).")
    total_tokens: int = Field(description="The sum of both.")


class ReplyMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="The answer, then its sources; Markdown-safe.")


class Choice(BaseModel):
    index: int = 0
    finish_reason: Literal["stop"] = "stop"
    message: ReplyMessage


class ChatCompletion(BaseModel):
    """OpenAI's chat.completion object."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(description="Unix time of the reply.")
    model: str = Field(description="The request's `model`, else `twinning-assistant`.")
    choices: list[Choice]
    usage: Usage


class ModelCard(BaseModel):
    """OpenAI's model object."""

    id: str = Field(description="The id to send as `model`.")
    object: Literal["model"] = "model"
    created: int = Field(description="Unix time the server started.")
    owned_by: str = Field(description="Who serves it.")


class ModelList(BaseModel):
    """OpenAI's list of models: the assistant has one."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


__all__ = [
    "AskRequest",
    "AskResponse",
    "ChatCompletion",
    "ChatCompletionRequest",
    "ChatMessage",
    "EVENT_STREAM_HEADERS",
    "ErrorResponse",
    "FeedbackRequest",
    "FeedbackSource",
    "FeedbackResponse",
    "Health",
    "ModelCard",
    "ModelList",
    "StreamOptions",
    "TextPart",
    "Turn",
    "Usage",
]
