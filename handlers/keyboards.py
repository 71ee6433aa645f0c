"""Inline keyboards built from (label, callback) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from journal.timezone_parsing import COMMON_TIMEZONES

Button = tuple[str, CallbackData | str]


def keyboard(rows: Iterable[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=label, callback_data=cb.pack() if isinstance(cb, CallbackData) else cb
                )
                for label, cb in row
            ]
            for row in rows
            if row
        ]
    )


def timezone_keyboard(button: Callable[[str], CallbackData]) -> InlineKeyboardMarkup:
    """The common time zones, two a row; `button(index)` makes each one's callback."""
    return keyboard(
        chunked([(label, button(str(i))) for i, (label, _) in enumerate(COMMON_TIMEZONES)], 2)
    )


def chunked(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
