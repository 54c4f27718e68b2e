"""A small Telegram Bot API emulator on loopback, for tests (Telegram's servers cannot be reached here).

It answers getMe, deleteWebhook, getUpdates (long poll capped at 1 s), sendMessage, sendChatAction,
setMyCommands, editMessageText and anything else with ``true``; tests push updates in and read what the bot
sent. ``faults`` makes the next sendMessage calls fail: "429" (with retry_after), "502", or "hang" (answer
only after ``hang_seconds``, past the bot's timeout). With ``html_502`` set, every request gets a proxy's 502 HTML
page instead of the Bot API's JSON. Like Telegram, it answers 401 Unauthorized to a token other
than ``token`` and 404 Not Found to a malformed one; ``revoke()`` makes it refuse the token from then on.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Twinning",
    "username": "twinning_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


TOKEN = "123:TEST"
TOKEN_SHAPE = re.compile(r"\d+:[\w-]+")


class BotAPIEmulator:
    def __init__(self, token: str = TOKEN) -> None:
        self.token: str | None = token
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.faults: list[str] = []
        self.hang_seconds = 2.5
        self.html_502 = False
        self.commands: list[dict] = []
        self._next_update = 1
        self._next_message = 1000
        self._lock = threading.Condition()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                emulator._handle(self)

            do_GET = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def revoke(self) -> None:
        """Refuse the token from now on, as Telegram does once BotFather revokes it."""
        self.token = None

    # -- what tests do -----------------------------------------------------------------------------------------
    def push_message(
        self,
        text: str,
        chat_id: int = 111,
        chat_type: str = "private",
        user_id: int = 7,
        language_code: str = "en",
        reply_to_bot: bool = False,
    ) -> None:
        with self._lock:
            message: dict[str, Any] = {
                "message_id": self._next_message,
                "date": int(time.time()),
                "text": text,
                "chat": {
                    "id": chat_id,
                    "type": chat_type,
                    **({"title": "Twinning group"} if chat_type != "private" else {}),
                },
                "from": {"id": user_id, "is_bot": False, "first_name": "Officer", "language_code": language_code},
            }
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if reply_to_bot:
                message["reply_to_message"] = {
                    "message_id": 1,
                    "date": 0,
                    "chat": message["chat"],
                    "from": BOT,
                    "text": "earlier answer",
                }
            self._next_message += 1
            self.updates.append({"update_id": self._next_update, "message": message})
            self._next_update += 1
            self._lock.notify_all()

    def wait_sent(self, count: int, chat_id: int | None = None, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [m for m in self.sent if chat_id is None or int(m["chat_id"]) == chat_id]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} messages, got {len(got)}: {got}")
                self._lock.wait(left)

    # -- the Bot API -------------------------------------------------------------------------------------------
    def _params(self, handler: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        kind = handler.headers.get("Content-Type", "")
        if "json" in kind:
            return json.loads(raw or b"{}")
        params: dict[str, Any] = {}
        for key, values in parse_qs(raw.decode()).items():
            try:
                params[key] = json.loads(values[0])
            except ValueError:
                params[key] = values[0]
        return params

    def _reply(
        self, handler: BaseHTTPRequestHandler, result: Any, status: int = 200, extra: dict | None = None
    ) -> None:
        body = {"ok": status == 200, **({"result": result} if status == 200 else {}), **(extra or {})}
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _bad_gateway_page(self, handler: BaseHTTPRequestHandler) -> None:
        """A reverse proxy's answer when the Bot API behind it is down: a 502 HTML page."""
        data = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.send_response(502)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        token, _, method = handler.path.removeprefix("/bot").rpartition("/")
        params = self._params(handler)
        self.calls.append(method)
        if self.html_502:
            return self._bad_gateway_page(handler)
        if not TOKEN_SHAPE.fullmatch(token):
            return self._reply(handler, None, 404, {"error_code": 404, "description": "Not Found"})
        if token != self.token:
            return self._reply(handler, None, 401, {"error_code": 401, "description": "Unauthorized"})
        if method == "getMe":
            return self._reply(handler, BOT)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), 1.0)
            deadline = time.monotonic() + wait
            with self._lock:
                # An offset confirms every earlier update: Telegram forgets them, and so do we.
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                while True:
                    pending = [u for u in self.updates if u["update_id"] >= offset]
                    if pending or time.monotonic() >= deadline:
                        break
                    self._lock.wait(deadline - time.monotonic())
            return self._reply(handler, pending)
        if method == "setMyCommands":
            self.commands = params.get("commands", [])
            return self._reply(handler, True)
        if method in ("sendMessage", "editMessageText"):
            fault = self.faults.pop(0) if self.faults else None
            if fault == "429":
                return self._reply(
                    handler,
                    None,
                    429,
                    {
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                )
            if fault == "502":
                return self._reply(handler, None, 502, {"error_code": 502, "description": "Bad Gateway"})
            if fault == "hang":
                time.sleep(self.hang_seconds)
                return self._reply(handler, True)  # too late: the bot has given up on this request
            with self._lock:
                self.sent.append(params)
                self._lock.notify_all()
            chat = {"id": int(params["chat_id"]), "type": "private"}
            message = {
                "message_id": len(self.sent),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT,
                "text": params.get("text", ""),
            }
            return self._reply(handler, message)
        return self._reply(handler, True)
