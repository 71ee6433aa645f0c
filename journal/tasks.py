"""What each assessed task still needs: its elements met by entries, and those still missing.

A task (ILM D3.06 Mentoring Diary, EcoMentor's practical assessment) is data in its framework
file (`journal.frameworks.model.Task`). Evidence is derived from the portfolio's entries, never
stored: an entry meets an element by its kind, the fields it has filled, and its confirmed tags
(the rule is on `TaskElement`). No database and no Telegram here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from journal.frameworks.model import Framework, Task, TaskElement

# The flows a missing element's button can start: name -> (flow, answers given beforehand).
# The names are what a framework file writes as an element's `flow`; the flows themselves are
# in handlers/flows.py (a test checks every one exists there).
STARTS: dict[str, tuple[str, dict[str, str]]] = {
    "log": ("log", {}),
    "reflect": ("reflect", {}),
    "summary": ("summary", {}),
    "impact": ("impact", {}),
    "cpd_plan": ("cpdplan", {}),
    "contract": ("contract", {}),
    "safe_environment": ("safe", {}),
    "needs": ("needs", {}),
    "programme": ("programme", {}),
    "supervision": ("supervision", {}),
    "records_review": ("records", {}),
    "development_plan": ("devplan", {}),
    "mentee_goal": ("goal", {"owner": "mentee"}),
    "my_goal": ("learning_goal", {"owner": "mentor"}),
    "review": ("review", {}),
    "feedback": ("feedback", {}),
    "mentee_feedback": ("feedback", {"source": "mentee"}),
    "supervisor_feedback": ("feedback", {"source": "supervisor"}),
    "stakeholder_feedback": ("feedback", {"source": "other"}),
    "cpd": ("cpd", {}),
    "evidence": ("evidence", {}),
    "observation": ("evidence", {"evidence_type": "observation"}),
}


class EntryLike(Protocol):
    ref: str
    kind: str
    data: Mapping[str, Any]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ElementStatus:
    element: TaskElement
    refs: tuple[str, ...]

    @property
    def met(self) -> bool:
        return bool(self.refs)


@dataclass(frozen=True)
class TaskStatus:
    framework_id: str
    task: Task
    elements: tuple[ElementStatus, ...]

    @property
    def missing(self) -> tuple[ElementStatus, ...]:
        return tuple(e for e in self.elements if not e.met)

    @property
    def met(self) -> tuple[ElementStatus, ...]:
        return tuple(e for e in self.elements if e.met)


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def _matches(condition: tuple[tuple[str, tuple[str, ...]], ...], data: Mapping[str, Any]) -> bool:
    return all(str(data.get(key, "")) in values for key, values in condition)


def meets(entry: EntryLike, element: TaskElement, criteria: frozenset[str] | None = None) -> bool:
    """True when `entry` evidences `element` under at least one of its conditions.

    `criteria` is the element's criterion ids (qualified), given by `task_status`."""
    return any(_meets(entry, element, c, criteria) for c in element.each)


def _meets(
    entry: EntryLike,
    element: TaskElement,
    condition: tuple[tuple[str, tuple[str, ...]], ...],
    criteria: frozenset[str] | None,
) -> bool:
    if entry.kind not in element.kinds or not _matches(condition, entry.data):
        return False
    tagged = bool(set(entry.tags) & (criteria if criteria is not None else set(element.criteria)))
    if element.tagged:
        return tagged
    if not element.fields:
        return True
    return tagged or any(_filled(entry.data.get(f)) for f in element.fields)


def element_refs(element: TaskElement, entries: Iterable[EntryLike]) -> tuple[str, ...]:
    """The refs of the entries meeting the element, in the order given; none unless every one
    of its conditions has an entry."""
    entries = list(entries)
    criteria = frozenset(element.criteria)
    found: dict[str, None] = {}
    for condition in element.each:
        refs = [e.ref for e in entries if _meets(e, element, condition, criteria)]
        if not refs:
            return ()
        found.update(dict.fromkeys(refs))
    return tuple(sorted(found, key=_ref_order))


def _ref_order(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (int(digits) if digits else 0, ref)


def task_status(framework: Framework, entries: Iterable[EntryLike]) -> list[TaskStatus]:
    """Per task of the framework, each element with the refs of the entries that meet it."""
    entries = list(entries)
    return [
        TaskStatus(
            framework_id=framework.id,
            task=task,
            elements=tuple(ElementStatus(e, element_refs(e, entries)) for e in task.elements),
        )
        for task in framework.tasks
    ]


def statuses(frameworks: Iterable[Framework], entries: Iterable[EntryLike]) -> list[TaskStatus]:
    entries = list(entries)
    return [s for f in frameworks for s in task_status(f, entries)]


def first_missing_flow(status: TaskStatus) -> str | None:
    """The start (a key of `STARTS`) of the first missing element that has one."""
    return next((e.element.flow for e in status.missing if e.element.flow in STARTS), None)
