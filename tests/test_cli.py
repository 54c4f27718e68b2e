"""The `assistant ask`, `chat`, `eval` and `serve` commands over the fixture index."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import LOADING, app
from tests.bots.test_telegram_cli import Command
from tests.conftest import free_port


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
    assert "Sources:\n[1] euro-access.eu: Town Twinning 2024" in result.stdout
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
    assert set(data) == {"answer", "answered", "sources", "language", "refused_by"}
    assert "27 March 2025" in data["answer"]
    assert set(data["sources"][0]) == {"title", "url", "snippet", "kind", "confidence"}


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


def test_chat_goes_on_after_an_empty_line_and_leaves_on_quit(env: Path, embeddings) -> None:  # noqa: ANN001
    session = "When did the 2024 town twinning call close?\n\nAnd networks of towns in 2025?\n/quit\nIgnored?\n"
    result = CliRunner().invoke(app, ["chat"], input=session)
    assert result.exit_code == 0, result.output
    assert "19 September 2024" in result.stdout and "27 March 2025" in result.stdout
    assert "/quit" in result.stdout.splitlines()[0]  # the greeting says how to leave
    assert result.stdout.count("> ") == 4  # the two questions, the empty line, /quit; nothing read after it


def test_ask_json_prints_only_json_and_says_it_is_loading_on_stderr(env: Path, embeddings) -> None:  # noqa: ANN001
    result = CliRunner().invoke(app, ["ask", "When did the 2024 town twinning call close?", "--json"])
    assert result.exit_code == 0, result.output
    assert "19 September 2024" in json.loads(result.stdout)["answer"]
    assert LOADING in result.stderr and LOADING not in result.stdout


def test_loading_spinner_on_a_terminal_stays_off_stdout(env: Path, indexed_settings) -> None:  # noqa: ANN001
    """A real `assistant ask --json` with stderr on a terminal: the spinner is drawn there, stdout is JSON only."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ask", "When did the 2024 town twinning call close?", "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(slave)
    terminal: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            terminal.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        stdout, _ = proc.communicate(timeout=180)
    finally:
        reader.join(10)
        os.close(master)
    drawn = b"".join(terminal).decode("utf-8", "replace")
    assert proc.returncode == 0, drawn
    assert "19 September 2024" in json.loads(stdout)["answer"]
    assert LOADING in drawn


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


@pytest.mark.parametrize(
    "option, path, why",
    [
        ("--html", "/proc/nope/r.html", "No such file or directory"),
        ("--json", ".", "it is a folder"),
    ],
)
def test_eval_refuses_a_report_path_it_cannot_write_before_evaluating(
    env: Path, option: str, path: str, why: str
) -> None:
    (env / "q.jsonl").write_text("not even read\n")
    result = CliRunner().invoke(app, ["eval", "--questions", "q.jsonl", option, path])
    assert result.exit_code == 2
    assert result.stderr == f"error: {option} {path} cannot be written ({why})\n"


def test_serve_prints_the_address_it_listens_on_which_is_the_configured_one(env: Path) -> None:
    port = free_port()
    server = Command(["serve"], {**os.environ, "ASSISTANT_PORT": str(port)}, env)
    try:
        line = server.wait_line("Serving on")
        assert line == (
            f"Serving on http://127.0.0.1:{port} (demo page with the widget: /, API docs: /docs). Ctrl-C stops."
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as response:
            assert json.load(response)["status"] == "ok"
        code, stdout, stderr = server.stop()
    finally:
        server.kill()
    assert code in (0, 130) and stdout == "" and "Traceback" not in stderr  # 130: stopped by Ctrl-C


def test_serve_rejects_a_port_out_of_range() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "Invalid value for '--port': Input should be less than or equal to 65535" in (
        result.output
    )


def test_eval_report_says_why_a_follow_up_failed(env: Path, embeddings) -> None:  # noqa: ANN001
    history = [
        {"role": "user", "content": "When did the 2024 Town Twinning call close?"},
        {"role": "assistant", "content": "On 19 September 2024 [1]."},
    ]
    row = {
        "id": "nt-followup",
        "question": "And networks of towns in 2025?",
        "history": history,
        "facts": [["27 March 2025"], ["31 December 2099"]],  # the second is in no document
        "answerable": True,
        "lang": "en",
        "topic": "deadlines",
        "sources": ["corpus/nt-2025.md"],
    }
    (env / "q.jsonl").write_text(json.dumps(row) + "\n")
    result = CliRunner().invoke(app, ["eval", "--questions", "q.jsonl", "--json", "r.json", "--html", "r.html"])
    assert result.exit_code == 0, result.output
    assert "report written to r.json" in result.stderr and "report written to r.html" in result.stderr
    # Without a terminal, a plain line per configuration rather than a progress bar's carriage returns.
    assert "evaluating hybrid: 1 questions" in result.stderr and "\r" not in result.stderr
    assert "fact recall by language group: en 0.5 (1 answerable), other None (0 answerable)" in result.stderr
    failed = json.loads((env / "r.json").read_text())["results"][0]
    assert failed["history"] == history and failed["missing_facts"] == [["31 December 2099"]]
    page = (env / "r.html").read_text()
    assert "assistant: On 19 September 2024 [1].<br>&rarr; And networks of towns in 2025?" in page
    assert "<td>31 December 2099</td>" in page
