"""`assistant telegram` as a user runs it (a real process with python-telegram-bot's real polling) against the local
Bot API emulator: it says which bot it polls as, and a wrong or revoked token ends it with one line that never
shows the token, in the output or in the log; `assistant serve` in webhook mode checks the token the same way."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from assistant.bots.telegram import REDACTED, TOKEN_REJECTED, TokenGuard
from assistant.config import Settings
from tests.bots.emulator import BOT, BotAPIEmulator

SECRET = "4242:AAE-s3cr3t_t0ken"


class Command:
    """An `assistant` subprocess whose stderr lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if found:
                return found[0]
            if self.proc.poll() is not None:
                self._reader.join(5)
                break
            time.sleep(0.1)
        raise AssertionError(f"no line with {text!r} in {self.lines}")

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Wait for the exit; the exit status, stdout and stderr."""
        stdout = self.proc.stdout.read() if self.proc.stdout else ""  # type: ignore[union-attr]
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code, stdout, "\n".join(self.lines)

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGINT)
        return self.finish()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def emulator() -> Iterator[BotAPIEmulator]:
    emu = BotAPIEmulator(token=SECRET)
    yield emu
    emu.close()


@pytest.fixture(scope="module")
def data_copy(indexed_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared index's data folder: the bot keeps its chats' state there."""
    target = tmp_path_factory.mktemp("bot-cli") / "data"
    shutil.copytree(indexed_settings.data_dir, target)
    return target


@pytest.fixture
def env(indexed_settings: Settings, data_copy: Path, emulator: BotAPIEmulator) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(indexed_settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(data_copy),
        "ASSISTANT_TELEGRAM_TOKEN": SECRET,
        "ASSISTANT_TELEGRAM_BASE_URL": emulator.base_url,
        "ASSISTANT_TELEGRAM_TIMEOUT": "2",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def test_the_bot_says_which_bot_it_polls_as_answers_and_stops_on_ctrl_c(
    env: dict[str, str], emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    bot = Command(["telegram"], env, tmp_path)
    try:
        assert bot.wait_line("Polling Telegram as") == f"Polling Telegram as @{BOT['username']} (Ctrl-C stops)."
        emulator.push_message("When did the 2024 town twinning call close?")
        assert "19 September 2024" in emulator.wait_sent(1)[0]["text"]
        code, stdout, stderr = bot.stop()
    finally:
        bot.kill()
    assert code == 0, stderr
    assert SECRET not in stdout + stderr and "Traceback" not in stderr


def test_a_wrong_token_ends_the_command_with_one_line_before_the_model_loads(
    env: dict[str, str], emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    wrong = "4242:AAE-an0ther_t0ken"
    code, stdout, stderr = Command(["telegram"], {**env, "ASSISTANT_TELEGRAM_TOKEN": wrong}, tmp_path).finish()
    assert code == 1
    assert stderr == f"error: {TOKEN_REJECTED}" and stdout == ""
    assert emulator.calls == ["getMe"]  # refused at once: no polling, no model loaded
    # A malformed token (Telegram answers 404) is refused the same way.
    code, _, stderr = Command(["telegram"], {**env, "ASSISTANT_TELEGRAM_TOKEN": "not a token"}, tmp_path).finish()
    assert code == 1 and stderr == f"error: {TOKEN_REJECTED}"


def test_a_token_revoked_while_polling_stops_the_bot_with_one_line(
    env: dict[str, str], emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    bot = Command(["telegram"], env, tmp_path)
    try:
        bot.wait_line("Polling Telegram as")
        emulator.revoke()
        code, stdout, stderr = bot.finish(timeout=30)
    finally:
        bot.kill()
    assert code == 1
    assert stderr.splitlines()[-1] == f"error: {TOKEN_REJECTED}"
    assert SECRET not in stdout + stderr and "Traceback" not in stderr and "ERROR" not in stderr


def test_an_unreachable_bot_api_is_one_line_too(env: dict[str, str], tmp_path: Path) -> None:
    from tests.conftest import free_port

    base = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    code, _, stderr = Command(["telegram"], {**env, "ASSISTANT_TELEGRAM_BASE_URL": base}, tmp_path).finish()
    assert code == 1 and len(stderr.splitlines()) == 1
    assert stderr.startswith(f"error: cannot reach the Telegram Bot API at {base}: ") and SECRET not in stderr


def test_a_bot_api_answering_an_html_error_page_is_one_line_without_a_traceback(
    env: dict[str, str], emulator: BotAPIEmulator, tmp_path: Path
) -> None:
    emulator.html_502 = True  # a proxy in front of the Bot API answers its 502 page
    code, stdout, stderr = Command(["telegram"], env, tmp_path).finish()
    assert code == 1 and stdout == "" and len(stderr.splitlines()) == 1, stderr
    assert stderr == f"error: cannot reach the Telegram Bot API at {emulator.base_url}: Bad Gateway (502)"
    assert emulator.calls == ["getMe"]


def test_serve_in_webhook_mode_refuses_a_wrong_token_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    webhook = {
        "ASSISTANT_TELEGRAM_TOKEN": "4242:AAE-an0ther_t0ken",
        "ASSISTANT_TELEGRAM_WEBHOOK_PATH": "/telegram/hook",
        "ASSISTANT_TELEGRAM_WEBHOOK_SECRET": "hook-secret",
    }
    code, stdout, stderr = Command(["serve", "--port", "0"], {**env, **webhook}, tmp_path).finish()
    assert code == 1 and stderr == f"error: {TOKEN_REJECTED}" and stdout == ""


def test_serve_in_webhook_mode_says_which_bot_answers_and_where_it_listens(env: dict[str, str], tmp_path: Path) -> None:
    webhook = {"ASSISTANT_TELEGRAM_WEBHOOK_PATH": "/telegram/hook", "ASSISTANT_TELEGRAM_WEBHOOK_SECRET": "hook-secret"}
    server = Command(["serve", "--port", "0"], {**env, **webhook}, tmp_path)
    try:
        assert server.wait_line("Telegram") == (
            f"Telegram updates posted to /telegram/hook are answered as @{BOT['username']}."
        )
        port = int(server.wait_line("Serving on").split("http://127.0.0.1:")[1].split(" ")[0])  # --port 0: any free
        assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()["status"] == "ok"
        _, stdout, stderr = server.stop()
    finally:
        server.kill()
    assert SECRET not in stdout + stderr and "Traceback" not in stderr


def _handler(guard: TokenGuard) -> tuple[logging.Logger, list[str]]:
    """A logger whose one handler, filtered by ``guard``, keeps the formatted lines."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.addFilter(guard)
    logger = logging.getLogger(f"test.guard.{id(guard)}")
    logger.handlers, logger.propagate = [handler], False
    return logger, lines


def test_the_token_guard_takes_the_token_out_of_httpx_request_lines_and_tracebacks(
    emulator: BotAPIEmulator,
) -> None:
    guard = TokenGuard(SECRET)
    logger, lines = _handler(guard)
    httpx_log = logging.getLogger("httpx")
    level, handlers, propagate = httpx_log.level, httpx_log.handlers, httpx_log.propagate
    httpx_log.setLevel(logging.INFO)
    httpx_log.handlers, httpx_log.propagate = logger.handlers, False
    try:
        httpx.post(f"{emulator.base_url}{SECRET}/getMe")  # httpx logs the request line, URL and token included
    finally:
        httpx_log.setLevel(level)
        httpx_log.handlers, httpx_log.propagate = handlers, propagate
    try:
        raise NetworkError(f"failed: {emulator.base_url}{SECRET}/getUpdates")
    except NetworkError:
        logger.exception("polling failed for %s", SECRET)
    text = "\n".join(lines)
    assert SECRET not in text
    assert f"{emulator.base_url}{REDACTED}/getMe" in text and f"polling failed for {REDACTED}" in text
    assert f"/bot{REDACTED}/getUpdates" in text  # in the traceback too
    assert not guard.rejected


def test_the_token_guard_drops_python_telegram_bots_rejected_token_trace_and_says_so(
    emulator: BotAPIEmulator,
) -> None:
    import asyncio

    stopped: list[bool] = []
    guard = TokenGuard("4242:AAE-wr0ng", on_rejected=lambda: stopped.append(True))
    logger, lines = _handler(guard)

    async def initialize() -> None:
        async with Bot("4242:AAE-wr0ng", base_url=emulator.base_url):
            pass

    try:
        asyncio.run(initialize())
    except InvalidToken as exc:
        assert "4242:AAE-wr0ng" in str(exc)  # python-telegram-bot names the token: this must never be printed
        logger.exception("Invalid token. Aborting retry loop.")
    logger.warning("other lines still pass")
    assert lines == ["other lines still pass"] and guard.rejected and stopped == [True]
