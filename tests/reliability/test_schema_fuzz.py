"""Property-based fuzzing of every operation in the app's own OpenAPI schema (schemathesis), valid and invalid data.

tests/api/test_resilience.py fuzzes bodies it builds by hand; this one derives them from ``/openapi.json``, so a
new route or field is fuzzed without touching the test. The app is the real one over the session's fixture index,
called in-process through ASGI (no network needed to find a 5xx; the real server is in the other tests).

Checked for every response: no 5xx; the status is one the schema documents; the content type and body match the
schema; invalid data is refused; every error is ``{"error": {"code", "message"}}``; a stream ends with ``done``.
Not checked: that every schema-valid request is accepted (schemathesis' ``positive_data_acceptance``). The API has
rules the schema cannot state (no control characters, not blank, the configurable question and history limits,
the last chat message must be the user's); those requests get 422 ``invalid_request``, which is asserted instead.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.api.app import create_app
from assistant.config import Settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def test_every_operation_survives_schema_driven_fuzzing(indexed_settings: Settings, service, tmp_path) -> None:  # noqa: ANN001
    app_settings = indexed_settings.model_copy(update={"rate_limit": "0", "data_dir": tmp_path / "api-data"})
    app = create_app(app_settings, service)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert {("POST", "/api/ask"), ("POST", "/api/ask/stream"), ("POST", "/v1/chat/completions")} <= operations
    seen: set[tuple[str, str, int]] = set()

    @settings(max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=schema.as_strategy(GenerationMode.POSITIVE) | schema.as_strategy(GenerationMode.NEGATIVE))
    def fuzz(case) -> None:  # noqa: ANN001
        response = case.call()
        # 413 is a refusal too (a generated body over the 64 KB limit), though not one schemathesis expects.
        case.validate_response(response, checks=CHECKS if response.status_code != 413 else CHECKS[:-1])
        seen.add((case.method.upper(), case.path, response.status_code))
        if response.status_code >= 400:
            error = json.loads(response.content)["error"]
            assert set(error) == {"code", "message"} and error["code"] and error["message"], response.text
            if case.meta and case.meta.generation.mode == GenerationMode.POSITIVE:
                assert (response.status_code, error["code"]) == (422, "invalid_request"), response.text
        elif case.path == "/api/ask/stream":
            assert "event: done" in response.text.split("\n\n")[-2], response.text[-300:]

    fuzz()
    # The fuzzing reached every operation, and /api/ask both answered and refused (random chat messages seldom end
    # with a user's non-blank text, so that route is mostly refused: its answers are tested elsewhere).
    assert {(m, p) for m, p, _ in seen} == operations
    assert {200, 422} <= {s for _, p, s in seen if p == "/api/ask"}, sorted(seen)
