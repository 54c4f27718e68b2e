"""Request and response models of the HTTP API; their docstrings and field descriptions make the OpenAPI text."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.answer.answer import Answer

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LANGUAGES = Literal["en", "fr", "it", "hu", "ro", "de", "es"]


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("text must not contain control characters")
    return value


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(max_length=8000, description="What was said.")

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
    text: str = Field(max_length=8000, description="The text.")


class ChatMessage(BaseModel):
    """One message of an OpenAI conversation; other fields (name, tool_calls, ...) are ignored."""

    role: Literal["system", "user", "assistant", "developer", "tool"] = Field(
        description="Only user and assistant messages are read; the others are ignored."
    )
    content: Annotated[str, Field(max_length=8000)] | Annotated[list[TextPart], Field(max_length=64)] | None = Field(
        None, description="A string, or an array of text parts (joined with line breaks)."
    )

    @field_validator("content", mode="before")
    @classmethod
    def _text_parts_only(cls, value: object) -> object:
        if isinstance(value, list) and any(not isinstance(p, dict) or p.get("type") != "text" for p in value):
            raise ValueError('only parts of type "text" are supported (no images, audio or files)')
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
    stream: bool = Field(False, description="Stream chat.completion.chunk events.")
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
