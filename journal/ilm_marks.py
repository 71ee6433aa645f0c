"""ILM mark sheets and their rule: a sheet's marks give PASS or REFERRAL.

ILM (seed 004, every mark sheet): "Total 50 + overall, AND minimum in each section" gives PASS,
anything else REFERRAL, with the sections below their minimum named ("Section referral if
applicable"). A sheet is one item of ilm.yaml `extra.mark_sheets`:
`{unit, title, pass_total, sections: [{title, max, min}]}`; marks are given per section title.
The seed prints one sheet for D3.01 and D3.02 ("MARK SHEET: WORK-BASED ASSIGNMENT: D3.01 AND
D3.02"); ilm.yaml lists it under both units, and sheets with the same title and sections are
one sheet here, so one script has one outcome.

ILM marks as stored (`MarkRecord`) have `framework_id` "ilm", `sheet` the sheet key ("D3.06",
or "D3.01+D3.02" for the joint sheet; a mark stored under "D3.01" or "D3.02" belongs to the
joint sheet too), `section` the section title or its 1-based number, `value` the whole mark
and `role` "assessor" (Assr mark) or "qa" (QA mark); the newest record counts. Every field of
a sheet as printed is journal.ilm_sheet_forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from journal.frameworks.model import Framework
from journal.grading import MarkError, newest_last
from journal.snapshot import MarkRecord

PASS = "PASS"  # noqa: S105 - an outcome, not a password
REFERRAL = "REFERRAL"


@dataclass(frozen=True)
class SectionMark:
    title: str
    mark: int
    maximum: int
    minimum: int

    @property
    def reached(self) -> bool:
        return self.mark >= self.minimum


@dataclass(frozen=True)
class IlmResult:
    unit: str
    title: str
    pass_total: int
    sections: tuple[SectionMark, ...]

    @property
    def total(self) -> int:
        return sum(s.mark for s in self.sections)

    @property
    def maximum(self) -> int:
        return sum(s.maximum for s in self.sections)

    @property
    def below_minimum(self) -> tuple[SectionMark, ...]:
        return tuple(s for s in self.sections if not s.reached)

    @property
    def total_short(self) -> bool:
        return self.total < self.pass_total

    @property
    def outcome(self) -> str:
        return REFERRAL if self.total_short or self.below_minimum else PASS

    def summary(self) -> str:
        """'PASS, total 72 of 100' or 'REFERRAL: <section> 12 (minimum 20); total 45 (needs 50)'."""
        if self.outcome == PASS:
            return f"{PASS}, total {self.total} of {self.maximum}"
        reasons = [f"“{s.title}” {s.mark} (minimum {s.minimum})" for s in self.below_minimum]
        if self.total_short:
            reasons.append(f"total {self.total} (needs {self.pass_total})")
        return f"{REFERRAL}: " + "; ".join(reasons)


def section_mark(section: Mapping[str, Any], typed: str) -> int:
    """A typed mark for one mark-sheet section: a whole number from 0 to its maximum."""
    text = typed.strip()
    if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > int(section["max"]):
        raise MarkError(f"the mark for “{section['title']}” is a whole number 0-{section['max']}")
    return int(text)


def ilm_outcome(sheet: Mapping[str, Any], marks: Mapping[str, int]) -> IlmResult:
    """Apply the mark-sheet rule; every section needs a whole mark from 0 to its maximum."""
    sections = list(sheet["sections"])
    titles = {s["title"] for s in sections}
    unknown = sorted(set(marks) - titles)
    if unknown:
        raise MarkError(f"mark sheet {sheet['unit']} has no section “{unknown[0]}”")
    result = []
    for section in sections:
        title = section["title"]
        if title not in marks:
            raise MarkError(f"no mark for section “{title}” of {sheet['unit']}")
        mark = marks[title]
        if isinstance(mark, bool) or not isinstance(mark, int):
            raise MarkError(f"the mark for “{title}” must be a whole number, not {mark!r}")
        if mark < 0:
            raise MarkError(f"the mark for “{title}” cannot be below 0")
        if mark > section["max"]:
            raise MarkError(f"mark {mark} for “{title}” is above its maximum of {section['max']}")
        result.append(SectionMark(title, mark, int(section["max"]), int(section["min"])))
    return IlmResult(
        unit=str(sheet["unit"]),
        title=str(sheet.get("title", "")),
        pass_total=int(sheet.get("pass_total", 50)),
        sections=tuple(result),
    )


def mark_sheets(framework: Framework) -> list[dict[str, Any]]:
    """The framework's mark sheets as printed, each with `key` and `units`: the same sheet
    listed under several units (title and sections alike) is one sheet, keyed "D3.01+D3.02"
    and named (`unit`) "D3.01 and D3.02"."""
    result: list[dict[str, Any]] = []
    for sheet in framework.extra.get("mark_sheets") or []:
        title, sections = str(sheet.get("title", "")), list(sheet["sections"])
        same = next((r for r in result if (r["title"], r["sections"]) == (title, sections)), None)
        if same is not None:
            same["units"] = (*same["units"], str(sheet["unit"]))
            same["key"], same["unit"] = "+".join(same["units"]), " and ".join(same["units"])
            continue
        unit = str(sheet["unit"])
        result.append(
            {**sheet, "title": title, "sections": sections, "units": (unit,), "key": unit}
        )
    return result


def sheet_codes(sheet: Mapping[str, Any]) -> set[str]:
    """Every name a mark of this sheet may be stored under (its key and each of its units)."""
    units = sheet.get("units") or (sheet["unit"],)
    return {str(c).upper() for c in (sheet.get("key", sheet["unit"]), *units)}


def mark_sheet(framework: Framework, unit_code: str) -> Mapping[str, Any]:
    """The sheet of a unit ("D3.02" gives the joint D3.01 and D3.02 sheet) or of a key."""
    wanted = unit_code.strip().upper()
    for sheet in mark_sheets(framework):
        if wanted in sheet_codes(sheet):
            return sheet
    raise MarkError(f"{framework.id} has no mark sheet for {unit_code}")


@dataclass(frozen=True)
class SheetStatus:
    """Where an assessor's marking of one sheet stands: a result, or why there is none yet."""

    unit: str
    title: str
    result: IlmResult | None = None
    problem: str | None = None
    key: str = ""


def sheet_marks(
    sheet: Mapping[str, Any], records: Iterable[MarkRecord], role: str = "assessor"
) -> dict[str, int]:
    """The newest mark of each section of `sheet` among ILM mark records of `role`."""
    titles = [s["title"] for s in sheet["sections"]]
    by_key = {t.casefold(): t for t in titles} | {str(i): t for i, t in enumerate(titles, 1)}
    codes = sheet_codes(sheet)
    marks: dict[str, int] = {}
    for record in newest_last(records):
        if record.framework_id != "ilm" or record.sheet.upper() not in codes:
            continue
        if record.role != role:
            continue
        title = by_key.get(record.section.strip().casefold())
        if title is None:
            raise MarkError(f"mark sheet {sheet['unit']} has no section “{record.section}”")
        try:
            marks[title] = int(record.value.strip())
        except ValueError:
            raise MarkError(
                f"the mark for “{title}” is not a whole number: {record.value!r}"
            ) from None
    return marks


def ilm_statuses(
    framework: Framework, records: Iterable[MarkRecord], role: str = "assessor"
) -> list[SheetStatus]:
    """One status per mark sheet (as printed) that has at least one mark of `role`."""
    records = list(records)
    statuses = []
    for sheet in mark_sheets(framework):
        unit, title, key = str(sheet["unit"]), str(sheet.get("title", "")), sheet["key"]
        try:
            marks = sheet_marks(sheet, records, role)
            if not marks:
                continue
            missing = [s["title"] for s in sheet["sections"] if s["title"] not in marks]
            if missing:
                names = ", ".join(f"“{m}”" for m in missing)
                statuses.append(
                    SheetStatus(unit, title, problem=f"not yet marked: {names}", key=key)
                )
                continue
            statuses.append(SheetStatus(unit, title, result=ilm_outcome(sheet, marks), key=key))
        except MarkError as exc:
            statuses.append(SheetStatus(unit, title, problem=str(exc), key=key))
    return statuses
