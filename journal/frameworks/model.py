"""The shape of an assessment framework: units, learning outcomes and criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def criterion_id(framework_id: str, style: str, unit_code: str, code: str) -> str:
    """A criterion's id: 'ilm:D3.06/2.1', or 'st1379:K2' where codes are unique ('flat')."""
    return f"{framework_id}:{code}" if style == "flat" else f"{framework_id}:{unit_code}/{code}"


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    code: str
    text: str
    unit_code: str
    outcome_code: str
    methods: tuple[str, ...] = ()
    # Where the methods were read: "Annex 2", "Annex 3", "section 2.1 layout" (EcoMentor).
    methods_source: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str
    text: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    title: str
    outcomes: tuple[Outcome, ...]
    group: str | None = None
    level: int | None = None
    credit: int | None = None
    assessment: str | None = None
    min_hours: float | None = None

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for o in self.outcomes for c in o.criteria)


@dataclass(frozen=True, slots=True)
class TaskElement:
    """What one heading of an assessed task asks for (the seed's bullet, word for word), the
    criteria and mark-sheet section it serves, and which entries can evidence it.

    An entry evidences the element when its kind is in `kinds`, its data matches one of the
    `each` conditions, and: one of `fields` is filled (any entry of the kind when `fields` is
    empty), or it carries a confirmed tag on one of `criteria`. With `tagged`, only the tag
    counts. With several `each` conditions, every one needs an entry (feedback from a mentee,
    the supervisor and a stakeholder)."""

    code: str
    text: str
    short: str
    criteria: tuple[str, ...] = ()
    section: str | None = None
    kinds: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    each: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = ((),)
    tagged: bool = False
    flow: str | None = None
    lead: str | None = None


@dataclass(frozen=True, slots=True)
class TaskHeading:
    title: str
    elements: tuple[TaskElement, ...]
    lead: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """An assessed task of a framework (ILM D3.06 Mentoring Diary, EcoMentor's practical
    assessment): the headings its write-up uses and the elements each asks for."""

    code: str
    title: str
    headings: tuple[TaskHeading, ...]
    unit: str | None = None
    text: str | None = None
    source: str | None = None

    @property
    def elements(self) -> tuple[TaskElement, ...]:
        return tuple(e for h in self.headings for e in h.elements)

    @property
    def label(self) -> str:
        """How exports name it: "D3.06 Mentoring Diary"; a task of no unit by its title."""
        return f"{self.unit} {self.title}" if self.unit else self.title


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: str
    version: str
    units: tuple[Unit, ...]
    criterion_ids: str = "qualified"
    source: str | None = None
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    tasks: tuple[Task, ...] = ()

    def task(self, code: str) -> Task | None:
        wanted = code.strip().upper()
        return next((t for t in self.tasks if t.code.upper() == wanted), None)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for u in self.units for c in u.criteria)

    def unit(self, code: str) -> Unit | None:
        wanted = code.strip().upper()
        return next((u for u in self.units if u.code.upper() == wanted), None)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `mentorlog frameworks dump`."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "units": [
                {
                    "code": u.code,
                    "title": u.title,
                    **({"group": u.group} if u.group else {}),
                    **({"assessment": u.assessment} if u.assessment else {}),
                    **({"min_hours": u.min_hours} if u.min_hours is not None else {}),
                    "outcomes": [
                        {
                            "code": o.code,
                            "text": o.text,
                            "criteria": [
                                {
                                    "id": c.id,
                                    "code": c.code,
                                    "text": c.text,
                                    **({"methods": list(c.methods)} if c.methods else {}),
                                    **(
                                        {"methods_source": c.methods_source}
                                        if c.methods_source
                                        else {}
                                    ),
                                }
                                for c in o.criteria
                            ],
                        }
                        for o in u.outcomes
                    ],
                }
                for u in self.units
            ],
        }
        if self.tasks:
            data["tasks"] = [_task_dict(t) for t in self.tasks]
        data.update(self.extra)
        return data


def _task_dict(task: Task) -> dict[str, Any]:
    return {
        "code": task.code,
        "title": task.title,
        **({"unit": task.unit} if task.unit else {}),
        **({"text": task.text} if task.text else {}),
        **({"source": task.source} if task.source else {}),
        "headings": [
            {
                "title": h.title,
                **({"lead": h.lead} if h.lead else {}),
                "elements": [
                    {
                        "code": e.code,
                        "text": e.text,
                        "short": e.short,
                        **({"lead": e.lead} if e.lead else {}),
                        "criteria": list(e.criteria),
                        **({"section": e.section} if e.section else {}),
                        "kinds": list(e.kinds),
                        **({"fields": list(e.fields)} if e.fields else {}),
                        **(
                            {"each": [{k: list(v) for k, v in c} for c in e.each]}
                            if e.each != ((),)
                            else {}
                        ),
                        **({"tagged": True} if e.tagged else {}),
                        **({"flow": e.flow} if e.flow else {}),
                    }
                    for e in h.elements
                ],
            }
            for h in task.headings
        ],
    }
