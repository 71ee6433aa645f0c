"""Framework rules for a portfolio: what an export must leave out or hide, and what to check.

ST1379: anonymised (journal.anonymisation) and its own rules (journal.st1379_rules).
ILM and any framework with `min_hours` units: the hours of every mentoring unit, and of any
other hours unit that sessions were tagged to, against its minimum (journal.hours).
EcoMentor ("The candidate must produce enough evidence to meet all the learning outcomes"):
every criterion without enough evidence is listed, and every criterion must be met.

Failed checks are data for the export's cover, never exceptions.
"""

from __future__ import annotations

from dataclasses import replace

from journal.anonymisation import anonymise
from journal.coverage import coverage, without_evidence
from journal.ecomentor_record import unjudged_or_lacking
from journal.frameworks.model import Framework
from journal.frameworks.registry import Registry
from journal.hours import confirmed_text, format_hours, format_minutes, unit_hours, units_in_use
from journal.rule_checks import RuleCheck, Status
from journal.snapshot import PortfolioSnapshot
from journal.st1379_rules import ST1379, leave_out_reflective, st1379_checks

ECOMENTOR = "ecomentor"


def one_qualification(snapshot: PortfolioSnapshot, framework_id: str) -> PortfolioSnapshot:
    """The snapshot as one qualification's export sees it: that framework only, its tags,
    decisions, marks and targets. The rules of that framework alone then apply, so an ILM
    export of a portfolio that also follows ST1379 keeps its reflections and names."""
    if snapshot.framework_ids == (framework_id,):
        return snapshot
    prefix = f"{framework_id}:"

    def ours(criterion_id: str) -> bool:
        return criterion_id.startswith(prefix)

    entries = tuple(
        e if all(map(ours, e.tags)) else replace(e, tags=tuple(filter(ours, e.tags)))
        for e in snapshot.entries
    )
    return replace(
        snapshot,
        framework_ids=(framework_id,),
        entries=entries,
        decisions=tuple(d for d in snapshot.decisions if ours(d.criterion_id)),
        marks=tuple(m for m in snapshot.marks if m.framework_id == framework_id),
        targets={k: v for k, v in snapshot.targets.items() if ours(k)},
    )


def apply_rules(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    """The snapshot as an export shows it."""
    if ST1379 not in snapshot.framework_ids:
        return snapshot
    return anonymise(leave_out_reflective(snapshot))


def check_portfolio(snapshot: PortfolioSnapshot, registry: Registry) -> list[RuleCheck]:
    """Every rule of every framework the portfolio follows, checked on what the export shows."""
    return check_view(snapshot, apply_rules(snapshot), registry)


def check_view(
    snapshot: PortfolioSnapshot, view: PortfolioSnapshot, registry: Registry
) -> list[RuleCheck]:
    """`check_portfolio` for a caller that has `view = apply_rules(snapshot)` already."""
    checks: list[RuleCheck] = []
    for framework_id in snapshot.framework_ids:
        framework = registry.get(framework_id)
        if framework is None:
            message = f"framework “{framework_id}” is not loaded: its rules were not checked"
            checks.append(RuleCheck(framework_id, "framework", Status.FAILED, message))
            continue
        checks += _hours_checks(view, framework)
        if framework.id == ST1379:
            checks += st1379_checks(snapshot, view, framework)
        if framework.id == ECOMENTOR:
            checks += _ecomentor_checks(view, framework)
    return checks


def _hours_checks(view: PortfolioSnapshot, framework: Framework) -> list[RuleCheck]:
    checks = []
    for unit in units_in_use(unit_hours(view, framework), framework):
        logged = (
            f"{format_minutes(unit.minutes)} logged of the {format_hours(unit.min_hours)} minimum"
        )
        if unit.met:
            status, message = Status.PASSED, f"{unit.unit_code}: {logged}"
        elif not unit.logged_met:
            to_go = format_minutes(unit.remaining_minutes)
            status, message = Status.FAILED, f"{unit.unit_code}: only {logged} ({to_go} to go)"
        else:
            status, message = Status.FAILED, f"{unit.unit_code}: {logged}"
        if unit.needs_confirmed:
            # Supervised practice: the minimum needs the supervisor's confirmed hours.
            message += f"; {confirmed_text(unit)}"
        checks.append(RuleCheck(framework.id, f"hours:{unit.unit_code}", status, message))
    return checks


def _ecomentor_checks(view: PortfolioSnapshot, framework: Framework) -> list[RuleCheck]:
    rows = coverage(view, framework)
    gaps = without_evidence(rows)
    total = len(rows)
    if gaps:
        codes = ", ".join(f"{r.criterion.unit_code} {r.criterion.code}" for r in gaps)
        evidence = RuleCheck(
            framework.id,
            "criteria_evidenced",
            Status.FAILED,
            f"{len(gaps)} of {total} criteria without enough evidence: {codes}",
        )
    else:
        message = f"all {total} criteria have evidence"
        evidence = RuleCheck(framework.id, "criteria_evidenced", Status.PASSED, message)
    met = sum(r.assessor_met for r in rows)
    status = Status.PASSED if met == total else Status.CHECK
    message = f"the assessor has met {met} of {total} criteria; every criterion must be met"
    return [
        evidence,
        RuleCheck(framework.id, "criteria_met", status, message),
        _judged_check(view, framework),
    ]


def _judged_check(view: PortfolioSnapshot, framework: Framework) -> RuleCheck:
    """EcoMentor 3.10: evidence used must be valid, authentic, reliable, current, sufficient."""
    found = unjudged_or_lacking(view)
    lacking = {ref: why for ref, why in found.items() if why != "not judged"}
    listed = "; ".join(f"{ref} {why}" for ref, why in found.items())
    if lacking:
        return RuleCheck(framework.id, "evidence_judged", Status.FAILED, f"evidence {listed}")
    if found:
        return RuleCheck(
            framework.id,
            "evidence_judged",
            Status.CHECK,
            f"the assessor has still to judge the evidence on its five qualities: {listed}",
        )
    message = "every evidence item is judged valid, authentic, reliable, current and sufficient"
    return RuleCheck(framework.id, "evidence_judged", Status.PASSED, message)
