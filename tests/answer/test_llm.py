"""Optional LLM answers through an OpenAI-compatible endpoint.

No LLM can run here, so these tests use a small OpenAI-compatible emulator on loopback (a fake: it quotes the
first sentence of passage [1], or replies [NO_ANSWER] when asked about the weather). What is real: langchain-openai's
client, the HTTP round trip, streaming over server-sent events, and the Assistant's fallback when the endpoint fails.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from assistant.service import Assistant


class Emulator(BaseHTTPRequestHandler):
    fail = False
    requests: list[dict] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Emulator.requests.append(body)
        if Emulator.fail:
            self.send_response(500)
            self.end_headers()
            return
        prompt = body["messages"][-1]["content"]
        if "weather" in prompt.lower():
            reply = "[NO_ANSWER] The passages say nothing about the weather."
        else:
            first = re.search(r"\[1\] [^\n]*\n(.+?[.!?])(\s|$)", prompt, re.S).group(1)
            reply = f"{first} [1]"
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in re.findall(r"\S+\s*", reply):
                chunk = {
                    "id": "x",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        payload = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Emulator)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def llm_assistant(indexed_settings, embeddings, endpoint: str) -> Assistant:  # noqa: ANN001
    Emulator.fail = False
    Emulator.requests.clear()
    settings = indexed_settings.model_copy(
        update={
            "llm_base_url": endpoint,
            "llm_model": "emulated",
            "llm_api_key": SecretStr("sk-test-secret"),
            "llm_timeout": 5,
        }
    )
    return Assistant(settings, embeddings)


def test_llm_writes_the_answer_from_the_passages(llm_assistant: Assistant) -> None:
    answer = llm_assistant.ask("When did the 2024 town twinning call close?")
    assert answer.answered and answer.answer.endswith("[1]")
    assert "19 September 2024" in answer.answer
    assert [s.title for s in answer.sources] == ["Town Twinning 2024 (CERV-2024-CITIZENS-TOWN-TT)"]
    sent = Emulator.requests[-1]
    assert sent["model"] == "emulated" and "Question:" in sent["messages"][-1]["content"]


def test_llm_no_answer_marker_means_not_answered(llm_assistant: Assistant) -> None:
    answer = llm_assistant.ask("What will the weather be in Brussels tomorrow?")
    assert not answer.answered and "NO_ANSWER" not in answer.answer


def test_llm_streams(llm_assistant: Assistant) -> None:
    events = list(llm_assistant.stream("When did the 2024 town twinning call close?"))
    deltas = [e.data["text"] for e in events if e.event == "delta"]
    assert len(deltas) > 3
    assert events[-1].event == "done" and events[-1].data["answered"]
    assert "19 September 2024" in "".join(deltas)


def test_failing_endpoint_falls_back_to_the_extractive_answer(
    llm_assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    Emulator.fail = True
    answer = llm_assistant.ask("When did the 2024 town twinning call close?")
    assert answer.answered and "19 September 2024" in answer.answer
    assert "LLM answer failed" in caplog.text
    assert "sk-test-secret" not in caplog.text
    streamed = list(llm_assistant.stream("When did the 2024 town twinning call close?"))
    assert streamed[-1].data["answer"] == answer.answer
