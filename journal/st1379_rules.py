"""ST1379 rules for an export (seed 002, "Portfolio of evidence requirements"), applied to the
whole export of a portfolio that follows ST1379, since the same files reach the ST1379
assessor (export a mixed portfolio per framework when another framework needs the
reflections):

- no reflective accounts or self-assessment: entries of `REFLECTIVE_KINDS`, personal
  statements (evidence of type "statement" that is not the employer and apprentice statement),
  CPD entries and evidence that are self-assessments (journal.left_out) and the "what I would
  do differently" field of sessions are left out, and the check lists them;
- anonymised: no name of a mentee or of anyone the apprentice added is left in any text of
  the export, nor in what the attachments hold (journal.anonymity_rules);
- a "piece of evidence" is one entry tagged to at least one ST1379 KSB, however many KSBs or
  attachments it has ("Evidence may be used to demonstrate more than one KSB"); the employer
  and apprentice statement confirms the evidence and is not counted as a piece. The plan
  expects "typically 10-16 discrete pieces";
- the pieces show at least two different mentees;
- the employer and apprentice statement: the record of both parties' confirmations
  (journal.statement, `snapshot.statements`), passed only when each confirmed the evidence as
  it is exported now (the fingerprint of the pieces); confirmed before a change, it is out of
  date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from journal.anonymity_rules import anonymised_check, attachments_check
from journal.entries import Kind
from journal.frameworks.model import Framework
from journal.left_out import is_employer_statement, reflective_check, why_left_out
from journal.rule_checks import RuleCheck, Status
from journal.snapshot import EntryRecord, PortfolioSnapshot
from journal.statement import StatementState, statement_state

ST1379 = "st1379"
# "The portfolio of evidence will typically contain 10-16 discrete pieces of evidence."
PIECES = (10, 16)
# "... the mentoring relationship between the apprentice and two mentees."
MENTEES_NEEDED = 2
DISCUSSION = "discussion"


def is_reflective(entry: EntryRecord) -> bool:
    """A reflective account or a self-assessment, which an ST1379 portfolio leaves out: a
    reflection, a personal statement, a CPD entry or evidence that is a self-assessment
    (journal.left_out)."""
    return why_left_out(entry) is not None


def leave_out_reflective(snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
    entries = []
    for entry in snapshot.entries:
        if is_reflective(entry):
            continue
        if entry.kind == Kind.SESSION and "reflection" in entry.data:
            entry = replace(entry, data={k: v for k, v in entry.data.items() if k != "reflection"})
        entries.append(entry)
    return replace(snapshot, entries=tuple(entries))


def st1379_pieces(snapshot: PortfolioSnapshot) -> list[EntryRecord]:
    """The apprentice's EPA selection where one exists (journal.epa_selection), else every
    entry tagged to a KSB that the export keeps."""
    # Imported here: journal.epa_selection builds on this module's rules.
    from journal.epa_selection import selection

    chosen = selection(snapshot)
    if chosen.exists:
        return [c.entry for c in chosen.chosen]
    prefix = f"{ST1379}:"
    return [
        e
        for e in snapshot.entries
        if not is_reflective(e)
        and not is_employer_statement(e)
        and any(t.startswith(prefix) for t in e.tags)
    ]


def st1379_checks(
    original: PortfolioSnapshot, view: PortfolioSnapshot, framework: Framework
) -> list[RuleCheck]:
    def check(rule: str, ok: bool, message: str) -> RuleCheck:
        return RuleCheck(framework.id, rule, Status.PASSED if ok else Status.FAILED, message)

    pieces = st1379_pieces(view)
    low, high = PIECES
    n = len(pieces)
    mentees = {m for e in pieces for m in e.mentees}
    # Deferred: journal.gateway builds on these rules. The fingerprint is of the evidence the
    # gateway portfolio exports (the EPA selection once there is one), as confirmed in the chat.
    from journal.gateway import evidence_fingerprint

    statement = statement_state(view.statements, evidence_fingerprint(original))
    from journal.epa_selection import selection_checks

    selected = selection_checks(view, framework)
    if selected[0].status == Status.PASSED:
        # "typically 10-16": outside the range, the apprentice's selection is a warning.
        status = Status.PASSED if low <= n <= high else Status.CHECK
        message = f"{n} pieces of evidence selected; the plan expects typically {low}-{high}"
        pieces_check = RuleCheck(framework.id, "pieces", status, message)
    else:
        pieces_check = check(
            "pieces",
            low <= n <= high,
            f"{n} pieces of evidence (entries tagged to KSBs); "
            f"the plan expects typically {low}-{high}",
        )
    checks = [
        *selected,
        pieces_check,
        check(
            "mentees",
            len(mentees) >= MENTEES_NEEDED,
            f"the evidence shows {len(mentees)} mentee(s); it should show the mentoring "
            f"relationship with {MENTEES_NEEDED} mentees",
        ),
        check("statement", statement.complete, _statement_message(statement)),
        _discussion_ksbs(framework, pieces, selected[0].status == Status.PASSED),
        check("reflective", *reflective_check(original.entries, view.entries)),
        anonymised_check(original, view, framework.id),
    ]
    attachments = attachments_check(original, view, framework.id)
    if attachments is not None:
        checks.append(attachments)
    return checks


def _discussion_ksbs(
    framework: Framework, pieces: Iterable[EntryRecord], selected: bool = False
) -> RuleCheck:
    """The portfolio "should contain evidence related to the KSBs" assessed by the discussion;
    `selected`: the pieces are the apprentice's EPA selection."""
    methods = framework.extra.get("methods") or []
    title = next((m["title"] for m in methods if m.get("code") == DISCUSSION), None)
    tagged = {t for e in pieces for t in e.tags}
    missing = [c.code for c in framework.criteria if title in c.methods and c.id not in tagged]
    if missing:
        without = "a selected piece" if selected else "evidence"
        message = f"KSBs of the professional discussion without {without}: {', '.join(missing)}"
        return RuleCheck(framework.id, "discussion_ksbs", Status.FAILED, message)
    message = "every KSB of the professional discussion has evidence"
    return RuleCheck(framework.id, "discussion_ksbs", Status.PASSED, message)


def _statement_message(state: StatementState) -> str:
    """Who confirmed the statement for this evidence, or what is still to do."""
    if state.complete:
        signed = " and ".join(
            f"{r.person} ({r.party}, {r.confirmed_at:%d %b %Y})"
            for r in (state.apprentice, state.employer)
            if r is not None
        )
        return f"employer and apprentice statement confirmed by {signed} for the evidence exported"
    parts = []
    if state.missing:
        parts.append("not yet confirmed by the " + " or the ".join(state.missing))
    if state.out_of_date:
        who = " and the ".join(state.out_of_date)
        parts.append(f"out of date: the evidence changed after the {who} confirmed it")
    return (
        "employer and apprentice statement that the evidence is valid and attributable: "
        + "; ".join(parts)
    )
