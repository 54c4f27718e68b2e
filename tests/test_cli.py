"""The `assistant ask`, `chat` and `eval` commands over the fixture index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app


@pytest.fixture
def env(indexed_settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(indexed_settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_settings.data_dir))
    return tmp_path


def test_ask_prints_answer_and_sources(env: Path, embeddings) -> None:  # noqa: ANN001
    result = CliRunner().invoke(app, ["ask", "When did the 2024 town twinning call close?"])
    assert result.exit_code == 0, result.output
    assert "19 September 2024" in result.stdout
    assert "Sources:\n[1] Town Twinning 2024" in result.stdout
    assert "https://www.euro-access.eu/en/calls/1237/Town-Twinning" in result.stdout


def test_ask_json_with_history_is_the_api_response_object(env: Path, embeddings) -> None:  # noqa: ANN001
    history = env / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "When did the 2024 Town Twinning call close?"},
                {"role": "assistant", "content": "On 19 September 2024 [1]."},
            ]
        )
    )
    result = CliRunner().invoke(app, ["ask", "And networks of towns 2025?", "--json", "--history", str(history)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"answer", "answered", "sources", "language"}
    assert "27 March 2025" in data["answer"]
    assert set(data["sources"][0]) == {"title", "url", "snippet"}


def test_ask_refuses_a_malformed_history_file(env: Path, embeddings) -> None:  # noqa: ANN001
    bad = env / "bad.json"
    bad.write_text('{"role": "user"}')
    result = CliRunner().invoke(app, ["ask", "hello", "--history", str(bad)])
    assert result.exit_code == 2 and "--history" in result.output


def test_chat_carries_the_conversation(env: Path, embeddings) -> None:  # noqa: ANN001
    session = "When did the 2024 town twinning call close?\nAnd networks of towns in 2025?\n/reset\n\n"
    result = CliRunner().invoke(app, ["chat"], input=session)
    assert result.exit_code == 0, result.output
    assert "19 September 2024" in result.stdout and "27 March 2025" in result.stdout


def test_eval_writes_json_and_html_reports(env: Path, embeddings) -> None:  # noqa: ANN001
    questions = env / "q.jsonl"
    rows = [
        {
            "id": "tt",
            "question": "When did the 2024 town twinning call close?",
            "history": [],
            "facts": [["19 September 2024"]],
            "answerable": True,
            "lang": "en",
            "topic": "deadlines",
            "sources": ["corpus/tt-2024.md"],
        },
        {
            "id": "no",
            "question": "What is the deadline of Interreg Europe?",
            "history": [],
            "facts": [],
            "answerable": False,
            "lang": "en",
            "topic": "unanswerable",
            "sources": [],
        },
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(
        app, ["eval", "--questions", str(questions), "--compare", "--json", "out/r.json", "--html", "out/r.html"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((env / "out" / "r.json").read_text())
    assert set(report["configurations"]) == {"hybrid", "dense", "lexical", "naive baseline"}
    hybrid = report["configurations"]["hybrid"]
    assert hybrid["hit@5"] == 1.0 and hybrid["fact_recall"] == 1.0 and hybrid["refusal_accuracy"] == 1.0
    # The naive baseline never refuses.
    assert report["configurations"]["naive baseline"]["refusal_accuracy"] == 0.0
    page = (env / "out" / "r.html").read_text()
    assert "data:image/png;base64," in page and "Failed questions" in page


def test_eval_rejects_a_malformed_question_file(env: Path, embeddings) -> None:  # noqa: ANN001
    bad = env / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = CliRunner().invoke(app, ["eval", "--questions", str(bad)])
    assert result.exit_code == 2 and "missing" in result.output
