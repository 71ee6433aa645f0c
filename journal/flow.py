"""Guided entry flows as data: the steps of a flow and how to move between them.

A flow is answered one step at a time in the chat; the answers are a plain dict kept in the
conversation state, so a restart continues at the same step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from journal.entries import Kind


class StepKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    TARGET_DATE = "target_date"
    DURATION = "duration"
    CHOICE = "choice"
    MENTEES = "mentees"
    MENTEE = "mentee"
    RATING = "rating"
    GOAL = "goal"


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    prompt: str
    optional: bool = False
    options: tuple[tuple[str, str], ...] = ()
    when: tuple[str, tuple[str, ...]] | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        if self.when is None:
            return True
        key, values = self.when
        return answers.get(key) in values


@dataclass(frozen=True)
class FlowSpec:
    name: str
    kind: Kind
    title: str
    steps: tuple[Step, ...]
    needs_one_of: tuple[str, ...] = ()

    def step(self, index: int) -> Step:
        return self.steps[index]

    def first(self, answers: dict[str, Any]) -> int | None:
        return self.next(answers, -1)

    def next(self, answers: dict[str, Any], index: int) -> int | None:
        """The next step that applies and is not already answered (prefilled), or None."""
        for i in range(index + 1, len(self.steps)):
            step = self.steps[i]
            if step.applies(answers) and step.key not in answers:
                return i
        return None

    def previous(self, answers: dict[str, Any], index: int) -> int | None:
        for i in range(index - 1, -1, -1):
            if self.steps[i].applies(answers):
                return i
        return None

    def missing(self, answers: dict[str, Any]) -> bool:
        """True when the flow asks for at least one of some fields and none was given."""
        return bool(self.needs_one_of) and not any(answers.get(k) for k in self.needs_one_of)

    def first_needed(self) -> int:
        """The step to go back to when `missing`: the first of those one answer is needed from."""
        return next(i for i, s in enumerate(self.steps) if s.key in self.needs_one_of)


def forget_from(spec: FlowSpec, answers: dict[str, Any], index: int) -> dict[str, Any]:
    """Going back to a step clears its answer and those after it, keeping earlier ones."""
    later = {s.key for s in spec.steps[index:]}
    return {k: v for k, v in answers.items() if k not in later}


@dataclass(frozen=True)
class EntryDraft:
    kind: Kind
    occurred_on_iso: str | None
    duration_minutes: int | None
    mentee_ids: tuple[int, ...]
    goal_id: int | None
    data: dict[str, Any]


_COMMON = {"occurred_on", "duration", "mentees", "mentee", "goal"}


def draft_from(spec: FlowSpec, answers: dict[str, Any]) -> EntryDraft:
    """Split a flow's answers into the entry's common fields and its kind's own data."""
    mentees: list[int] = [int(m) for m in answers.get("mentees", []) if str(m).isdigit()]
    if answers.get("mentee") and str(answers["mentee"]).isdigit():
        mentees.append(int(answers["mentee"]))
    data = {k: v for k, v in answers.items() if k not in _COMMON and v not in (None, "")}
    if spec.kind == Kind.SESSION:
        count = len(mentees) + len(answers.get("mentee_names", []))
        data["format"] = "group" if count > 1 else "one_to_one"
    if spec.kind == Kind.GOAL:
        data.setdefault("status", "open")
    goal = answers.get("goal")
    return EntryDraft(
        kind=spec.kind,
        occurred_on_iso=answers.get("occurred_on"),
        duration_minutes=answers.get("duration"),
        mentee_ids=tuple(mentees),
        goal_id=int(goal) if goal is not None else None,
        data=data,
    )
