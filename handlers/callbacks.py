"""Button payloads. Telegram allows 64 bytes: only short codes and numeric ids, never user text."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class StartCB(CallbackData, prefix="s"):
    act: str
    v: str = ""


class InviteCB(CallbackData, prefix="i"):
    role: str


class FlowCB(CallbackData, prefix="f"):
    flow: str
    i: int
    act: str
    v: str = ""


class TagCB(CallbackData, prefix="t"):
    e: int
    act: str
    c: str = ""


class EntryCB(CallbackData, prefix="e"):
    e: int
    act: str
    v: str = ""


class CaptureCB(CallbackData, prefix="q"):
    act: str


class GapCB(CallbackData, prefix="g"):
    c: str


class MenuCB(CallbackData, prefix="m"):
    act: str
