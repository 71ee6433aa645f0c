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
class Framework:
    id: str
    title: str
    version: str
    units: tuple[Unit, ...]
    criterion_ids: str = "qualified"
    source: str | None = None
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

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
        data.update(self.extra)
        return data
