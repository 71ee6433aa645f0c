"""How each prompt reads in the chat: the message and buttons of a claimed prompt.

The sender (bot.prompter) turns a claimed outbox row into a message through `render`: a
feedback question with its rating buttons, a supervisor's request with Confirm / Not right or
Write it, a reminder of either, a notice of an answer, or a nudge. It is kept apart from the
handlers that take the answers because it runs in the sender, not on an update, and changes
when the wording of a prompt does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from handlers import texts
from handlers.apprenticeship import otj_behind_nudge
from handlers.callbacks import PromptCB
from handlers.keyboards import keyboard
from journal.hours import format_minutes
from journal.prompting import PromptKind, RequestKind, days_before
from storage.outbox import Outgoing

TOPIC_CHARS = 60


def _day(iso: str) -> str:
    return f"{date.fromisoformat(iso):%a %d %b}"


def _topic(fields: dict[str, Any], template: str = texts.TOPIC) -> str:
    topic = " ".join(str(fields.get("topic") or "").split())
    if not topic:
        return ""
    if len(topic) > TOPIC_CHARS:
        topic = topic[: TOPIC_CHARS - 1] + "…"
    return template.format(topic=texts.escape(topic))


def _feedback_question(fields: dict[str, Any], today: date) -> str:
    """Names the mentor and the session's plan only: never the other mentees of a group."""
    mentor = texts.escape(fields.get("mentor", ""))
    ago = days_before(date.fromisoformat(fields["occurred_on"]), today)
    template = {0: texts.FEEDBACK_ASK_TODAY, 1: texts.FEEDBACK_ASK_YESTERDAY}.get(
        ago, texts.FEEDBACK_ASK_ON
    )
    return template.format(mentor=mentor, topic=_topic(fields), day=_day(fields["occurred_on"]))


def _question(
    kind: PromptKind, prompt_id: int, fields: dict[str, Any], today: date
) -> tuple[str, InlineKeyboardMarkup]:
    """A feedback prompt or a supervisor's request, with the buttons that answer it."""
    if kind == PromptKind.FEEDBACK:
        rates = [(str(n), PromptCB(p=prompt_id, a="r", v=str(n))) for n in range(1, 6)]
        text = f"{_feedback_question(fields, today)}\n{texts.RATING_PROMPT_HINT}"
        return text, keyboard([rates])
    mentor = texts.escape(fields.get("mentor", ""))
    what = fields.get("what")
    if what == RequestKind.TESTIMONY:
        return texts.ASK_TESTIMONY.format(mentor=mentor), keyboard(
            [[(texts.WRITE_IT, PromptCB(p=prompt_id, a="w"))]]
        )
    about = {
        "mentor": mentor,
        "day": _day(fields["occurred_on"]),
        "ref": fields.get("ref", ""),
        "topic": _topic(fields, texts.TOPIC_AFTER),
    }
    if what in (RequestKind.HOURS, RequestKind.OTJ):
        template = texts.ASK_OTJ if what == RequestKind.OTJ else texts.ASK_HOURS
        text = template.format(duration=format_minutes(fields.get("minutes") or 0), **about)
        buttons = [
            (texts.CONFIRM, PromptCB(p=prompt_id, a="c")),
            (texts.NOT_RIGHT, PromptCB(p=prompt_id, a="n")),
        ]
        return text, keyboard([buttons])
    return texts.ASK_SESSION_FEEDBACK.format(**about), keyboard(
        [[(texts.WRITE_IT, PromptCB(p=prompt_id, a="w"))]]
    )


def _notice(fields: dict[str, Any]) -> str:
    who = texts.escape(fields.get("who") or "")
    ref, saved = fields.get("ref", ""), fields.get("saved", "")
    event = fields.get("event")
    if event == "feedback":
        text = texts.NOTICE_FEEDBACK.format(
            who=who, ref=ref, day=_day(fields["day"]), rating=fields.get("rating"), saved=saved
        )
    elif event == "hours":
        text = texts.NOTICE_HOURS.format(
            who=who, ref=ref, duration=format_minutes(fields.get("minutes", 0))
        )
    elif event == "otj":
        text = texts.NOTICE_OTJ.format(
            who=who, ref=ref, duration=format_minutes(fields.get("minutes", 0))
        )
    elif event == "disputed":
        text = texts.NOTICE_DISPUTED.format(who=who, ref=ref)
    elif event == "testimony":
        text = texts.NOTICE_TESTIMONY.format(who=who, saved=saved)
    else:
        text = texts.NOTICE_SUPERVISOR_FEEDBACK.format(who=who, ref=ref, saved=saved)
    quoted = fields.get("text") or fields.get("note")
    return f"{text}\n{texts.QUOTE.format(text=texts.escape(quoted))}" if quoted else text


def render(item: Outgoing, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message of a claimed prompt; `today` is the recipient's date."""
    fields = item.fields
    if item.kind in (PromptKind.FEEDBACK, PromptKind.REQUEST):
        return _question(item.kind, item.answers_to, fields, today)
    if item.kind == PromptKind.REMINDER:
        text, markup = _question(item.about, item.answers_to, fields, today)
        return f"{texts.REMINDER_LEAD}\n{text}", markup
    if item.kind == PromptKind.NOTICE:
        return _notice(fields), None
    if item.kind == PromptKind.GOAL_REVIEW:
        return texts.GOAL_REVIEW_NUDGE.format(
            statement=texts.escape(fields.get("statement", ""))
        ), None
    if item.kind == PromptKind.PAIR_QUIET:
        return texts.PAIR_QUIET_NUDGE.format(mentee=texts.escape(fields.get("mentee", ""))), None
    if item.kind == PromptKind.OTJ_BEHIND:
        return otj_behind_nudge(fields)
    return texts.WEEKLY_NUDGE, None
