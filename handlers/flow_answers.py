"""Reading an answer to a flow's step: typed text, a date, a length, a rating, a choice or
mentees' names, and a tapped button's value checked against what the step offers.

Each returns the value to keep in the flow's answers or raises InputError saying what to type
instead; a refusal of free text says whether the other answers stay. Apart from the handlers
(handlers.flow) because a name at /start, an edit of an entry and a captured note read free
text through `typed_text` as a flow does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers import texts
from handlers.flow_steps import Choices
from journal.answers import ANSWER_LIMIT
from journal.date_parsing import parse_date, parse_future_date
from journal.duration_parsing import parse_duration
from journal.flow import Step, StepKind
from journal.parsing import InputError, clean_text, parse_rating


def typed_text(text: str, *, limit: int = ANSWER_LIMIT, kept: bool = False) -> str:
    """Free text as typed, tidied; one too long is refused saying whether other answers stay."""
    cleaned = clean_text(text, limit=max(len(text), 1))
    if len(cleaned) > limit:
        raise InputError(texts.too_long(len(cleaned), limit, kept=kept))
    return cleaned


def parse_answer(
    step: Step, text: str, today: date, choices: Choices, *, kept: bool = False
) -> Any:
    """A typed answer for a step, or InputError saying what to type instead.

    `kept`: whether the flow holds other answers (a refusal says they stay).
    """
    if step.kind == StepKind.TEXT:
        return typed_text(text, kept=kept)
    if step.kind == StepKind.DATE:
        return parse_date(text, today).isoformat()
    if step.kind == StepKind.TARGET_DATE:
        return parse_future_date(text, today).isoformat()
    if step.kind == StepKind.DURATION:
        return parse_duration(text)
    if step.kind == StepKind.RATING:
        return parse_rating(text)
    wanted = " ".join(text.split()).casefold()
    for key, label in choices:
        if wanted in (key.casefold(), label.casefold()):
            return key
    raise InputError(texts.PICK_FROM_BUTTONS)


def parse_names(text: str, choices: Choices) -> tuple[list[str], list[str]]:
    """Typed mentee names: those on the bot become member ids, others stay as names."""
    by_name = {label.casefold(): key for key, label in choices}
    ids: list[str] = []
    names: list[str] = []
    for raw in clean_text(text, limit=300).replace(" and ", ",").split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if name.casefold() in by_name:
            ids.append(by_name[name.casefold()])
        else:
            names.append(name[:60])
    if not ids and not names:
        raise InputError(texts.NO_MENTEES)
    return ids, names


def option_value(step: Step, value: str, choices: Choices, today: date) -> Any:
    """A tapped button's value, checked against what this step offers (buttons can be forged)."""
    if step.kind == StepKind.DATE and value in {"0", "1"}:
        return (today - timedelta(days=int(value))).isoformat()
    if step.kind == StepKind.DURATION and value in {str(m) for m, _ in texts.DURATION_BUTTONS}:
        return int(value)
    if step.kind == StepKind.RATING:
        return parse_rating(value)
    if value in {k for k, _ in choices}:
        return [value] if step.kind == StepKind.MENTEES else value
    raise InputError(texts.PICK_FROM_BUTTONS)
