"""Exports for assessors, built from a PortfolioSnapshot (plain data, no database).

- `exports.xlsx.build_workbook(snapshot, registry, out_path)`: the mapped portfolio workbook;
- `exports.pdf.build_diary(snapshot, registry, out_path)`: the mentoring diary;
- `exports.bundle.build_bundle(snapshot, registry, out_path)` and `verify_bundle(path)`.

Every builder applies the framework rules first (journal.portfolio_rules: an ST1379 portfolio
is anonymised and leaves out reflective accounts) and shows the failed rule checks instead of
failing. The builders are synchronous and CPU-bound: call them in a worker thread
(`asyncio.to_thread`). This module holds what the builders share.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

from journal.entries import KIND_LABELS, Kind
from journal.frameworks.model import Framework
from journal.frameworks.registry import Registry
from journal.portfolio_rules import RuleCheck, apply_rules, check_view
from journal.snapshot import AttachmentRecord, EntryRecord, PortfolioSnapshot

# The field that names an entry in lists, per kind.
TITLE_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SESSION: ("summary", "plan"),
    Kind.GOAL: ("statement",),
    Kind.GOAL_REVIEW: ("progress", "note"),
    Kind.REFLECTION: ("note", "worked", "differently", "learner_progress", "impact"),
    Kind.FEEDBACK: ("text",),
    Kind.SUPERVISION: ("discussion", "actions"),
    Kind.CONTRACT: ("activities", "boundaries", "frequency"),
    Kind.EVIDENCE: ("caption",),
    Kind.CPD: ("activity", "learning"),
}
DECISION_LABELS = {"met": "Met", "not_yet": "Not yet", "not yet": "Not yet"}
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class ExportView:
    """The snapshot as the export shows it, the frameworks it follows and the rule checks."""

    snapshot: PortfolioSnapshot
    frameworks: tuple[Framework, ...]
    checks: tuple[RuleCheck, ...]

    @property
    def entries_in_order(self) -> list[EntryRecord]:
        return sorted(self.snapshot.entries, key=lambda e: (e.occurred_on, e.ref))


def export_view(snapshot: PortfolioSnapshot, registry: Registry) -> ExportView:
    frameworks = tuple(
        fw for fw in (registry.get(fid) for fid in snapshot.framework_ids) if fw is not None
    )
    view = apply_rules(snapshot)
    checks = tuple(check_view(snapshot, view, registry))
    return ExportView(snapshot=view, frameworks=frameworks, checks=checks)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v) for v in value)
    return str(value).strip()


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_title(entry: EntryRecord, limit: int = 160) -> str:
    for key in TITLE_FIELDS.get(entry.kind, ()):
        text = as_text(entry.data.get(key))
        if text:
            return shorten(text, limit)
    return kind_label(entry.kind)


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[Kind(kind)]
    except ValueError:
        return kind


def decision_label(outcome: str) -> str:
    return DECISION_LABELS.get(outcome, outcome)


def attachment_name(attachment: AttachmentRecord, index: int) -> str:
    """Where an attachment sits in the bundle: attachments/E-0042-1.jpg (1-based per entry)."""
    suffix = ""
    for candidate in (attachment.original_name or "", attachment.path.name):
        suffix = PurePath(candidate).suffix.lower()
        if _SAFE_SUFFIX.match(suffix):
            break
    else:
        suffix = mimetypes.guess_extension(attachment.mime_type or "") or ".bin"
    return f"attachments/{attachment.entry_ref}-{index}{suffix}"


def day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def utc_time(value: datetime) -> str:
    value = value.astimezone(UTC)
    return f"{day(value)} {value:%H:%M} UTC"


def period_text(snapshot: PortfolioSnapshot) -> str:
    period = snapshot.period
    return f"{day(period[0])} – {day(period[1])}" if period else "no entries yet"


def framework_line(framework: Framework) -> str:
    return f"{framework.title} (version {framework.version})"


@contextmanager
def partial_file(out_path: Path) -> Iterator[Path]:
    """A path to write to that becomes `out_path` only once complete: a failed or
    interrupted export never leaves a half-written file where a good one is expected."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".part")
    try:
        yield partial
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
