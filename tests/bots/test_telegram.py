"""The real python-telegram-bot Application, with its real polling loop, against a Bot API emulator on loopback
(a fake only because Telegram's servers cannot be reached here), answering through the real Assistant."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.answer.answer import Answer, Source
from assistant.api.app import create_app
from assistant.bots.telegram import TwinningBot, build_application, render, split_message
from assistant.config import Settings
from assistant.dates import BRUSSELS
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant
from tests.bots.emulator import BotAPIEmulator
from tests.conftest import FIXTURES

LONG_RULES = "\n".join(
    f"- Long rule {i} of the twinning guide: "
    + " ".join(f"municipalities must keep record number {i}-{j};" for j in range(60))
    + " end."
    for i in range(1, 7)
)


class Clock:
    """A clock the test moves."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when

    def __call__(self) -> dt.datetime:
        return self.when


@pytest.fixture(scope="module")
def bot_index(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Settings:  # noqa: ANN001
    root = tmp_path_factory.mktemp("bot")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    (root / "corpus" / "guide.md").write_text(
        f"---\ntitle: Long twinning guide\n---\n# Guide\n\n## Long rules\n"
        f"The long rules of the twinning guide are:\n{LONG_RULES}\n"
    )
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data")
    run_ingest(settings, embeddings=embeddings, progress=False)
    return settings


@pytest.fixture
def emulator() -> Iterator[BotAPIEmulator]:
    emu = BotAPIEmulator()
    yield emu
    emu.close()


@pytest.fixture
def bot_settings(bot_index: Settings, emulator: BotAPIEmulator, tmp_path: Path) -> Settings:
    return bot_index.model_copy(
        update={
            "telegram_token": SecretStr("123:TEST"),
            "telegram_base_url": emulator.base_url,
            "data_dir": tmp_path,
            "telegram_timeout": 1.0,
            "telegram_check_seconds": 0.2,
            "telegram_reminder_days": 7,
        }
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2024, 9, 1, 12, 0, tzinfo=BRUSSELS))


def run_bot(settings: Settings, assistant: Assistant, scenario) -> None:  # noqa: ANN001
    """Start the Application with real polling, run the (blocking) scenario in a thread, stop."""

    async def main() -> None:
        application = build_application(settings, assistant, retry_delays=(0.2, 0.4, 0.8, 1.6))
        async with application:
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(timeout=1, poll_interval=0.0)
            try:
                await asyncio.to_thread(scenario)
            finally:
                await application.updater.stop()
                await application.stop()

    asyncio.run(main())


@pytest.fixture
def assistant(bot_index: Settings, embeddings, clock: Clock) -> Assistant:  # noqa: ANN001
    return Assistant(bot_index, embeddings, clock=clock)


def test_question_gets_answer_with_source_links_and_follow_up_uses_history(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    def scenario() -> None:
        emulator.push_message("When did the 2024 town twinning call close?")
        first = emulator.wait_sent(1)[0]
        assert "19 September 2024" in first["text"] and first["parse_mode"] == "HTML"
        assert '<a href="https://www.euro-access.eu/en/calls/1237/Town-Twinning">' in first["text"]
        assert "sendChatAction" in emulator.calls
        emulator.push_message("And networks of towns in 2025?")
        assert "27 March 2025" in emulator.wait_sent(2)[1]["text"]
        emulator.push_message("/sources")
        assert "Networks of Towns 2025" in emulator.wait_sent(3)[2]["text"]

    run_bot(bot_settings, assistant, scenario)
    assert {c["command"] for c in emulator.commands} >= {"start", "help", "reset", "sources", "deadlines", "lang"}


def test_reset_forgets_the_conversation(bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator) -> None:
    def scenario() -> None:
        emulator.push_message("What is the REALISE grant scheme?")
        emulator.wait_sent(1)
        emulator.push_message("Who received it in 2024?")
        assert "AICCRE" in emulator.wait_sent(2)[1]["text"]
        emulator.push_message("/reset")
        assert "forgotten" in emulator.wait_sent(3)[2]["text"]
        emulator.push_message("Who received it?")
        assert "AICCRE" not in emulator.wait_sent(4)[3]["text"]

    run_bot(bot_settings, assistant, scenario)


def test_long_answer_arrives_split_below_the_limit(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    # The extractive composer keeps answers short, so a long answer (as an LLM may write) is made here and sent
    # through the bot's own rendering and delivery path, over the real Bot API client.
    long_answer = Answer(
        answer="\n\n".join(LONG_RULES.splitlines()) + " <b>not markup</b> & more",
        answered=True,
        sources=[Source(title="Long twinning guide <1>", url="https://example.org/guide?a=1&b=2", snippet="s")],
    )

    async def main() -> None:
        application = build_application(bot_settings, assistant)
        async with application:
            await TwinningBot(bot_settings, assistant).send(application.bot, 111, render(long_answer))

    asyncio.run(main())
    texts = [m["text"] for m in emulator.wait_sent(2)]
    assert len(texts) >= 2 and all(len(t) < 4096 for t in texts)
    joined = "\n\n".join(texts)
    assert "Long rule 1" in joined and "Long rule 6" in joined
    assert "&lt;b&gt;not markup&lt;/b&gt; &amp; more" in joined
    assert '<a href="https://example.org/guide?a=1&amp;b=2">Long twinning guide &lt;1&gt;</a>' in texts[-1]


def test_split_message_keeps_every_character_within_the_limit() -> None:
    text = "\n\n".join(["Short paragraph."] * 3 + [f"Sentence number {i}. " * 40 for i in range(12)])
    parts = split_message(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts) and len(parts) > 5
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_deadlines_command_follows_the_clock(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator, clock: Clock
) -> None:
    def scenario() -> None:
        emulator.push_message("/deadlines")
        listed = emulator.wait_sent(1)[0]["text"]
        assert "Town Twinning 2024" in listed and "Networks of Towns 2025" in listed
        clock.when = dt.datetime(2026, 1, 1, tzinfo=BRUSSELS)
        emulator.push_message("/deadlines")
        assert "No call in my documents has a deadline still ahead" in emulator.wait_sent(2)[1]["text"]

    run_bot(bot_settings, assistant, scenario)


def test_subscribed_chat_gets_its_reminder_and_subscriptions_survive_a_restart(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator, clock: Clock
) -> None:
    def subscribe() -> None:
        emulator.push_message("/subscribe", chat_id=555)
        assert "Subscribed" in emulator.wait_sent(1, chat_id=555)[0]["text"]

    run_bot(bot_settings, assistant, subscribe)

    def remind() -> None:
        import time

        time.sleep(1.0)  # several reminder checks: 11 days before the deadline, nothing is due yet
        assert len(emulator.wait_sent(1, chat_id=555)) == 1
        clock.when = dt.datetime(2024, 9, 13, 9, 0, tzinfo=BRUSSELS)  # 6 days before 19 September
        reminder = emulator.wait_sent(2, chat_id=555, timeout=10)[1]["text"]
        assert "Town Twinning 2024" in reminder and "in 6 days" in reminder
        time.sleep(0.8)
        assert len(emulator.wait_sent(2, chat_id=555)) == 2  # once only

    run_bot(bot_settings, assistant, remind)  # a new Application: the subscription came from persistence


def test_groups_are_answered_only_when_the_bot_is_addressed(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    def scenario() -> None:
        emulator.push_message("When did the 2024 town twinning call close?", chat_id=-100, chat_type="group")
        emulator.push_message(
            "@twinning_test_bot when did the 2024 town twinning call close?", chat_id=-100, chat_type="group"
        )
        sent = emulator.wait_sent(1, chat_id=-100)
        emulator.push_message("and for networks of towns in 2025?", chat_id=-100, chat_type="group", reply_to_bot=True)
        sent = emulator.wait_sent(2, chat_id=-100)
        assert "19 September 2024" in sent[0]["text"] and "27 March 2025" in sent[1]["text"]
        import time

        time.sleep(0.5)
        assert len(emulator.wait_sent(2, chat_id=-100)) == 2

    run_bot(bot_settings, assistant, scenario)


def test_reply_is_delivered_despite_429_502_and_a_hang(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    def scenario() -> None:
        emulator.faults = ["429", "502", "hang"]
        emulator.push_message("When did the 2024 town twinning call close?")
        assert "19 September 2024" in emulator.wait_sent(1, timeout=40)[0]["text"]
        assert emulator.faults == []

    run_bot(bot_settings, assistant, scenario)


def test_welcome_follows_the_users_language(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    def scenario() -> None:
        emulator.push_message("/start", language_code="it")
        assert emulator.wait_sent(1)[0]["text"].startswith("Buongiorno")
        emulator.push_message("/lang hu")
        assert "magyarul" in emulator.wait_sent(2)[1]["text"]

    run_bot(bot_settings, assistant, scenario)


def test_webhook_refuses_a_wrong_secret_and_accepts_the_right_one(
    bot_settings: Settings, assistant: Assistant, emulator: BotAPIEmulator
) -> None:
    settings = bot_settings.model_copy(
        update={
            "telegram_webhook_path": "/telegram/hook",
            "telegram_webhook_secret": SecretStr("s3cret"),
            "rate_limit": "0",
        }
    )
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 0,
            "text": "When did the 2024 town twinning call close?",
            "chat": {"id": 321, "type": "private"},
            "from": {"id": 9, "is_bot": False, "first_name": "A"},
        },
    }
    with TestClient(create_app(settings, assistant)) as client:
        wrong = client.post("/telegram/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
        assert client.post("/telegram/hook", json=update).status_code == 403
        right = client.post("/telegram/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert right.status_code == 200
        assert "19 September 2024" in emulator.wait_sent(1, chat_id=321)[0]["text"]
