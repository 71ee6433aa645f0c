"""Button payloads. Telegram allows 64 bytes: only short codes and numeric ids, never user text."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A row id or an index as a button carries it: a forged one outside what the database can hold
# fails the button's filter (a stale button) instead of the query.
Id = Annotated[int, Field(ge=0, le=2**63 - 1)]


class StartCB(CallbackData, prefix="s"):
    act: str
    v: str = ""


class InviteCB(CallbackData, prefix="i"):
    role: str


class FlowCB(CallbackData, prefix="f"):
    flow: str
    i: Id
    act: str
    v: str = ""


class TagCB(CallbackData, prefix="t"):
    e: Id
    act: str
    c: str = ""


class EntryCB(CallbackData, prefix="e"):
    e: Id
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

    p: Id
    a: str
    v: str = ""


class RequestCB(CallbackData, prefix="rq"):
    """/request: what (h, f, t; x cancels), then the supervisor's membership and the session."""

    w: str
    s: Id = 0
    e: Id = 0


class SettingsCB(CallbackData, prefix="st"):
    act: str
    v: str = ""


class AssessCB(CallbackData, prefix="a"):
    p: Id
    act: str
    v: str = ""


class DetailsCB(CallbackData, prefix="dt"):
    """/details, the mentor's own mark-sheet details: what to set or confirm."""

    act: str
    v: str = ""


class QaCB(CallbackData, prefix="qa"):
    """An internal quality assurer's buttons: `p` the portfolio, checked on every tap."""

    p: int
    act: str
    v: str = ""


class ExportCB(CallbackData, prefix="x"):
    fmt: str


class ForgetCB(CallbackData, prefix="fg"):
    act: str


class OtjCB(CallbackData, prefix="oj"):
    """An apprentice's off-the-job buttons: `log` starts /otj."""

    act: str


class ApprenticeshipCB(CallbackData, prefix="ap"):
    """/apprenticeship: `set` starts the settings, `min` takes the funding floor as minimum."""

    act: str
