"""Plain-text views of frameworks for the command line."""

from __future__ import annotations

import textwrap

from journal.frameworks.model import Framework, Unit


def framework_line(fw: Framework) -> str:
    return (
        f"{fw.id:<12} {fw.title} (version {fw.version}): "
        f"{len(fw.units)} units, {len(fw.criteria)} criteria"
    )


def framework_text(fw: Framework) -> str:
    lines = [f"{fw.title}", f"id {fw.id} · version {fw.version}", ""]
    for unit in fw.units:
        lines.append(f"{unit.code:<10} {unit.title} ({len(unit.criteria)} criteria)")
    return "\n".join(lines)


def unit_text(fw: Framework, unit: Unit, width: int = 88) -> str:
    head = f"{fw.title} · {unit.code} {unit.title}"
    facts = [
        f"Level {unit.level}" if unit.level else "",
        f"{unit.credit} credits" if unit.credit else "",
        f"Assessment: {unit.assessment}" if unit.assessment else "",
        f"At least {unit.min_hours:g} hours" if unit.min_hours else "",
    ]
    lines = [head, "=" * min(len(head), width)]
    if any(facts):
        lines.append(" · ".join(f for f in facts if f))
    for outcome in unit.outcomes:
        lines.append("")
        lines.extend(textwrap.wrap(f"{outcome.code}  {outcome.text}", width))
        for crit in outcome.criteria:
            methods = f" [{', '.join(crit.methods)}]" if crit.methods else ""
            lines.extend(
                textwrap.wrap(
                    f"{crit.code}  {crit.text}{methods}",
                    width,
                    initial_indent="    ",
                    subsequent_indent="          ",
                )
            )
            lines.append(f"          id: {crit.id}")
    return "\n".join(lines)
