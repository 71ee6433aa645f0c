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


class TaskCB(CallbackData, prefix="tk"):
    """Start the flow that fills a task element: `s` is a key of journal.tasks.STARTS."""

    s: str


class MenuCB(CallbackData, prefix="m"):
    act: str


class PromptCB(CallbackData, prefix="p"):
    """A button under a prompt: `p` is the prompt id, checked against who taps it."""

    p: int
    a: str
    v: str = ""


class RequestCB(CallbackData, prefix="rq"):
    """/request: what (h, f, t; x cancels), then the supervisor's membership and the session."""

    w: str
    s: int = 0
    e: int = 0


class SettingsCB(CallbackData, prefix="st"):
    act: str
    v: str = ""


class AssessCB(CallbackData, prefix="a"):
    p: int
    act: str
    v: str = ""


class DetailsCB(CallbackData, prefix="dt"):
    """/details, the mentor's own mark-sheet details: what to set or confirm."""

    act: str
    v: str = ""


class ExportCB(CallbackData, prefix="x"):
    fmt: str


class ForgetCB(CallbackData, prefix="fg"):
    act: str
