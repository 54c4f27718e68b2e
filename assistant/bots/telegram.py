"""The Telegram bot: python-telegram-bot's Application answering through the one Assistant.

Long polling (`assistant telegram`) or webhook (the FastAPI service feeds updates posted to
``ASSISTANT_TELEGRAM_WEBHOOK_PATH`` into the same Application). Per-chat conversation, commands, deadline
reminders that survive restarts (PicklePersistence), groups answered only when the bot is addressed,
replies in HTML with every text escaped and split below Telegram's 4,096 characters, Telegram's flood limits
respected (AIORateLimiter) and network errors, 429s and 5xx retried with back-off.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import html
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from telegram import Bot, BotCommand, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import HTTPXRequest

from assistant.bots.texts import COMMANDS, text
from assistant.config import Settings
from assistant.dates import days_until, format_date
from assistant.links import safe_url
from assistant.question.languages import LANGUAGES

if TYPE_CHECKING:  # annotations only: `assistant telegram` checks the token before the assistant's imports load
    from assistant.answer.answer import Answer
    from assistant.service import Assistant

log = logging.getLogger(__name__)
LIMIT = 4096
HISTORY_TURNS = 12
TOKEN_REJECTED = (
    "Telegram rejected ASSISTANT_TELEGRAM_TOKEN (a wrong token, or one revoked with BotFather): "
    "set the bot's current token (BotFather's /token shows it)"
)
REDACTED = "[ASSISTANT_TELEGRAM_TOKEN]"


class BotUnavailable(Exception):
    """The Bot API refused the token or could not be reached; the message is one line without the token."""


async def bot_username(settings: Settings) -> str:
    """The bot's username, from getMe with the settings' token: proof that the token works before anything else
    starts. Raises ``BotUnavailable`` (a rejected token, an unreachable or failing Bot API)."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    if not token.strip():
        raise BotUnavailable("set ASSISTANT_TELEGRAM_TOKEN (create a bot with BotFather; see the README)")
    timeout = settings.telegram_timeout
    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout)
    try:
        # python-telegram-bot logs a reply that is not JSON (a proxy's HTML error page) with its traceback: the
        # one line below says it.
        with _silenced(PTB_REQUEST_LOGGER):
            async with Bot(token, base_url=settings.telegram_base_url, request=request) as bot:  # getMe
                return bot.username
    except (InvalidToken, Forbidden):  # 401 or 404 (wrong, revoked or malformed token), 403
        raise BotUnavailable(TOKEN_REJECTED) from None
    except TelegramError as exc:  # network errors, time-outs, 5xx, a reply that is not JSON
        # A reply that is not JSON: its status, not the page python-telegram-bot quotes after it.
        problem = str(exc).split(". Parsing the server response", 1)[0]
        reason = redact(f"cannot reach the Telegram Bot API at {settings.telegram_base_url}: {problem}", token)
        raise BotUnavailable(reason) from None


PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"
"""python-telegram-bot's logger of the Bot API's replies."""


@contextlib.contextmanager
def _silenced(name: str) -> Iterator[None]:
    """The logger ``name`` off for the duration."""
    logger = logging.getLogger(name)
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled


def redact(message: str, token: str) -> str:
    """``message`` without ``token`` (Bot API URLs hold it)."""
    return message.replace(token, REDACTED) if token else message


class TokenGuard(logging.Filter):
    """A filter for the log handlers of a process running the bot: it takes the token out of every record (httpx
    logs the request URLs, which hold it; python-telegram-bot names it when getMe fails) and drops the records of a
    rejected token (``InvalidToken``, at startup or when the token is revoked while polling), calling
    ``on_rejected``, so that the command stops and says so in one line."""

    def __init__(self, token: str, on_rejected: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.token = token
        self.on_rejected = on_rejected
        self.rejected = False

    def install(self, *loggers: str) -> None:
        """Filter every handler of the root logger and of ``loggers`` (uvicorn's have their own)."""
        for name in ("", *loggers):
            for handler in logging.getLogger(name).handlers:
                handler.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            self.rejected = True
            if self.on_rejected is not None:
                self.on_rejected()
            return False
        if not self.token:
            return True
        with contextlib.suppress(TypeError, ValueError):  # a malformed record: the handler reports it as usual
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = redact(message, self.token), None
        if record.exc_info:  # the handler's formatter uses exc_text as it is
            trace = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(trace, self.token)
        return True


def split_message(message: str, limit: int = LIMIT - 96) -> list[str]:
    """Cut a reply into parts under ``limit`` characters, at paragraph, then line, then sentence boundaries."""
    parts: list[str] = []
    current = ""
    for unit in _units(message, limit):
        joiner = "\n\n" if current else ""
        if len(current) + len(joiner) + len(unit) <= limit:
            current += joiner + unit
        else:
            parts.append(current)
            current = unit
    if current:
        parts.append(current)
    return parts


def _units(message: str, limit: int) -> list[str]:
    units: list[str] = []
    for paragraph in message.split("\n\n"):
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for piece in re.split(r"(?<=[.!?])\s+|\n", paragraph):
            while len(piece) > limit:  # a single sentence longer than a message: cut at a space
                cut = piece.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                units.append(piece[:cut])
                piece = piece[cut:].lstrip()
            if piece:
                units.append(piece)
    return units


def render(answer: Answer) -> str:
    """The answer as Telegram HTML: every piece of text escaped, sources as links."""
    body = html.escape(answer.answer)
    if not answer.sources:
        return body
    return body + "\n\n" + render_sources(answer.sources, heading=None)


def render_sources(sources: list[Any], heading: str | None) -> str:
    """Numbered sources; a title is a link only to an http(s) URL (``links.safe_url``)."""
    lines = [f"<b>{html.escape(heading)}</b>"] if heading else []
    for i, source in enumerate(sources, 1):
        title = source["title"] if isinstance(source, dict) else source.title
        url = source.get("url") if isinstance(source, dict) else source.url
        lines.append(f"[{i}] {link(title, url)}")
    return "\n".join(lines)


def link(title: str, url: str | None) -> str:
    """``title`` as Telegram HTML: a link when ``url`` is http(s), else escaped text."""
    safe = safe_url(url)
    return f'<a href="{html.escape(safe, quote=True)}">{html.escape(title)}</a>' if safe else html.escape(title)


class TwinningBot:
    """Handlers and jobs of the bot; one per Application."""

    def __init__(self, settings: Settings, assistant: Assistant, retry_delays: tuple[float, ...] = (1, 2, 4, 8, 16)):
        self.settings = settings
        self.assistant = assistant
        self.retry_delays = retry_delays
        self._asked: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)

    # -- helpers -----------------------------------------------------------------------------------------------
    @staticmethod
    def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        chosen = context.chat_data.get("lang") if context.chat_data is not None else None
        code = (update.effective_user.language_code or "en")[:2] if update.effective_user else "en"
        return chosen or (code if code in LANGUAGES else "en")

    async def send(self, bot: Any, chat_id: int, message: str, **kwargs: Any) -> Message | None:
        """Send HTML, split below the limit, retrying network errors, 429 and 5xx with back-off."""
        sent = None
        for part in split_message(message):
            sent = await self._retry(
                lambda part=part: bot.send_message(
                    chat_id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True, **kwargs
                )
            )
        return sent

    async def _retry(self, call: Callable[[], Awaitable[Any]]) -> Any:
        for attempt, delay in enumerate((*self.retry_delays, None)):
            try:
                return await call()
            except (BadRequest, Forbidden):
                raise  # our request is wrong or the bot was blocked: repeating it cannot help
            except RetryAfter as exc:
                after = exc.retry_after
                wait = after.total_seconds() if hasattr(after, "total_seconds") else float(after)
                if delay is None:
                    raise
                log.warning("Telegram asked to wait %.1f s (attempt %d)", wait, attempt + 1)
                await asyncio.sleep(wait)
            except NetworkError as exc:  # timeouts and 5xx included
                if delay is None:
                    raise
                log.warning("Telegram request failed (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
        return None

    def _too_fast(self, user_id: int) -> bool:
        rate = self.settings.telegram_user_rate
        if not rate:
            return False
        now = time.monotonic()
        asked = self._asked[user_id]
        while asked and now - asked[0] > 60:
            asked.popleft()
        if len(asked) >= rate:
            return True
        asked.append(now)
        return False

    # -- commands ----------------------------------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(context.bot, update.effective_chat.id, text(self.lang(update, context), "welcome"))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        days = self.settings.telegram_reminder_days
        await self.send(context.bot, update.effective_chat.id, text(self.lang(update, context), "help", days=days))

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.chat_data.pop("history", None)
        context.chat_data.pop("sources", None)
        await self.send(context.bot, update.effective_chat.id, text(self.lang(update, context), "reset"))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang(update, context)
        stored = context.chat_data.get("sources") or []
        if not stored:
            message = text(lang, "no_sources")
        else:
            lines = [render_sources(stored, text(lang, "sources"))]
            lines += [f"\n[{i}] {html.escape(s['snippet'])}" for i, s in enumerate(stored, 1)]
            message = "\n".join(lines)
        await self.send(context.bot, update.effective_chat.id, message)

    async def deadlines(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang(update, context)
        now = self.assistant.now()
        every = await asyncio.to_thread(self.assistant.deadlines)
        ahead = [d for d in every if d.when >= now]
        today = format_date(now, lang)
        if ahead:
            lines = [html.escape(text(lang, "deadlines", today=today))]
            for d in ahead:
                when = format_date(d.when, lang, d.has_time)
                lines.append(f"• {link(d.title, d.url)}: {when} ({days_until(d.when, now)} d)")
            message = "\n".join(lines)
        elif every:
            last = every[-1]
            message = text(
                lang, "no_deadlines", today=today, title=html.escape(last.title), date=format_date(last.when, lang)
            )
        else:
            message = text(lang, "no_deadlines", today=today, title="-", date="-")
        await self.send(context.bot, update.effective_chat.id, message)

    async def set_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        choice = context.args[0].lower()[:2] if context.args else ""
        if choice not in LANGUAGES:
            await self.send(context.bot, update.effective_chat.id, text(self.lang(update, context), "lang_usage"))
            return
        context.chat_data["lang"] = choice
        await self.send(context.bot, update.effective_chat.id, text(choice, "lang_set"))

    async def subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang(update, context)
        subscribers = context.bot_data.setdefault("subscribers", {})
        subscribers.setdefault(update.effective_chat.id, {"lang": lang, "sent": []})["lang"] = lang
        await self.send(
            context.bot, update.effective_chat.id, text(lang, "subscribed", days=self.settings.telegram_reminder_days)
        )

    async def unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.bot_data.setdefault("subscribers", {}).pop(update.effective_chat.id, None)
        await self.send(context.bot, update.effective_chat.id, text(self.lang(update, context), "unsubscribed"))

    # -- questions ---------------------------------------------------------------------------------------------
    def _addressed(self, message: Message, bot_id: int, username: str | None) -> str | None:
        """The question, if the message is for the bot: any private message; in groups, a mention or a reply."""
        question = message.text or ""
        if message.chat.type == ChatType.PRIVATE:
            return question
        if (
            message.reply_to_message
            and message.reply_to_message.from_user
            and (message.reply_to_message.from_user.id == bot_id)
        ):
            return question
        if username and f"@{username}".lower() in question.lower():
            return re.sub(rf"@{re.escape(username)}", "", question, flags=re.IGNORECASE).strip()
        return None

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        question = self._addressed(message, context.bot.id, context.bot.username)
        if not question:
            return
        chat_id = update.effective_chat.id
        lang = self.lang(update, context)
        if update.effective_user and self._too_fast(update.effective_user.id):
            await self.send(context.bot, chat_id, text(lang, "slow_down"))
            return
        try:
            await self._retry(lambda: context.bot.send_chat_action(chat_id, ChatAction.TYPING))
            history = list(context.chat_data.get("history", []))
            result = await asyncio.to_thread(self.assistant.ask, question, history, context.chat_data.get("lang"))
            # Remember the turn before replying: a /sources sent right after the reply must find it.
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": result.answer}]
            context.chat_data["history"] = history[-HISTORY_TURNS:]
            context.chat_data["sources"] = [s.model_dump() for s in result.sources]
            reply_to = message.message_id if message.chat.type != ChatType.PRIVATE else None
            await self.send(context.bot, chat_id, render(result), reply_to_message_id=reply_to)
        except Exception:
            log.exception("answering in chat %s failed", chat_id)
            await self.send(context.bot, chat_id, text(lang, "sorry"))

    # -- reminders ---------------------------------------------------------------------------------------------
    async def remind(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Tell each subscribed chat about every deadline whose reminder time has come (once per deadline)."""
        subscribers: dict[int, dict] = context.bot_data.get("subscribers", {})
        if not subscribers:
            return
        now = self.assistant.now()
        days = self.settings.telegram_reminder_days
        due = [d for d in await asyncio.to_thread(self.assistant.deadlines) if 0 <= days_until(d.when, now) <= days]
        for chat_id, sub in list(subscribers.items()):
            for d in due:
                key = f"{d.doc_id}|{d.when.isoformat()}"
                if key in sub["sent"]:
                    continue
                message = text(
                    sub["lang"],
                    "reminder",
                    title=html.escape(d.title),
                    date=format_date(d.when, sub["lang"], d.has_time),
                    days=days_until(d.when, now),
                )
                try:
                    await self.send(context.bot, chat_id, message)
                except Forbidden:  # the bot was removed from the chat
                    subscribers.pop(chat_id, None)
                    break
                sub["sent"].append(key)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram handler error: %s", context.error, exc_info=context.error)

    async def post_init(self, application: Application) -> None:
        await self._retry(lambda: application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS]))
        application.job_queue.run_repeating(self.remind, interval=self.settings.telegram_check_seconds, first=1)


def build_application(
    settings: Settings,
    assistant: Assistant,
    *,
    webhook: bool = False,
    retry_delays: tuple[float, ...] = (1, 2, 4, 8, 16),
) -> Application:
    """The bot's Application (with an Updater for polling, without one for webhook mode)."""
    if settings.telegram_token is None:
        raise ValueError("ASSISTANT_TELEGRAM_TOKEN is not set (create a bot with BotFather; see the README)")
    bot = TwinningBot(settings, assistant, retry_delays)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    timeout = settings.telegram_timeout
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=2))
        .persistence(PicklePersistence(settings.data_dir / "telegram.pickle", update_interval=5))
        .read_timeout(timeout)
        .write_timeout(timeout)
        .connect_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_read_timeout(timeout + 5)
        .concurrent_updates(True)
        .post_init(bot.post_init)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    handlers = {
        "start": bot.start,
        "help": bot.help,
        "reset": bot.reset,
        "sources": bot.sources,
        "deadlines": bot.deadlines,
        "lang": bot.set_lang,
        "subscribe": bot.subscribe,
        "unsubscribe": bot.unsubscribe,
    }
    for name, callback in handlers.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, bot.answer))
    application.add_error_handler(bot.on_error)
    return application


def poll(application: Application, guard: TokenGuard, on_ready: Callable[[str], None]) -> None:
    """Run ``application`` by long polling until Ctrl-C; ``on_ready`` gets the bot's username once it polls.

    ``guard`` (installed on the log handlers) stops it when Telegram rejects the token, also when the token is
    revoked while polling; that, and a Bot API failing at the start, raise ``BotUnavailable`` without the token.
    """
    setup = application.post_init

    async def ready(running: Application) -> None:
        if setup is not None:
            await setup(running)
        on_ready(running.bot.username)

    application.post_init = ready
    guard.on_rejected = application.stop_running
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        guard.rejected = True
    except TelegramError as exc:  # the Bot API stopped answering between the token's check and the start
        raise BotUnavailable(redact(f"Telegram: {exc}", guard.token)) from None
    if guard.rejected:
        raise BotUnavailable(TOKEN_REJECTED)
