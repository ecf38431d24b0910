"""A loopback stand-in for the Telegram Bot API's ``sendMessage``.

Like the real server: ``POST /bot<token>/<method>``; an unknown token gets 401
``{"ok": false, "error_code": 401, "description": "Unauthorized"}``; an unknown ``chat_id`` 400
"Bad Request: chat not found"; empty text 400; ``parse_mode=HTML`` text with a tag other than
b/i/a/code/pre, or a bare ``<``/``&``, 400 "can't parse entities"; scripted 429s carry
``parameters.retry_after``. Accepted messages are kept in ``messages``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from tests.support.loopback import LoopbackServer, Reply, Request

ALLOWED_TAGS = {"b", "strong", "i", "em", "a", "code", "pre", "u", "s"}


class _EntityCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.bad: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad = f'unsupported start tag "{tag}"'

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.bad = f"unsupported entity &{name};"


def entities_problem(text: str) -> str | None:
    if re.search(r"&(?![a-z]+;|#\d+;)", text) or re.search(r"<(?![a-z/])", text):
        return "bare < or & in HTML text"
    check = _EntityCheck()
    check.feed(text)
    check.close()
    return check.bad


class BotApi(LoopbackServer):
    def __init__(self, token: str, chats: set[str]) -> None:
        self.token, self.chats = token, chats
        self.messages: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, Any]]] = []  # answered first, in order
        super().__init__()

    @property
    def url(self) -> str:
        return self.origin

    @property
    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def answer(self, request: Request) -> Reply:
        return Reply.json(*self.handle(request.path, request.body))

    def too_many(self, retry_after: int, times: int = 1) -> None:
        for _ in range(times):
            self.script.append(
                (
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    },
                )
            )

    def handle(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            m = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
            if not m:
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            if m.group(1) != self.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if m.group(2) != "sendMessage":
                return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            if self.script:
                return self.script.pop(0)
            try:
                body = json.loads(raw)
            except ValueError:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON"}
            chat = str(body.get("chat_id", ""))
            if chat not in self.chats:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            text = body.get("text") or ""
            if not text.strip():
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            if len(text) > 4096:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
            if body.get("parse_mode") == "HTML":
                problem = entities_problem(text)
                if problem:
                    return 400, {
                        "ok": False,
                        "error_code": 400,
                        "description": f"Bad Request: can't parse entities: {problem}",
                    }
            self.messages.append(body)
            return 200, {"ok": True, "result": {"message_id": len(self.messages), "chat": {"id": chat}, "text": text}}
