"""What Telegram's Bot API refuses, checked the way Telegram checks it.

The offline Telegram of the demo and the tests (`bot.offline`) and the fake Bot API server of
the running-process tests (`tests/fake_bot_api.py`) both refuse what the real one would, so a
reply Telegram would refuse fails a test instead of a user's conversation:

- text over 4,096 characters (counted after the HTML is parsed), a caption over 1,024, an
  empty text;
- HTML Telegram cannot parse: a tag it does not support, a `<` that starts no tag, tags left
  open or closed out of order;
- callback data over 64 bytes (UTF-8) or empty, a button without a label.

The HTML rules follow Telegram's parser: the tags of the Bot API's "HTML style", the named
entities `&lt;` `&gt;` `&amp;` `&quot;` and numeric ones; any other `&` is kept as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_ALERT = 200

TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_SPECIAL = re.compile(r"[<&]")


class Refused(ValueError):
    """What Telegram answers with 400 Bad Request; `description` is its wording."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = f"Bad Request: {description}"


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text as the user will see it, or Refused where Telegram's parser would refuse it."""
    if (parse_mode or "").upper() != "HTML":
        return text
    out: list[str] = []
    open_tags: list[str] = []
    done = 0
    for special in _SPECIAL.finditer(text):
        i = special.start()
        if i < done:
            continue
        out.append(text[done:i])
        if text[i] == "&":
            entity = _ENTITY.match(text, i)
            out.append(html.unescape(entity.group(0)) if entity else "&")
            done = entity.end() if entity else i + 1
            continue
        match = _TAG.match(text, i)
        if match is None:
            raise Refused(f"can't parse entities: unclosed start tag at byte offset {i}")
        closing, name = match.group(1) == "/", match.group(2).lower()
        if closing:
            if not open_tags or open_tags[-1] != name:
                expected = f'"</{open_tags[-1]}>"' if open_tags else "no end tag"
                raise Refused(
                    f"can't parse entities: unmatched end tag at byte offset {i}, "
                    f'expected {expected}, found "</{name}>"'
                )
            open_tags.pop()
        elif name not in TAGS:
            raise Refused(
                f'can\'t parse entities: unsupported start tag "{name}" at byte offset {i}'
            )
        else:
            open_tags.append(name)
        done = match.end()
    out.append(text[done:])
    if open_tags:
        last = open_tags[-1]
        raise Refused(f"can't parse entities: can't find end tag corresponding to \"{last}\"")
    return "".join(out)


def check_text(text: str | None, parse_mode: str | None) -> None:
    shown = plain_text(text or "", parse_mode)
    if not shown.strip():
        raise Refused("message text is empty")
    if len(shown) > MAX_TEXT:
        raise Refused("message is too long")


def check_caption(caption: str | None, parse_mode: str | None) -> None:
    if caption and len(plain_text(caption, parse_mode)) > MAX_CAPTION:
        raise Refused("message caption is too long")


def check_alert(text: str | None) -> None:
    if text and len(text) > MAX_ALERT:
        raise Refused("MESSAGE_TOO_LONG")


def check_keyboard(rows: Iterable[Iterable[Mapping[str, Any]]]) -> None:
    """An inline keyboard as JSON (lists of button objects)."""
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise Refused("BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise Refused("BUTTON_DATA_INVALID")
